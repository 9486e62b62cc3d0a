"""invite_candidates: row validation, outcomes, dry runs, progress, reruns, quota, 500 rows under faults.

These tests are about the bulk run itself, so they connect with the confirmation policy off: above 10 rows
the user confirms first, which tests/security/test_bulk_invites.py covers.
"""

from __future__ import annotations

import json
import time
from typing import Any

import anyio
import pytest

from hireflix_mcp.hireflix.client import HireflixClient
from hireflix_mcp.hireflix.errors import InviteQuotaExceededError
from hireflix_mcp.hireflix.models import InviteRequest
from hireflix_mcp.hireflix.models import InviteResult
from hireflix_mcp.tools.interviews.inputs import BULK_MAX_RETRIES
from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.embedded import running_sandbox
from hireflix_sandbox.ids import public_url
from hireflix_sandbox.ids import short_url
from tests.tools.conftest import Era
from tests.tools.conftest import connect
from tests.tools.conftest import data
from tests.tools.conftest import error_text
from tests.tools.conftest import rejected_before_sending
from tests.tools.conftest import text
from tests.tools.test_interviews_support import archived_position
from tests.tools.test_interviews_support import new_position
from tests.tools.test_interviews_support import open_position
from tests.tools.test_interviews_support import total_requests

pytestmark = pytest.mark.anyio

INVITES = "inviteCandidateToInterview"
LISTED = ("invited", "already_invited")
GROUPED = ("invalid", "duplicate_in_list", "failed", "not_attempted")
ROW_CHARS = 100
"""Characters of result per invited row, all told: its index, e-mail, interview id and link, and a share of
the rest."""


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


def _outcomes(result: dict[str, Any]) -> dict[int, str]:
    """Row index -> outcome, read from wherever the result lists each row (every row exactly once)."""
    found: list[tuple[int, str]] = []
    for outcome in LISTED:
        found += [(entry[0], outcome) for entry in result.get(outcome, [])]
    if "would_invite" in result:
        found += [(row, "would_invite") for row in _expand(result["would_invite"])]
    for outcome in GROUPED:
        found += [(row, outcome) for group in result.get(outcome, []) for row in _expand(group["rows"])]
    rows = dict(found)
    assert len(rows) == len(found), "a row is listed twice"
    return rows


def _reasons(result: dict[str, Any]) -> dict[int, str]:
    return {
        row: group["reason"]
        for outcome in GROUPED
        for group in result.get(outcome, [])
        for row in _expand(group["rows"])
    }


def _interviews(result: dict[str, Any], outcome: str = "invited") -> dict[int, list[Any]]:
    """Row index -> [row, email, interview_id, interview_url] for the rows listed under `outcome`."""
    return {entry[0]: entry for entry in result.get(outcome, [])}


def _check_links(sandbox: RunningSandbox, result: dict[str, Any]) -> None:
    """Every invited and already invited row names its interview and its link, as Hireflix has them."""
    for outcome in LISTED:
        for row, email, interview_id, url in result.get(outcome, []):
            record = sandbox.store.interview(interview_id)
            assert record is not None, (row, interview_id)
            assert record.email.casefold() == email.casefold()
            assert url in (short_url(record.hash), public_url(record.hash))


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
    async with connect(sandbox, confirm="off", era=era) as client:
        sandbox.reset_request_counts()
        result = data(
            await client.call_tool(
                "invite_candidates", {"position_id": position.id, "candidates": candidates}
            )
        )
    outcomes = _outcomes(result)
    assert sorted(outcomes) == list(range(len(candidates)))
    assert [outcomes[row] for row in range(len(candidates))] == [
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
    reasons = _reasons(result)
    # What each refused row's reason must say: the field at fault and the rule (or the row it repeats).
    expected_reasons = {
        1: ("email", "e-mail address"),
        2: ("row 0",),
        5: ("must be an object",),
        6: ("firstname", "not a known field"),
        7: ("external_id", "row 0"),
        8: ("phone", "E.164"),
        9: ("first_name", "required"),
    }
    for row, words in expected_reasons.items():
        for word in words:
            assert word in reasons[row], f"row {row}: {word!r} not in {reasons[row]!r}"
    assert _interviews(result, "already_invited")[4][2] == demo.id
    assert result["totals"] == {"invited": 2, "invalid": 6, "duplicate_in_list": 1, "already_invited": 1}
    # Only the three valid, distinct rows were sent; each invited row names its interview and link.
    assert _invite_calls(sandbox) == 3
    invited = _interviews(result)
    assert sorted(invited) == [0, 3]
    assert [invited[row][1] for row in (0, 3)] == [candidates[0]["email"], candidates[3]["email"]]
    _check_links(sandbox, result)
    assert sandbox.store.interview_by_email(position.id, "typo@example.com") is None
    assert "null" not in json.dumps(result)
    assert "[row, email, interview_id, interview_url]" in result["message"]


async def test_progress_notifications_arrive_as_rows_finish(sandbox: RunningSandbox, era: Era) -> None:
    position_id = new_position(sandbox)
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    candidates = [*_rows(12), {"email": "bad", "first_name": "B"}]
    async with connect(sandbox, confirm="off", era=era) as client:
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
    async with connect(sandbox, confirm="off", era=era) as client:
        sandbox.reset_request_counts()
        result = data(
            await client.call_tool(
                "invite_candidates", {"position_id": position.id, "candidates": candidates, "dry_run": True}
            )
        )
    assert result["dry_run"] is True
    assert _outcomes(result) == {0: "would_invite", 1: "already_invited", 2: "invalid"}
    assert _interviews(result, "already_invited")[1][2] == demo.id
    _check_links(sandbox, result)
    assert "nothing was sent" in result["message"]
    assert _invite_calls(sandbox) == 0
    assert sandbox.store.count_interviews() == before


async def test_dry_run_reads_the_cheaper_way_a_listing_or_one_lookup_per_email(
    sandbox: RunningSandbox,
) -> None:
    position_id = new_position(sandbox)
    async with connect(sandbox, confirm="off") as client:
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
    assert _outcomes(few) == {0: "already_invited", 1: "would_invite"}
    assert searches_for_few == 1 + 2
    assert many["totals"] == {"already_invited": 250}
    assert searches_for_many == 3


async def test_running_the_same_list_again_invites_nobody_twice(sandbox: RunningSandbox, era: Era) -> None:
    position_id = new_position(sandbox)
    candidates = _rows(20)
    async with connect(sandbox, confirm="off", era=era) as client:
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
    # The rerun gives each row the same interview and link as the first run.
    assert second["already_invited"] == first["invited"]
    _check_links(sandbox, second)
    assert len(sandbox.store.interviews(position_id)) == 20


async def test_a_rate_limit_that_outlasts_the_client_retries_is_waited_out_not_reported_as_failure(
    sandbox: RunningSandbox,
) -> None:
    position_id = new_position(sandbox)
    # More 429s in a row than the client retries one request: the run pauses, then sends the row again.
    sandbox.set_fault(kind="rate_limit", operation=INVITES, count=BULK_MAX_RETRIES + 3, retry_after=0)
    async with connect(sandbox, confirm="off", max_retries=0) as client:
        sandbox.reset_request_counts()
        result = data(
            await client.call_tool("invite_candidates", {"position_id": position_id, "candidates": _rows(1)})
        )
    assert result["totals"] == {"invited": 1}
    assert _invite_calls(sandbox) == BULK_MAX_RETRIES + 4
    assert len(sandbox.store.interviews(position_id)) == 1


async def test_an_exhausted_invite_quota_stops_sending_and_lists_the_rows_never_sent() -> None:
    with running_sandbox(invite_quota=3) as sandbox:
        position_id = new_position(sandbox)
        async with connect(sandbox, confirm="off") as client:
            sandbox.reset_request_counts()
            result = data(
                await client.call_tool(
                    "invite_candidates", {"position_id": position_id, "candidates": _rows(30)}
                )
            )
        totals = result["totals"]
        assert totals["invited"] == 3
        assert totals.get("failed", 0) + totals["not_attempted"] == 27
        # Only rows already on their way when the allowance ran out were refused; the rest were never sent.
        assert totals.get("failed", 0) <= 8
        reasons = _reasons(result)
        outcomes = _outcomes(result)
        assert all("invite allowance" in reasons[row] for row, o in outcomes.items() if o == "failed")
        not_attempted = [row for row, o in outcomes.items() if o == "not_attempted"]
        assert all(reasons[row].startswith("never sent") for row in not_attempted)
        assert all("invite allowance" in reasons[row] for row in not_attempted)
        assert "never sent (not_attempted)" in result["message"]
        assert _invite_calls(sandbox) <= 3 + 8
        assert len(sandbox.store.interviews(position_id)) == 3
        _check_links(sandbox, result)


def _spy_on_invites(monkeypatch: pytest.MonkeyPatch, delays: dict[str, float]) -> list[tuple[str, str]]:
    """Record, in order, each invite the tool asks the client for ("send", e-mail) and each quota refusal
    it gets back ("refused", e-mail). `delays`: seconds of extra network latency per e-mail, added after
    the send is recorded."""
    events: list[tuple[str, str]] = []
    original = HireflixClient.invite_candidate

    async def spy(self: HireflixClient, request: InviteRequest) -> InviteResult:
        events.append(("send", request.email))
        await anyio.sleep(delays.get(request.email, 0.0))
        try:
            return await original(self, request)
        except InviteQuotaExceededError:
            events.append(("refused", request.email))
            raise

    monkeypatch.setattr(HireflixClient, "invite_candidate", spy)
    return events


def _check_stopped_by_the_allowance(
    result: dict[str, Any], events: list[tuple[str, str]], stored: list[str], rows: list[dict[str, Any]]
) -> None:
    """A run the invite allowance stopped: nothing was sent once a refusal came back; every interview
    created is listed as invited under its row; rows never sent are exactly the not_attempted ones, each
    saying why; rows sent and not invited failed."""
    first = next(i for i, (kind, _) in enumerate(events) if kind == "refused")
    assert [email for kind, email in events[first:] if kind == "send"] == []
    outcomes = _outcomes(result)
    assert sorted(outcomes) == list(range(len(rows)))
    invited = _interviews(result)
    assert sorted(entry[1] for entry in invited.values()) == sorted(stored)
    sent = {email for kind, email in events if kind == "send"}
    never_sent = {index for index, row in enumerate(rows) if row["email"] not in sent}
    assert never_sent, "the scenario should leave rows unsent"
    assert {row for row, outcome in outcomes.items() if outcome == "not_attempted"} == never_sent
    assert {row for row, outcome in outcomes.items() if outcome == "failed"} == (
        set(range(len(rows))) - never_sent - set(invited)
    )
    reasons = _reasons(result)
    assert all(reasons[row].startswith("never sent") for row in never_sent)
    assert all("invite allowance" in reason for reason in reasons.values())
    assert "never sent (not_attempted)" in result["message"]


async def _invite_without_retries(
    sandbox: RunningSandbox, position_id: str, rows: list[dict[str, Any]], *, within: float
) -> tuple[dict[str, Any], list[str]]:
    """invite_candidates of `rows` (confirmation off, no client retries) within `within` seconds: its
    result, and the e-mails the position then holds."""
    with anyio.fail_after(within):
        async with connect(sandbox, confirm="off", max_retries=0) as client:
            arguments = {"position_id": position_id, "candidates": rows}
            result = data(await client.call_tool("invite_candidates", arguments))
    return result, [record.email for record in sandbox.store.interviews(position_id)]


async def test_no_row_is_sent_after_hireflix_says_the_invite_allowance_is_used_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Row 0 goes first and is rate-limited for 1 s; rows 2-7 take the whole allowance; rows 8-13 start as
    # those end and are refused; row 1, slow on the network, is refused too, half a second in. From the
    # first refusal on nothing may be sent: not row 0 again, not a row that was waiting out the rate limit.
    rows = _rows(20)
    delays = {row["email"]: 0.1 for row in rows[1:]}
    delays[rows[1]["email"]] = 0.5
    events = _spy_on_invites(monkeypatch, delays)
    with running_sandbox(invite_quota=6) as sandbox:
        position_id = new_position(sandbox)
        sandbox.set_fault(kind="rate_limit", operation=INVITES, count=1, retry_after=1)
        result, stored = await _invite_without_retries(sandbox, position_id, rows, within=20)
    assert len(stored) == 6
    _check_stopped_by_the_allowance(result, events, stored, rows)


async def test_under_faults_an_exhausted_quota_leaves_every_row_accounted_for_and_nothing_sent_after_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = _rows(120)
    events = _spy_on_invites(monkeypatch, {})
    with running_sandbox(invite_quota=50) as sandbox:
        position_id = new_position(sandbox)
        sandbox.set_fault(kind="rate_limit", operation=INVITES, rate=0.2, retry_after=1)
        sandbox.set_fault(kind="server_error", operation=INVITES, rate=0.05, status=503, retry_after=0)
        sandbox.set_fault(kind="drop", operation=INVITES, rate=0.05, phase="after")
        result, stored = await _invite_without_retries(sandbox, position_id, rows, within=40)
        assert len(stored) == 50
        _check_links(sandbox, result)
    _check_stopped_by_the_allowance(result, events, stored, rows)


async def test_bulk_invite_to_an_archived_position_is_a_tool_error_that_sends_nothing(
    sandbox: RunningSandbox,
) -> None:
    position = archived_position(sandbox)
    async with connect(sandbox, confirm="off") as client:
        sandbox.reset_request_counts()
        message = error_text(
            await client.call_tool("invite_candidates", {"position_id": position.id, "candidates": _rows(3)})
        )
    assert "archived" in message
    assert "nothing was sent" in message
    assert _invite_calls(sandbox) == 0


async def test_a_list_of_only_invalid_rows_sends_nothing_at_all(sandbox: RunningSandbox) -> None:
    position = open_position(sandbox)
    async with connect(sandbox, confirm="off") as client:
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
    message = await rejected_before_sending(
        sandbox, "invite_candidates", {"position_id": position.id, "candidates": _rows(501)}, confirm="off"
    )
    assert "candidates" in message
    assert "500" in message


async def test_every_invited_row_of_a_long_list_comes_back_with_its_interview_id_and_link(
    sandbox: RunningSandbox,
) -> None:
    position_id = new_position(sandbox)
    async with connect(sandbox, confirm="off") as client:
        result = await client.call_tool(
            "invite_candidates",
            {"position_id": position_id, "candidates": _rows(120), "send_invite_email": False},
        )
    content = data(result)
    assert content["totals"] == {"invited": 120}
    invited = _interviews(content)
    assert sorted(invited) == list(range(120))
    assert all(len(entry) == 4 for entry in invited.values())
    assert [invited[row][1] for row in range(120)] == [f"cand{row}@example.com" for row in range(120)]
    _check_links(sandbox, content)
    assert "share each interview_url yourself" in content["message"]
    assert len(text(result)) <= 120 * ROW_CHARS


async def test_a_500_row_dry_run_states_each_problem_once_and_gives_every_rows_outcome(
    sandbox: RunningSandbox,
) -> None:
    position_id = new_position(sandbox)
    candidates: list[Any] = _rows(500)
    for index in range(0, 500, 4):
        candidates[index] = {"email": f"broken-{index}", "first_name": "B", "phone": "nope"}
    async with connect(sandbox, confirm="off") as client:
        result = await client.call_tool(
            "invite_candidates", {"position_id": position_id, "candidates": candidates, "dry_run": True}
        )
    content = data(result)
    assert content["totals"] == {"invalid": 125, "would_invite": 375}
    outcomes = _outcomes(content)
    assert sorted(outcomes) == list(range(500))
    assert [row for row, outcome in outcomes.items() if outcome == "invalid"] == list(range(0, 500, 4))
    # 125 rows with the same two mistakes: one group, its reason stated once.
    [group] = content["invalid"]
    assert "e-mail address" in group["reason"]
    assert "E.164" in group["reason"]
    assert len(text(result)) <= 3_000


async def test_reasons_too_many_to_list_are_summarised_without_losing_any_row(
    sandbox: RunningSandbox,
) -> None:
    position_id = new_position(sandbox)
    # 500 rows, each wrong its own way (a different unknown field): the reasons cannot all be listed.
    candidates = [
        {"email": f"x{i}@example.com", "first_name": "X", f"unknown_field_{i}": 1} for i in range(500)
    ]
    async with connect(sandbox, confirm="off") as client:
        result = await client.call_tool(
            "invite_candidates", {"position_id": position_id, "candidates": candidates}
        )
    content = data(result)
    assert sorted(_outcomes(content)) == list(range(500))
    groups = content["invalid"]
    assert len(groups) > 10
    assert groups[-1]["reason"].startswith("reasons left out")
    assert "unknown_field_0" in groups[0]["reason"]
    assert len(text(result)) <= 12_000


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
            async with connect(
                sandbox, confirm="off", read_timeout=2.0, max_retries=3, retry_after_cap=1.0
            ) as client:
                result = await client.call_tool(
                    "invite_candidates", {"position_id": position_id, "candidates": candidates}
                )
        elapsed = time.monotonic() - started
        content = data(result)
        stored = sandbox.store.interviews(position_id)
        assert sorted(r.email for r in stored) == sorted(c["email"] for c in candidates)
        assert content["totals"].get("failed", 0) == 0
        assert content["totals"].get("invited", 0) + content["totals"].get("already_invited", 0) == 500
        assert sorted(_outcomes(content)) == list(range(500))
        _check_links(sandbox, content)
        assert len(text(result)) <= 500 * ROW_CHARS
        injected = sandbox.http.get("/_sandbox/faults").json()
        assert sum(rule["injected"] for rule in injected["rules"]) > 20
        assert elapsed < 20
