"""invite_candidate through the real Client against the sandbox: success, already invited, each error."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.embedded import running_sandbox
from tests.tools.conftest import Era
from tests.tools.conftest import call_error
from tests.tools.conftest import connect
from tests.tools.conftest import data
from tests.tools.conftest import error_text
from tests.tools.conftest import invite
from tests.tools.conftest import rejected_before_sending
from tests.tools.test_interviews_support import MISSING_ID
from tests.tools.test_interviews_support import archived_position
from tests.tools.test_interviews_support import calls
from tests.tools.test_interviews_support import new_position
from tests.tools.test_interviews_support import open_position

pytestmark = pytest.mark.anyio


async def test_invite_creates_a_pending_interview_and_returns_its_link(
    sandbox: RunningSandbox, era: Era
) -> None:
    position = open_position(sandbox)
    async with connect(sandbox, era=era) as client:
        result = await invite(
            client,
            position.id,
            "ada@example.com",
            "  Ada ",
            last_name="Lovelace",
            phone="+447700900123",
            external_id="ats-77",
            metadata={"source": "referral", "tags": ["math"]},
        )
    assert result["status"] == "invited"
    assert result["email_sent"] is True
    interview = result["interview"]
    record = sandbox.store.interview(interview["interview_id"])
    assert record is not None
    assert (record.first_name, record.last_name, record.email) == ("Ada", "Lovelace", "ada@example.com")
    assert record.external_id == "ats-77"
    assert record.metadata == {"source": "referral", "tags": ["math"]}
    assert record.disable_notifications is False
    assert interview["candidate_name"] == "Ada Lovelace"
    assert interview["status"] == "pending"
    assert interview["position_id"] == position.id
    assert interview["position_name"] == position.name
    assert interview["interview_url"].startswith("https://")
    assert interview["invited_at"].endswith("Z")


async def test_send_invite_email_false_disables_hireflix_notifications(sandbox: RunningSandbox) -> None:
    position = open_position(sandbox)
    async with connect(sandbox) as client:
        result = await invite(client, position.id, "quiet@example.com", "Q", send_invite_email=False)
    assert result["email_sent"] is False
    assert "share interview_url" in result["message"]
    record = sandbox.store.interview(result["interview"]["interview_id"])
    assert record is not None
    assert record.disable_notifications is True


async def test_second_invite_of_the_same_email_returns_already_invited_with_the_existing_interview(
    sandbox: RunningSandbox, era: Era
) -> None:
    position = open_position(sandbox)
    args = {"position_id": position.id, "email": "twice@example.com", "first_name": "Tw"}
    async with connect(sandbox, era=era) as client:
        first = data(await client.call_tool("invite_candidate", args))
        before = len(sandbox.store.interviews(position.id))
        again = data(await client.call_tool("invite_candidate", {**args, "email": "TWICE@example.com"}))
    assert again["status"] == "already_invited"
    assert again["email_sent"] is False
    assert again["interview"]["interview_id"] == first["interview"]["interview_id"]
    assert "reinvite_candidate" in again["message"]
    assert len(sandbox.store.interviews(position.id)) == before


async def test_demo_candidate_already_in_a_position_comes_back_as_already_invited(
    sandbox: RunningSandbox,
) -> None:
    position = open_position(sandbox)
    existing = sandbox.store.interviews(position.id)[0]
    async with connect(sandbox) as client:
        result = await invite(client, position.id, existing.email, "X")
    assert result["status"] == "already_invited"
    assert result["interview"]["interview_id"] == existing.id
    assert result["interview"]["candidate_email"] == existing.email


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("email", "not-an-email", "e-mail address"),
        ("first_name", "   ", "at least 1 character"),
        ("first_name", "x" * 51, "at most 50 characters"),
        ("last_name", "y" * 51, "at most 50 characters"),
        ("phone", "0491505050", "E.164"),
        ("phone", "+32 491 50 50 50", "E.164"),
        ("external_id", "e" * 256, "at most 255 characters"),
        ("metadata", {f"k{i}": i for i in range(26)}, "at most 25 keys"),
        ("metadata", {"a": {"b": {"c": {"d": 1}}}}, "at most 3 levels deep"),
        ("metadata", ["not", "an", "object"], "must be an object"),
        ("metadata", "source=referral", "a string holding a JSON object"),
        ("metadata", '["not", "an", "object"]', "must be an object"),
        ("metadata", json.dumps({f"k{i}": i for i in range(26)}), "at most 25 keys"),
    ],
)
async def test_bad_invite_arguments_name_the_field_and_rule_and_send_nothing(
    sandbox: RunningSandbox, field: str, value: Any, rule: str
) -> None:
    position = open_position(sandbox)
    args: dict[str, Any] = {"position_id": position.id, "email": "ok@example.com", "first_name": "Ok"}
    args[field] = value
    message = await rejected_before_sending(sandbox, "invite_candidate", args)
    assert field in message
    assert rule in message


async def test_metadata_written_as_a_json_string_is_stored_as_its_object(sandbox: RunningSandbox) -> None:
    # How metadata is published: an open object has no form a strict schema can hold (schema_compact).
    position = open_position(sandbox)
    metadata = {"source": "referral", "tags": ["math"], "scores": {"gpa": 3.9}}
    one = {"email": "json@example.com", "first_name": "J", "metadata": json.dumps(metadata)}
    row = {"email": "row@example.com", "first_name": "Row", "metadata": json.dumps(metadata)}
    async with connect(sandbox, confirm="off") as client:
        invited = data(await client.call_tool("invite_candidate", {"position_id": position.id, **one}))
        await client.call_tool("invite_candidates", {"position_id": position.id, "candidates": [row]})
    record = sandbox.store.interview(invited["interview"]["interview_id"])
    assert record is not None
    assert record.metadata == metadata
    from_row = next(i for i in sandbox.store.interviews(position.id) if i.email == "row@example.com")
    assert from_row.metadata == metadata


async def test_metadata_at_the_limits_is_accepted(sandbox: RunningSandbox) -> None:
    position = open_position(sandbox)
    metadata: dict[str, Any] = {f"k{i}": i for i in range(24)}
    metadata["deep"] = {"b": {"c": 1}}
    async with connect(sandbox) as client:
        result = await invite(client, position.id, "meta@example.com", "M", metadata=metadata)
    record = sandbox.store.interview(result["interview"]["interview_id"])
    assert record is not None
    assert record.metadata == metadata


@pytest.mark.parametrize(
    ("position_id", "fields", "said"),
    [
        # Our e-mail check is looser than Hireflix's; its ValidationError comes back with the field named.
        pytest.param(
            lambda sandbox: open_position(sandbox).id,
            {"email": "a@b.c."},
            ["candidate.email", "will not help"],
            id="an-email-hireflix-rejects",
        ),
        pytest.param(
            lambda sandbox: archived_position(sandbox).id,
            {},
            ["not accepting invites"],
            id="an-archived-position",
        ),
        pytest.param(
            lambda sandbox: MISSING_ID, {}, [MISSING_ID, "list_positions"], id="an-unknown-position"
        ),
    ],
)
async def test_an_invite_hireflix_refuses_is_a_tool_error_that_says_why_and_creates_nothing(
    sandbox: RunningSandbox,
    position_id: Callable[[RunningSandbox], str],
    fields: dict[str, str],
    said: list[str],
) -> None:
    arguments = {"position_id": position_id(sandbox), "email": "who@example.com", "first_name": "W", **fields}
    before = sandbox.store.count_interviews()
    async with connect(sandbox) as client:
        message = await call_error(client, "invite_candidate", arguments)
    for words in said:
        assert words in message
    assert sandbox.store.count_interviews() == before


async def test_invite_beyond_the_plan_quota_is_a_tool_error_and_sends_nothing_more() -> None:
    with running_sandbox(invite_quota=1) as sandbox:
        position_id = new_position(sandbox)
        async with connect(sandbox) as client:
            await invite(client, position_id, "one@example.com", "O")
            sandbox.reset_request_counts()
            message = error_text(
                await client.call_tool(
                    "invite_candidate",
                    {"position_id": position_id, "email": "two@example.com", "first_name": "T"},
                )
            )
        assert "invite allowance" in message
        assert "will not help" in message
        assert calls(sandbox, "inviteCandidateToInterview") == 1
        assert [r.email for r in sandbox.store.interviews(position_id)] == ["one@example.com"]


async def test_external_id_used_by_another_interview_in_the_position_is_a_tool_error(
    sandbox: RunningSandbox,
) -> None:
    position = open_position(sandbox)
    taken = next(r.external_id for r in sandbox.store.interviews(position.id) if r.external_id)
    async with connect(sandbox) as client:
        message = error_text(
            await client.call_tool(
                "invite_candidate",
                {
                    "position_id": position.id,
                    "email": "ext@example.com",
                    "first_name": "E",
                    "external_id": taken,
                },
            )
        )
    assert "externalId" in message
    assert str(taken) in message
    assert sandbox.store.interview_by_email(position.id, "ext@example.com") is None


async def test_hostile_characters_in_a_candidate_name_come_back_removed(sandbox: RunningSandbox) -> None:
    position = open_position(sandbox)
    async with connect(sandbox) as client:
        result = await invite(
            client, position.id, "hidden@example.com", "Ja\u200bne\u202e", last_name="\u2066Doe\u0007"
        )
    assert result["interview"]["candidate_name"] == "Jane Doe"
    record = sandbox.store.interview(result["interview"]["interview_id"])
    assert record is not None
    assert record.first_name == "Ja\u200bne\u202e"
