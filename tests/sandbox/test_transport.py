"""The wire: auth, HTTP statuses, invalid documents, error codes, the admin API and request counting."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.embedded import running_sandbox

POSITIONS = "query ListPositions { positions { id name } }"


def post(
    sandbox: RunningSandbox,
    body: Any = None,
    *,
    headers: dict[str, str] | None = None,
    raw: bytes | None = None,
) -> httpx2.Response:
    with httpx2.Client(trust_env=False) as client:
        if raw is not None:
            return client.post(sandbox.url, content=raw, headers=headers or {})
        return client.post(sandbox.url, json=body, headers=headers or {})


def test_missing_key_is_a_200_with_an_unauthenticated_error(demo: RunningSandbox) -> None:
    response = post(demo, {"query": POSITIONS})
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]


def test_wrong_key_is_refused(demo: RunningSandbox) -> None:
    body = post(demo, {"query": POSITIONS}, headers={"X-API-KEY": demo.api_key + "x"}).json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("header", ["X-API-KEY", "x-api-key", "X-Api-Key"])
def test_the_key_header_name_is_case_insensitive(demo: RunningSandbox, header: str) -> None:
    body = post(demo, {"query": POSITIONS}, headers={header: demo.api_key}).json()
    assert "errors" not in body
    assert len(body["data"]["positions"]) == 6


def test_a_bearer_token_works_like_the_key(demo: RunningSandbox) -> None:
    body = post(demo, {"query": POSITIONS}, headers={"Authorization": f"Bearer {demo.api_key}"}).json()
    assert "errors" not in body


def test_a_wrong_bearer_token_is_refused(demo: RunningSandbox) -> None:
    body = post(demo, {"query": POSITIONS}, headers={"Authorization": "Bearer nope"}).json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    "raw",
    [b"not json", b"[]", b'{"variables": {}}', b'{"query": 42}', b'{"query": "  "}',
     b'{"query": "{ positions { id } }", "variables": [1]}',
     b'{"query": "{ positions { id } }", "operationName": 7}'],
)  # fmt: skip
def test_an_unparseable_request_is_http_400(demo: RunningSandbox, raw: bytes) -> None:
    response = post(demo, raw=raw, headers={"X-API-KEY": demo.api_key, "content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def test_selecting_a_missing_field_is_a_validation_error(demo: RunningSandbox) -> None:
    response = demo.http.post("/me", json={"query": "{ positions { id salary } }"})
    assert response.status_code == 200
    body = response.json()
    assert "data" not in body
    error = body["errors"][0]
    assert "salary" in error["message"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert error["locations"] == [{"line": 1, "column": 18}]


def test_an_object_field_without_subfields_must_have_a_selection(demo: RunningSandbox) -> None:
    body = demo.graphql(
        'mutation { inviteCandidateToInterview(input: {positionId: "x", '
        'candidate: {email: "a@example.com", firstName: "A"}}) }'
    )
    message = body["errors"][0]["message"]
    assert "must have a selection of subfields" in message
    assert "inviteCandidateToInterview" in message


def test_a_syntax_error_is_a_parse_failure(demo: RunningSandbox) -> None:
    body = demo.graphql("{ positions { id ")
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


def test_an_invalid_email_variable_is_bad_user_input(demo: RunningSandbox) -> None:
    body = demo.graphql(
        'mutation($e: EmailAddress!) { inviteCandidateToInterview(input: {positionId: "x", '
        'candidate: {email: $e, firstName: "A"}}) { __typename } }',
        {"e": "not-an-email"},
    )
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "e-mail" in body["errors"][0]["message"]


def test_an_invalid_email_literal_is_a_validation_error(demo: RunningSandbox) -> None:
    body = demo.graphql(
        'mutation { inviteCandidateToInterview(input: {positionId: "x", '
        'candidate: {email: "nope", firstName: "A"}}) { __typename } }'
    )
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "EmailAddress" in body["errors"][0]["message"]


def test_json_scalars_round_trip_literals_and_variables(sandbox: RunningSandbox) -> None:
    position_id = sandbox.store.positions()[0].id
    literal = sandbox.graphql(
        "mutation($p: String!) { inviteCandidateToInterview(input: {positionId: $p, candidate: "
        '{email: "lit@example.com", firstName: "L"}, metadata: {a: [1, {b: "c"}], n: null}}) '
        "{ ... on InterviewType { userMetadata } } }",
        {"p": position_id},
    )
    assert literal["data"]["inviteCandidateToInterview"]["userMetadata"] == {"a": [1, {"b": "c"}], "n": None}
    variable = sandbox.graphql(
        "mutation($p: String!, $m: JSON) { inviteCandidateToInterview(input: {positionId: $p, candidate: "
        '{email: "var@example.com", firstName: "V"}, metadata: $m}) '
        "{ ... on InterviewType { userMetadata } } }",
        {"p": position_id, "m": {"x": True, "y": 1.5}},
    )
    assert variable["data"]["inviteCandidateToInterview"]["userMetadata"] == {"x": True, "y": 1.5}


def test_several_operations_need_an_operation_name(demo: RunningSandbox) -> None:
    document = "query A { positions { id } } query B { info { company { name } } }"
    ambiguous = demo.graphql(document)
    assert ambiguous["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    chosen = demo.graphql(document, operation_name="B")
    assert chosen["data"] == {"info": {"company": {"name": "Acme Talent"}}}


def test_get_on_the_graphql_endpoint_is_not_allowed(demo: RunningSandbox) -> None:
    assert demo.http.get("/me").status_code == 405


def test_the_admin_api_needs_the_key_except_health(demo: RunningSandbox) -> None:
    with httpx2.Client(base_url=demo.base_url, trust_env=False) as anonymous:
        assert anonymous.get("/_sandbox/requests").status_code == 401
        assert anonymous.get("/_sandbox/faults").status_code == 401
        assert anonymous.get("/_sandbox/webhooks/deliveries").status_code == 401
        assert anonymous.post("/_sandbox/interviews/x/complete").status_code == 401
        assert anonymous.get("/_sandbox/health").json() == {"status": "ok"}
        bearer = anonymous.get("/_sandbox/requests", headers={"Authorization": f"Bearer {demo.api_key}"})
        assert bearer.status_code == 200


def test_requests_are_counted_by_operation_name_and_root_field(sandbox: RunningSandbox) -> None:
    sandbox.reset_request_counts()
    position_id = sandbox.store.positions()[0].id
    sandbox.graphql(POSITIONS)
    sandbox.graphql(POSITIONS, operation_name="ListPositions")
    sandbox.graphql(
        "mutation Bulk($p: String!) {"
        ' a: inviteCandidateToInterview(input: {positionId: $p, candidate: {email: "a1@example.com", '
        'firstName: "A"}}) { __typename }'
        ' b: inviteCandidateToInterview(input: {positionId: $p, candidate: {email: "a2@example.com", '
        'firstName: "B"}}) { __typename } }',
        {"p": position_id},
    )
    interview_id = sandbox.store.interviews(position_id)[0].id
    sandbox.graphql(
        "mutation($i: String!) { Interview(id: $i) { score(score: 3) { id } } }", {"i": interview_id}
    )
    sandbox.graphql('mutation { Company { Member { add(email: "new@acme.example") } } }')
    counts = sandbox.request_counts()
    assert counts["total"] == 5
    assert counts["by_operation_name"] == {"ListPositions": 2, "Bulk": 1, "(anonymous)": 2}
    assert counts["by_root_field"] == {
        "positions": 2,
        "inviteCandidateToInterview": 2,
        "Interview": 1,
        "Company": 1,
    }
    assert counts["by_field"]["Interview.score"] == 1
    assert counts["by_field"]["Company.Member.add"] == 1


def test_unauthenticated_and_malformed_requests_are_counted_too(sandbox: RunningSandbox) -> None:
    sandbox.reset_request_counts()
    post(sandbox, {"query": POSITIONS})
    post(sandbox, raw=b"garbage", headers={"X-API-KEY": sandbox.api_key})
    assert sandbox.request_counts()["total"] == 2


def test_resetting_the_counts_zeroes_them(sandbox: RunningSandbox) -> None:
    sandbox.graphql(POSITIONS)
    sandbox.reset_request_counts()
    assert sandbox.request_counts() == {
        "total": 0,
        "by_operation_name": {},
        "by_root_field": {},
        "by_field": {},
    }


def test_faulted_requests_are_counted_outside_the_fault_middleware(sandbox: RunningSandbox) -> None:
    sandbox.reset_request_counts()
    sandbox.set_fault(kind="rate_limit", retry_after=2, count=1)
    limited = sandbox.http.post("/me", json={"query": POSITIONS})
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "2"
    sandbox.clear_faults()
    assert sandbox.http.post("/me", json={"query": POSITIONS}).status_code == 200
    assert sandbox.request_counts()["by_root_field"] == {"positions": 2}


def test_faults_can_be_configured_from_the_start() -> None:
    with running_sandbox(faults="server_error:status=503,count=1") as faulty:
        assert faulty.http.post("/me", json={"query": POSITIONS}).status_code == 503
        assert faulty.http.post("/me", json={"query": POSITIONS}).status_code == 200
