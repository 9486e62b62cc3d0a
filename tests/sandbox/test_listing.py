"""interviewList semantics as pure functions: filters, sort order, cursors."""

from __future__ import annotations

import dataclasses

import pytest

from hireflix_sandbox.listing import compile_filter
from hireflix_sandbox.listing import decode_cursor
from hireflix_sandbox.listing import list_interviews
from hireflix_sandbox.listing import parse_sort
from hireflix_sandbox.records import new_interview_record
from hireflix_sandbox.records import new_position_record
from hireflix_sandbox.rules import InviteCandidate
from hireflix_sandbox.rules import RuleViolation
from hireflix_sandbox.store import InterviewRecord

POSITION = new_position_record("p" * 24, "Listing", at=0.0)


def record(
    n: int,
    *,
    email: str = "",
    first: str = "Ann",
    last: str | None = "Lee",
    score: float | None = None,
    created: float | None = None,
    completed: bool = False,
    finalist: float | None = None,
    archived: float | None = None,
) -> InterviewRecord:
    invited = new_interview_record(
        POSITION,
        InviteCandidate(email=email or f"user{n}@example.com", first_name=first, last_name=last),
        interview_id=f"{n:024x}",
        hash_=f"h{n:07d}",
        at=float(n * 1000),
    )
    return dataclasses.replace(
        invited,
        status="completed" if completed else "pending",
        created_at=float(n * 1000) if created is None else created,
        completed_at=float(n * 1000 + 5) if completed else None,
        expires=None,
        finalist=finalist,
        archived=archived,
        score=score,
    )


def ids_of(records: list[InterviewRecord]) -> list[int]:
    return [int(r.id, 16) for r in records]


def test_email_equality_ignores_case() -> None:
    match = compile_filter({"email": {"equal": "Jane.Doe@Example.COM"}})
    assert match(record(1, email="jane.doe@example.com"))
    assert not match(record(2, email="jane.doe@example.org"))


def test_name_equality_is_exact() -> None:
    match = compile_filter({"firstName": {"equal": "Ann"}})
    assert match(record(1, first="Ann"))
    assert not match(record(2, first="ann"))


def test_regex_searches_case_insensitively() -> None:
    match = compile_filter({"lastName": {"regex": "^mü"}})
    assert match(record(1, last="Müller"))
    assert not match(record(2, last="Amüller"))
    assert not match(record(3, last=None))


def test_an_invalid_regex_is_a_rule_violation() -> None:
    with pytest.raises(RuleViolation, match="Invalid regex"):
        compile_filter({"email": {"regex": "("}})


def test_fields_of_one_filter_are_anded() -> None:
    match = compile_filter({"firstName": {"equal": "Ann"}, "score": {"greaterThanOrEqual": 3}})
    assert match(record(1, first="Ann", score=3.5))
    assert not match(record(2, first="Ann", score=2.0))
    assert not match(record(3, first="Bob", score=4.0))


def test_score_comparisons_and_missing_scores() -> None:
    between = compile_filter({"score": {"greaterThan": 2, "lessThanOrEqual": 4}})
    assert [between(record(i, score=s)) for i, s in enumerate([2.0, 2.5, 4.0, 4.5, None])] == [
        False, True, True, False, False,
    ]  # fmt: skip
    assert compile_filter({"score": {"equal": 3}})(record(1, score=3.0))
    not_three = compile_filter({"score": {"notEqual": 3}})
    assert not not_three(record(1, score=3.0))
    assert not_three(record(2, score=None))


def test_and_or_nest() -> None:
    match = compile_filter(
        {
            "or": [
                {"and": [{"firstName": {"equal": "Ann"}}, {"score": {"greaterThanOrEqual": 4}}]},
                {"status": {"equal": "discarded"}},
            ]
        }
    )
    assert match(record(1, first="Ann", score=4.5, completed=True))
    assert not match(record(2, first="Ann", score=3.0, completed=True))
    assert match(record(3, first="Bob", archived=1.0))
    assert not match(record(4, first="Bob", completed=True))


def test_status_filter_uses_the_review_status() -> None:
    records = [
        record(1),
        record(2, completed=True),
        record(3, completed=True, finalist=1.0),
        record(4, completed=True, archived=1.0),
    ]
    for status, expected in (
        ("pending", [1]),
        ("to_evaluate", [2]),
        ("shortlisted", [3]),
        ("discarded", [4]),
    ):
        page = list_interviews(records, filter_spec={"status": {"equal": status}})
        assert ids_of(page.results) == expected


def test_default_order_is_newest_first() -> None:
    page = list_interviews([record(n) for n in (3, 1, 2)])
    assert ids_of(page.results) == [3, 2, 1]


def test_ties_are_broken_by_id_so_pages_never_overlap() -> None:
    records = [record(n, created=1000.0) for n in range(1, 8)]
    seen: list[int] = []
    cursor = None
    while True:
        page = list_interviews(records, pagination={"limit": 3, "lastCursor": cursor})
        if not page.results:
            break
        seen += ids_of(page.results)
        cursor = page.last_cursor
    assert seen == [1, 2, 3, 4, 5, 6, 7]


def test_missing_values_sort_last_in_both_directions() -> None:
    records = [record(1, score=2.0), record(2, score=None), record(3, score=4.5)]
    ascending = list_interviews(records, sort_spec=[{"field": "score", "direction": "ASC"}])
    descending = list_interviews(records, sort_spec=[{"field": "score", "direction": "DESC"}])
    assert ids_of(ascending.results) == [1, 3, 2]
    assert ids_of(descending.results) == [3, 1, 2]


def test_an_empty_page_echoes_the_cursor_and_reports_the_total() -> None:
    records = [record(1), record(2)]
    first = list_interviews(records, pagination={"limit": 5})
    assert first.count == 2
    assert first.total == 2
    end = list_interviews(records, pagination={"limit": 5, "lastCursor": first.last_cursor})
    assert (end.results, end.count, end.total, end.last_cursor) == ([], 0, 2, first.last_cursor)


def test_backward_pages_walk_towards_the_start() -> None:
    records = [record(n) for n in range(1, 7)]  # newest first: 6 5 4 3 2 1
    first = list_interviews(records, pagination={"limit": 4})
    back = list_interviews(
        records, pagination={"limit": 2, "lastCursor": first.last_cursor, "direction": "BACKWARD"}
    )
    assert ids_of(first.results) == [6, 5, 4, 3]
    assert ids_of(back.results) == [5, 4]


def test_limit_defaults_to_20_and_is_capped_at_100() -> None:
    records = [record(n) for n in range(1, 151)]
    assert list_interviews(records).count == 20
    assert list_interviews(records, pagination={"limit": 1000}).count == 100
    with pytest.raises(RuleViolation):
        list_interviews(records, pagination={"limit": 0})


def test_a_forged_cursor_is_refused() -> None:
    sort = parse_sort(None)
    for bad in ("not-base64!", "eyJ4IjoxfQ", ""):
        with pytest.raises(RuleViolation, match="lastCursor"):
            decode_cursor(bad, sort)
