"""Position.interviewList over HTTP: filters, AND/OR, sorting and cursor pagination on demo data."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.listing import interview_filter_status
from hireflix_sandbox.store import InterviewRecord
from hireflix_sandbox.store import PositionRecord

LIST = """
query List($id: String!, $input: InterviewListInput!) {
  position(id: $id) {
    interviewList(input: $input) {
      count total lastCursor
      results { id createdAt completedAt score { value } candidate { email firstName lastName } }
    }
  }
}
"""


@pytest.fixture(scope="module")
def biggest(demo: RunningSandbox) -> PositionRecord:
    return max(demo.store.positions(), key=lambda p: len(demo.store.interviews(p.id)))


def listing(sandbox: RunningSandbox, position_id: str, **input_: Any) -> Any:
    body = sandbox.graphql(LIST, {"id": position_id, "input": input_})
    assert "errors" not in body, body["errors"]
    return body["data"]["position"]["interviewList"]


def all_ids(sandbox: RunningSandbox, position_id: str, **input_: Any) -> set[str]:
    page = listing(sandbox, position_id, pagination={"limit": 100}, **input_)
    assert page["count"] == page["total"] == len(page["results"])
    return {r["id"] for r in page["results"]}


def stored(sandbox: RunningSandbox, position: PositionRecord) -> list[InterviewRecord]:
    return sandbox.store.interviews(position.id)


def test_the_default_page_is_twenty_newest_first(sandbox: RunningSandbox) -> None:
    position_id = sandbox.store.positions()[0].id
    template = sandbox.store.interviews(position_id)[0]
    for n in range(25):
        sandbox.store.insert(
            dataclasses.replace(template, id=f"{n:024x}", hash=f"x{n:07d}", created_at=n * 1000.0)
        )
    page = listing(sandbox, position_id)
    created = [r["createdAt"] for r in page["results"]]
    assert created == sorted(created, reverse=True)
    assert page["count"] == len(page["results"]) == 20
    assert page["total"] == len(sandbox.store.interviews(position_id))


@pytest.mark.parametrize("status", ["pending", "to_evaluate", "shortlisted", "discarded"])
def test_status_filters_match_the_review_status(
    demo: RunningSandbox, biggest: PositionRecord, status: str
) -> None:
    expected = {i.id for i in stored(demo, biggest) if interview_filter_status(i) == status}
    assert expected, f"demo data should have a {status} interview in {biggest.name}"
    assert all_ids(demo, biggest.id, filter={"status": {"equal": status}}) == expected


def test_email_equality_is_case_insensitive(demo: RunningSandbox, biggest: PositionRecord) -> None:
    target = stored(demo, biggest)[3]
    assert all_ids(demo, biggest.id, filter={"email": {"equal": target.email.upper()}}) == {target.id}


def test_id_equality_finds_one_interview(demo: RunningSandbox, biggest: PositionRecord) -> None:
    target = stored(demo, biggest)[5]
    assert all_ids(demo, biggest.id, filter={"id": {"equal": target.id}}) == {target.id}


def test_name_regex_searches_ignoring_case(demo: RunningSandbox, biggest: PositionRecord) -> None:
    target = stored(demo, biggest)[0]
    fragment = target.first_name[1:3].upper()
    expected = {i.id for i in stored(demo, biggest) if fragment.lower() in i.first_name.lower()}
    assert all_ids(demo, biggest.id, filter={"firstName": {"regex": fragment}}) == expected


def test_an_invalid_regex_is_a_bad_user_input_error(demo: RunningSandbox, biggest: PositionRecord) -> None:
    body = demo.graphql(LIST, {"id": biggest.id, "input": {"filter": {"email": {"regex": "[unclosed"}}}})
    assert body["data"]["position"]["interviewList"] is None
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "regex" in error["message"]
    assert error["path"] == ["position", "interviewList"]


def test_score_comparisons(demo: RunningSandbox, biggest: PositionRecord) -> None:
    interviews = stored(demo, biggest)
    at_least_four = {i.id for i in interviews if i.score is not None and i.score >= 4}
    assert at_least_four
    assert all_ids(demo, biggest.id, filter={"score": {"greaterThanOrEqual": 4}}) == at_least_four
    below = {i.id for i in interviews if i.score is not None and i.score < 2.5}
    assert all_ids(demo, biggest.id, filter={"score": {"lessThan": 2.5}}) == below
    exact = {i.id for i in interviews if i.score == 4.5}
    assert all_ids(demo, biggest.id, filter={"score": {"equal": 4.5}}) == exact


def test_fields_in_one_filter_are_anded(demo: RunningSandbox, biggest: PositionRecord) -> None:
    expected = {
        i.id
        for i in stored(demo, biggest)
        if interview_filter_status(i) == "to_evaluate" and i.score is not None and i.score >= 3
    }
    filter_ = {"status": {"equal": "to_evaluate"}, "score": {"greaterThanOrEqual": 3}}
    assert all_ids(demo, biggest.id, filter=filter_) == expected


def test_or_combines_alternatives_and_nests_and(demo: RunningSandbox, biggest: PositionRecord) -> None:
    interviews = stored(demo, biggest)
    a, b = interviews[0], interviews[1]
    filter_ = {
        "or": [
            {"email": {"equal": a.email}},
            {"and": [{"email": {"equal": b.email}}, {"firstName": {"equal": b.first_name}}]},
            {"and": [{"email": {"equal": b.email}}, {"firstName": {"equal": "nobody"}}]},
        ]
    }
    assert all_ids(demo, biggest.id, filter=filter_) == {a.id, b.id}


def test_an_empty_or_list_adds_no_condition(demo: RunningSandbox, biggest: PositionRecord) -> None:
    assert all_ids(demo, biggest.id, filter={"or": []}) == {i.id for i in stored(demo, biggest)}


def test_pagination_walks_every_result_exactly_once_and_ends_on_an_empty_page(
    demo: RunningSandbox, biggest: PositionRecord
) -> None:
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = listing(demo, biggest.id, pagination={"limit": 3, "lastCursor": cursor})
        pages += 1
        assert pages < 20
        assert page["total"] == len(stored(demo, biggest))
        if not page["results"]:
            assert page["count"] == 0
            assert page["lastCursor"] == cursor
            break
        assert page["count"] == len(page["results"]) <= 3
        assert page["lastCursor"]
        seen += [r["id"] for r in page["results"]]
        cursor = page["lastCursor"]
    assert len(seen) == len(set(seen)) == len(stored(demo, biggest))


def test_a_filtered_walk_keeps_the_filter(demo: RunningSandbox, biggest: PositionRecord) -> None:
    expected = {i.id for i in stored(demo, biggest) if interview_filter_status(i) != "pending"}
    filter_ = {"or": [{"status": {"equal": s}} for s in ("to_evaluate", "shortlisted", "discarded")]}
    seen: list[str] = []
    cursor: str | None = None
    while True:
        page = listing(demo, biggest.id, filter=filter_, pagination={"limit": 4, "lastCursor": cursor})
        if not page["results"]:
            break
        seen += [r["id"] for r in page["results"]]
        cursor = page["lastCursor"]
    assert sorted(seen) == sorted(expected)


def test_sorting_by_score_ascending_puts_unscored_last(demo: RunningSandbox, biggest: PositionRecord) -> None:
    page = listing(demo, biggest.id, sort=[{"field": "score", "direction": "ASC"}], pagination={"limit": 100})
    scores = [r["score"]["value"] if r["score"] else None for r in page["results"]]
    scored = [s for s in scores if s is not None]
    assert scored == sorted(scored)
    assert scores == scored + [None] * (len(scores) - len(scored))


def test_sorting_by_several_fields(demo: RunningSandbox, biggest: PositionRecord) -> None:
    sort = [{"field": "score", "direction": "DESC"}, {"field": "createdAt", "direction": "ASC"}]
    page = listing(demo, biggest.id, sort=sort, pagination={"limit": 100})
    keys = [(-(r["score"]["value"]) if r["score"] else float("inf"), r["createdAt"]) for r in page["results"]]
    assert keys == sorted(keys)


def test_sorting_by_completion_time(demo: RunningSandbox, biggest: PositionRecord) -> None:
    page = listing(
        demo, biggest.id, sort=[{"field": "completedAt", "direction": "DESC"}], pagination={"limit": 100}
    )
    completed = [r["completedAt"] for r in page["results"] if r["completedAt"] is not None]
    assert completed == sorted(completed, reverse=True)
    assert page["results"][-1]["completedAt"] is None


def test_a_limit_above_100_is_capped(sandbox: RunningSandbox) -> None:
    position_id = sandbox.store.positions()[0].id
    sandbox.graphql(
        "mutation($p: String!) { "
        + " ".join(
            f"i{n}: inviteCandidateToInterview(input: {{positionId: $p, "
            f'candidate: {{email: "bulk{n}@example.com", firstName: "B"}}}}) {{ __typename }}'
            for n in range(110)
        )
        + " }",
        {"p": position_id},
    )
    page = listing(sandbox, position_id, pagination={"limit": 500})
    assert page["count"] == 100
    assert page["total"] > 100


def test_a_forged_cursor_is_a_bad_user_input_error(demo: RunningSandbox, biggest: PositionRecord) -> None:
    body = demo.graphql(LIST, {"id": biggest.id, "input": {"pagination": {"lastCursor": "garbage!"}}})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
