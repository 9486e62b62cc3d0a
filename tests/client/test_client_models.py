"""Models: parsing camelCase answers, derived fields, and the inputs built for variables."""

from __future__ import annotations

import re

import pytest

from hireflix_mcp.hireflix import (
    Interview,
    InterviewCondition,
    InterviewSort,
    InviteRequest,
    Position,
    PositionQuestionInput,
    Transcription,
    build_interview_filter,
)
from hireflix_mcp.hireflix.models import case_insensitive_pattern, interview_list_input


def test_camel_case_answers_parse_into_snake_case_fields_and_unknown_fields_are_ignored() -> None:
    position = Position.model_validate(
        {"id": "p", "timeToAnswer": 60, "archived": 1.7e12, "tags": None, "somethingNew": 1}
    )
    assert position.time_to_answer == 60
    assert position.is_archived
    assert position.tags == []


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, "pending"),
        ({"completed": 1.0}, "to_evaluate"),
        ({"status": "completed"}, "to_evaluate"),
        ({"completed": 1.0, "finalist": 2.0}, "shortlisted"),
        ({"completed": 1.0, "shortlistedAt": 2.0}, "shortlisted"),
        ({"completed": 1.0, "archived": 2.0}, "discarded"),
        ({"completed": 1.0, "finalist": 2.0, "discardedAt": 3.0}, "discarded"),
    ],
)
def test_review_status_follows_the_timestamps(fields: dict[str, object], expected: str) -> None:
    assert Interview.model_validate({"id": "i", **fields}).review_status == expected


def test_transcription_without_requested_words_has_none_rather_than_empty() -> None:
    assert Transcription.model_validate({"text": "hi"}).words is None
    assert Transcription.model_validate({"words": [{"text": "hi", "start": 0.1, "end": 0.3}, None]}).words


def test_invite_request_builds_the_graphql_input_leaving_out_what_was_not_given() -> None:
    full = InviteRequest(
        position_id="p",
        email="a@b.co",
        first_name="Ann",
        last_name="Lee",
        phone="+32491505050",
        external_id="ats-1",
        disable_notifications=True,
        metadata={"source": "ats"},
    )
    assert full.to_graphql_input() == {
        "positionId": "p",
        "candidate": {"email": "a@b.co", "firstName": "Ann", "lastName": "Lee", "phone": "+32491505050"},
        "externalId": "ats-1",
        "disableNotifications": True,
        "metadata": {"source": "ats"},
    }
    minimal = InviteRequest(position_id="p", email="a@b.co", first_name="Ann").to_graphql_input()
    assert minimal == {"positionId": "p", "candidate": {"email": "a@b.co", "firstName": "Ann"}}


def test_one_condition_becomes_anded_filter_fields() -> None:
    condition = InterviewCondition(status="to_evaluate", email="a@b.co", min_score=3, max_score=4.5)
    assert build_interview_filter(condition) == {
        "email": {"equal": "a@b.co"},
        "status": {"equal": "to_evaluate"},
        "score": {"greaterThanOrEqual": 3, "lessThanOrEqual": 4.5},
    }


def test_any_of_conditions_are_ored_and_combined_with_the_main_condition() -> None:
    built = build_interview_filter(
        InterviewCondition(status="shortlisted"),
        [InterviewCondition(email="a@b.co"), InterviewCondition(min_score=4)],
    )
    assert built == {
        "status": {"equal": "shortlisted"},
        "or": [{"email": {"equal": "a@b.co"}}, {"score": {"greaterThanOrEqual": 4}}],
    }


def test_a_name_condition_inside_any_of_nests_under_and() -> None:
    built = build_interview_filter(InterviewCondition(name="jo"), [InterviewCondition(status="pending")])
    assert built is not None
    assert set(built) == {"and"}
    assert built["and"][1] == {"or": [{"status": {"equal": "pending"}}]}


def test_empty_conditions_build_no_filter() -> None:
    assert build_interview_filter() is None
    assert build_interview_filter(InterviewCondition(), [InterviewCondition()]) is None


@pytest.mark.parametrize("text", ["jo", "O'Brien", "Zoë", "a.b+c"])
def test_name_pattern_matches_any_case_and_escapes_regex_syntax(text: str) -> None:
    pattern = re.compile(case_insensitive_pattern(text))
    assert pattern.search(f"x {text.upper()} y")
    assert pattern.search(text.lower())
    assert not pattern.search("unrelated")


def test_list_input_carries_pagination_filter_and_sort() -> None:
    built = interview_list_input(
        {"status": {"equal": "pending"}}, 10, "cur", [InterviewSort(direction="ASC")]
    )
    assert built == {
        "pagination": {"limit": 10, "lastCursor": "cur"},
        "filter": {"status": {"equal": "pending"}},
        "sort": [{"field": "createdAt", "direction": "ASC"}],
    }
    assert interview_list_input(None, 5, None, None) == {"pagination": {"limit": 5}}


def test_question_input_serialises_camel_case_without_nulls() -> None:
    question = PositionQuestionInput(title="Why us?", time_to_answer=90)
    assert question.to_graphql() == {"title": "Why us?", "timeToAnswer": 90}
