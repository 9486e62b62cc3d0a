"""Account tools (audit log, team members) through the real Client against the sandbox."""

from __future__ import annotations

import dataclasses
import secrets
import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest

from hireflix_mcp.views.common import iso
from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.store import AuditRecord
from tests.tools.conftest import Elicitor
from tests.tools.conftest import Era
from tests.tools.conftest import accepted
from tests.tools.conftest import call_with_token
from tests.tools.conftest import connect
from tests.tools.conftest import data
from tests.tools.conftest import error_text
from tests.tools.conftest import failed_without_asking
from tests.tools.conftest import rejected_before_sending

pytestmark = pytest.mark.anyio

DAY_MS = 86_400_000
TWO_MONTHS_MS = 60 * DAY_MS
NEW_EMAIL = "new.recruiter@acme-talent.example"
ENTRY_KEYS = {
    "at", "action", "actor", "via", "ip", "candidate", "position", "member", "deleted",
    "interview_id", "position_id", "member_id", "webhook_id", "object_type", "object_id",
}  # fmt: skip


def _epoch_ms(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp() * 1000


def _member_emails(sandbox: RunningSandbox) -> set[str]:
    return {m.email for m in sandbox.store.members()}


def _plain_member(sandbox: RunningSandbox) -> tuple[str, str, str]:
    member = next(m for m in sandbox.store.members() if m.type == "member")
    return member.id, member.email, member.name or ""


# ------------------------------------------------------------------------------------------ logs


def _log(
    sandbox: RunningSandbox,
    at_ms: float,
    *,
    action: str = "interview.score",
    object_type: str = "INTERVIEW",
    object_id: str | None = None,
    medium: str = "ADMIN",
) -> AuditRecord:
    """Write one audit entry straight into the sandbox (as the dashboard or a shared link would)."""
    owner = sandbox.store.owner()
    anonymous = medium == "WEBAPP_INTERVIEW_SHAREABLE_LINK"
    record = AuditRecord(
        id=secrets.token_hex(12),
        actor_id=None if anonymous else owner.id,
        actor_email=None if anonymous else owner.email,
        timestamp=float(at_ms),
        object={"id": object_id or sandbox.store.all_interviews()[0].id, "type": object_type},
        ip="203.0.113.7",
        action=action,
        host="app.hireflix.com",
        referer="https://app.hireflix.com/",
        medium=medium,
    )
    sandbox.store.insert(record)
    return record


def _in_window(sandbox: RunningSandbox, low: float, high: float) -> list[AuditRecord]:
    """The sandbox's entries with low <= timestamp <= high, newest first, as Hireflix lists them."""
    return [e for e in sandbox.store.audit_entries() if low <= e.timestamp <= high]


def _keys(entries: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(e["at"], e["action"], e.get("interview_id") or e.get("position_id") or e.get("member_id"))
            for e in entries]  # fmt: skip


def _expected(records: list[AuditRecord]) -> list[tuple[Any, ...]]:
    return [(iso(r.timestamp), r.action, None if r.object["type"] == "MEMBER" else r.object["id"])
            for r in records]  # fmt: skip


async def _read_all(client: Any, args: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    """Every entry of a range, following next_skip page by page (bounded)."""
    seen: list[dict[str, Any]] = []
    skip: int | None = 0
    for _ in range(100):
        if skip is None:
            return seen
        page = data(await client.call_tool("get_account_logs", {**args, "limit": limit, "skip": skip}))
        assert len(page.get("entries", [])) <= limit
        seen.extend(page.get("entries", []))
        skip = page.get("next_skip")
    raise AssertionError("next_skip never ended")


async def test_account_logs_page_through_the_last_two_months_newest_first(
    sandbox: RunningSandbox, era: Era
) -> None:
    now = time.time() * 1000
    in_window = [e for e in sandbox.store.audit_entries() if e.timestamp >= now - TWO_MONTHS_MS]
    older = [e for e in sandbox.store.audit_entries() if e.timestamp < now - TWO_MONTHS_MS]
    assert older, "demo data has entries older than two months"
    seen: list[dict[str, Any]] = []
    skip: int | None = 0
    async with connect(sandbox, era=era) as client:
        while skip is not None:
            page = data(await client.call_tool("get_account_logs", {"limit": 7, "skip": skip}))
            assert page["total"] == len(in_window)
            assert len(page["entries"]) <= 7
            seen.extend(page["entries"])
            skip = page.get("next_skip")
            assert skip is None or skip == len(seen)
    assert len(seen) == len(in_window)
    times = [_epoch_ms(str(e["at"])) for e in seen]
    assert times == sorted(times, reverse=True)
    assert min(times) >= now - TWO_MONTHS_MS - 1000
    for entry in seen:
        assert set(entry) <= ENTRY_KEYS
        assert {"at", "action", "actor", "via", "ip"} <= set(entry)


async def test_a_log_entry_names_the_candidate_and_position_of_its_interview(sandbox: RunningSandbox) -> None:
    target = sandbox.store.all_interviews()[0]
    position = sandbox.store.position(target.position_id)
    assert position is not None
    async with connect(sandbox) as client:
        await client.call_tool("score_interview", {"interview_id": target.id, "score": 1.5})
        page = data(await client.call_tool("get_account_logs", {"limit": 1}))
    newest = page["entries"][0]
    assert newest["action"] == "interview.score"
    assert newest["interview_id"] == target.id
    assert newest["candidate"] == f"{target.first_name} {target.last_name}"
    assert newest["position"] == position.name
    assert newest["actor"] == sandbox.store.owner().email
    assert newest["via"] == "API key"
    assert newest["ip"]
    assert page["next_skip"] == 1


async def test_position_and_member_entries_are_named_and_gone_objects_say_deleted(
    sandbox: RunningSandbox,
) -> None:
    doomed = sandbox.store.all_interviews()[1]
    position = sandbox.store.positions()[0]
    member_id, _, _ = _plain_member(sandbox)
    async with connect(sandbox, confirm="off") as client:
        await client.call_tool("update_position", {"position_id": position.id, "name": "Head Barista"})
        await client.call_tool("delete_interview", {"interview_id": doomed.id})
        await client.call_tool("add_member", {"email": NEW_EMAIL})
        await client.call_tool("remove_member", {"member_id": member_id})
        page = data(await client.call_tool("get_account_logs", {"limit": 4}))
    removed, added, deleted, renamed = page["entries"]
    assert (renamed["action"], renamed["position_id"], renamed["position"]) == (
        "position.update", position.id, "Head Barista"
    )  # fmt: skip
    assert (deleted["action"], deleted["interview_id"], deleted["deleted"]) == (
        "interview.delete",
        doomed.id,
        True,
    )
    assert "candidate" not in deleted
    assert (added["action"], added["member"]) == ("member.add", NEW_EMAIL)
    assert (removed["action"], removed["member_id"], removed["deleted"]) == ("member.remove", member_id, True)


async def test_a_shared_link_view_is_anonymous_and_a_login_names_no_object(sandbox: RunningSandbox) -> None:
    now = time.time() * 1000
    owner = sandbox.store.owner()
    _log(sandbox, now - 1000, action="user.login-with-company", object_type="MEMBER", object_id=owner.id)
    _log(sandbox, now - 500, action="interview.view", medium="WEBAPP_INTERVIEW_SHAREABLE_LINK")
    async with connect(sandbox) as client:
        view, login = data(await client.call_tool("get_account_logs", {"limit": 2}))["entries"]
    assert (view["actor"], view["via"]) == ("anonymous", "shared link")
    assert view["candidate"]
    assert login == {"at": iso(now - 1000), "action": "user.login-with-company", "actor": owner.email,
                     "via": "dashboard", "ip": "203.0.113.7"}  # fmt: skip


async def test_since_and_until_return_exactly_the_entries_in_range_page_by_page(
    sandbox: RunningSandbox, era: Era
) -> None:
    now = time.time() * 1000
    for days in (4.9, 5.5, 8, 9, 12, 15, 19.9, 20.1):
        _log(sandbox, now - days * DAY_MS)
    since = datetime.fromtimestamp((now - 20 * DAY_MS) // 1000, tz=UTC)
    until = datetime.fromtimestamp((now - 5 * DAY_MS) // 1000, tz=UTC)
    expected = _in_window(sandbox, since.timestamp() * 1000, until.timestamp() * 1000 + 999)
    assert len(expected) >= 7
    assert len(_in_window(sandbox, 0, now)) > len(expected)
    args = {"since": since.isoformat(), "until": until.strftime("%Y-%m-%dT%H:%M:%SZ")}
    async with connect(sandbox, era=era) as client:
        seen = await _read_all(client, args, limit=3)
        first = data(await client.call_tool("get_account_logs", {**args, "limit": 3}))
    assert _keys(seen) == _expected(expected)
    assert (first["since"], first["until"]) == (iso(since.timestamp() * 1000), iso(until.timestamp() * 1000))
    assert "total" not in first


async def test_a_date_is_a_whole_utc_day_and_an_entrys_at_given_back_includes_it(
    sandbox: RunningSandbox,
) -> None:
    day = (datetime.now(UTC) - timedelta(days=10)).date()
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000
    inside = [_log(sandbox, midnight + 500), _log(sandbox, midnight + DAY_MS - 100)]
    _log(sandbox, midnight - 1)
    _log(sandbox, midnight + DAY_MS)
    expected = _in_window(sandbox, midnight, midnight + DAY_MS - 1)
    async with connect(sandbox) as client:
        whole_day = await _read_all(client, {"since": day.isoformat(), "until": day.isoformat()}, limit=100)
        last = inside[1]
        to_its_second = await _read_all(
            client, {"since": iso(last.timestamp), "until": iso(last.timestamp)}, 5
        )
    assert _keys(whole_day) == _expected(expected)
    assert {iso(r.timestamp) for r in inside} <= {e["at"] for e in whole_day}
    assert [e["at"] for e in to_its_second] == [iso(last.timestamp)]


async def test_a_range_with_entries_in_it_is_read_in_one_request_plus_name_lookups(
    sandbox: RunningSandbox,
) -> None:
    target = sandbox.store.all_interviews()[0]
    async with connect(sandbox) as client:
        for score in (1.5, 2.5, 3.5):
            await client.call_tool("score_interview", {"interview_id": target.id, "score": score})
        sandbox.reset_request_counts()
        page = data(await client.call_tool("get_account_logs", {"since": iso(time.time() * 1000 - 60_000)}))
    assert [e["interview_id"] for e in page["entries"]] == [target.id] * 3
    assert {e["candidate"] for e in page["entries"]} == {f"{target.first_name} {target.last_name}"}
    assert "next_skip" not in page
    counts = sandbox.request_counts()["by_operation_name"]
    assert counts == {"GetAccountLogs": 1, "GetInterviewNames": 1}


async def test_a_range_longer_than_the_read_budget_says_so_and_next_skip_reads_on(
    sandbox: RunningSandbox,
) -> None:
    now = time.time() * 1000
    for i in range(1005):
        _log(sandbox, now - 1000 - i, action="position.update", object_type="POSITION",
             object_id=sandbox.store.positions()[0].id)  # fmt: skip
    until_ms = now - 2 * DAY_MS
    until = str(iso(until_ms))
    async with connect(sandbox) as client:
        sandbox.reset_request_counts()
        first = data(await client.call_tool("get_account_logs", {"until": until, "limit": 5}))
        assert sandbox.request_counts()["by_operation_name"] == {"GetAccountLogs": 10}
        second = data(
            await client.call_tool(
                "get_account_logs", {"until": until, "limit": 5, "skip": first["next_skip"]}
            )
        )
    assert first.get("entries", []) == []
    assert first["next_skip"] == 1000
    assert "skip=1000" in first["note"]
    expected = _in_window(sandbox, 0, until_ms // 1000 * 1000 + 999)[:5]
    assert _keys(second["entries"]) == _expected(expected)


async def test_a_hostile_candidate_name_is_sanitised_and_kept_in_the_candidate_field(
    sandbox: RunningSandbox,
) -> None:
    target = sandbox.store.all_interviews()[0]
    sandbox.store.save(dataclasses.replace(target, first_name="Ja\u200bne\u202e", last_name="Doe\U000e0041"))
    _log(sandbox, time.time() * 1000, object_id=target.id)
    async with connect(sandbox) as client:
        newest = data(await client.call_tool("get_account_logs", {"limit": 1}))["entries"][0]
    assert newest["candidate"] == "Jane Doe"
    assert "Jane" not in str({k: v for k, v in newest.items() if k != "candidate"})


async def test_failed_name_lookups_leave_the_ids_and_say_so(sandbox: RunningSandbox) -> None:
    target = sandbox.store.all_interviews()[0]
    _log(sandbox, time.time() * 1000, object_id=target.id)
    sandbox.set_fault(kind="server_error", status=500, operation="GetInterviewNames")
    async with connect(sandbox, max_retries=0) as client:
        page = data(await client.call_tool("get_account_logs", {"limit": 1}))
    newest = page["entries"][0]
    assert newest["interview_id"] == target.id
    assert "candidate" not in newest
    assert "deleted" not in newest
    assert "1 entry shows only ids" in page["note"]


async def test_a_since_older_than_two_months_says_what_hireflix_keeps(sandbox: RunningSandbox) -> None:
    since = (datetime.now(UTC) - timedelta(days=90)).date().isoformat()
    async with connect(sandbox) as client:
        page = data(await client.call_tool("get_account_logs", {"since": since, "limit": 1}))
    assert "only the last two months" in page["note"]
    assert page["entries"]


async def test_an_empty_range_says_so(sandbox: RunningSandbox) -> None:
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    async with connect(sandbox) as client:
        page = data(await client.call_tool("get_account_logs", {"since": tomorrow}))
    assert page.get("entries", []) == []
    assert page["note"] == "No entries in this range."


async def test_skipping_past_the_end_returns_an_empty_last_page(sandbox: RunningSandbox) -> None:
    async with connect(sandbox) as client:
        page = data(await client.call_tool("get_account_logs", {"skip": 10_000}))
    assert page.get("entries", []) == []
    assert page.get("next_skip") is None
    assert page["total"] > 0


# ------------------------------------------------------------------------------------------ members


async def test_list_members_shows_each_active_member_with_id_email_and_type(
    sandbox: RunningSandbox, era: Era
) -> None:
    async with connect(sandbox, era=era) as client:
        result = data(await client.call_tool("list_members", {}))
    expected = {(m.id, m.email, m.type) for m in sandbox.store.members()}
    assert {(m["id"], m["email"], m["type"]) for m in result["members"]} == expected
    assert result["total"] == len(expected)
    assert any(m["type"] == "owner" and m["name"] for m in result["members"])


async def test_accepted_add_member_grants_access_after_naming_the_email(
    sandbox: RunningSandbox, era: Era
) -> None:
    result, question = await accepted(sandbox, "add_member", {"email": NEW_EMAIL}, era=era)
    assert question == (
        f'Give "{NEW_EMAIL}" access to the company\'s Hireflix account, including every '
        "candidate's recordings?"
    )
    assert result["member"]["email"] == NEW_EMAIL
    assert NEW_EMAIL in _member_emails(sandbox)


async def test_add_member_token_for_another_email_or_forged_changes_nothing(sandbox: RunningSandbox) -> None:
    other = "someone.else@acme-talent.example"
    async with connect(sandbox) as client:
        first = data(await client.call_tool("add_member", {"email": NEW_EMAIL}))
        token = first["confirmation_token"]
        mismatched = error_text(await call_with_token(client, "add_member", {"email": other}, token))
        forged = error_text(
            await call_with_token(client, "add_member", {"email": NEW_EMAIL}, token[:-4] + "AAAA")
        )
    assert "different arguments" in mismatched
    assert "forged" in forged
    assert not {NEW_EMAIL, other} & _member_emails(sandbox)


async def test_adding_an_existing_member_says_nothing_changed(sandbox: RunningSandbox) -> None:
    _, email, _ = _plain_member(sandbox)
    before = sandbox.store.members()
    async with connect(sandbox, confirm="off") as client:
        result = data(await client.call_tool("add_member", {"email": email}))
    assert result["status"] == "done"
    assert "already a member" in result["message"]
    assert sandbox.store.members() == before


async def test_add_member_with_a_malformed_email_is_rejected_before_anything_is_sent(
    sandbox: RunningSandbox,
) -> None:
    elicitor = Elicitor("accept")
    message = await rejected_before_sending(
        sandbox, "add_member", {"email": "not an email"}, elicitor=elicitor
    )
    assert "email" in message
    assert elicitor.messages == []


async def test_accepted_remove_member_by_email_names_them_and_revokes_access(
    sandbox: RunningSandbox, era: Era
) -> None:
    member_id, email, name = _plain_member(sandbox)
    result, question = await accepted(sandbox, "remove_member", {"email": email.upper()}, era=era)
    assert f'"{name}" ("{email}")' in question
    assert result["member"]["id"] == member_id
    assert email not in _member_emails(sandbox)


async def test_remove_member_token_for_another_member_or_forged_changes_nothing(
    sandbox: RunningSandbox,
) -> None:
    members = [m for m in sandbox.store.members() if m.type != "owner"]
    before = _member_emails(sandbox)
    async with connect(sandbox) as client:
        first = data(await client.call_tool("remove_member", {"member_id": members[0].id}))
        token = first["confirmation_token"]
        mismatched = error_text(
            await call_with_token(client, "remove_member", {"member_id": members[1].id}, token)
        )
        by_email = error_text(
            await call_with_token(client, "remove_member", {"email": members[0].email}, token)
        )
        forged = error_text(
            await call_with_token(client, "remove_member", {"member_id": members[0].id}, token[:-4] + "AAAA")
        )
    assert "different arguments" in mismatched
    assert "different arguments" in by_email
    assert "forged" in forged
    assert _member_emails(sandbox) == before


@pytest.mark.parametrize("args", [{}, {"member_id": "a" * 24, "email": "x@example.com"}])
async def test_remove_member_needs_exactly_one_of_id_or_email(
    sandbox: RunningSandbox, era: Era, args: dict[str, str]
) -> None:
    elicitor = Elicitor("accept")
    message = await rejected_before_sending(sandbox, "remove_member", args, era=era, elicitor=elicitor)
    assert "exactly one of member_id or email" in message
    assert elicitor.messages == []


async def test_removing_an_unknown_member_points_at_list_members(
    sandbox: RunningSandbox, can_elicit: bool
) -> None:
    before = _member_emails(sandbox)
    message = await failed_without_asking(
        sandbox, "remove_member", {"email": "nobody@example.com"}, can_elicit=can_elicit
    )
    assert "nobody@example.com" in message
    assert "list_members" in message
    assert _member_emails(sandbox) == before


async def test_the_account_owner_cannot_be_removed(sandbox: RunningSandbox) -> None:
    owner = sandbox.store.owner()
    async with connect(sandbox, confirm="off") as client:
        message = error_text(await client.call_tool("remove_member", {"member_id": owner.id}))
    assert "owns the account" in message
    assert owner.email in _member_emails(sandbox)
