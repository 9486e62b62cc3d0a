"""Positions tools through the real Client against the sandbox, in both protocol eras."""

from __future__ import annotations

import pytest

from hireflix_sandbox.embedded import RunningSandbox
from tests.tools.conftest import Elicitor
from tests.tools.conftest import Era
from tests.tools.conftest import accepted
from tests.tools.conftest import call
from tests.tools.conftest import call_error
from tests.tools.conftest import call_with_token
from tests.tools.conftest import connect
from tests.tools.conftest import error_text
from tests.tools.conftest import rejected_before_sending
from tests.tools.test_interviews_support import MISSING_ID
from tests.tools.test_interviews_support import senior_backend_position

pytestmark = pytest.mark.anyio


def _positions(sandbox: RunningSandbox) -> list[dict[str, object]]:
    body = sandbox.graphql("{ positions { id name archived } }")
    positions: list[dict[str, object]] = body["data"]["positions"]
    return positions


def _open_position_id(sandbox: RunningSandbox) -> str:
    return next(str(p["id"]) for p in _positions(sandbox) if p["archived"] is None)


def _exists(sandbox: RunningSandbox, position_id: str) -> bool:
    return any(p["id"] == position_id for p in _positions(sandbox))


async def test_list_positions_hides_archived_unless_asked(sandbox: RunningSandbox, era: Era) -> None:
    everything = _positions(sandbox)
    archived = [p for p in everything if p["archived"] is not None]
    assert archived, "demo data has an archived position"
    async with connect(sandbox, era=era) as client:
        default = await call(client, "list_positions", {})
        full = await call(client, "list_positions", {"include_archived": True})
    assert default["total"] == len(everything) - len(archived)
    assert default["archived_hidden"] == len(archived)
    assert all(not p["archived"] for p in default["positions"])
    assert {p["id"] for p in full["positions"]} == {p["id"] for p in everything}


async def test_get_position_reports_questions_and_interview_counts(sandbox: RunningSandbox, era: Era) -> None:
    position_id = _open_position_id(sandbox)
    async with connect(sandbox, era=era) as client:
        detail = await call(client, "get_position", {"position_id": position_id})
    assert detail["id"] == position_id
    assert detail["questions"]
    assert all(q["title"] for q in detail["questions"])
    counts = detail["interview_counts"]
    body = sandbox.graphql(
        "query($id: String!) { position(id: $id) { interviewList(input: {}) { total } } }",
        {"id": position_id},
    )
    assert counts["total"] == body["data"]["position"]["interviewList"]["total"]
    assert (
        counts["total"]
        == counts["pending"] + counts["to_evaluate"] + counts["shortlisted"] + counts["discarded"]
    )


SENIOR_BACKEND_COUNTS = {
    "pending": 5,
    "to_evaluate": 3,
    "shortlisted": 1,
    "discarded": 5,
    "total": 14,
    "recorded": 7,
}
"""Senior Backend Engineer in the demo data: 9 interviews look finished by status, 7 were recorded."""


def _recorded_in(sandbox: RunningSandbox, position_id: str) -> int:
    return sum(r.completed_at is not None for r in sandbox.store.interviews(position_id))


async def test_get_position_counts_the_recorded_interviews_beside_the_statuses(
    sandbox: RunningSandbox,
) -> None:
    position = senior_backend_position(sandbox)
    async with connect(sandbox) as client:
        detail = await call(client, "get_position", {"position_id": position.id})
    assert detail["interview_counts"] == SENIOR_BACKEND_COUNTS
    assert _recorded_in(sandbox, position.id) == 7


async def test_list_positions_gives_each_position_its_counts_in_one_request(sandbox: RunningSandbox) -> None:
    async with connect(sandbox) as client:
        sandbox.reset_request_counts()
        listed = await call(client, "list_positions", {"include_archived": True})
        sent = sandbox.request_counts()["by_operation_name"]
    assert sent == {"ListPositionsWithCounts": 1}
    by_name = {p["name"]: p for p in listed["positions"]}
    assert by_name["Senior Backend Engineer"]["interview_counts"] == SENIOR_BACKEND_COUNTS
    for position in listed["positions"]:
        counts = position["interview_counts"]
        assert counts["recorded"] == _recorded_in(sandbox, position["id"])
        assert counts["total"] == len(sandbox.store.interviews(position["id"]))


async def test_unknown_position_is_a_tool_error_pointing_at_list_positions(sandbox: RunningSandbox) -> None:
    async with connect(sandbox) as client:
        message = await call_error(client, "get_position", {"position_id": MISSING_ID})
    assert MISSING_ID in message
    assert "list_positions" in message


async def test_create_then_update_position_round_trips(sandbox: RunningSandbox, era: Era) -> None:
    async with connect(sandbox, era=era) as client:
        created = await call(
            client,
            "create_position",
            {
                "name": "Data Engineer",
                "description": "Pipelines",
                "questions": [{"title": "Tell us about a pipeline you built"}, {"title": "Why us?"}],
            },
        )
        updated = await call(
            client, "update_position", {"position_id": created["id"], "name": "Senior Data Engineer"}
        )
    assert [q["title"] for q in created["questions"]] == ["Tell us about a pipeline you built", "Why us?"]
    assert created["interview_counts"]["total"] == 0
    assert updated["position"]["name"] == "Senior Data Engineer"
    assert any(p["name"] == "Senior Data Engineer" for p in _positions(sandbox))


async def test_update_position_says_what_changed_from_what_to(sandbox: RunningSandbox) -> None:
    position_id = _open_position_id(sandbox)
    before = next(p for p in _positions(sandbox) if p["id"] == position_id)
    async with connect(sandbox) as client:
        updated = await call(
            client,
            "update_position",
            {"position_id": position_id, "name": "Staff Engineer", "description": "Own the platform."},
        )
    assert updated["changed"]["name"] == {"from": before["name"], "to": "Staff Engineer"}
    assert updated["changed"]["description"]["to"] == "Own the platform."
    assert (
        updated["message"] == f"Renamed '{before['name']}' to 'Staff Engineer' and updated its description."
    )


async def test_update_position_to_what_it_already_is_changes_nothing_and_says_so(
    sandbox: RunningSandbox,
) -> None:
    position_id = _open_position_id(sandbox)
    name = next(p["name"] for p in _positions(sandbox) if p["id"] == position_id)
    async with connect(sandbox) as client:
        sandbox.reset_request_counts()
        again = await call(client, "update_position", {"position_id": position_id, "name": name})
        sent = sandbox.request_counts()["by_operation_name"]
    assert again.get("changed", {}) == {}
    assert again["message"].startswith("Nothing changed")
    assert "UpdatePosition" not in sent


async def test_update_of_an_unknown_position_points_at_list_positions_and_writes_nothing(
    sandbox: RunningSandbox,
) -> None:
    async with connect(sandbox) as client:
        sandbox.reset_request_counts()
        message = await call_error(client, "update_position", {"position_id": MISSING_ID, "name": "X"})
        sent = sandbox.request_counts()["by_operation_name"]
    assert "list_positions" in message
    assert "UpdatePosition" not in sent


async def test_create_position_without_questions_names_the_field(sandbox: RunningSandbox) -> None:
    message = await rejected_before_sending(sandbox, "create_position", {"name": "X", "questions": []})
    assert "questions" in message


async def test_archive_with_accepted_elicitation_archives_and_names_the_position(
    sandbox: RunningSandbox, era: Era
) -> None:
    position_id = _open_position_id(sandbox)
    name = next(p["name"] for p in _positions(sandbox) if p["id"] == position_id)
    _, question = await accepted(sandbox, "archive_position", {"position_id": position_id}, era=era)
    assert str(name) in question
    assert next(p for p in _positions(sandbox) if p["id"] == position_id)["archived"] is not None


async def test_token_for_one_position_cannot_delete_another(sandbox: RunningSandbox) -> None:
    ids = [str(p["id"]) for p in _positions(sandbox)]
    async with connect(sandbox) as client:
        first = await call(client, "delete_position", {"position_id": ids[0]})
        message = error_text(
            await call_with_token(
                client, "delete_position", {"position_id": ids[1]}, first["confirmation_token"]
            )
        )
    assert "different arguments" in message
    assert {str(p["id"]) for p in _positions(sandbox)} == set(ids)


async def test_forged_token_changes_nothing(sandbox: RunningSandbox) -> None:
    position_id = _open_position_id(sandbox)
    async with connect(sandbox) as client:
        first = await call(client, "delete_position", {"position_id": position_id})
        forged = first["confirmation_token"][:-4] + "AAAA"
        message = error_text(
            await call_with_token(client, "delete_position", {"position_id": position_id}, forged)
        )
    assert "forged" in message
    assert _exists(sandbox, position_id)


async def test_confirm_off_deletes_without_asking(sandbox: RunningSandbox) -> None:
    position_id = _open_position_id(sandbox)
    elicitor = Elicitor("decline")
    async with connect(sandbox, confirm="off", elicitor=elicitor) as client:
        result = await call(client, "delete_position", {"position_id": position_id})
    assert result["status"] == "done"
    assert elicitor.messages == []
    assert not _exists(sandbox, position_id)
