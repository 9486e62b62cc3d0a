"""Interview(id) { score finalist archive comment share }, completion, deletion and the events they emit."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest

from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.rules import DAY_MS
from hireflix_sandbox.rules import WEBHOOK_EVENTS
from hireflix_sandbox.store import InterviewRecord
from tests.support import id_mutation

REVIEW_FIELDS = "id status finalist shortlistedAt archived discardedAt score { value type } updatedAt"


def mutate(sandbox: RunningSandbox, interview_id: str, call: str, fields: str = REVIEW_FIELDS) -> Any:
    return sandbox.graphql(
        f"mutation($id: String!) {{ Interview(id: $id) {{ {call} {{ {fields} }} }} }}", {"id": interview_id}
    )


def result(body: Any, field: str) -> Any:
    assert "errors" not in body, body["errors"]
    return body["data"]["Interview"][field]


def to_evaluate(sandbox: RunningSandbox) -> InterviewRecord:
    return next(
        i for i in sandbox.store.all_interviews() if i.completed and i.finalist is None and i.archived is None
    )


def pending(sandbox: RunningSandbox) -> InterviewRecord:
    return next(i for i in sandbox.store.all_interviews() if not i.completed and i.archived is None)


def status_of(sandbox: RunningSandbox, interview: InterviewRecord) -> str:
    body = sandbox.graphql(
        "query($p: String!, $id: String!) { position(id: $p) { interviewList(input: "
        "{filter: {id: {equal: $id}}}) { results { id } } } }",
        {"p": interview.position_id, "id": interview.id},
    )
    assert body["data"]["position"]["interviewList"]["results"] == [{"id": interview.id}]
    for status in ("pending", "to_evaluate", "shortlisted", "discarded"):
        body = sandbox.graphql(
            "query($p: String!, $id: String!, $s: String!) { position(id: $p) { interviewList(input: "
            "{filter: {id: {equal: $id}, status: {equal: $s}}}) { total } } }",
            {"p": interview.position_id, "id": interview.id, "s": status},
        )
        if body["data"]["position"]["interviewList"]["total"] == 1:
            return status
    raise AssertionError("the interview matched no status")


def actions(sandbox: RunningSandbox) -> list[str]:
    """Audit actions written by this test's requests (demo entries come from documentation addresses)."""
    return [entry.action for entry in sandbox.store.audit_entries() if entry.ip == "127.0.0.1"]


@pytest.mark.parametrize("score", [0.5, 3, 4.5, 5])
def test_scores_in_half_steps_are_stored(sandbox: RunningSandbox, score: float) -> None:
    interview = to_evaluate(sandbox)
    scored = result(mutate(sandbox, interview.id, f"score(score: {score})"), "score")
    assert scored["score"] == {"value": score, "type": "manual"}
    stored = sandbox.store.interview(interview.id)
    assert stored is not None
    assert stored.score == score


def test_a_null_score_clears_it(sandbox: RunningSandbox) -> None:
    interview = next(i for i in sandbox.store.all_interviews() if i.score is not None)
    cleared = result(mutate(sandbox, interview.id, "score(score: null)"), "score")
    assert cleared["score"] is None
    owner = sandbox.store.owner()
    assert sandbox.store.member_score(interview.id, owner.id) is None


def test_scoring_records_the_key_users_team_member_score(sandbox: RunningSandbox) -> None:
    interview = to_evaluate(sandbox)
    body = mutate(sandbox, interview.id, "score(score: 3.5)", "scores { computedScore scorer { email } }")
    scores = result(body, "score")["scores"]
    assert {"computedScore": 3.5, "scorer": {"email": sandbox.store.owner().email}} in scores


@pytest.mark.parametrize("score", [0, 0.3, 5.5, -1, 7])
def test_a_score_off_the_scale_is_a_bad_user_input_error(sandbox: RunningSandbox, score: float) -> None:
    interview = to_evaluate(sandbox)
    body = mutate(sandbox, interview.id, f"score(score: {score})")
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "steps of 0.5" in error["message"]
    assert error["path"] == ["Interview", "score"]
    assert sandbox.store.interview(interview.id) == interview


@pytest.mark.parametrize(
    ("mutation", "field", "alias", "status"),
    [
        ("finalist", "finalist", "shortlistedAt", "shortlisted"),
        ("archive", "archived", "discardedAt", "discarded"),
    ],
)
def test_shortlisting_and_discarding_set_and_clear_their_timestamp(
    sandbox: RunningSandbox, mutation: str, field: str, alias: str, status: str
) -> None:
    interview = to_evaluate(sandbox)
    marked = result(mutate(sandbox, interview.id, f"{mutation}({mutation}: true)"), mutation)
    assert marked[field] is not None
    assert marked[alias] == marked[field]
    assert status_of(sandbox, interview) == status
    back = result(mutate(sandbox, interview.id, f"{mutation}({mutation}: false)"), mutation)
    assert back[field] is None
    assert back[alias] is None
    assert status_of(sandbox, interview) == "to_evaluate"


def test_discarded_wins_over_shortlisted(sandbox: RunningSandbox) -> None:
    interview = to_evaluate(sandbox)
    mutate(sandbox, interview.id, "finalist(finalist: true)")
    mutate(sandbox, interview.id, "archive(archive: true)")
    assert status_of(sandbox, interview) == "discarded"


def test_repeating_a_status_change_changes_nothing_and_is_not_audited(sandbox: RunningSandbox) -> None:
    interview = to_evaluate(sandbox)
    first = result(mutate(sandbox, interview.id, "finalist(finalist: true)"), "finalist")
    second = result(mutate(sandbox, interview.id, "finalist(finalist: true)"), "finalist")
    assert second["finalist"] == first["finalist"]
    assert actions(sandbox).count("interview.shortlist") == 1


def test_a_comment_is_appended_with_the_key_user_as_author(sandbox: RunningSandbox) -> None:
    interview = to_evaluate(sandbox)
    before = len(sandbox.store.comments(interview.id))
    body = mutate(
        sandbox, interview.id, 'comment(comment: "  Strong answers  ")', "comments { value author { email } }"
    )
    comments = result(body, "comment")["comments"]
    assert len(comments) == before + 1
    assert comments[-1] == {"value": "Strong answers", "author": {"email": sandbox.store.owner().email}}


def test_an_empty_comment_is_refused(sandbox: RunningSandbox) -> None:
    body = mutate(sandbox, to_evaluate(sandbox).id, 'comment(comment: "   ")')
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_sharing_creates_a_public_link_that_expires_in_75_days_by_default(sandbox: RunningSandbox) -> None:
    interview = to_evaluate(sandbox)
    before = time.time() * 1000
    shared = result(mutate(sandbox, interview.id, "share", "externalLink { id url expires }"), "share")
    link = shared["externalLink"]
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", link["id"])
    assert link["url"] == f"https://shared.hireflix.com/interview/{link['id']}"
    assert before + 75 * DAY_MS <= link["expires"] <= time.time() * 1000 + 75 * DAY_MS


def test_sharing_again_replaces_the_link_with_the_new_duration(sandbox: RunningSandbox) -> None:
    interview = to_evaluate(sandbox)
    first = result(
        mutate(sandbox, interview.id, "share(durationInDays: 30)", "externalLink { id expires }"), "share"
    )
    second = result(
        mutate(sandbox, interview.id, "share(durationInDays: 1)", "externalLink { id expires }"), "share"
    )
    assert second["externalLink"]["id"] != first["externalLink"]["id"]
    assert second["externalLink"]["expires"] < first["externalLink"]["expires"]


@pytest.mark.parametrize("days", [0, 366])
def test_a_share_duration_out_of_range_is_refused(sandbox: RunningSandbox, days: int) -> None:
    body = mutate(sandbox, to_evaluate(sandbox).id, f"share(durationInDays: {days})")
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    "call",
    [
        "score(score: 3)",
        "finalist(finalist: true)",
        "archive(archive: true)",
        'comment(comment: "x")',
        "share",
    ],
)
def test_interview_mutations_on_an_unknown_id_are_not_found_errors(
    sandbox: RunningSandbox, call: str
) -> None:
    body = mutate(sandbox, "000000000000000000000000", call, "id")
    assert body["data"]["Interview"][call.split("(")[0]] is None
    error = body["errors"][0]
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert error["message"] == "Interview not found"


def test_delete_interview_returns_the_deleted_interview(sandbox: RunningSandbox) -> None:
    interview = to_evaluate(sandbox)
    selection = "id candidate { email } position { id } questions { answer { url } } comments { value }"
    deleted = id_mutation(sandbox, "deleteInterview", interview.id, selection)
    assert deleted["id"] == interview.id
    assert deleted["position"]["id"] == interview.position_id
    assert all(q["answer"] is not None for q in deleted["questions"])
    assert sandbox.store.interview(interview.id) is None
    assert sandbox.store.answers(interview.id) == []


def test_deleting_an_unknown_interview_is_interview_not_found(sandbox: RunningSandbox) -> None:
    body = sandbox.graphql(
        'mutation { deleteInterview(input: {id: "nope"}) { __typename ... on Error { code message } } }'
    )
    assert body["data"]["deleteInterview"] == {
        "__typename": "InterviewNotFoundError",
        "code": 404,
        "message": "Interview not found",
    }


def test_completing_an_interview_creates_answers_for_every_question(sandbox: RunningSandbox) -> None:
    interview = pending(sandbox)
    outcome = sandbox.complete_interview(interview.id, ip="203.0.113.17", user_agent="TestBrowser/1.0")
    assert outcome["status"] == "completed"
    stored = sandbox.store.interview(interview.id)
    assert stored is not None
    assert stored.completed
    assert stored.completed_at == outcome["completedAt"]
    assert stored.ip_addresses[-1] == "203.0.113.17"
    assert stored.user_agents[-1] == "TestBrowser/1.0"
    assert stored.geolocation[-1]["city"] == "Barcelona"
    answers = sandbox.store.answers(interview.id)
    assert [a.question_id for a in answers] == [q.id for q in sandbox.store.questions(interview.position_id)]
    assert all(a.words and a.language_code == interview.language for a in answers)
    assert status_of(sandbox, interview) == "to_evaluate"


def test_completing_records_the_request_ip_and_agent_by_default(sandbox: RunningSandbox) -> None:
    interview = pending(sandbox)
    sandbox.complete_interview(interview.id)
    stored = sandbox.store.interview(interview.id)
    assert stored is not None
    assert stored.ip_addresses == ["127.0.0.1"]
    assert stored.user_agents[0].startswith("python-httpx")


def test_completing_twice_or_an_unknown_interview_is_refused(sandbox: RunningSandbox) -> None:
    interview = pending(sandbox)
    sandbox.complete_interview(interview.id)
    assert sandbox.http.post(f"/_sandbox/interviews/{interview.id}/complete").status_code == 409
    assert sandbox.http.post("/_sandbox/interviews/nope/complete").status_code == 404


def test_every_change_is_audited_with_the_request_details(sandbox: RunningSandbox) -> None:
    interview = to_evaluate(sandbox)
    sandbox.http.post(
        "/me",
        json={"query": f'mutation {{ Interview(id: "{interview.id}") {{ score(score: 2) {{ id }} }} }}'},
        headers={"Referer": "https://ats.example.com/candidates/1"},
    )
    entry = sandbox.store.audit_entries()[0]
    assert entry.action == "interview.score"
    assert entry.object == {"id": interview.id, "type": "INTERVIEW"}
    assert entry.actor_id == sandbox.store.owner().id
    assert entry.actor_email == sandbox.store.owner().email
    assert entry.medium == "API_KEY"
    assert entry.ip == "127.0.0.1"
    assert entry.host == sandbox.base_url.removeprefix("http://")
    assert entry.referer == "https://ats.example.com/candidates/1"


def test_review_mutations_write_their_audit_actions(sandbox: RunningSandbox) -> None:
    interview = to_evaluate(sandbox)
    for call in (
        "score(score: 4)",
        "finalist(finalist: true)",
        "finalist(finalist: false)",
        "archive(archive: true)",
        "archive(archive: false)",
        'comment(comment: "ok")',
        "share",
    ):
        mutate(sandbox, interview.id, call, "id")
    assert actions(sandbox) == [
        "interview.share",
        "interview.comment",
        "interview.restore",
        "interview.discard",
        "interview.unshortlist",
        "interview.shortlist",
        "interview.score",
    ]


def subscribe_all(sandbox: RunningSandbox) -> None:
    """Point an active webhook at a route of the sandbox that refuses POST: deliveries fail at once
    (405, not retried) but are logged with their exact body, which is what these tests read."""
    body = sandbox.graphql(
        "mutation($url: String!, $events: [String!]!) { "
        "createWebhook(input: {url: $url, events: $events}) { id } }",
        {"url": f"{sandbox.base_url}/_sandbox/health", "events": list(WEBHOOK_EVENTS)},
    )
    assert "errors" not in body


def events(sandbox: RunningSandbox) -> list[dict[str, Any]]:
    return [json.loads(d["body"]) for d in sandbox.drain_webhooks()]


def test_state_changes_emit_webhook_events_with_the_interview_snapshot(sandbox: RunningSandbox) -> None:
    subscribe_all(sandbox)
    position = next(p for p in sandbox.store.positions() if p.archived is None)
    created = sandbox.graphql(
        "mutation($p: String!) { inviteCandidateToInterview(input: {positionId: $p, candidate: "
        '{email: "hook@example.com", firstName: "Hook", lastName: "Test", phone: "+14155550123"}, '
        'externalId: "ext-hook"}) { ... on InterviewType { id } } }',
        {"p": position.id},
    )["data"]["inviteCandidateToInterview"]
    interview_id = created["id"]
    sandbox.complete_interview(interview_id)
    mutate(sandbox, interview_id, "finalist(finalist: true)", "id")
    mutate(sandbox, interview_id, "score(score: 4.5)", "id")
    mutate(sandbox, interview_id, 'comment(comment: "no event for comments")', "id")
    sandbox.graphql(
        "mutation($id: String!) { deleteInterview(input: {id: $id}) { __typename } }", {"id": interview_id}
    )
    received = events(sandbox)
    assert [e["event"] for e in received] == [
        "interview.create",
        "interview.finish",
        "interview.status-change",
        "interview.score-updated",
        "interview.delete",
    ]
    snapshot = received[1]["data"]
    stored_hash = snapshot["hash"]
    assert snapshot == {
        "id": interview_id,
        "hash": stored_hash,
        "status": "completed",
        "externalId": "ext-hook",
        "createdAt": snapshot["createdAt"],
        "completed": snapshot["completed"],
        "position": {"id": position.id, "name": position.name},
        "candidate": {
            "name": "Hook Test",
            "firstName": "Hook",
            "lastName": "Test",
            "email": "hook@example.com",
            "phone": "+14155550123",
        },
        "url": {
            "short": f"https://hflx.io/c/{stored_hash}",
            "private": f"https://admin.hireflix.com/interviews/{interview_id}",
            "public": f"https://app.hireflix.com/{stored_hash}",
        },
    }
    assert received[0]["data"]["status"] == "pending"
    assert received[0]["data"]["completed"] is None
    assert isinstance(received[0]["date"], int)


def test_inactive_webhooks_receive_nothing(sandbox: RunningSandbox) -> None:
    interview = to_evaluate(sandbox)
    mutate(sandbox, interview.id, "finalist(finalist: true)", "id")
    assert sandbox.drain_webhooks() == []
