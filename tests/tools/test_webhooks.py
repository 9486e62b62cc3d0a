"""Webhook tools through the real Client against the sandbox, and list_webhook_events in both modes."""

from __future__ import annotations

import json
import time
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from hireflix_mcp.events import SqliteEventStore
from hireflix_mcp.tools import webhooks
from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.webhooks import encode_event
from hireflix_sandbox.webhooks import webhook_snapshot
from tests.test_resources import read_json
from tests.tools.conftest import Elicitor
from tests.tools.conftest import Era
from tests.tools.conftest import accepted
from tests.tools.conftest import call
from tests.tools.conftest import call_error
from tests.tools.conftest import call_with_token
from tests.tools.conftest import connect
from tests.tools.conftest import data
from tests.tools.conftest import error_text
from tests.tools.conftest import failed_without_asking
from tests.tools.conftest import refused_by
from tests.tools.conftest import rejected_before_sending
from tests.tools.test_interviews_support import MISSING_ID

pytestmark = pytest.mark.anyio


def _hook_urls(sandbox: RunningSandbox) -> set[str]:
    return {h.url for h in sandbox.store.webhooks()}


def _demo_hook_id(sandbox: RunningSandbox) -> str:
    return sandbox.store.webhooks()[0].id


def _iso(epoch_ms: float) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC).isoformat()


# ------------------------------------------------------------------------------------------ list / create


async def test_list_webhooks_shows_url_events_and_state_but_never_the_secret(
    sandbox: RunningSandbox, era: Era
) -> None:
    async with connect(sandbox, era=era) as client:
        result = await call(client, "list_webhooks", {})
    hook = sandbox.store.webhooks()[0]
    assert result["total"] == 1
    assert result["webhooks"] == [
        {"id": hook.id, "url": hook.url, "events": hook.events, "active": hook.active}
    ]
    assert sandbox.runtime.webhook_secret not in json.dumps(result)
    assert "ListWebhooks" in sandbox.request_counts()["by_operation_name"]
    assert "GetWebhookSecret" not in sandbox.request_counts()["by_operation_name"]


async def test_create_webhook_names_the_host_and_the_data_then_stores_it_with_events_de_duplicated(
    sandbox: RunningSandbox, era: Era
) -> None:
    url = "https://ats.example.com/hooks/hireflix"
    events = ["interview.finish", "interview.create", "interview.finish"]
    elicitor = Elicitor("accept")
    async with connect(sandbox, era=era, elicitor=elicitor) as client:
        result = await call(client, "create_webhook", {"url": url, "events": events})
    assert elicitor.messages == [
        'Send candidate data to the host "ats.example.com"? Hireflix will POST every interview.finish and '
        "interview.create event, with candidates' names, e-mail addresses, phone numbers and interview "
        f'links, to "{url}" until the webhook is deleted.'
    ]
    assert result["status"] == "done"
    hook = result["webhook"]
    assert hook["url"] == url
    assert hook["events"] == ["interview.finish", "interview.create"]
    assert hook["active"] is True
    assert "x-hireflix-signature" in result["note"]
    stored = sandbox.store.webhook(hook["id"])
    assert stored is not None
    assert stored.events == ["interview.finish", "interview.create"]


async def test_declined_or_cancelled_create_adds_no_webhook(
    sandbox: RunningSandbox, refusing: Elicitor
) -> None:
    await refused_by(
        refusing,
        sandbox,
        "create_webhook",
        {"url": "https://ats.example.com/h", "events": ["interview.finish"]},
    )
    assert len(sandbox.store.webhooks()) == 1
    assert sandbox.request_counts()["total"] == 0


async def test_create_without_elicitation_needs_a_token_bound_to_the_url(sandbox: RunningSandbox) -> None:
    args = {"url": "https://ats.example.com/h", "events": ["interview.finish"]}
    async with connect(sandbox) as client:
        first = await call(client, "create_webhook", args)
        token = first["confirmation_token"]
        other = {**args, "url": "https://other.example.com/h"}
        mismatched = await call_error(client, "create_webhook", {**other, "confirmation_token": token})
        assert len(sandbox.store.webhooks()) == 1
        done = await call(client, "create_webhook", {**args, "confirmation_token": token})
    assert first["status"] == "confirmation_required"
    assert '"ats.example.com"' in first["message"]
    assert "different arguments" in mismatched
    assert done["webhook"]["url"] == "https://ats.example.com/h"
    assert _hook_urls(sandbox) >= {"https://ats.example.com/h"}


@pytest.mark.parametrize(
    ("url", "stored"),
    [
        ("http://127.0.0.1:8123/hooks", "http://127.0.0.1:8123/hooks"),
        ("http://localhost:9000/x", "http://localhost:9000/x"),
        ("http://[::1]:80/h", "http://[::1]/h"),
    ],
)
async def test_plain_http_webhook_is_allowed_on_loopback_against_a_local_hireflix(
    sandbox: RunningSandbox, url: str, stored: str
) -> None:
    async with connect(sandbox, elicitor=Elicitor("accept")) as client:
        result = await call(client, "create_webhook", {"url": url, "events": ["interview.delete"]})
    assert stored in _hook_urls(sandbox)
    assert result["webhook"]["url"] == stored


@pytest.mark.parametrize(
    ("args", "field", "rule"),
    [
        ({"url": "http://ats.example.com/hook", "events": ["interview.finish"]}, "url", "https"),
        ({"url": "ftp://ats.example.com/hook", "events": ["interview.finish"]}, "url", "absolute https"),
        ({"url": "https:///no-host", "events": ["interview.finish"]}, "url", "absolute https"),
        ({"url": "https://ats.example.com/hook", "events": []}, "events", "at least 1"),
        (
            {"url": "https://ats.example.com/hook", "events": ["interview.finished"]},
            "events",
            "interview.finish",
        ),
    ],
)
async def test_bad_webhook_url_or_events_are_rejected_before_anything_is_sent(
    sandbox: RunningSandbox, args: dict[str, Any], field: str, rule: str
) -> None:
    message = await rejected_before_sending(sandbox, "create_webhook", args)
    assert field in message
    assert rule in message
    assert len(sandbox.store.webhooks()) == 1


# ------------------------------------------------------------------------------------------ delete


async def test_accepted_delete_names_url_and_events_then_removes_the_webhook(
    sandbox: RunningSandbox, era: Era
) -> None:
    hook = sandbox.store.webhooks()[0]
    result, question = await accepted(sandbox, "delete_webhook", {"webhook_id": hook.id}, era=era)
    assert question == (
        f'Delete the webhook to "{hook.url}" (events: "{", ".join(hook.events)}")? Hireflix stops sending '
        "these events there."
    )
    assert result["webhook"]["url"] == hook.url
    assert sandbox.store.webhook(hook.id) is None


async def test_delete_token_for_another_webhook_or_forged_changes_nothing(sandbox: RunningSandbox) -> None:
    hook_id = _demo_hook_id(sandbox)
    async with connect(sandbox, elicitor=Elicitor("accept")) as asker:
        created = await asker.call_tool(
            "create_webhook", {"url": "https://b.example.com/h", "events": ["interview.create"]}
        )
    other = data(created)["webhook"]
    async with connect(sandbox) as client:
        first = await call(client, "delete_webhook", {"webhook_id": hook_id})
        token = first["confirmation_token"]
        mismatched = error_text(
            await call_with_token(client, "delete_webhook", {"webhook_id": other["id"]}, token)
        )
        forged = error_text(
            await call_with_token(client, "delete_webhook", {"webhook_id": hook_id}, token[:-4] + "AAAA")
        )
    assert "different arguments" in mismatched
    assert "forged" in forged
    assert {h.id for h in sandbox.store.webhooks()} == {hook_id, other["id"]}


async def test_deleting_an_unknown_webhook_points_at_list_webhooks(
    sandbox: RunningSandbox, can_elicit: bool
) -> None:
    message = await failed_without_asking(
        sandbox, "delete_webhook", {"webhook_id": MISSING_ID}, can_elicit=can_elicit
    )
    assert MISSING_ID in message
    assert "list_webhooks" in message
    assert len(sandbox.store.webhooks()) == 1


# ------------------------------------------------------------------------------------------ events: polling


async def test_polling_finds_an_interview_completed_since_the_given_time(
    sandbox: RunningSandbox, era: Era
) -> None:
    pending = next(i for i in sandbox.store.all_interviews() if not i.completed)
    since = _iso(time.time() * 1000 - 1000)
    sandbox.complete_interview(pending.id)
    async with connect(sandbox, era=era) as client:
        result = await call(client, "list_webhook_events", {"since": since})
    assert result["mode"] == "polling"
    assert "cannot see deletions" in result["note"]
    finished = [e for e in result["events"] if e["event"] == "interview.finish"]
    assert [e["interview_id"] for e in finished] == [pending.id]
    event = finished[0]
    position = sandbox.store.position(pending.position_id)
    assert position is not None
    assert event["position_name"] == position.name
    assert event["candidate_email"] == pending.email
    record = sandbox.store.interview(pending.id)
    assert record is not None
    assert record.completed_at is not None
    completed_at = record.completed_at
    assert abs(datetime.fromisoformat(event["at"]).timestamp() * 1000 - completed_at) < 1000


async def test_polling_reports_invites_and_status_marks_newest_first_and_filters_by_event(
    sandbox: RunningSandbox,
) -> None:
    since = _iso(time.time() * 1000 - 1000)
    target = next(i for i in sandbox.store.all_interviews() if i.completed and i.archived is None)
    position_id = sandbox.store.positions()[0].id
    async with connect(sandbox) as client:
        await client.call_tool("set_interview_status", {"interview_id": target.id, "status": "discarded"})
        invited = sandbox.graphql(
            "mutation($input: InviteCandidateToInterviewInput!) { inviteCandidateToInterview(input: $input) "
            "{ ... on InterviewType { id } } }",
            {
                "input": {
                    "positionId": position_id,
                    "candidate": {"email": "new@example.com", "firstName": "N"},
                }
            },
        )["data"]["inviteCandidateToInterview"]["id"]
        everything = await call(client, "list_webhook_events", {"since": since})
        only_status = await call(
            client, "list_webhook_events", {"since": since, "event": "interview.status-change"}
        )
    assert [(e["event"], e["interview_id"]) for e in everything["events"]] == [
        ("interview.create", invited),
        ("interview.status-change", target.id),
    ]
    assert only_status["events"][0]["status"] == "discarded"
    assert [e["interview_id"] for e in only_status["events"]] == [target.id]


async def test_polling_stops_each_position_at_since(sandbox: RunningSandbox) -> None:
    positions = sandbox.store.positions()
    async with connect(sandbox) as client:
        sandbox.reset_request_counts()
        result = await call(client, "list_webhook_events", {"since": _iso(time.time() * 1000 + 60_000)})
    assert result.get("events", []) == []
    assert "next_cursor" not in result
    assert sandbox.request_counts()["by_operation_name"]["SearchInterviews"] == len(positions)


async def test_polling_limit_keeps_the_newest_and_a_cursor_continues_exactly_after_them(
    sandbox: RunningSandbox,
) -> None:
    async with connect(sandbox) as client:
        everything = await call(client, "list_webhook_events", {"since": "2000-01-01", "limit": 50})
        first_three = await call(client, "list_webhook_events", {"since": "2000-01-01", "limit": 3})
        next_three = await call(
            client, "list_webhook_events", {"cursor": first_three["next_cursor"], "limit": 3}
        )
    assert len(everything["events"]) > 6
    times = [e["at"] for e in everything["events"]]
    assert times == sorted(times, reverse=True)
    assert first_three["events"] == everything["events"][:3]
    assert next_three["events"] == everything["events"][3:6]
    assert next_three["since"] == first_three["since"]


async def test_polling_for_deletions_or_score_changes_says_it_cannot_see_them(
    sandbox: RunningSandbox,
) -> None:
    async with connect(sandbox) as client:
        sandbox.reset_request_counts()
        result = await call(
            client, "list_webhook_events", {"since": "2000-01-01", "event": "interview.delete"}
        )
    assert result.get("events", []) == []
    assert "cannot see deletions, score changes" in result["note"]
    assert sandbox.request_counts()["total"] == 0


async def test_polling_stops_after_its_page_budget_and_says_the_scan_is_partial(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhooks, "POLL_MAX_PAGES", 2)
    async with connect(sandbox) as client:
        sandbox.reset_request_counts()
        result = await call(client, "list_webhook_events", {"since": "2000-01-01", "limit": 50})
    assert sandbox.request_counts()["by_operation_name"]["SearchInterviews"] == 2
    assert "stopped after 2 pages" in result["note"]
    assert result["events"]


async def test_polled_candidate_data_is_sanitised(sandbox: RunningSandbox) -> None:
    since = _iso(time.time() * 1000 - 1000)
    position_id = sandbox.store.positions()[0].id
    sandbox.graphql(
        "mutation($input: InviteCandidateToInterviewInput!) { inviteCandidateToInterview(input: $input) "
        "{ __typename } }",
        {
            "input": {
                "positionId": position_id,
                "candidate": {"email": "m@example.com", "firstName": "Mal\u202eory"},
            }
        },
    )
    async with connect(sandbox) as client:
        result = await call(client, "list_webhook_events", {"since": since})
    assert result["events"][0]["candidate_name"] == "Malory"


# ------------------------------------------------------------------------------------------ events: received


def _payload(interview_id: str, name: str = "Ana") -> dict[str, Any]:
    """The `data` of a webhook event about `interview_id`, trimmed to what the rows read."""
    return {"id": interview_id, "position": {"id": "p" * 24, "name": "Dev"}, "candidate": {"name": name}}


def _received(tmp_path: Path, *events: tuple[str, float, dict[str, Any]]) -> str:
    """A state database holding `events` (name, date in ms, data) as the webhook receiver stores them."""
    db = str(tmp_path / "state.db")
    store = SqliteEventStore(db)
    for event, date_ms, payload in events:
        assert store.add(event, date_ms, payload, encode_event(event, payload, int(date_ms)))
    store.close()
    return db


async def test_received_events_are_listed_newest_first_without_calling_hireflix(
    sandbox: RunningSandbox, era: Era, tmp_path: Path
) -> None:
    now = time.time() * 1000
    db = _received(
        tmp_path,
        ("interview.create", now - 3_000, _payload("a" * 24)),
        ("interview.finish", now - 2_000, _payload("b" * 24, name="Bob\u200b\u202eby")),
        ("interview.finish", now - 1_000, _payload("c" * 24)),
        ("interview.finish", now - 3 * 86_400_000, _payload("d" * 24)),
    )
    async with connect(sandbox, era=era, state_db=db) as client:
        sandbox.reset_request_counts()
        recent = await call(client, "list_webhook_events", {})
        finishes = await call(client, "list_webhook_events", {"event": "interview.finish", "limit": 1})
        old = await call(client, "list_webhook_events", {"since": _iso(now - 4 * 86_400_000)})
    assert recent["mode"] == "received"
    assert [e["interview_id"] for e in recent["events"]] == ["c" * 24, "b" * 24, "a" * 24]
    assert recent["events"][1]["candidate_name"] == "Bobby"
    assert "next_cursor" not in recent
    assert [e["interview_id"] for e in finishes["events"]] == ["c" * 24]
    assert "next_cursor" in finishes
    assert len(old["events"]) == 4
    assert sandbox.request_counts()["total"] == 0


async def test_configured_receiver_with_no_events_says_none_arrived(sandbox: RunningSandbox) -> None:
    async with connect(sandbox, webhook_secret=SecretStr("s" * 32)) as client:
        sandbox.reset_request_counts()
        result = await call(client, "list_webhook_events", {})
    assert result["mode"] == "received"
    assert result.get("events", []) == []
    assert "list_webhooks" in result["note"]
    assert sandbox.request_counts()["total"] == 0


# ------------------------------------------------------------------------------ events: what the model sees


async def test_an_event_is_a_compact_row_without_a_copy_of_the_payload(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    record = sandbox.store.all_interviews()[0]
    position = sandbox.store.position(record.position_id)
    assert position is not None
    db = _received(
        tmp_path, ("interview.finish", 1_790_000_000_123.5, webhook_snapshot(sandbox.store, record))
    )
    async with connect(sandbox, state_db=db) as client:
        received = await call(client, "list_webhook_events", {"since": "2000-01-01"})
    async with connect(sandbox) as client:
        polled = await call(client, "list_webhook_events", {"since": "2000-01-01", "limit": 50})
    (row,) = received["events"]
    assert row == {
        "event": "interview.finish",
        "at": "2026-09-21T14:13:20Z",
        "interview_id": record.id,
        "candidate_name": f"{record.first_name} {record.last_name}".strip(),
        "candidate_email": record.email,
        "position_name": position.name,
    }
    for event in polled["events"]:
        assert set(event) <= {"event", "at", "interview_id", "candidate_name", "candidate_email",
                              "position_name", "status"}  # fmt: skip
        assert event["at"].endswith("Z")


async def test_the_events_resource_shows_the_rows_the_tool_shows(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    now = time.time() * 1000
    db = _received(
        tmp_path,
        ("interview.create", now - 2_000, _payload("a" * 24)),
        ("interview.status-change", now - 1_000, _payload("b" * 24, name="Bo")),
    )
    async with connect(sandbox, state_db=db) as client:
        listed = await call(client, "list_webhook_events", {})
        resource = await read_json(client, "hireflix://events")
    assert resource["events"] == listed["events"]
    assert "get_interview" in listed["note"], "a received status-change does not carry the new status"


async def test_without_a_receiver_the_tool_and_the_events_resource_tell_the_same_story(
    sandbox: RunningSandbox,
) -> None:
    async with connect(sandbox) as client:
        listed = await call(client, "list_webhook_events", {"since": "2000-01-01"})
        resource = await read_json(client, "hireflix://events")
    assert listed["mode"] == "polling"
    assert listed["events"]
    assert resource["events"] == []
    for note in (listed["note"], resource["note"]):
        assert note.startswith("This server has no webhook receiver"), note
        assert "interview lists" in note, note
    assert "list_webhook_events" in resource["note"]
