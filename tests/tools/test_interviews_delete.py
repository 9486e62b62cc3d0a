"""delete_interview and reinvite_candidate: every confirmation path, and the sandbox's state after each."""

from __future__ import annotations

import dataclasses
import functools
import time

import pytest
from mcp import Client
from mcp.types import CallToolResult

from hireflix_mcp import server as server_module
from hireflix_mcp.confirm import ConfirmationTokens
from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.embedded import running_sandbox
from hireflix_sandbox.store import InterviewRecord
from tests.tools.conftest import Elicitor
from tests.tools.conftest import Era
from tests.tools.conftest import accepted
from tests.tools.conftest import call_with_token
from tests.tools.conftest import confirmation_asked
from tests.tools.conftest import confirmed_once_with_token
from tests.tools.conftest import connect
from tests.tools.conftest import data
from tests.tools.conftest import error_text
from tests.tools.conftest import failed_without_asking
from tests.tools.conftest import invite
from tests.tools.conftest import refused_by
from tests.tools.conftest import rejected_before_sending
from tests.tools.test_interviews_support import MISSING_ID
from tests.tools.test_interviews_support import calls
from tests.tools.test_interviews_support import new_position
from tests.tools.test_interviews_support import open_position

pytestmark = pytest.mark.anyio


def _pending(sandbox: RunningSandbox) -> InterviewRecord:
    position = open_position(sandbox)
    return next(r for r in sandbox.store.interviews(position.id) if r.status == "pending" and r.last_name)


def _exists(sandbox: RunningSandbox, interview_id: str) -> bool:
    return sandbox.store.interview(interview_id) is not None


def _position_name(sandbox: RunningSandbox, record: InterviewRecord) -> str:
    position = sandbox.store.position(record.position_id)
    assert position is not None
    return position.name


# ------------------------------------------------------------------------------------ delete_interview


async def _delete_with_token(client: Client, interview_id: str, token: str) -> CallToolResult:
    """delete_interview of `interview_id`, confirmed with `token`."""
    return await call_with_token(client, "delete_interview", {"interview_id": interview_id}, token)


async def test_accepted_delete_names_candidate_email_and_position_then_deletes(
    sandbox: RunningSandbox, era: Era
) -> None:
    record = _pending(sandbox)
    result, question = await accepted(sandbox, "delete_interview", {"interview_id": record.id}, era=era)
    assert result["interview"]["interview_id"] == record.id
    assert question == (
        f'Delete the interview of "{record.first_name} {record.last_name}" ("{record.email}") for '
        f'"{_position_name(sandbox, record)}"? This cannot be undone.'
    )
    assert not _exists(sandbox, record.id)


async def test_declined_or_cancelled_delete_leaves_the_interview(
    sandbox: RunningSandbox, era: Era, refusing: Elicitor
) -> None:
    record = _pending(sandbox)
    result = await refused_by(refusing, sandbox, "delete_interview", {"interview_id": record.id}, era=era)
    assert "Nothing was changed" in result["message"]
    assert _exists(sandbox, record.id)
    assert calls(sandbox, "deleteInterview") == 0


async def test_unticked_confirmation_form_counts_as_declined(sandbox: RunningSandbox) -> None:
    record = _pending(sandbox)
    elicitor = Elicitor("accept", content={"confirm": False})
    async with connect(sandbox, elicitor=elicitor) as client:
        result = data(await client.call_tool("delete_interview", {"interview_id": record.id}))
    assert result["status"] == "declined"
    assert _exists(sandbox, record.id)


async def test_without_elicitation_delete_returns_a_token_then_deletes_once_with_it(
    sandbox: RunningSandbox, era: Era
) -> None:
    record = _pending(sandbox)
    sandbox.reset_request_counts()
    first, _ = await confirmed_once_with_token(
        sandbox,
        "delete_interview",
        {"interview_id": record.id},
        done=lambda: not _exists(sandbox, record.id),
        era=era,
    )
    assert f'("{record.email}")' in first["message"]
    assert "cannot be undone" in first["message"]
    assert first["confirmation_expires_at"]
    assert calls(sandbox, "deleteInterview") == 1, "the replayed token reached Hireflix"


async def test_a_token_for_one_interview_cannot_delete_another(sandbox: RunningSandbox) -> None:
    record = _pending(sandbox)
    other = next(r for r in sandbox.store.interviews(record.position_id) if r.id != record.id)
    async with connect(sandbox) as client:
        first = data(await client.call_tool("delete_interview", {"interview_id": record.id}))
        message = error_text(await _delete_with_token(client, other.id, first["confirmation_token"]))
    assert "different arguments" in message
    assert _exists(sandbox, record.id)
    assert _exists(sandbox, other.id)


async def test_a_token_for_another_tool_cannot_delete_an_interview(sandbox: RunningSandbox) -> None:
    record = _pending(sandbox)
    async with connect(sandbox) as client:
        archive = data(await client.call_tool("archive_position", {"position_id": record.position_id}))
        message = error_text(await _delete_with_token(client, record.id, archive["confirmation_token"]))
    assert "different tool" in message
    assert _exists(sandbox, record.id)


async def test_a_forged_token_changes_nothing(sandbox: RunningSandbox) -> None:
    record = _pending(sandbox)
    async with connect(sandbox) as client:
        first = data(await client.call_tool("delete_interview", {"interview_id": record.id}))
        forged = first["confirmation_token"][:-4] + "AAAA"
        message = error_text(await _delete_with_token(client, record.id, forged))
        junk = error_text(await _delete_with_token(client, record.id, "hello"))
    assert "forged" in message
    assert "malformed" in junk
    assert _exists(sandbox, record.id)


async def test_an_expired_token_changes_nothing(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = _pending(sandbox)
    now = [time.time()]
    monkeypatch.setattr(
        server_module, "ConfirmationTokens", functools.partial(ConfirmationTokens, clock=lambda: now[0])
    )
    async with connect(sandbox) as client:
        first = data(await client.call_tool("delete_interview", {"interview_id": record.id}))
        now[0] += 11 * 60
        message = error_text(await _delete_with_token(client, record.id, first["confirmation_token"]))
    assert "expired" in message
    assert _exists(sandbox, record.id)


async def test_delete_preview_shows_a_hostile_name_sanitised(sandbox: RunningSandbox) -> None:
    record = _pending(sandbox)
    sandbox.store.save(dataclasses.replace(record, first_name="Ev\u202eil\u200b"))
    elicitor = Elicitor("decline")
    async with connect(sandbox, elicitor=elicitor) as client:
        data(await client.call_tool("delete_interview", {"interview_id": record.id}))
    assert elicitor.messages[0].startswith(f'Delete the interview of "Evil {record.last_name}" (')


async def test_deleting_an_unknown_interview_says_where_interview_ids_come_from(
    sandbox: RunningSandbox,
) -> None:
    elicitor = Elicitor("accept")
    async with connect(sandbox, elicitor=elicitor) as client:
        asked = error_text(await client.call_tool("delete_interview", {"interview_id": MISSING_ID}))
    async with connect(sandbox, confirm="off") as client:
        direct = error_text(await client.call_tool("delete_interview", {"interview_id": MISSING_ID}))
    assert elicitor.messages == []
    for message in (asked, direct):
        assert MISSING_ID in message
        assert "search_interviews or find_candidate" in message


async def test_confirm_off_deletes_without_asking(sandbox: RunningSandbox) -> None:
    record = _pending(sandbox)
    elicitor = Elicitor("decline")
    async with connect(sandbox, confirm="off", elicitor=elicitor) as client:
        result = data(await client.call_tool("delete_interview", {"interview_id": record.id}))
    assert result["status"] == "done"
    assert elicitor.messages == []
    assert not _exists(sandbox, record.id)


# ---------------------------------------------------------------------------------- reinvite_candidate


async def test_accepted_reinvite_deletes_the_old_interview_and_invites_again_under_one_question(
    sandbox: RunningSandbox, era: Era
) -> None:
    record = next(r for r in sandbox.store.all_interviews() if r.status == "completed" and r.external_id)
    position = sandbox.store.position(record.position_id)
    assert position is not None
    result, question = await accepted(
        sandbox, "reinvite_candidate", {"position_id": position.id, "email": record.email}, era=era
    )
    assert result["deleted_interview_id"] == record.id
    assert result["email_sent"] is True
    assert question == (
        f'Delete the interview of "{record.first_name} {record.last_name}" ("{record.email}") for '
        f'"{position.name}" and its recording, then invite "{record.email}" again to "{position.name}" '
        "(Hireflix will e-mail them)? "
        "The old recording cannot be recovered."
    )
    assert not _exists(sandbox, record.id)
    fresh = sandbox.store.interview(result["interview"]["interview_id"])
    assert fresh is not None
    assert (fresh.email, fresh.first_name, fresh.last_name) == (
        record.email,
        record.first_name,
        record.last_name,
    )
    assert fresh.external_id == record.external_id
    assert fresh.status == "pending"


async def test_reinvite_of_an_email_without_interview_suggests_invite_candidate_and_asks_nothing(
    sandbox: RunningSandbox, era: Era
) -> None:
    position = open_position(sandbox)
    message = await failed_without_asking(
        sandbox, "reinvite_candidate", {"position_id": position.id, "email": "nobody@example.com"}, era=era
    )
    assert "invite_candidate" in message
    assert "nobody@example.com" in message
    assert calls(sandbox, "deleteInterview") == 0
    assert calls(sandbox, "inviteCandidateToInterview") == 0


async def test_declined_reinvite_changes_nothing(sandbox: RunningSandbox, refusing: Elicitor) -> None:
    record = _pending(sandbox)
    before = len(sandbox.store.interviews(record.position_id))
    await refused_by(
        refusing, sandbox, "reinvite_candidate", {"position_id": record.position_id, "email": record.email}
    )
    assert _exists(sandbox, record.id)
    assert len(sandbox.store.interviews(record.position_id)) == before


async def test_reinvite_with_a_token_previews_then_replaces_the_interview_once(
    sandbox: RunningSandbox, era: Era
) -> None:
    record = _pending(sandbox)
    args = {
        "position_id": record.position_id,
        "email": record.email,
        "first_name": "Renamed",
        "send_invite_email": False,
    }
    async with connect(sandbox, era=era) as client:
        first = await confirmation_asked(client, "reinvite_candidate", args)
        assert "no e-mail will be sent" in first["message"]
        assert _exists(sandbox, record.id)
        token = first["confirmation_token"]
        second = data(await client.call_tool("reinvite_candidate", {**args, "confirmation_token": token}))
        replay = error_text(
            await client.call_tool("reinvite_candidate", {**args, "confirmation_token": token})
        )
    assert second["status"] == "done"
    assert second["email_sent"] is False
    assert not _exists(sandbox, record.id)
    fresh = sandbox.store.interview(second["interview"]["interview_id"])
    assert fresh is not None
    assert fresh.first_name == "Renamed"
    assert fresh.disable_notifications is True
    # The token named the old interview; replayed, it cannot touch the new one.
    assert "Nothing was changed" in replay
    assert sandbox.store.interview(second["interview"]["interview_id"]) is not None


async def test_a_reinvite_token_cannot_delete_an_interview_other_than_the_one_it_named(
    sandbox: RunningSandbox,
) -> None:
    record = _pending(sandbox)
    args = {"position_id": record.position_id, "email": record.email}
    async with connect(sandbox, confirm="token") as client:
        first = data(await client.call_tool("reinvite_candidate", args))
        # Meanwhile someone else replaces the interview: the token must not delete the new one.
        async with connect(sandbox, confirm="off") as other:
            replaced = data(await other.call_tool("reinvite_candidate", args))
        message = error_text(
            await client.call_tool(
                "reinvite_candidate", {**args, "confirmation_token": first["confirmation_token"]}
            )
        )
    assert "different arguments" in message
    assert _exists(sandbox, replaced["interview"]["interview_id"])


async def test_reinvite_whose_new_invite_fails_says_the_old_one_is_gone_and_what_to_do() -> None:
    with running_sandbox(invite_quota=1) as sandbox:
        position_id = new_position(sandbox)
        async with connect(sandbox, confirm="off") as client:
            invited = await invite(client, position_id, "once@example.com", "O")
            message = error_text(
                await client.call_tool(
                    "reinvite_candidate", {"position_id": position_id, "email": "once@example.com"}
                )
            )
        assert f"Deleted the old interview {invited['interview']['interview_id']}" in message
        assert "invite allowance" in message
        assert "invite_candidate" in message
        assert sandbox.store.interviews(position_id) == []


async def test_bad_reinvite_arguments_name_the_field_and_send_nothing(sandbox: RunningSandbox) -> None:
    record = _pending(sandbox)
    message = await rejected_before_sending(
        sandbox,
        "reinvite_candidate",
        {"position_id": record.position_id, "email": record.email, "phone": "12"},
    )
    assert "phone" in message
    assert "E.164" in message
