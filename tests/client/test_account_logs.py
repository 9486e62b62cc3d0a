"""`HireflixClient.read_account_logs` (a time range over an audit log that has no time filter) and
`get_interview_names`, against a fake Hireflix audit log served through `httpx2.MockTransport`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import anyio.lowlevel
import httpx2
import pytest

from hireflix_mcp.hireflix import ClientConfig
from hireflix_mcp.hireflix import HireflixClient
from hireflix_mcp.hireflix import NotFoundError
from hireflix_mcp.hireflix.audit import AUDIT_PAGE_MAX

pytestmark = pytest.mark.anyio

SECOND = 1000.0
NOW = 1_800_000_000_000.0


async def no_wait(_: float) -> None:
    await anyio.lowlevel.checkpoint()


@dataclass
class FakeAuditLog:
    """An audit log, newest first, served by skip/limit with at most `cap` entries a page."""

    timestamps: list[float | None]
    cap: int = AUDIT_PAGE_MAX
    pages: list[tuple[int, int]] = field(default_factory=list)
    """(skip, limit) of every GetAccountLogs request."""

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        variables = body.get("variables") or {}
        if body["operationName"] == "GetInterviewNames":
            return httpx2.Response(200, json={"data": {"interview": None}})
        assert body["operationName"] == "GetAccountLogs"
        skip, limit = variables["skip"], variables["limit"]
        self.pages.append((skip, limit))
        results = [
            {
                "timestamp": at,
                "action": "interview.score",
                "object": {"id": str(skip + i), "type": "INTERVIEW"},
            }
            for i, at in enumerate(self.timestamps[skip : skip + min(limit, self.cap)])
        ]
        audit = {"count": len(results), "total": len(self.timestamps), "results": results}
        return httpx2.Response(200, json={"data": {"info": {"company": {"logs": {"audit": audit}}}}})


def log_of(count: int, *, step: float = SECOND) -> FakeAuditLog:
    """`count` entries one `step` apart, the newest at NOW."""
    return FakeAuditLog([NOW - i * step for i in range(count)])


def client(log: FakeAuditLog) -> HireflixClient:
    config = ClientConfig(api_url="https://api.hireflix.test/me", api_key="hfx_test", max_retries=0)
    return HireflixClient(config, transport=httpx2.MockTransport(log.handler), sleep=no_wait)


def offsets(window: Any) -> list[int]:
    """Where each returned entry sits in the log (the fake names objects after their offset)."""
    return [int(entry.object_id) for entry in window.entries]


@pytest.mark.parametrize(
    ("size", "read", "entries", "next_skip", "requests"),
    [
        # Without a range, one page is one request of that size.
        (50, {"skip": 10, "limit": 20}, range(10, 30), 30, [(10, 20)]),
        (50, {"skip": 40, "limit": 20}, range(40, 50), None, [(40, 20)]),
        # A range inside the newest entries takes one request, with one entry to spare.
        (500, {"since": NOW - 100 * SECOND, "limit": 20}, range(20), 20, [(0, 21)]),
        (500, {"since": NOW - 100 * SECOND, "limit": 20, "skip": 90}, range(90, 101), None, [(90, 21)]),
        # `until` passes over newer entries in whole pages.
        (
            500,
            {"since": NOW - 260 * SECOND, "until": NOW - 250 * SECOND, "limit": 20},
            range(250, 261),
            None,
            [(0, 100), (100, 100), (200, 100)],
        ),
    ],
)
async def test_a_page_holds_the_entries_asked_for_and_takes_only_the_requests_it_needs(
    size: int, read: dict[str, Any], entries: range, next_skip: int | None, requests: list[tuple[int, int]]
) -> None:
    log = log_of(size)
    async with client(log) as hf:
        page = await hf.read_account_logs(**read)
    assert offsets(page) == list(entries)
    assert (page.next_skip, page.total, page.stopped_early) == (next_skip, size, False)
    assert log.pages == requests


async def test_a_server_that_pages_smaller_than_asked_is_still_read_to_the_end_of_the_range() -> None:
    log = log_of(300)
    log.cap = 30
    async with client(log) as hf:
        page = await hf.read_account_logs(until=NOW - 100 * SECOND, limit=100)
    assert offsets(page) == list(range(100, 200))
    assert page.next_skip == 200


async def test_the_request_budget_stops_the_read_and_next_skip_reads_on() -> None:
    log = log_of(500)
    async with client(log) as hf:
        first = await hf.read_account_logs(until=NOW - 450 * SECOND, limit=10, max_requests=2)
        second = await hf.read_account_logs(until=NOW - 450 * SECOND, limit=10, skip=first.next_skip or 0)
    assert first.entries == []
    assert (first.stopped_early, first.next_skip, first.scanned) == (True, 200, 200)
    assert offsets(second) == list(range(450, 460))
    assert not second.stopped_early


async def test_entries_without_a_time_are_left_out_of_a_range_only() -> None:
    log = FakeAuditLog([NOW, None, NOW - SECOND])
    async with client(log) as hf:
        ranged = await hf.read_account_logs(since=NOW - 10 * SECOND)
        everything = await hf.read_account_logs()
    assert offsets(ranged) == [0, 2]
    assert offsets(everything) == [0, 1, 2]


async def test_an_interview_hireflix_no_longer_has_is_not_found() -> None:
    async with client(log_of(1)) as hf:
        with pytest.raises(NotFoundError):
            await hf.get_interview_names("a" * 24)
