"""Demo data is deterministic and covers every case; a file database survives a restart."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from hireflix_sandbox.demo_data import bootstrap
from hireflix_sandbox.embedded import running_sandbox
from hireflix_sandbox.ids import epoch_ms
from hireflix_sandbox.listing import interview_filter_status
from hireflix_sandbox.rules import DAY_MS
from hireflix_sandbox.store import Store

TIME_FIELDS = {"created_at", "updated_at", "completed_at", "expires", "finalist", "archived", "timestamp"}


def seeded(seed: int, now: float = 1_700_000_000_000.0) -> Store:
    store = Store(":memory:")
    bootstrap(store, seed=seed, demo=True, now_ms=now)
    return store


def content(store: Store) -> list[Any]:
    """Everything the seed decides, timestamps aside (those are relative to the moment of seeding)."""

    def strip(record: Any) -> dict[str, Any]:
        return {
            k: v for k, v in dataclasses.asdict(record).items() if k not in TIME_FIELDS and "expires" not in k
        }

    interviews = store.all_interviews()
    return [
        [strip(p) for p in store.positions()],
        [strip(q) for p in store.positions() for q in store.questions(p.id)],
        sorted((strip(i) for i in interviews), key=lambda r: r["id"]),
        [strip(a) for i in interviews for a in store.answers(i.id)],
        [strip(c) for i in interviews for c in store.comments(i.id)],
        [strip(m) for m in store.members()],
        [strip(w) for w in store.webhooks()],
        sorted((strip(e) for e in store.audit_entries()), key=lambda r: r["id"]),
    ]


def test_the_same_seed_gives_the_same_ids_and_content() -> None:
    first, second = seeded(1), seeded(1, now=1_800_000_000_000.0)
    assert content(first) == content(second)
    assert first.company().webhook_secret != second.company().webhook_secret, "a secret is never derived"
    assert [p.id for p in first.positions()] == [p.id for p in second.positions()]


def test_another_seed_gives_other_ids() -> None:
    assert {p.id for p in seeded(1).positions()}.isdisjoint({p.id for p in seeded(2).positions()})


def test_timestamps_keep_their_order_relative_to_the_seeding_time() -> None:
    early, late = seeded(1, now=1_700_000_000_000.0), seeded(1, now=1_700_000_000_000.0 + DAY_MS)
    assert [i.id for i in early.all_interviews()] == [i.id for i in late.all_interviews()]
    assert all(
        b.created_at - a.created_at == DAY_MS
        for a, b in zip(early.all_interviews(), late.all_interviews(), strict=True)
    )


def test_demo_data_covers_every_case() -> None:
    now = epoch_ms()
    store = seeded(1, now=now)
    positions = store.positions()
    assert len(positions) >= 5
    assert sum(p.archived is not None for p in positions) == 1
    assert all(3 <= len(store.questions(p.id)) <= 5 for p in positions)
    interviews = store.all_interviews()
    assert len(interviews) >= 60
    statuses = {interview_filter_status(i) for i in interviews}
    assert statuses == {"pending", "to_evaluate", "shortlisted", "discarded"}
    for position in positions:
        if position.archived is None:
            assert {interview_filter_status(i) for i in store.interviews(position.id)} == statuses
    assert any(not name.isascii() for i in interviews for name in (i.first_name, i.last_name or ""))
    assert len({i.email.lower() for i in interviews}) == len(interviews)
    scores = {i.score for i in interviews if i.score is not None}
    assert any(s % 1 == 0.5 for s in scores)
    assert {a.language_code for i in interviews for a in store.answers(i.id)} == {"en", "es"}
    assert all(store.answers(i.id) for i in interviews if i.completed)
    assert all(a.words and a.url.endswith(".mp4") for i in interviews for a in store.answers(i.id))
    assert sum(1 for i in interviews if store.comments(i.id)) >= 10
    assert sum(1 for i in interviews if i.share_url) >= 5
    assert any(i.metadata for i in interviews)
    assert any(i.external_id for i in interviews)
    assert any(i.phone for i in interviews)
    assert len(store.members()) >= 3
    assert len(store.webhooks()) == 1
    audit = store.audit_entries()
    assert any(e.timestamp < now - 60 * DAY_MS for e in audit)
    assert any(e.timestamp >= now - 60 * DAY_MS for e in audit)
    assert all(i.created_at <= now and (i.completed_at or 0) <= now for i in interviews)


def test_without_demo_data_only_the_company_and_owner_exist() -> None:
    store = Store(":memory:")
    bootstrap(store, seed=1, demo=False, now_ms=epoch_ms())
    assert store.positions() == []
    assert [m.type for m in store.members()] == ["owner"]
    assert store.company().name == "Acme Talent"


def test_a_file_database_survives_a_restart_and_is_not_reseeded(tmp_path: Path) -> None:
    db = str(tmp_path / "sandbox.sqlite3")
    with running_sandbox(db_path=db) as first:
        position_id = next(p.id for p in first.store.positions() if p.archived is None)
        created = first.graphql(
            "mutation($p: String!) { inviteCandidateToInterview(input: {positionId: $p, candidate: "
            '{email: "kept@example.com", firstName: "Kept"}}) { ... on InterviewType { id } } }',
            {"p": position_id},
        )["data"]["inviteCandidateToInterview"]
        first.graphql('mutation { Company { Member { add(email: "kept.member@acme.example") } } }')
        count = first.store.count_interviews()
    with running_sandbox(db_path=db, seed=99) as second:
        assert second.store.count_interviews() == count
        body = second.graphql(
            "query($id: String!) { interview(id: $id) { candidate { email } } }", {"id": created["id"]}
        )
        assert body["data"]["interview"]["candidate"]["email"] == "kept@example.com"
        assert second.store.member_by_email("kept.member@acme.example") is not None
        assert second.store.audit_entries()[0].action == "member.add"
        again = second.graphql(
            "mutation($p: String!) { inviteCandidateToInterview(input: {positionId: $p, candidate: "
            '{email: "kept@example.com", firstName: "Kept"}}) { __typename } }',
            {"p": position_id},
        )
        assert (
            again["data"]["inviteCandidateToInterview"]["__typename"]
            == "InterviewAlreadyExistsInPositionError"
        )


def test_the_invite_quota_survives_a_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "quota.sqlite3")
    invite = (
        "mutation($p: String!, $e: EmailAddress!) { inviteCandidateToInterview(input: {positionId: $p, "
        'candidate: {email: $e, firstName: "Q"}}) { __typename } }'
    )
    with running_sandbox(db_path=db, invite_quota=1) as first:
        position_id = next(p.id for p in first.store.positions() if p.archived is None)
        assert (
            first.graphql(invite, {"p": position_id, "e": "q1@example.com"})["data"][
                "inviteCandidateToInterview"
            ]["__typename"]
            == "InterviewType"
        )
    with running_sandbox(db_path=db, invite_quota=1) as second:
        outcome = second.graphql(invite, {"p": position_id, "e": "q2@example.com"})["data"]
        assert outcome["inviteCandidateToInterview"]["__typename"] == "ExceededInvitesThisPeriodError"
