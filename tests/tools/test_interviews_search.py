"""search_interviews and find_candidate: filters, any_of, pagination, the client-side fallback, bad input."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from hireflix_mcp.hireflix import search as hx_search
from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.store import InterviewRecord
from tests.support import refuse_combinators
from tests.support import refuse_find_candidate
from tests.tools.conftest import Era
from tests.tools.conftest import all_pages
from tests.tools.conftest import call
from tests.tools.conftest import call_error
from tests.tools.conftest import connect
from tests.tools.conftest import data
from tests.tools.conftest import invite
from tests.tools.conftest import rejected_before_sending
from tests.tools.test_interviews_support import MISSING_ID
from tests.tools.test_interviews_support import interviews_by_status
from tests.tools.test_interviews_support import new_position
from tests.tools.test_interviews_support import open_position
from tests.tools.test_interviews_support import senior_backend_position
from tests.tools.test_interviews_support import total_requests

pytestmark = pytest.mark.anyio


async def _all_pages(
    client: Client, args: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every interview of a search, following next_cursor; and each page's result."""
    pages = [data(result) for result in await all_pages(client, "search_interviews", args, most=50)]
    return [found for page in pages for found in page.get("interviews", [])], pages


def _score_between(record: InterviewRecord, low: float, high: float) -> bool:
    return record.score is not None and low <= record.score <= high


async def _invite(client: Client, position_id: str, email: str, first: str, last: str) -> str:
    result = await invite(client, position_id, email, first, last_name=last)
    interview_id: str = result["interview"]["interview_id"]
    return interview_id


@pytest.mark.parametrize("status", ["pending", "to_evaluate", "shortlisted", "discarded"])
async def test_search_by_status_returns_exactly_the_interviews_in_that_status(
    sandbox: RunningSandbox, era: Era, status: str
) -> None:
    position = open_position(sandbox)
    expected = {r.id for r in interviews_by_status(sandbox, position.id).get(status, [])}
    assert expected
    async with connect(sandbox, era=era) as client:
        result = await call(
            client, "search_interviews", {"position_id": position.id, "status": status, "limit": 100}
        )
    assert {i["interview_id"] for i in result["interviews"]} == expected
    assert result["total"] == len(expected)
    assert result.get("next_cursor") is None
    assert result["filter_mode"] == "server"
    assert all(i["status"] == status for i in result["interviews"])


async def test_search_by_email_ignores_case(sandbox: RunningSandbox) -> None:
    position = open_position(sandbox)
    record = sandbox.store.interviews(position.id)[3]
    async with connect(sandbox) as client:
        result = await call(
            client, "search_interviews", {"position_id": position.id, "email": record.email.upper()}
        )
    assert [i["interview_id"] for i in result["interviews"]] == [record.id]
    assert result["interviews"][0]["email"] == record.email


async def test_search_by_name_matches_first_or_last_name_as_plain_text(sandbox: RunningSandbox) -> None:
    position_id = new_position(sandbox)
    async with connect(sandbox) as client:
        dotted = await _invite(client, position_id, "dot@example.com", "Anna", "Smith.Jr")
        await _invite(client, position_id, "x@example.com", "Ben", "SmithXJr")
        first = await _invite(client, position_id, "first@example.com", "Hajo", "Berg")
        dotted_hits = await call(client, "search_interviews", {"position_id": position_id, "name": "H.J"})
        star_hits = await call(client, "search_interviews", {"position_id": position_id, "name": ".*"})
        first_hits = await call(client, "search_interviews", {"position_id": position_id, "name": "haj"})
    # "H.J" as a regex would also match "SmithXJr"; as text it matches only "Smith.Jr".
    assert [i["interview_id"] for i in dotted_hits["interviews"]] == [dotted]
    assert star_hits.get("interviews", []) == []
    assert [i["interview_id"] for i in first_hits["interviews"]] == [first]


def _record(sandbox: RunningSandbox, first: str, last: str | None) -> InterviewRecord:
    return next(r for r in sandbox.store.all_interviews() if (r.first_name, r.last_name) == (first, last))


@pytest.mark.parametrize("typed", ["Liam Costa", "costa liam", "Costa, Liam"])
async def test_a_full_name_in_either_order_finds_the_candidate(sandbox: RunningSandbox, typed: str) -> None:
    liam = _record(sandbox, "Liam", "Costa")
    async with connect(sandbox) as client:
        result = await call(client, "search_interviews", {"position_id": liam.position_id, "name": typed})
    assert [i["interview_id"] for i in result["interviews"]] == [liam.id]


@pytest.mark.parametrize(
    ("typed", "first", "last"),
    [("Bjorn", "Björn", "Moreau"), ("jose", "José", "Thị Lan"), ("olafur", "Ólafur", "Brown")],
)
async def test_a_name_typed_without_accents_finds_the_accented_name(
    sandbox: RunningSandbox, typed: str, first: str, last: str
) -> None:
    record = _record(sandbox, first, last)
    async with connect(sandbox) as client:
        result = await call(client, "search_interviews", {"position_id": record.position_id, "name": typed})
    assert record.id in {i["interview_id"] for i in result.get("interviews", [])}
    assert all(first in i["name"] for i in result["interviews"])


@pytest.mark.parametrize(
    ("typed", "first", "last"), [("Costa, Liam", "Liam", "Costa"), ("BJORN", "Björn", "Moreau")]
)
async def test_the_name_rule_holds_client_side_when_hireflix_refuses_or_and(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch, typed: str, first: str, last: str
) -> None:
    refuse_combinators(monkeypatch)
    record = _record(sandbox, first, last)
    async with connect(sandbox) as client:
        result = await call(client, "search_interviews", {"position_id": record.position_id, "name": typed})
    assert result["filter_mode"] == "client"
    assert record.id in {i["interview_id"] for i in result.get("interviews", [])}


@pytest.mark.parametrize("recorded", [True, False])
async def test_recorded_keeps_the_interviews_whose_candidate_finished_recording_or_not(
    sandbox: RunningSandbox, recorded: bool
) -> None:
    position = senior_backend_position(sandbox)
    records = sandbox.store.interviews(position.id)
    expected = {r.id for r in records if (r.completed_at is not None) == recorded}
    discarded = {r.id for r in interviews_by_status(sandbox, position.id)["discarded"]}
    assert len(expected) == 7
    async with connect(sandbox) as client:
        result = await call(
            client, "search_interviews", {"position_id": position.id, "recorded": recorded, "limit": 100}
        )
        among_discarded = await call(
            client,
            "search_interviews",
            {"position_id": position.id, "recorded": recorded, "status": "discarded", "limit": 100},
        )
    assert {i["interview_id"] for i in result["interviews"]} == expected
    assert result["total"] == len(expected)
    assert result["filter_mode"] == "client"
    assert all(("completed_at" in i) == recorded for i in result["interviews"])
    # Discarded holds both kinds: candidates who recorded and candidates who never did.
    assert {i["interview_id"] for i in among_discarded["interviews"]} == discarded & expected
    assert 0 < len(discarded & expected) < len(discarded)


async def test_a_cursor_this_tool_did_not_return_says_to_pass_next_cursor_back(
    sandbox: RunningSandbox,
) -> None:
    position = open_position(sandbox)
    async with connect(sandbox) as client:
        message = await call_error(
            client, "search_interviews", {"position_id": position.id, "recorded": True, "cursor": "local:%%%"}
        )
    assert "next_cursor" in message


async def test_score_range_keeps_only_scored_interviews_inside_it(sandbox: RunningSandbox) -> None:
    position = open_position(sandbox)
    expected = {r.id for r in sandbox.store.interviews(position.id) if _score_between(r, 2.5, 4)}
    assert expected
    async with connect(sandbox) as client:
        result = await call(
            client,
            "search_interviews",
            {"position_id": position.id, "min_score": 2.5, "max_score": 4, "limit": 100},
        )
    assert {i["interview_id"] for i in result["interviews"]} == expected
    assert all(2.5 <= i["score"] <= 4 for i in result["interviews"])


def _any_of_expectation(sandbox: RunningSandbox, position_id: str) -> set[str]:
    """Interviews pending, to evaluate or scoring 4.5 or more, and with an 'a' in a name (ANY_OF_ARGS)."""
    by_status = interviews_by_status(sandbox, position_id)
    pending = {r.id for r in by_status.get("pending", []) + by_status.get("to_evaluate", [])}
    high = {r.id for r in sandbox.store.interviews(position_id) if _score_between(r, 4.5, 5)}
    named = {
        r.id
        for r in sandbox.store.interviews(position_id)
        if "a" in r.first_name.lower() or "a" in (r.last_name or "").lower()
    }
    return (pending | high) & named


ANY_OF_ARGS: dict[str, Any] = {
    "name": "A",
    "any_of": [{"status": "pending"}, {"status": "to_evaluate"}, {"min_score": 4.5}],
}


async def test_any_of_alternatives_are_ored_then_anded_with_the_other_conditions(
    sandbox: RunningSandbox, era: Era
) -> None:
    position = open_position(sandbox)
    expected = _any_of_expectation(sandbox, position.id)
    assert expected
    async with connect(sandbox, era=era) as client:
        result = await call(
            client, "search_interviews", {"position_id": position.id, **ANY_OF_ARGS, "limit": 100}
        )
    assert {i["interview_id"] for i in result["interviews"]} == expected
    assert result["filter_mode"] == "server"


async def test_pages_follow_next_cursor_without_gaps_or_repeats(sandbox: RunningSandbox) -> None:
    position = open_position(sandbox)
    everything = {r.id for r in sandbox.store.interviews(position.id)}
    async with connect(sandbox) as client:
        found, pages = await _all_pages(client, {"position_id": position.id, "limit": 3})
    ids = [i["interview_id"] for i in found]
    assert len(ids) == len(set(ids))
    assert set(ids) == everything
    assert all(page["total"] == len(everything) for page in pages)
    created = [i["invited_at"] for i in found]
    assert created == sorted(created, reverse=True)


async def test_when_hireflix_refuses_or_filters_the_search_runs_client_side_with_the_same_results(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    position = open_position(sandbox)
    expected = _any_of_expectation(sandbox, position.id)
    # Filter combinator names the sandbox does not know: it refuses them as real Hireflix would refuse
    # a wrong guess of `or`/`and`.
    refuse_combinators(monkeypatch)
    async with connect(sandbox) as client:
        found, pages = await _all_pages(client, {"position_id": position.id, **ANY_OF_ARGS, "limit": 2})
        sandbox.reset_request_counts()
        again = await call(
            client, "search_interviews", {"position_id": position.id, "name": "a", "limit": 100}
        )
        requests_for_again = total_requests(sandbox)
    assert {p["filter_mode"] for p in pages} == {"client"}
    ids = [i["interview_id"] for i in found]
    assert len(ids) == len(set(ids))
    assert set(ids) == expected
    assert all(p["total"] == len(expected) for p in pages)
    assert all(p["next_cursor"].startswith("local:") for p in pages[:-1])
    created = [i["invited_at"] for i in found]
    assert created == sorted(created, reverse=True)
    # Once refused, the next search goes client-side at once: one query for first names, one for last.
    assert again["filter_mode"] == "client"
    assert requests_for_again == 2
    named = {
        r.id
        for r in sandbox.store.interviews(position.id)
        if "a" in r.first_name.lower() or "a" in (r.last_name or "").lower()
    }
    assert {i["interview_id"] for i in again["interviews"]} == named


async def test_a_cursor_from_another_search_is_refused(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    position = open_position(sandbox)
    monkeypatch.setattr(hx_search, "FILTER_OR", "anyOf")
    async with connect(sandbox) as client:
        first = await call(client, "search_interviews", {"position_id": position.id, "name": "a", "limit": 1})
        message = await call_error(
            client,
            "search_interviews",
            {"position_id": position.id, "name": "e", "limit": 1, "cursor": first["next_cursor"]},
        )
    assert "different search" in message


@pytest.mark.parametrize(
    ("args", "field", "rule"),
    [
        ({"status": "hired"}, "status", "pending"),
        ({"min_score": 6}, "min_score", "at most 5"),
        ({"min_score": 4, "max_score": 2}, "min_score", "max_score"),
        ({"limit": 101}, "limit", "100"),
        ({"limit": 0}, "limit", "1"),
        ({"email": "nope"}, "email", "e-mail address"),
        ({"name": "  "}, "name", "at least 1 character"),
        ({"any_of": [{}]}, "any_of", "at least one of"),
        ({"any_of": [{"status": "x"}]}, "any_of", "status"),
        ({"any_of": [{"min_score": 3, "max_score": 1}]}, "any_of", "min_score must not be greater"),
        ({"any_of": [{"status": "pending"}] * 11}, "any_of", "at most 10"),
        ({"any_of": [{"colour": "red"}]}, "any_of", "colour"),
    ],
)
async def test_bad_search_arguments_name_the_field_and_rule_and_send_nothing(
    sandbox: RunningSandbox, args: dict[str, Any], field: str, rule: str
) -> None:
    position = open_position(sandbox)
    message = await rejected_before_sending(
        sandbox, "search_interviews", {"position_id": position.id, **args}
    )
    assert field in message
    assert rule in message


async def test_search_in_an_unknown_position_says_where_position_ids_come_from(
    sandbox: RunningSandbox,
) -> None:
    async with connect(sandbox) as client:
        message = await call_error(client, "search_interviews", {"position_id": MISSING_ID})
    assert MISSING_ID in message
    assert "list_positions" in message


async def test_search_results_carry_sanitised_candidate_text(sandbox: RunningSandbox) -> None:
    position_id = new_position(sandbox)
    async with connect(sandbox) as client:
        await _invite(client, position_id, "bidi@example.com", "Eve\u202egnahc", "Zero\u200bWidth")
        result = await call(client, "search_interviews", {"position_id": position_id})
    assert result["interviews"][0]["name"] == "Evegnahc ZeroWidth"


# --------------------------------------------------------------------------------------------- find_candidate


async def test_find_candidate_by_email_finds_interviews_in_every_position(
    sandbox: RunningSandbox, era: Era
) -> None:
    positions = [p for p in sandbox.store.positions() if p.archived is None][:2]
    async with connect(sandbox, era=era) as client:
        ids = {await _invite(client, p.id, "roamer@example.com", "Ro", "Amer") for p in positions}
        sandbox.reset_request_counts()
        result = await call(client, "find_candidate", {"query": "Roamer@Example.com"})
    assert result["matched_by"] == "email"
    assert {i["interview_id"] for i in result["interviews"]} == ids
    assert {i["position_name"] for i in result["interviews"]} == {p.name for p in positions}
    assert result["positions_searched"] == len(sandbox.store.positions())
    assert result["capped"] is False
    # One request searches every position (FindCandidate), not a listing plus one search per position.
    assert total_requests(sandbox) == 1


async def test_find_candidate_by_full_name_needs_every_word(sandbox: RunningSandbox) -> None:
    record = sandbox.store.all_interviews()[5]
    assert record.last_name
    async with connect(sandbox) as client:
        full = await call(client, "find_candidate", {"query": f"{record.first_name} {record.last_name}"})
        wrong = await call(client, "find_candidate", {"query": f"{record.first_name} Zzyzx"})
    assert full["matched_by"] == "name"
    assert record.id in {i["interview_id"] for i in full["interviews"]}
    found = next(i for i in full["interviews"] if i["interview_id"] == record.id)
    assert found["position_id"] == record.position_id
    assert wrong.get("interviews", []) == []
    assert wrong["total"] == 0


async def test_find_candidate_caps_a_broad_query_and_says_so(sandbox: RunningSandbox) -> None:
    position_id = new_position(sandbox)
    rows = [
        {"email": f"many{i}@example.com", "first_name": "Many", "last_name": f"Caps{i}"} for i in range(60)
    ]
    async with connect(sandbox, confirm="off") as client:  # 60 rows would be confirmed first
        await call(client, "invite_candidates", {"position_id": position_id, "candidates": rows})
        result = await call(client, "find_candidate", {"query": "many caps"})
    assert result["total"] == 60
    assert len(result["interviews"]) == 50
    assert result["capped"] is True
    assert "refine" in result["message"]


async def test_find_candidate_by_name_sends_exactly_one_request(sandbox: RunningSandbox) -> None:
    record = sandbox.store.all_interviews()[3]
    async with connect(sandbox) as client:
        sandbox.reset_request_counts()
        result = await call(client, "find_candidate", {"query": record.first_name})
        counts = sandbox.request_counts()
    assert record.id in {i["interview_id"] for i in result["interviews"]}
    assert result["positions_searched"] == len(sandbox.store.positions())
    assert result.get("positions_failed", []) == []
    assert counts["total"] == 1
    assert counts["by_operation_name"] == {"FindCandidate": 1}


async def test_find_candidate_searches_position_by_position_when_hireflix_refuses_the_single_query(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    refusals = refuse_find_candidate(monkeypatch)
    positions = [p for p in sandbox.store.positions() if p.archived is None][:2]
    async with connect(sandbox) as client:
        ids = {
            await _invite(client, p.id, "fallback@example.com", "Quorra", "Fallbackson") for p in positions
        }
        sandbox.reset_request_counts()
        first = await call(client, "find_candidate", {"query": "fallback@example.com"})
        assert total_requests(sandbox) == 1 + len(sandbox.store.positions())
        second = await call(client, "find_candidate", {"query": "Quorra Fallbackson"})
    for result in (first, second):
        assert {i["interview_id"] for i in result["interviews"]} == ids
        assert result["positions_searched"] == len(sandbox.store.positions())
        assert result.get("positions_failed", []) == []
    # The refusal is remembered: the second find went straight to the per-position path.
    assert refusals.count == 1


@pytest.mark.parametrize("query", ["Clarke, Laura", "laura clarke", "LAURA CLARKE"])
async def test_find_candidate_finds_a_name_typed_last_comma_first_or_in_any_case(
    sandbox: RunningSandbox, query: str
) -> None:
    laura = _record(sandbox, "Laura", "Clarke")
    async with connect(sandbox) as client:
        result = await call(client, "find_candidate", {"query": query})
    assert [(i["interview_id"], i["position_id"]) for i in result["interviews"]] == [
        (laura.id, laura.position_id)
    ]
    assert result["total"] == 1


async def test_find_candidate_finds_accented_names_typed_without_accents(sandbox: RunningSandbox) -> None:
    bjorns = {r.id for r in sandbox.store.all_interviews() if r.first_name == "Björn"}
    assert len(bjorns) > 1
    async with connect(sandbox) as client:
        result = await call(client, "find_candidate", {"query": "bjorn"})
    assert {i["interview_id"] for i in result["interviews"]} == bjorns
    assert len({i["position_id"] for i in result["interviews"]}) > 1


@pytest.mark.parametrize("query", ["x", " , ", "--"])
async def test_find_candidate_rejects_a_query_without_a_name_before_sending(
    sandbox: RunningSandbox, query: str
) -> None:
    message = await rejected_before_sending(sandbox, "find_candidate", {"query": query})
    assert "query" in message
