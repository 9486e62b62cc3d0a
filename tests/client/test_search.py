"""Searching by conditions against the sandbox's demo data: the name rule (either order, "Last, First",
any case, any accent), `recorded`, the client-side fallback when Hireflix refuses `or`/`and`, and
finding a candidate in every position."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from hireflix_mcp.hireflix import ClientConfig
from hireflix_mcp.hireflix import HireflixClient
from hireflix_mcp.hireflix import InterviewCondition
from hireflix_mcp.hireflix import InvalidCursorError
from hireflix_mcp.hireflix import SearchPage
from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.store import InterviewRecord
from tests.support import plain
from tests.support import refuse_combinators
from tests.support import refuse_find_candidate

pytestmark = pytest.mark.anyio


@asynccontextmanager
async def client_for(sandbox: RunningSandbox, max_retries: int = 3) -> AsyncIterator[HireflixClient]:
    config = ClientConfig(api_url=sandbox.url, api_key=sandbox.api_key, max_retries=max_retries)
    async with HireflixClient(config) as client:
        yield client


@asynccontextmanager
async def client_failing_once(
    sandbox: RunningSandbox, operation: str, status: int = 500
) -> AsyncIterator[HireflixClient]:
    """A client that never retries, of a sandbox whose next `operation` answers HTTP `status`."""
    sandbox.set_fault(kind="server_error", operation=operation, status=status, count=1)
    async with client_for(sandbox, max_retries=0) as client:
        yield client


@asynccontextmanager
async def client_without_or_and(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[HireflixClient]:
    """A client of a Hireflix that refuses `or`/`and` filters (see `refuse_combinators`)."""
    refuse_combinators(monkeypatch)
    async with client_for(sandbox) as client:
        yield client


def record_named(sandbox: RunningSandbox, first: str, last: str | None) -> InterviewRecord:
    return next(r for r in sandbox.store.all_interviews() if (r.first_name, r.last_name) == (first, last))


def named(records: list[InterviewRecord], word: str) -> set[str]:
    return {r.id for r in records if plain(word) in plain(r.first_name) or plain(word) in plain(r.last_name)}


async def all_pages(
    hf: HireflixClient, position_id: str, where: InterviewCondition, limit: int
) -> list[SearchPage]:
    pages = [await hf.match_interviews(position_id, where, limit=limit)]
    while pages[-1].next_cursor is not None:
        assert len(pages) < 50
        pages.append(await hf.match_interviews(position_id, where, limit=limit, cursor=pages[-1].next_cursor))
    return pages


# ------------------------------------------------------------------------------------ the name rule
@pytest.mark.parametrize("typed", ["Liam Costa", "Costa Liam", "costa  LIAM"])
async def test_a_full_name_finds_the_candidate_in_either_order(sandbox: RunningSandbox, typed: str) -> None:
    liam = record_named(sandbox, "Liam", "Costa")
    async with client_for(sandbox) as hf:
        page = await hf.match_interviews(liam.position_id, InterviewCondition(name=typed), limit=100)
    assert [i.id for i in page.items] == [liam.id]
    assert page.mode == "server"


async def test_last_comma_first_finds_the_candidate(sandbox: RunningSandbox) -> None:
    laura = record_named(sandbox, "Laura", "Clarke")
    async with client_for(sandbox) as hf:
        page = await hf.match_interviews(
            laura.position_id, InterviewCondition(name="Clarke, Laura"), limit=100
        )
    assert [i.id for i in page.items] == [laura.id]


@pytest.mark.parametrize(("typed", "stored"), [("Bjorn", "Björn"), ("jose", "José"), ("olafur", "Ólafur")])
async def test_a_name_typed_without_accents_finds_the_accented_name(
    sandbox: RunningSandbox, typed: str, stored: str
) -> None:
    position_id = next(r.position_id for r in sandbox.store.all_interviews() if stored in r.first_name)
    expected = named(sandbox.store.interviews(position_id), typed)
    async with client_for(sandbox) as hf:
        page = await hf.match_interviews(position_id, InterviewCondition(name=typed), limit=100)
    assert {i.id for i in page.items} == expected
    assert all(stored in (i.candidate.first_name or "") for i in page.items if i.candidate)


async def test_a_word_of_the_name_that_matches_nobody_finds_nothing(sandbox: RunningSandbox) -> None:
    liam = record_named(sandbox, "Liam", "Costa")
    async with client_for(sandbox) as hf:
        page = await hf.match_interviews(liam.position_id, InterviewCondition(name="Liam Zzyzx"))
    assert page.items == []


async def test_the_name_rule_holds_client_side_when_hireflix_refuses_or_and(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    liam = record_named(sandbox, "Liam", "Costa")
    bjorns = named(sandbox.store.interviews(liam.position_id), "bjorn")
    async with client_without_or_and(sandbox, monkeypatch) as hf:
        reversed_name = await hf.match_interviews(liam.position_id, InterviewCondition(name="Costa, Liam"))
        accentless = await hf.match_interviews(liam.position_id, InterviewCondition(name="BJORN"), limit=100)
    assert [i.id for i in reversed_name.items] == [liam.id]
    assert {i.id for i in accentless.items} == bjorns
    assert reversed_name.mode == accentless.mode == "client"


# ------------------------------------------------------------------------------------ recorded
@pytest.mark.parametrize("recorded", [True, False])
async def test_recorded_keeps_the_interviews_whose_candidate_finished_recording_or_not(
    sandbox: RunningSandbox, recorded: bool
) -> None:
    position = next(p for p in sandbox.store.positions() if p.name == "Senior Backend Engineer")
    records = sandbox.store.interviews(position.id)
    expected = {r.id for r in records if r.completed == recorded}
    # Not the same as status pending: this position has discarded interviews never recorded.
    assert {r.id for r in records if r.completed != recorded and r.archived is not None}
    async with client_for(sandbox) as hf:
        pages = await all_pages(hf, position.id, InterviewCondition(recorded=recorded), limit=3)
    found = [i.id for page in pages for i in page.items]
    assert sorted(found) == sorted(expected)
    # No filter field expresses it: the client reads the position and filters it itself.
    assert {page.mode for page in pages} == {"client"}
    assert all(page.total == len(expected) for page in pages)


# ------------------------------------------------------------------------------------ the fallback
async def test_when_hireflix_refuses_or_and_the_search_runs_client_side_and_remembers(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    position = next(p for p in sandbox.store.positions() if p.name == "Senior Backend Engineer")
    records = sandbox.store.interviews(position.id)
    high_or_pending = {r.id for r in records if (r.score or 0) >= 4 or not r.completed}
    expected = high_or_pending & named(records, "a")
    assert expected
    where = InterviewCondition(name="a")
    any_of = [InterviewCondition(recorded=False), InterviewCondition(min_score=4)]
    async with client_without_or_and(sandbox, monkeypatch) as hf:
        first = await hf.match_interviews(position.id, InterviewCondition(name="a"), [any_of[1]], limit=100)
        sandbox.reset_request_counts()
        again = await hf.match_interviews(position.id, where, limit=100)
        requests_for_again = sandbox.request_counts()["total"]
        pages = [await hf.match_interviews(position.id, where, any_of, limit=2)]
        while pages[-1].next_cursor is not None:
            pages.append(
                await hf.match_interviews(position.id, where, any_of, limit=2, cursor=pages[-1].next_cursor)
            )
    assert first.mode == "client"
    # Once refused, the next search goes client-side at once: one query for first names, one for last.
    assert again.mode == "client"
    assert requests_for_again == 2
    assert {i.id for i in again.items} == named(records, "a")
    found = [i for page in pages for i in page.items]
    assert [i.id for i in found] == [i.id for i in sorted(found, key=lambda i: -(i.created_at or 0))]
    assert {i.id for i in found} == expected
    assert len(found) == len(expected)
    assert all(page.next_cursor is None or page.next_cursor.startswith("local:") for page in pages)


async def test_a_local_cursor_from_another_search_is_refused(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    position = next(p for p in sandbox.store.positions() if p.name == "Senior Backend Engineer")
    async with client_without_or_and(sandbox, monkeypatch) as hf:
        first = await hf.match_interviews(position.id, InterviewCondition(name="a"), limit=1)
        assert first.next_cursor is not None
        with pytest.raises(InvalidCursorError, match="different search"):
            await hf.match_interviews(position.id, InterviewCondition(name="e"), cursor=first.next_cursor)
        with pytest.raises(InvalidCursorError, match="unchanged"):
            await hf.match_interviews(position.id, InterviewCondition(name="a"), cursor="local:%%%")


async def test_a_view_made_by_with_options_shares_what_the_client_learnt(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    position = next(p for p in sandbox.store.positions() if p.name == "Senior Backend Engineer")
    async with client_without_or_and(sandbox, monkeypatch) as hf:
        await hf.with_options(max_retries=0).match_interviews(position.id, InterviewCondition(name="a"))
        sandbox.reset_request_counts()
        page = await hf.match_interviews(position.id, InterviewCondition(name="a"))
    assert page.mode == "client"
    assert sandbox.request_counts()["by_operation_name"] == {"SearchInterviews": 2}


# ------------------------------------------------------------------------------------ every position
async def test_find_interviews_finds_an_accentless_name_in_every_position_in_one_request(
    sandbox: RunningSandbox,
) -> None:
    everyone = sandbox.store.all_interviews()
    expected = named(everyone, "bjorn")
    assert len({r.position_id for r in everyone if r.id in expected}) > 1
    async with client_for(sandbox) as hf:
        sandbox.reset_request_counts()
        found = await hf.find_interviews(InterviewCondition(name="bjorn"))
        counts = sandbox.request_counts()
    assert {f.interview.id for f in found.items} == expected
    assert all(
        f.position_id == next(r for r in everyone if r.id == f.interview.id).position_id for f in found.items
    )
    assert found.mode == "one_request"
    assert counts["by_operation_name"] == {"FindCandidate": 1}
    assert found.positions_searched == len(sandbox.store.positions())
    assert (found.total, found.capped, found.positions_failed) == (len(expected), False, [])
    created = [f.interview.created_at or 0.0 for f in found.items]
    assert created == sorted(created, reverse=True)


async def test_find_interviews_returns_the_newest_up_to_the_limit_and_says_it_capped(
    sandbox: RunningSandbox,
) -> None:
    everyone = sandbox.store.all_interviews()
    expected = named(everyone, "a")
    newest = sorted((r for r in everyone if r.id in expected), key=lambda r: r.created_at, reverse=True)
    async with client_for(sandbox) as hf:
        found = await hf.find_interviews(InterviewCondition(name="a"), limit=5)
    assert [f.interview.id for f in found.items] == [r.id for r in newest[:5]]
    assert found.total == len(expected)
    assert found.capped


async def test_find_interviews_searches_position_by_position_when_hireflix_refuses_the_one_request(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    refusals = refuse_find_candidate(monkeypatch)
    liam = record_named(sandbox, "Liam", "Costa")
    async with client_for(sandbox) as hf:
        first = await hf.find_interviews(InterviewCondition(name="costa liam"))
        second = await hf.find_interviews(InterviewCondition(email=liam.email.upper()))
    for found in (first, second):
        assert [f.interview.id for f in found.items] == [liam.id]
        assert found.mode == "per_position"
        assert found.positions_searched == len(sandbox.store.positions())
    assert refusals.count == 1


async def test_a_position_whose_search_fails_is_reported_and_the_others_still_searched(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    refuse_combinators(monkeypatch)
    async with client_failing_once(sandbox, "SearchInterviews") as hf:
        found = await hf.find_interviews(InterviewCondition(name="bjorn"))
    positions = sandbox.store.positions()
    assert found.mode == "per_position"
    assert len(found.positions_failed) == 1
    assert found.positions_failed[0].error.status == 500
    assert found.positions_searched == len(positions) - 1
    failed = found.positions_failed[0].position_id
    others = [r for r in sandbox.store.all_interviews() if r.position_id != failed]
    assert {f.interview.id for f in found.items} == named(others, "bjorn")
