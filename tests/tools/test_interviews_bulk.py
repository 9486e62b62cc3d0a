"""invite_candidates: row validation, outcomes, dry runs, progress, reruns, quota, 500 rows under faults."""

from __future__ import annotations

import json
import time
from typing import Any

import anyio
import pytest

from hireflix_sandbox.embedded import RunningSandbox, running_sandbox
from tests.tools.conftest import Era, connect, data, error_text, text
from tests.tools.test_interviews_support import (
    archived_position,
    new_position,
    open_position,
    total_requests,
)

pytestmark = pytest.mark.anyio

INVITES = "inviteCandidateToInterview"


def _rows(count: int, prefix: str = "cand") -> list[dict[str, Any]]:
    return [
        {"email": f"{prefix}{i}@example.com", "first_name": f"First{i}", "last_name": "Bulk"}
        for i in range(count)
    ]


def _by_operation(sandbox: RunningSandbox) -> dict[str, int]:
    counts: dict[str, int] = sandbox.request_counts()["by_operation_name"]
    return counts


def _invite_calls(sandbox: RunningSandbox) -> int:
    return _by_operation(sandbox).get("InviteCandidate", 0)


def _expand(ranges: str) -> list[int]:
    result: list[int] = []
    for part in ranges.split(","):
        start, _, end = part.partition("-")
        result.extend(range(int(start), int(end or start) + 1))
    return result


async def test_every_row_gets_an_outcome_in_input_order_and_bad_rows_are_never_sent(
    sandbox: RunningSandbox, era: Era
) -> None:
    position = open_position(sandbox)
    demo = sandbox.store.interviews(position.id)[0]
    candidates: list[Any] = [
        {"email": "new.one@example.com", "first_name": "New", "external_id": "x-1"},
        {"email": "broken", "first_name": "Bad"},
        {"email": "NEW.ONE@example.com", "first_name": "Again"},
        {"email": "new.two@example.com", "first_name": "Two", "phone": "+14155550123"},
        {"email": demo.email, "first_name": "Demo"},
        "just a string",
        {"email": "typo@example.com", "first_name": "T", "firstname": "T"},
        {"email": "new.three@example.com", "first_name": "Three", "external_id": "x-1"},
        {"email": "phone@example.com", "first_name": "P", "phone": "12345"},
        {"email": "noname@example.com"},
    ]
    async with connect(sandbox, era=era) as client:
        sandbox.reset_request_counts()
        result = data(
            await client.call_tool(
                "invite_candidates", {"position_id": position.id, "candidates": candidates}
            )
        )
    rows = result["rows"]
    assert result["rows_complete"] is True
    assert [r["row"] for r in rows] == list(range(len(candidates)))
    outcomes = [r["outcome"] for r in rows]
    assert outcomes == [
        "invited",
        "invalid",
        "duplicate_in_list",
        "invited",
        "already_invited",
        "invalid",
        "invalid",
        "invalid",
        "invalid",
        "invalid",
    ]
    reasons = {r["row"]: r.get("reason", "") for r in rows}
    assert "email" in reasons[1]
    assert "e-mail address" in reasons[1]
    assert "row 0" in reasons[2]
    assert "must be an object" in reasons[5]
    assert "firstname" in reasons[6]
    assert "not a known field" in reasons[6]
    assert "external_id" in reasons[7]
    assert "row 0" in reasons[7]
    assert "phone" in reasons[8]
    assert "E.164" in reasons[8]
    assert "first_name" in reasons[9]
    assert "required" in reasons[9]
    assert rows[4]["interview_id"] == demo.id
    assert result["totals"] == {"invited": 2, "invalid": 6, "duplicate_in_list": 1, "already_invited": 1}
    assert result["rows_by_outcome"]["invalid"] == "1,5-9"
    # Only the three valid, distinct rows were sent.
    assert _invite_calls(sandbox) == 3
    for row in (0, 3):
        record = sandbox.store.interview(rows[row]["interview_id"])
        assert record is not None
        assert record.email == candidates[row]["email"]
    assert sandbox.store.interview_by_email(position.id, "typo@example.com") is None
    assert "null" not in json.dumps(result["rows"])


async def test_progress_notifications_arrive_as_rows_finish(sandbox: RunningSandbox, era: Era) -> None:
    position_id = new_position(sandbox)
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    candidates = [*_rows(12), {"email": "bad", "first_name": "B"}]
    async with connect(sandbox, era=era) as client:
        result = data(
            await client.call_tool(
                "invite_candidates",
                {"position_id": position_id, "candidates": candidates},
                progress_callback=on_progress,
            )
        )
    assert result["totals"] == {"invited": 12, "invalid": 1}
    assert len(seen) >= 12
    assert all(total == len(candidates) for _, total, _ in seen)
    progresses = [p for p, _, _ in seen]
    assert progresses == sorted(progresses)
    assert progresses[-1] == len(candidates)
    assert seen[-1][2] is not None
    assert "12 invited" in seen[-1][2]


async def test_dry_run_sends_no_mutation_and_says_who_would_be_invited(
    sandbox: RunningSandbox, era: Era
) -> None:
    position = open_position(sandbox)
    demo = sandbox.store.interviews(position.id)[0]
    before = sandbox.store.count_interviews()
    candidates = [
        {"email": "fresh@example.com", "first_name": "Fresh"},
        {"email": demo.email.upper(), "first_name": "Demo"},
        {"email": "nope", "first_name": "N"},
    ]
    async with connect(sandbox, era=era) as client:
        sandbox.reset_request_counts()
        result = data(
            await client.call_tool(
                "invite_candidates", {"position_id": position.id, "candidates": candidates, "dry_run": True}
            )
        )
    assert result["dry_run"] is True
    assert [r["outcome"] for r in result["rows"]] == ["would_invite", "already_invited", "invalid"]
    assert result["rows"][1]["interview_id"] == demo.id
    assert "nothing was sent" in result["message"]
    assert _invite_calls(sandbox) == 0
    assert sandbox.store.count_interviews() == before


async def test_dry_run_reads_the_cheaper_way_a_listing_or_one_lookup_per_email(
    sandbox: RunningSandbox,
) -> None:
    position_id = new_position(sandbox)
    async with connect(sandbox) as client:
        data(
            await client.call_tool(
                "invite_candidates", {"position_id": position_id, "candidates": _rows(250)}
            )
        )
        # Two e-mails against 250 interviews: two lookups beat three pages.
        sandbox.reset_request_counts()
        few = data(
            await client.call_tool(
                "invite_candidates",
                {"position_id": position_id, "candidates": _rows(1) + _rows(1, "other"), "dry_run": True},
            )
        )
        searches_for_few = _by_operation(sandbox).get("SearchInterviews", 0)
        # All 250 e-mails: the listing (three pages) beats 250 lookups.
        sandbox.reset_request_counts()
        many = data(
            await client.call_tool(
                "invite_candidates", {"position_id": position_id, "candidates": _rows(250), "dry_run": True}
            )
        )
        searches_for_many = _by_operation(sandbox).get("SearchInterviews", 0)
    assert [r["outcome"] for r in few["rows"]] == ["already_invited", "would_invite"]
    assert searches_for_few == 1 + 2
    assert many["totals"] == {"already_invited": 250}
    assert searches_for_many == 3


async def test_running_the_same_list_again_invites_nobody_twice(sandbox: RunningSandbox, era: Era) -> None:
    position_id = new_position(sandbox)
    candidates = _rows(20)
    async with connect(sandbox, era=era) as client:
        first = data(
            await client.call_tool(
                "invite_candidates", {"position_id": position_id, "candidates": candidates}
            )
        )
        second = data(
            await client.call_tool(
                "invite_candidates", {"position_id": position_id, "candidates": candidates}
            )
        )
    assert first["totals"] == {"invited": 20}
    assert second["totals"] == {"already_invited": 20}
    assert [r["interview_id"] for r in second["rows"]] == [r["interview_id"] for r in first["rows"]]
    assert len(sandbox.store.interviews(position_id)) == 20


async def test_a_rate_limit_that_escapes_the_client_retries_is_waited_out_not_reported_as_failure(
    sandbox: RunningSandbox,
) -> None:
    position_id = new_position(sandbox)
    sandbox.set_fault(kind="rate_limit", operation=INVITES, count=6, retry_after=0)
    # No transport retries: every 429 reaches the tool, which must wait and send the row again.
    async with connect(sandbox, max_retries=0) as client:
        result = data(
            await client.call_tool("invite_candidates", {"position_id": position_id, "candidates": _rows(4)})
        )
    assert result["totals"] == {"invited": 4}
    assert len(sandbox.store.interviews(position_id)) == 4


async def test_an_exhausted_invite_quota_stops_sending_and_says_which_rows_were_not_sent() -> None:
    with running_sandbox(invite_quota=3) as sandbox:
        position_id = new_position(sandbox)
        async with connect(sandbox) as client:
            result = data(
                await client.call_tool(
                    "invite_candidates", {"position_id": position_id, "candidates": _rows(30)}
                )
            )
        assert result["totals"]["invited"] == 3
        assert result["totals"]["failed"] == 27
        failed = [r for r in result["rows"] if r["outcome"] == "failed"]
        assert all("invite allowance" in r["reason"] for r in failed)
        assert sum(r["reason"].startswith("not sent") for r in failed) >= 27 - 8
        assert "stopped after row" in result["message"]
        # At most the rows already in flight when the quota ran out were sent after it.
        assert _invite_calls(sandbox) <= 3 + 8
        assert len(sandbox.store.interviews(position_id)) == 3


async def test_bulk_invite_to_an_archived_position_is_a_tool_error_that_sends_nothing(
    sandbox: RunningSandbox,
) -> None:
    position = archived_position(sandbox)
    async with connect(sandbox) as client:
        sandbox.reset_request_counts()
        message = error_text(
            await client.call_tool("invite_candidates", {"position_id": position.id, "candidates": _rows(3)})
        )
    assert "archived" in message
    assert "nothing was sent" in message
    assert _invite_calls(sandbox) == 0


async def test_a_list_of_only_invalid_rows_sends_nothing_at_all(sandbox: RunningSandbox) -> None:
    position = open_position(sandbox)
    async with connect(sandbox) as client:
        sandbox.reset_request_counts()
        result = data(
            await client.call_tool(
                "invite_candidates",
                {"position_id": position.id, "candidates": [{"email": "x"}, {"first_name": "Y"}, 42]},
            )
        )
    assert result["totals"] == {"invalid": 3}
    assert total_requests(sandbox) == 0


async def test_more_than_500_rows_is_rejected_naming_the_field_before_anything_is_sent(
    sandbox: RunningSandbox,
) -> None:
    position = open_position(sandbox)
    async with connect(sandbox) as client:
        sandbox.reset_request_counts()
        message = error_text(
            await client.call_tool(
                "invite_candidates", {"position_id": position.id, "candidates": _rows(501)}
            )
        )
    assert "candidates" in message
    assert "500" in message
    assert total_requests(sandbox) == 0


async def test_a_500_row_result_stays_short_and_still_gives_every_rows_outcome(
    sandbox: RunningSandbox,
) -> None:
    position_id = new_position(sandbox)
    candidates: list[Any] = _rows(500)
    for index in range(0, 500, 4):
        candidates[index] = {"email": f"broken-{index}", "first_name": "B", "phone": "nope"}
    async with connect(sandbox) as client:
        result = await client.call_tool(
            "invite_candidates", {"position_id": position_id, "candidates": candidates, "dry_run": True}
        )
    content = data(result)
    assert content["rows_complete"] is False
    assert content["totals"] == {"invalid": 125, "would_invite": 375}
    covered = sorted(i for ranges in content["rows_by_outcome"].values() for i in _expand(ranges))
    assert covered == list(range(500))
    assert all(r["outcome"] == "invalid" for r in content["rows"])
    assert len(text(result)) <= 16_000
    assert len(json.dumps(content)) <= 16_000


async def test_500_rows_under_rate_limits_and_server_errors_create_each_interview_exactly_once() -> None:
    with running_sandbox() as sandbox:
        position_id = new_position(sandbox)
        sandbox.set_fault(kind="rate_limit", operation=INVITES, rate=0.1, retry_after=0)
        sandbox.set_fault(kind="rate_limit", operation=INVITES, rate=0.02, retry_after=1)
        sandbox.set_fault(kind="server_error", operation=INVITES, rate=0.03, status=500)
        sandbox.set_fault(kind="server_error", operation=INVITES, rate=0.03, status=500, phase="after")
        sandbox.set_fault(kind="server_error", operation=INVITES, rate=0.03, status=503, retry_after=0)
        candidates = _rows(500, "load")
        started = time.monotonic()
        with anyio.fail_after(40):
            async with connect(sandbox, read_timeout=2.0, max_retries=3, retry_after_cap=1.0) as client:
                result = await client.call_tool(
                    "invite_candidates", {"position_id": position_id, "candidates": candidates}
                )
        elapsed = time.monotonic() - started
        content = data(result)
        stored = sandbox.store.interviews(position_id)
        assert sorted(r.email for r in stored) == sorted(c["email"] for c in candidates)
        assert content["totals"].get("failed", 0) == 0
        assert content["totals"].get("invited", 0) + content["totals"].get("already_invited", 0) == 500
        assert len(text(result)) <= 16_000
        injected = sandbox.http.get("/_sandbox/faults").json()
        assert sum(rule["injected"] for rule in injected["rules"]) > 20
        assert elapsed < 20


async def test_repro_quota_spy(monkeypatch: pytest.MonkeyPatch) -> None:
    from hireflix_mcp.hireflix.client import HireflixClient
    from hireflix_mcp.hireflix.errors import InviteQuotaExceededError
    from hireflix_mcp.hireflix.models import InviteRequest, InviteResult

    events: list[tuple[str, str]] = []
    original = HireflixClient.invite_candidate

    async def spy(self: HireflixClient, request: InviteRequest) -> InviteResult:
        events.append(("send", request.email))
        try:
            return await original(self, request)
        except InviteQuotaExceededError:
            events.append(("refused", request.email))
            raise

    monkeypatch.setattr(HireflixClient, "invite_candidate", spy)
    with running_sandbox(invite_quota=50) as sandbox:
        position_id = new_position(sandbox)
        sandbox.set_fault(kind="rate_limit", operation=INVITES, rate=0.2, retry_after=1)
        sandbox.set_fault(kind="server_error", operation=INVITES, rate=0.05, status=503, retry_after=0)
        sandbox.set_fault(kind="drop", operation=INVITES, rate=0.05, phase="after")
        with anyio.fail_after(60):
            async with connect(sandbox, max_retries=0) as client:
                result = data(
                    await client.call_tool(
                        "invite_candidates", {"position_id": position_id, "candidates": _rows(120)}
                    )
                )
        stored = sandbox.store.interviews(position_id)
    print(result["totals"], len(stored))
    first = next(i for i, e in enumerate(events) if e[0] == "refused")
    sent_after = [email for kind, email in events[first:] if kind == "send"]
    print(sent_after)
    assert sent_after == []
