"""Models: parsing camelCase answers, derived fields, and the inputs built for variables."""

from __future__ import annotations

import re

import pytest

from hireflix_mcp.hireflix import Interview
from hireflix_mcp.hireflix import InterviewCondition
from hireflix_mcp.hireflix import InterviewSort
from hireflix_mcp.hireflix import InviteRequest
from hireflix_mcp.hireflix import Position
from hireflix_mcp.hireflix import PositionQuestionInput
from hireflix_mcp.hireflix import Transcription
from hireflix_mcp.hireflix import build_interview_filter
from hireflix_mcp.hireflix.names import name_words
from hireflix_mcp.hireflix.names import word_pattern
from hireflix_mcp.hireflix.names import words_match
from hireflix_mcp.hireflix.search import case_insensitive_pattern
from hireflix_mcp.hireflix.search import interview_list_input


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


def test_a_name_of_several_words_asks_for_every_word_in_the_first_or_the_last_name() -> None:
    built = InterviewCondition(name="Costa, Liam").to_filter()
    costa, liam = word_pattern("Costa"), word_pattern("Liam")
    assert built == {
        "and": [
            {"or": [{"firstName": {"regex": costa}}, {"lastName": {"regex": costa}}]},
            {"or": [{"firstName": {"regex": liam}}, {"lastName": {"regex": liam}}]},
        ]
    }


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("bjorn", "Björn"), ("JOSE", "María José"), ("olafur", "Ólafur"), ("lukasz", "Łukasz"),
     ("soren", "Søren"), ("ayse", "Ayşe"), ("Björn", "BJORN"), ("stefanescu", "Ștefănescu"),
     ("o'c", "O'Connor")],
)  # fmt: skip
def test_a_word_pattern_ignores_case_and_accents_on_either_side(typed: str, stored: str) -> None:
    assert re.search(word_pattern(typed), stored)
    assert words_match([typed], [None, stored])


@pytest.mark.parametrize(("typed", "stored"), [("ss", "Straße"), ("ae", "Cæsar"), ("nguyen", "Nguyễn")])
def test_what_the_word_pattern_does_not_fold_is_not_folded_locally_either(typed: str, stored: str) -> None:
    assert not re.search(word_pattern(typed), stored)
    assert not words_match([typed], [stored])


def test_a_word_pattern_is_plain_text_and_needs_no_regex_flags() -> None:
    assert not re.search(word_pattern("H.J"), "SmithXJr")
    assert re.search(word_pattern("H.J"), "smith.jr")
    assert not re.search(word_pattern(".*"), "Anna")


def test_a_name_is_split_into_words_at_spaces_and_commas() -> None:
    assert name_words("  Clarke,Laura  Jane ") == ["Clarke", "Laura", "Jane"]
    assert name_words(",") == [","]


def _interview(**fields: object) -> Interview:
    candidate = {"firstName": "Liam", "lastName": "Costa", "email": "Liam.Costa@Example.com"}
    return Interview.model_validate({"id": "i", "candidate": candidate, **fields})


@pytest.mark.parametrize(
    ("condition", "fields", "expected"),
    [
        (InterviewCondition(name="costa liam"), {}, True),
        (InterviewCondition(name="Costa, Liam"), {}, True),
        (InterviewCondition(name="liam smith"), {}, False),
        (InterviewCondition(email="liam.costa@example.com"), {}, True),
        (InterviewCondition(email_contains="COSTA@"), {}, True),
        (InterviewCondition(email_contains="smith"), {}, False),
        (InterviewCondition(recorded=True), {"completed": 1.0}, True),
        (InterviewCondition(recorded=True), {"archived": 1.0}, False),
        (InterviewCondition(recorded=False), {"archived": 1.0}, True),
        (InterviewCondition(status="discarded", recorded=False), {"archived": 1.0}, True),
        (InterviewCondition(min_score=3), {}, False),
        (InterviewCondition(min_score=3, max_score=4), {"score": {"value": 3.5}}, True),
    ],
)
def test_a_condition_matches_an_interview_read_client_side_as_hireflix_would_filter_it(
    condition: InterviewCondition, fields: dict[str, object], expected: bool
) -> None:
    assert condition.matches(_interview(**fields)) is expected


def test_recorded_is_never_sent_upstream_since_no_filter_field_says_it() -> None:
    assert InterviewCondition(recorded=True).to_filter() == {}
    assert not InterviewCondition(recorded=False).filters_server_side
    assert InterviewCondition(status="pending").filters_server_side
