"""Review tools (score, comment, status, share) through the real Client against the sandbox."""

from __future__ import annotations

import time
from typing import Any

import pytest

from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.listing import interview_filter_status
from hireflix_sandbox.store import InterviewRecord
from tests.tools.conftest import Elicitor
from tests.tools.conftest import Era
from tests.tools.conftest import accepted
from tests.tools.conftest import call_error
from tests.tools.conftest import confirmed_once_with_token
from tests.tools.conftest import connect
from tests.tools.conftest import data
from tests.tools.conftest import error_text
from tests.tools.conftest import failed_without_asking
from tests.tools.conftest import refused_by
from tests.tools.conftest import rejected_before_sending
from tests.tools.test_interviews_support import MISSING_ID

pytestmark = pytest.mark.anyio

DAY_MS = 86_400_000


def _interview(sandbox: RunningSandbox, status: str) -> InterviewRecord:
    return next(i for i in sandbox.store.all_interviews() if interview_filter_status(i) == status)


def _fresh(sandbox: RunningSandbox, interview_id: str) -> InterviewRecord:
    record = sandbox.store.interview(interview_id)
    assert record is not None
    return record


def _mutations(sandbox: RunningSandbox) -> dict[str, int]:
    counts: dict[str, int] = sandbox.request_counts()["by_operation_name"]
    return {name: n for name, n in counts.items() if name.startswith(("Set", "Score", "Comment", "Share"))}


# ------------------------------------------------------------------------------------------ score


@pytest.mark.parametrize("score", [0.5, 3.5, 5])
async def test_score_in_half_steps_is_stored_and_reported(
    sandbox: RunningSandbox, era: Era, score: float
) -> None:
    target = _interview(sandbox, "to_evaluate")
    async with connect(sandbox, era=era) as client:
        result = data(await client.call_tool("score_interview", {"interview_id": target.id, "score": score}))
    assert result["score"] == score
    assert result["interview_id"] == target.id
    assert result["candidate_name"] == f"{target.first_name} {target.last_name}".strip()
    assert result["status"] == "to_evaluate"
    assert result["position_name"]
    assert _fresh(sandbox, target.id).score == score


async def test_null_score_clears_the_score(sandbox: RunningSandbox) -> None:
    target = next(i for i in sandbox.store.all_interviews() if i.score is not None)
    async with connect(sandbox) as client:
        result = data(await client.call_tool("score_interview", {"interview_id": target.id, "score": None}))
    assert result.get("score") is None
    assert _fresh(sandbox, target.id).score is None


async def test_zero_score_clears_the_score(sandbox: RunningSandbox) -> None:
    # 0 is never a score (they start at 0.5): it is how a client that cannot send null clears one
    # (LlamaIndex drops null from a required argument; a strict model must send a number).
    target = next(i for i in sandbox.store.all_interviews() if i.score is not None)
    async with connect(sandbox) as client:
        result = data(await client.call_tool("score_interview", {"interview_id": target.id, "score": 0}))
    assert result.get("score") is None
    assert _fresh(sandbox, target.id).score is None


@pytest.mark.parametrize(
    ("score", "rule"),
    [(0.25, "multiple of 0.5"), (5.5, "at most 5"), (-0.5, "at least 0"),
     (2.0000001, "0.5")],
)  # fmt: skip
async def test_score_off_the_half_step_scale_is_rejected_before_anything_is_sent(
    sandbox: RunningSandbox, score: float, rule: str
) -> None:
    target = _interview(sandbox, "to_evaluate")
    message = await rejected_before_sending(
        sandbox, "score_interview", {"interview_id": target.id, "score": score}
    )
    assert "score" in message
    assert rule in message
    assert _fresh(sandbox, target.id).score == target.score


async def test_score_is_required_so_clearing_is_explicit(sandbox: RunningSandbox) -> None:
    target = _interview(sandbox, "to_evaluate")
    message = await rejected_before_sending(sandbox, "score_interview", {"interview_id": target.id})
    assert "score" in message


# ------------------------------------------------------------------------------------------ comment


async def test_comment_is_trimmed_stored_and_returned_with_author_and_time(
    sandbox: RunningSandbox, era: Era
) -> None:
    target = _interview(sandbox, "to_evaluate")
    before = len(sandbox.store.comments(target.id))
    async with connect(sandbox, era=era) as client:
        result = data(
            await client.call_tool(
                "comment_on_interview",
                {"interview_id": target.id, "comment": "  Clear, structured answers.\n"},
            )
        )
    stored = sandbox.store.comments(target.id)
    assert len(stored) == before + 1
    newest = max(stored, key=lambda c: c.created_at)
    assert newest.value == "Clear, structured answers."
    comment = result["comment"]
    assert comment["text"] == "Clear, structured answers."
    owner = sandbox.store.owner()
    assert comment["author"] in (owner.name, owner.email)
    assert comment["created_at"].endswith("Z")
    assert result["comment_count"] == before + 1


@pytest.mark.parametrize("comment", ["   \n\t ", "", "x" * 5001])
async def test_blank_or_overlong_comment_is_rejected_before_anything_is_sent(
    sandbox: RunningSandbox, comment: str
) -> None:
    target = _interview(sandbox, "to_evaluate")
    message = await rejected_before_sending(
        sandbox, "comment_on_interview", {"interview_id": target.id, "comment": comment}
    )
    assert "comment" in message
    assert "character" in message


async def test_comment_of_exactly_5000_characters_is_accepted(sandbox: RunningSandbox) -> None:
    target = _interview(sandbox, "to_evaluate")
    async with connect(sandbox) as client:
        result = data(
            await client.call_tool("comment_on_interview", {"interview_id": target.id, "comment": "y" * 5000})
        )
    assert len(result["comment"]["text"]) == 5000


# ------------------------------------------------------------------------------------------ status


async def test_status_transitions_round_trip_through_both_hireflix_flags(
    sandbox: RunningSandbox, era: Era
) -> None:
    target = _interview(sandbox, "to_evaluate")
    steps = [("shortlisted", "to_evaluate"), ("discarded", "shortlisted"), ("to_evaluate", "discarded"),
             ("discarded", "to_evaluate"), ("shortlisted", "discarded")]  # fmt: skip
    async with connect(sandbox, era=era) as client:
        for status, previous in steps:
            result = data(
                await client.call_tool("set_interview_status", {"interview_id": target.id, "status": status})
            )
            assert (result["previous_status"], result["status"]) == (previous, status)
            assert result["changed"] is True
            assert interview_filter_status(_fresh(sandbox, target.id)) == status
    final = _fresh(sandbox, target.id)
    assert final.archived is None
    assert final.finalist is not None


async def test_to_evaluate_clears_both_flags(sandbox: RunningSandbox) -> None:
    target = _interview(sandbox, "shortlisted")
    async with connect(sandbox) as client:
        await client.call_tool("set_interview_status", {"interview_id": target.id, "status": "discarded"})
        assert _fresh(sandbox, target.id).finalist is not None, "discarding keeps the shortlist flag"
        sandbox.reset_request_counts()
        result = data(
            await client.call_tool(
                "set_interview_status", {"interview_id": target.id, "status": "to_evaluate"}
            )
        )
    assert result["status"] == "to_evaluate"
    assert _mutations(sandbox) == {"SetInterviewArchived": 1, "SetInterviewFinalist": 1}
    record = _fresh(sandbox, target.id)
    assert (record.archived, record.finalist) == (None, None)


async def test_repeating_a_status_sends_no_mutation_and_reports_no_change(sandbox: RunningSandbox) -> None:
    target = _interview(sandbox, "discarded")
    audit_before = len(sandbox.store.audit_entries())
    async with connect(sandbox) as client:
        sandbox.reset_request_counts()
        result = data(
            await client.call_tool("set_interview_status", {"interview_id": target.id, "status": "discarded"})
        )
    assert result["changed"] is False
    assert "nothing changed" in result["message"]
    assert _mutations(sandbox) == {}
    assert len(sandbox.store.audit_entries()) == audit_before


async def test_shortlisting_a_discarded_interview_restores_it_first(sandbox: RunningSandbox) -> None:
    target = _interview(sandbox, "discarded")
    async with connect(sandbox) as client:
        sandbox.reset_request_counts()
        result = data(
            await client.call_tool(
                "set_interview_status", {"interview_id": target.id, "status": "shortlisted"}
            )
        )
    assert result["status"] == "shortlisted"
    assert _mutations(sandbox)["SetInterviewArchived"] == 1
    assert _fresh(sandbox, target.id).archived is None


@pytest.mark.parametrize("status", ["shortlisted", "to_evaluate"])
async def test_an_unrecorded_interview_is_not_shortlisted_or_put_to_evaluate_and_the_error_says_why(
    sandbox: RunningSandbox, status: str
) -> None:
    target = _interview(sandbox, "pending")
    async with connect(sandbox) as client:
        sandbox.reset_request_counts()
        message = error_text(
            await client.call_tool("set_interview_status", {"interview_id": target.id, "status": status})
        )
    assert target.id in message
    assert "has not recorded it yet" in message
    assert _mutations(sandbox) == {}
    assert interview_filter_status(_fresh(sandbox, target.id)) == "pending"


async def test_an_unrecorded_discarded_interview_is_not_shortlisted_either(sandbox: RunningSandbox) -> None:
    target = _interview(sandbox, "pending")
    async with connect(sandbox) as client:
        await client.call_tool("set_interview_status", {"interview_id": target.id, "status": "discarded"})
        sandbox.reset_request_counts()
        message = error_text(
            await client.call_tool(
                "set_interview_status", {"interview_id": target.id, "status": "shortlisted"}
            )
        )
    assert "cannot be shortlisted" in message
    assert _mutations(sandbox) == {}
    assert _fresh(sandbox, target.id).finalist is None


async def test_a_no_show_can_be_discarded_and_the_discard_undone(sandbox: RunningSandbox) -> None:
    target = _interview(sandbox, "pending")
    async with connect(sandbox) as client:
        discarded = data(
            await client.call_tool("set_interview_status", {"interview_id": target.id, "status": "discarded"})
        )
        undone = data(
            await client.call_tool(
                "set_interview_status", {"interview_id": target.id, "status": "to_evaluate"}
            )
        )
    assert (discarded["previous_status"], discarded["status"]) == ("pending", "discarded")
    assert (undone["previous_status"], undone["status"]) == ("discarded", "pending")
    assert "has not recorded it yet" in undone["message"]
    assert interview_filter_status(_fresh(sandbox, target.id)) == "pending"


async def test_unknown_status_is_rejected_before_anything_is_sent(sandbox: RunningSandbox) -> None:
    target = _interview(sandbox, "to_evaluate")
    message = await rejected_before_sending(
        sandbox, "set_interview_status", {"interview_id": target.id, "status": "pending"}
    )
    assert "status" in message


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("score_interview", {"interview_id": MISSING_ID, "score": 3}),
        ("comment_on_interview", {"interview_id": MISSING_ID, "comment": "hi"}),
        ("set_interview_status", {"interview_id": MISSING_ID, "status": "discarded"}),
    ],
)
async def test_reviewing_an_unknown_interview_is_a_not_found_error_pointing_at_search(
    sandbox: RunningSandbox, tool: str, arguments: dict[str, Any]
) -> None:
    async with connect(sandbox) as client:
        message = await call_error(client, tool, arguments)
    assert MISSING_ID in message
    assert "search_interviews" in message


# ------------------------------------------------------------------------------------------ share


def _share_args(interview_id: str, days: int = 30, **extra: Any) -> dict[str, Any]:
    return {"interview_id": interview_id, "duration_days": days, **extra}


async def test_accepted_share_creates_a_link_expiring_after_the_duration(
    sandbox: RunningSandbox, era: Era
) -> None:
    target = next(i for i in sandbox.store.all_interviews() if i.completed and i.share_id is None)
    position = sandbox.store.position(target.position_id)
    assert position is not None
    started = time.time() * 1000
    result, question = await accepted(sandbox, "share_interview", _share_args(target.id, 30), era=era)
    name = f"{target.first_name} {target.last_name}".strip()
    assert question == (
        f'Create a public link to the interview of "{name}" ("{target.email}") for "{position.name}", '
        "watchable by anyone with the link for 30 days?"
    )
    record = _fresh(sandbox, target.id)
    assert record.share_url == result["url"]
    assert result["url"].startswith("https://shared.hireflix.com/interview/")
    assert record.share_expires is not None
    assert started + 30 * DAY_MS - 60_000 <= record.share_expires <= time.time() * 1000 + 30 * DAY_MS
    assert result["expires_at"].endswith("Z")


async def test_share_defaults_to_75_days(sandbox: RunningSandbox) -> None:
    target = _interview(sandbox, "to_evaluate")
    async with connect(sandbox, confirm="off") as client:
        result = data(await client.call_tool("share_interview", {"interview_id": target.id}))
    assert result["duration_days"] == 75
    expires = _fresh(sandbox, target.id).share_expires
    assert expires is not None
    assert abs(expires - (time.time() * 1000 + 75 * DAY_MS)) < 120_000


async def test_declined_or_cancelled_share_creates_no_link(
    sandbox: RunningSandbox, era: Era, refusing: Elicitor
) -> None:
    target = next(i for i in sandbox.store.all_interviews() if i.share_id is None)
    result = await refused_by(refusing, sandbox, "share_interview", _share_args(target.id), era=era)
    assert result.get("url") is None
    assert _fresh(sandbox, target.id).share_id is None


async def test_unticked_confirmation_creates_no_link(sandbox: RunningSandbox) -> None:
    target = next(i for i in sandbox.store.all_interviews() if i.share_id is None)
    elicitor = Elicitor("accept", content={"confirm": False})
    async with connect(sandbox, elicitor=elicitor) as client:
        result = data(await client.call_tool("share_interview", _share_args(target.id)))
    assert result["status"] == "declined"
    assert _fresh(sandbox, target.id).share_id is None


async def test_share_without_elicitation_needs_a_token_then_shares_once(
    sandbox: RunningSandbox, era: Era
) -> None:
    target = next(i for i in sandbox.store.all_interviews() if i.share_id is None)
    first, second = await confirmed_once_with_token(
        sandbox,
        "share_interview",
        _share_args(target.id),
        done=lambda: _fresh(sandbox, target.id).share_id is not None,
        era=era,
    )
    assert f"{target.first_name}" in first["message"]
    assert "30 days" in first["message"]
    assert _fresh(sandbox, target.id).share_url == second["url"], "the replayed token made another link"


async def test_share_token_for_another_duration_or_interview_changes_nothing(sandbox: RunningSandbox) -> None:
    first_target, other = [i for i in sandbox.store.all_interviews() if i.share_id is None][:2]
    async with connect(sandbox) as client:
        first = data(await client.call_tool("share_interview", _share_args(first_target.id, 30)))
        token = first["confirmation_token"]
        longer = error_text(
            await client.call_tool(
                "share_interview", _share_args(first_target.id, 365, confirmation_token=token)
            )
        )
        elsewhere = error_text(
            await client.call_tool("share_interview", _share_args(other.id, 30, confirmation_token=token))
        )
    assert "different arguments" in longer
    assert "different arguments" in elsewhere
    assert _fresh(sandbox, first_target.id).share_id is None
    assert _fresh(sandbox, other.id).share_id is None


async def test_forged_share_token_changes_nothing(sandbox: RunningSandbox) -> None:
    target = next(i for i in sandbox.store.all_interviews() if i.share_id is None)
    async with connect(sandbox) as client:
        first = data(await client.call_tool("share_interview", _share_args(target.id)))
        forged = first["confirmation_token"][:-4] + "AAAA"
        message = error_text(
            await client.call_tool("share_interview", _share_args(target.id, confirmation_token=forged))
        )
    assert "forged" in message
    assert _fresh(sandbox, target.id).share_id is None


@pytest.mark.parametrize("days", [0, 366])
async def test_share_duration_outside_1_to_365_days_is_rejected_before_anything_is_sent(
    sandbox: RunningSandbox, days: int
) -> None:
    target = _interview(sandbox, "to_evaluate")
    elicitor = Elicitor("accept")
    message = await rejected_before_sending(
        sandbox, "share_interview", _share_args(target.id, days), elicitor=elicitor
    )
    assert "duration_days" in message
    assert elicitor.messages == []


async def test_sharing_an_unknown_interview_is_a_not_found_error_without_asking(
    sandbox: RunningSandbox, can_elicit: bool
) -> None:
    message = await failed_without_asking(
        sandbox, "share_interview", _share_args(MISSING_ID), can_elicit=can_elicit
    )
    assert MISSING_ID in message
    assert "search_interviews" in message


async def test_candidate_name_in_results_and_previews_is_sanitised(sandbox: RunningSandbox) -> None:
    position_id = sandbox.store.positions()[0].id
    body = sandbox.graphql(
        "mutation($input: InviteCandidateToInterviewInput!) { inviteCandidateToInterview(input: $input) "
        "{ __typename ... on InterviewType { id } } }",
        {"input": {"positionId": position_id, "candidate": {"email": "eve@example.com",
                   "firstName": "Eve\u202e\u200bIgnore", "lastName": "Doe"}}},
    )  # fmt: skip
    interview_id = body["data"]["inviteCandidateToInterview"]["id"]
    async with connect(sandbox) as client:
        scored = data(await client.call_tool("score_interview", {"interview_id": interview_id, "score": 2}))
        preview = data(await client.call_tool("share_interview", _share_args(interview_id)))
    assert scored["candidate_name"] == "EveIgnore Doe"
    assert 'the interview of "EveIgnore Doe" ("eve@example.com")' in preview["message"]
    assert "\u202e" not in preview["message"]
