"""Completions for `position_id`, `interview_id` and `status`: names in, ids out, through the real Client."""

from __future__ import annotations

import pytest
from mcp import Client
from mcp.types import Completion
from mcp.types import PromptReference
from mcp.types import ResourceTemplateReference

from hireflix_mcp.completions import match_positions
from hireflix_mcp.hireflix.models import Position
from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.store import InterviewRecord
from tests.support import plain
from tests.support import refuse_combinators
from tests.tools.conftest import Era
from tests.tools.conftest import connect

pytestmark = pytest.mark.anyio
both_eras = pytest.mark.parametrize("era", ["legacy", "auto"])

COMPARE = PromptReference(name="compare_candidates")
SUMMARIZE = PromptReference(name="summarize_interview")
TRANSCRIPT = ResourceTemplateReference(uri="hireflix://interviews/{interview_id}/transcript")
POSITION = ResourceTemplateReference(uri="hireflix://positions/{position_id}")


async def complete(
    client: Client,
    ref: PromptReference | ResourceTemplateReference,
    name: str,
    value: str,
    context: dict[str, str] | None = None,
) -> Completion:
    result = await client.complete(ref, {"name": name, "value": value}, context_arguments=context)
    return result.completion


def matching(records: list[InterviewRecord], fragment: str) -> set[str]:
    """Ids of the interviews whose candidate's name or e-mail contains `fragment` (any case)."""
    return {
        r.id
        for r in records
        if fragment.casefold() in f"{r.first_name} {r.last_name or ''} {r.email}".casefold()
    }


# ------------------------------------------------------------------------------------ position_id


@both_eras
@pytest.mark.parametrize("ref", [COMPARE, POSITION], ids=["prompt", "template"])
async def test_part_of_a_position_title_in_any_case_completes_to_its_id(
    sandbox: RunningSandbox, era: Era, ref: PromptReference | ResourceTemplateReference
) -> None:
    backend = next(p for p in sandbox.store.positions() if p.name == "Senior Backend Engineer")
    async with connect(sandbox, era=era) as client:
        completion = await complete(client, ref, "position_id", "BACKEND")
    assert completion.values == [backend.id]
    assert completion.total == 1


async def test_the_start_of_a_position_id_completes_to_that_id(sandbox: RunningSandbox) -> None:
    position = sandbox.store.positions()[2]
    async with connect(sandbox) as client:
        completion = await complete(client, COMPARE, "position_id", position.id[:8])
    assert completion.values[0] == position.id


async def test_an_empty_position_id_offers_every_position_with_archived_ones_last(
    sandbox: RunningSandbox,
) -> None:
    positions = sandbox.store.positions()
    async with connect(sandbox) as client:
        completion = await complete(client, COMPARE, "position_id", "")
    assert sorted(completion.values) == sorted(p.id for p in positions)
    archived = {p.id for p in positions if p.archived is not None}
    assert archived
    assert set(completion.values[-len(archived) :]) == archived


def test_positions_rank_title_prefix_before_word_start_before_substring() -> None:
    positions = [
        Position(id="c" * 24, name="Data Engineer"),
        Position(id="b" * 24, name="Engineering Manager"),
        Position(id="a" * 24, name="Reengineering Lead"),
        Position(id="d" * 24, name="Engineer (old)", archived=1.0),
        Position(id="e" * 24, name="Designer"),
    ]
    assert match_positions(positions, "engineer") == ["b" * 24, "c" * 24, "a" * 24, "d" * 24]


# ------------------------------------------------------------------------------------ interview_id


@both_eras
async def test_part_of_a_candidate_name_completes_to_interview_ids_in_the_chosen_position(
    sandbox: RunningSandbox, era: Era
) -> None:
    position = next(p for p in sandbox.store.positions() if p.name == "Senior Backend Engineer")
    records = sandbox.store.interviews(position.id)
    fragment = records[0].first_name[:3].upper()
    async with connect(sandbox, era=era) as client:
        completion = await complete(client, COMPARE, "interview_id", fragment, {"position_id": position.id})
    assert completion.values
    assert set(completion.values) == matching(records, fragment)


@both_eras
async def test_without_a_position_the_name_is_searched_across_positions(
    sandbox: RunningSandbox, era: Era
) -> None:
    everyone = sandbox.store.all_interviews()
    expected = matching(everyone, "fatima")
    assert len({r.position_id for r in everyone if r.id in expected}) > 1
    async with connect(sandbox, era=era) as client:
        completion = await complete(client, TRANSCRIPT, "interview_id", "fatima")
    assert set(completion.values) == expected


async def test_every_typed_word_must_match_so_a_full_name_narrows_to_one_candidate(
    sandbox: RunningSandbox,
) -> None:
    target = next(r for r in sandbox.store.all_interviews() if r.first_name == "Fatima" and r.last_name)
    assert target.last_name is not None
    typed = f"fatima {target.last_name[:3].lower()}"
    async with connect(sandbox) as client:
        completion = await complete(client, SUMMARIZE, "interview_id", typed)
    assert target.id in completion.values
    assert set(completion.values) == {
        r.id
        for r in sandbox.store.all_interviews()
        if r.first_name == "Fatima" and r.last_name == target.last_name
    }


@pytest.mark.parametrize(
    ("typed", "first", "last"),
    [("costa liam", "Liam", "Costa"), ("Clarke, Laura", "Laura", "Clarke"), ("bjorn", "Björn", None)],
)
async def test_a_name_in_either_order_or_without_its_accents_completes_like_a_search(
    sandbox: RunningSandbox, typed: str, first: str, last: str | None
) -> None:
    expected = {
        r.id
        for r in sandbox.store.all_interviews()
        if plain(first) in plain(r.first_name) and (last is None or plain(last) in plain(r.last_name))
    }
    assert expected
    async with connect(sandbox) as client:
        completion = await complete(client, SUMMARIZE, "interview_id", typed)
    assert set(completion.values) == expected


async def test_completion_finds_the_same_interviews_when_hireflix_refuses_or_and(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    position = next(p for p in sandbox.store.positions() if p.name == "Senior Backend Engineer")
    async with connect(sandbox) as client:
        served = await complete(client, COMPARE, "interview_id", "a", {"position_id": position.id})
        # Combinator names the sandbox does not know: it refuses them as Hireflix would a wrong guess.
        refuse_combinators(monkeypatch)
        fallen_back = await complete(client, COMPARE, "interview_id", "a", {"position_id": position.id})
    assert fallen_back.values
    assert fallen_back.values == served.values


async def test_part_of_an_email_completes_to_that_interview(sandbox: RunningSandbox) -> None:
    target = sandbox.store.all_interviews()[5]
    local_part = target.email.split("@")[0]
    async with connect(sandbox) as client:
        completion = await complete(client, SUMMARIZE, "interview_id", local_part)
    assert completion.values[0] == target.id


async def test_an_exact_name_match_ranks_before_an_email_only_match(sandbox: RunningSandbox) -> None:
    records = sandbox.store.all_interviews()
    target = records[0]
    async with connect(sandbox) as client:
        completion = await complete(
            client, COMPARE, "interview_id", target.first_name, {"position_id": target.position_id}
        )
    names = {r.id: r.first_name for r in records}
    firsts = [names[i] for i in completion.values]
    starting = [n.casefold().startswith(target.first_name.casefold()) for n in firsts]
    assert starting == sorted(starting, reverse=True)


async def test_a_name_nobody_has_completes_to_nothing(sandbox: RunningSandbox) -> None:
    async with connect(sandbox) as client:
        completion = await complete(client, SUMMARIZE, "interview_id", "Zebedee Quux")
    assert completion.values == []
    assert completion.total == 0


async def test_a_whole_interview_id_completes_to_itself_without_searching(sandbox: RunningSandbox) -> None:
    interview_id = sandbox.store.all_interviews()[0].id
    async with connect(sandbox) as client:
        sandbox.reset_request_counts()
        completion = await complete(client, SUMMARIZE, "interview_id", interview_id)
    assert completion.values == [interview_id]
    assert sandbox.request_counts()["total"] == 0


async def test_when_hireflix_fails_completion_offers_nothing_instead_of_an_error(
    sandbox: RunningSandbox,
) -> None:
    sandbox.set_fault(kind="server_error", operation="ListPositions", status=500)
    async with connect(sandbox, max_retries=0) as client:
        completion = await complete(client, COMPARE, "position_id", "eng")
    assert completion.values == []


# ------------------------------------------------------------------------------------ others


@pytest.mark.parametrize(
    ("typed", "expected"), [("to", ["to_evaluate"]), ("list", ["shortlisted"]), ("", None)]
)
async def test_status_completes_to_the_review_stages(
    sandbox: RunningSandbox, typed: str, expected: list[str] | None
) -> None:
    async with connect(sandbox) as client:
        completion = await complete(client, COMPARE, "status", typed)
    assert completion.values == (expected or ["pending", "to_evaluate", "shortlisted", "discarded"])


async def test_an_argument_without_completion_gets_an_empty_answer(sandbox: RunningSandbox) -> None:
    async with connect(sandbox) as client:
        completion = await complete(client, PromptReference(name="draft_scorecard"), "criteria", "comm")
    assert completion.values == []


@both_eras
async def test_the_server_declares_completions_prompts_and_resources(
    sandbox: RunningSandbox, era: Era
) -> None:
    async with connect(sandbox, era=era) as client:
        capabilities = client.server_capabilities
    assert capabilities.completions is not None
    assert capabilities.prompts is not None
    assert capabilities.resources is not None
