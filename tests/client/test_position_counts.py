"""Interview counts of positions against the sandbox's demo data: by status and recorded (which no
filter says, so the client reads the shortlisted and discarded interviews' recording marks), in one
request for every position, and the fallback when Hireflix refuses that request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from hireflix_mcp.hireflix import GraphQLRequestError
from hireflix_mcp.hireflix import HireflixClient
from hireflix_mcp.hireflix import InterviewCounts
from hireflix_mcp.hireflix import ServerError
from hireflix_mcp.hireflix import counts as counts_module
from hireflix_sandbox.embedded import RunningSandbox
from tests.client.test_search import client_failing_once
from tests.client.test_search import client_for

pytestmark = pytest.mark.anyio


def expected_counts(sandbox: RunningSandbox, position_id: str) -> InterviewCounts:
    """What the sandbox's records say, counted the way Hireflix's status filter sorts them."""
    counts = dict.fromkeys(("pending", "to_evaluate", "shortlisted", "discarded", "recorded"), 0)
    for r in sandbox.store.interviews(position_id):
        status = (
            "discarded"
            if r.archived is not None
            else "shortlisted"
            if r.finalist is not None
            else "to_evaluate"
            if r.completed_at is not None
            else "pending"
        )
        counts[status] += 1
        counts["recorded"] += r.completed_at is not None
    return InterviewCounts(**counts)


def refuse_counting_every_position(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make ListPositionsWithCounts fail as a query-cost limit would; returns the refused calls."""
    refused: list[str] = []
    original = HireflixClient._run

    async def run(
        self: HireflixClient, name: str, variables: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        if name == "ListPositionsWithCounts":
            refused.append(name)
            raise GraphQLRequestError(name, ["Query is too complex: 2400 exceeds the maximum 1000"])
        return await original(self, name, variables)

    monkeypatch.setattr(HireflixClient, "_run", run)
    return refused


async def test_every_position_is_counted_in_one_request_recorded_included(sandbox: RunningSandbox) -> None:
    async with client_for(sandbox) as hf:
        sandbox.reset_request_counts()
        positions = await hf.list_positions_with_counts()
    assert sandbox.request_counts()["by_operation_name"] == {"ListPositionsWithCounts": 1}
    assert {p.id for p in positions} == {p.id for p in sandbox.store.positions()}
    for position in positions:
        assert position.interview_counts == expected_counts(sandbox, position.id)
    senior = next(p for p in positions if p.name == "Senior Backend Engineer")
    assert senior.interview_counts is not None
    # 9 look finished by status (to evaluate, shortlisted, discarded), but 2 discarded never recorded.
    assert senior.interview_counts.recorded == 7


async def test_a_status_with_more_interviews_than_one_page_is_read_on_from_its_cursor(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(counts_module.COUNT_VARIABLES, "markLimit", 2)
    senior = next(p for p in sandbox.store.positions() if p.name == "Senior Backend Engineer")
    async with client_for(sandbox) as hf:
        sandbox.reset_request_counts()
        detail = await hf.get_position(senior.id)
        sent = sandbox.request_counts()["by_operation_name"]
        listed = await hf.list_positions_with_counts()
    assert detail.interview_counts == expected_counts(sandbox, senior.id)
    # 5 discarded: 2 came with the position, the other 3 in one more page; 1 shortlisted needed none.
    assert sent == {"GetPosition": 1, "SearchInterviews": 1}
    assert all(p.interview_counts == expected_counts(sandbox, p.id) for p in listed)


async def test_when_hireflix_refuses_counting_every_position_at_once_each_is_counted_and_that_is_remembered(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    refused = refuse_counting_every_position(monkeypatch)
    async with client_for(sandbox) as hf:
        sandbox.reset_request_counts()
        first = await hf.list_positions_with_counts()
        sent = sandbox.request_counts()["by_operation_name"]
        second = await hf.with_options(max_retries=1).list_positions_with_counts()
    positions = len(sandbox.store.positions())
    assert sent == {"ListPositions": 1, "GetPosition": positions}
    assert refused == ["ListPositionsWithCounts"]
    for listed in (first, second):
        assert {p.id: p.interview_counts for p in listed} == {
            p.id: expected_counts(sandbox, p.id) for p in sandbox.store.positions()
        }


async def test_a_position_that_cannot_be_counted_is_listed_without_counts(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    refuse_counting_every_position(monkeypatch)
    async with client_failing_once(sandbox, "GetPosition") as hf:
        positions = await hf.list_positions_with_counts()
    assert len(positions) == len(sandbox.store.positions())
    assert sum(p.interview_counts is None for p in positions) == 1


async def test_a_retryable_failure_is_raised_not_taken_for_a_refusal(
    sandbox: RunningSandbox,
) -> None:
    async with client_failing_once(sandbox, "ListPositionsWithCounts", 503) as hf:
        with pytest.raises(ServerError) as raised:
            await hf.list_positions_with_counts()
        sandbox.reset_request_counts()
        await hf.list_positions_with_counts()
    assert raised.value.retryable
    assert sandbox.request_counts()["by_operation_name"] == {"ListPositionsWithCounts": 1}
