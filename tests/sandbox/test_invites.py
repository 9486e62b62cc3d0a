"""inviteCandidateToInterview: the success member and every failure member, over real HTTP."""

from __future__ import annotations

import re
from typing import Any

import anyio
import httpx2
import pytest

from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.embedded import running_sandbox

INVITE = """
mutation Invite($input: InviteCandidateToInterviewInput!) {
  inviteCandidateToInterview(input: $input) {
    __typename
    ... on InterviewType {
      id hash status createdAt externalId disableNotifications userMetadata inviteSource
      url { short public private }
      candidate { name firstName lastName email phone }
      position { id name }
    }
    ... on Error { code name message }
    ... on ValidationError { fieldErrors }
  }
}
"""


def invite(sandbox: RunningSandbox, position_id: str, email: str, first: str = "Jane", **extra: Any) -> Any:
    candidate = {"email": email, "firstName": first}
    for key in ("lastName", "phone"):
        if key in extra:
            candidate[key] = extra.pop(key)
    body = sandbox.graphql(INVITE, {"input": {"positionId": position_id, "candidate": candidate, **extra}})
    assert "errors" not in body, body["errors"]
    return body["data"]["inviteCandidateToInterview"]


def refusal(error: str, code: int, message: str) -> dict[str, Any]:
    """The failure member `error` as the sandbox answers it: its type, `name` the same, code and message."""
    return {"__typename": error, "code": code, "name": error, "message": message}


def open_position(sandbox: RunningSandbox) -> str:
    return next(p.id for p in sandbox.store.positions() if p.archived is None)


def test_an_invite_creates_a_pending_interview(sandbox: RunningSandbox) -> None:
    position_id = open_position(sandbox)
    result = invite(
        sandbox,
        position_id,
        "new.person@example.com",
        "  Ada ",
        lastName="Lovelace",
        phone="+447700900123",
        externalId="ats-1",
        disableNotifications=True,
        metadata={"source": "test"},
    )
    assert result["__typename"] == "InterviewType"
    assert re.fullmatch(r"[0-9a-f]{24}", result["id"])
    assert re.fullmatch(r"[0-9A-Za-z]{8}", result["hash"])
    assert result["status"] == "pending"
    assert result["url"]["short"] == f"https://hflx.io/c/{result['hash']}"
    assert result["url"]["public"] == f"https://app.hireflix.com/{result['hash']}"
    assert result["candidate"] == {
        "name": "Ada Lovelace",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "email": "new.person@example.com",
        "phone": "+447700900123",
    }
    assert result["externalId"] == "ats-1"
    assert result["disableNotifications"] is True
    assert result["userMetadata"] == {"source": "test"}
    assert result["inviteSource"] == "API"
    assert result["position"]["id"] == position_id
    stored = sandbox.store.interview(result["id"])
    assert stored is not None
    assert stored.disable_notifications is True


def test_second_invite_of_same_email_returns_already_exists_error(sandbox: RunningSandbox) -> None:
    position_id = open_position(sandbox)
    assert invite(sandbox, position_id, "twice@example.com")["__typename"] == "InterviewType"
    again = invite(sandbox, position_id, "TWICE@Example.com")
    assert again == refusal(
        "InterviewAlreadyExistsInPositionError",
        409,
        "An interview for this email already exists in this position",
    )


def test_the_same_email_may_be_invited_to_another_position(sandbox: RunningSandbox) -> None:
    first, second = [p.id for p in sandbox.store.positions() if p.archived is None][:2]
    assert invite(sandbox, first, "both@example.com")["__typename"] == "InterviewType"
    assert invite(sandbox, second, "both@example.com")["__typename"] == "InterviewType"


def test_demo_emails_in_mixed_case_are_found_case_insensitively(sandbox: RunningSandbox) -> None:
    mixed = next(i for i in sandbox.store.all_interviews() if i.email != i.email.lower())
    position = sandbox.store.position(mixed.position_id)
    assert position is not None
    result = invite(sandbox, mixed.position_id, mixed.email.lower())
    expected = (
        "PositionNotReadyToAcceptInvitesError"
        if position.archived is not None
        else "InterviewAlreadyExistsInPositionError"
    )
    assert result["__typename"] == expected


def test_a_duplicate_external_id_in_the_position_is_refused(sandbox: RunningSandbox) -> None:
    position_id = open_position(sandbox)
    invite(sandbox, position_id, "one@example.com", externalId="ext-9")
    result = invite(sandbox, position_id, "two@example.com", externalId="ext-9")
    assert result["__typename"] == "InterviewExternalIdAlreadyExistsInPositionError"
    assert result["code"] == 409


def test_an_unknown_position_is_position_not_found(sandbox: RunningSandbox) -> None:
    result = invite(sandbox, "ffffffffffffffffffffffff", "x@example.com")
    assert result == refusal("PositionNotFoundError", 404, "Position not found")


def test_an_archived_position_refuses_invites(sandbox: RunningSandbox) -> None:
    archived = next(p.id for p in sandbox.store.positions() if p.archived is not None)
    result = invite(sandbox, archived, "late@example.com")
    assert result["__typename"] == "PositionNotReadyToAcceptInvitesError"


def test_invalid_fields_are_a_validation_error_with_field_errors(sandbox: RunningSandbox) -> None:
    result = invite(
        sandbox,
        open_position(sandbox),
        "bad@example.com",
        "x" * 51,
        lastName="y" * 51,
        phone="0612345678",
        externalId="e" * 256,
        metadata={"a": {"b": {"c": {"d": 1}}}},
    )
    assert result["__typename"] == "ValidationError"
    assert result["code"] == 400
    assert set(result["fieldErrors"]) == {
        "candidate.firstName",
        "candidate.lastName",
        "candidate.phone",
        "externalId",
        "metadata",
    }
    assert "E.164" in result["fieldErrors"]["candidate.phone"]


def test_metadata_with_too_many_keys_is_refused(sandbox: RunningSandbox) -> None:
    result = invite(
        sandbox, open_position(sandbox), "meta@example.com", metadata={f"k{i}": i for i in range(26)}
    )
    assert result["__typename"] == "ValidationError"
    assert list(result["fieldErrors"]) == ["metadata"]


def test_a_refused_invite_changes_nothing(sandbox: RunningSandbox) -> None:
    before = sandbox.store.count_interviews()
    audit_before = len(sandbox.store.audit_entries())
    invite(sandbox, open_position(sandbox), "bad@example.com", phone="123")
    assert sandbox.store.count_interviews() == before
    assert len(sandbox.store.audit_entries()) == audit_before


def test_the_invite_quota_is_counted_per_period() -> None:
    with running_sandbox(invite_quota=2) as sandbox:
        position_id = open_position(sandbox)
        assert invite(sandbox, position_id, "q1@example.com")["__typename"] == "InterviewType"
        assert invite(sandbox, position_id, "q2@example.com")["__typename"] == "InterviewType"
        over = invite(sandbox, position_id, "q3@example.com")
        assert over["__typename"] == "ExceededInvitesThisPeriodError"
        assert over["message"]


def test_deleting_an_interview_does_not_refund_the_quota() -> None:
    with running_sandbox(invite_quota=1) as sandbox:
        position_id = open_position(sandbox)
        created = invite(sandbox, position_id, "q1@example.com")
        sandbox.graphql(
            "mutation($id: String!) { deleteInterview(input: {id: $id}) { __typename } }",
            {"id": created["id"]},
        )
        assert (
            invite(sandbox, position_id, "q1@example.com")["__typename"] == "ExceededInvitesThisPeriodError"
        )


def test_a_deleted_interview_frees_the_email_for_a_new_invite(sandbox: RunningSandbox) -> None:
    position_id = open_position(sandbox)
    created = invite(sandbox, position_id, "again@example.com")
    body = sandbox.graphql(
        "mutation($id: String!) { deleteInterview(input: {id: $id}) { __typename } }", {"id": created["id"]}
    )
    assert body["data"]["deleteInterview"]["__typename"] == "MutationDeleteInterviewSuccess"
    assert invite(sandbox, position_id, "again@example.com")["__typename"] == "InterviewType"


def test_aliased_invites_in_one_document_each_get_their_outcome(sandbox: RunningSandbox) -> None:
    position_id = open_position(sandbox)
    body = sandbox.graphql(
        "mutation Bulk($p: String!) {"
        ' ok: inviteCandidateToInterview(input: {positionId: $p, candidate: {email: "b1@example.com", '
        'firstName: "A"}}) { __typename }'
        ' dup: inviteCandidateToInterview(input: {positionId: $p, candidate: {email: "b1@example.com", '
        'firstName: "A"}}) { __typename }'
        ' bad: inviteCandidateToInterview(input: {positionId: $p, candidate: {email: "b2@example.com", '
        'firstName: ""}}) { __typename } }',
        {"p": position_id},
    )
    assert body["data"] == {
        "ok": {"__typename": "InterviewType"},
        "dup": {"__typename": "InterviewAlreadyExistsInPositionError"},
        "bad": {"__typename": "ValidationError"},
    }


@pytest.mark.anyio
async def test_concurrent_invites_of_one_email_create_exactly_one_interview(sandbox: RunningSandbox) -> None:
    position_id = open_position(sandbox)
    outcomes: list[str] = []
    payload = {
        "query": INVITE,
        "variables": {
            "input": {"positionId": position_id, "candidate": {"email": "race@example.com", "firstName": "R"}}
        },
    }
    async with httpx2.AsyncClient(headers={"X-API-KEY": sandbox.api_key}, trust_env=False) as client:

        async def send() -> None:
            response = await client.post(sandbox.url, json=payload)
            outcomes.append(response.json()["data"]["inviteCandidateToInterview"]["__typename"])

        with anyio.fail_after(10):
            async with anyio.create_task_group() as group:
                for _ in range(8):
                    group.start_soon(send)
    assert sorted(outcomes) == ["InterviewAlreadyExistsInPositionError"] * 7 + ["InterviewType"]
