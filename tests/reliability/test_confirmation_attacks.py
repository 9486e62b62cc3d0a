"""Attacks on the confirmation gate, through the real Client: nothing changes, and each answer says why.

Tokens: forged (a bad MAC, another server's secret), expired, replayed, issued for another tool or other
arguments, malformed strings. Expired tokens need no clock seam in the server: the test shares the
server's `confirm_secret` and issues a correctly signed token whose expiry has passed. Elicitation:
answers that do not fit the form (empty, wrong types, extra fields, no content), declines and cancels.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from mcp.types import CallToolResult
from pydantic import SecretStr

from hireflix_mcp.confirm import ConfirmationTokens
from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.store import InterviewRecord
from tests.tools.conftest import Elicitor
from tests.tools.conftest import Era
from tests.tools.conftest import call_with_token
from tests.tools.conftest import confirmation_asked
from tests.tools.conftest import connect
from tests.tools.conftest import data
from tests.tools.conftest import error_text
from tests.tools.conftest import rejected_before_sending

pytestmark = pytest.mark.anyio

SECRET = "confirmation-secret-for-attack-tests"
READS = ("Get", "List", "Search", "WhoAmI")


def _mutations(sandbox: RunningSandbox) -> dict[str, int]:
    counts: dict[str, int] = sandbox.request_counts()["by_operation_name"]
    return {name: n for name, n in counts.items() if not name.startswith(READS)}


def _completed(sandbox: RunningSandbox, skip: int = 0) -> InterviewRecord:
    return [r for r in sandbox.store.all_interviews() if r.completed][skip]


def _unchanged(sandbox: RunningSandbox, *records: InterviewRecord) -> None:
    for record in records:
        assert sandbox.store.interview(record.id) == record, f"interview {record.id} changed"
    assert _mutations(sandbox) == {}, "a mutation reached Hireflix"


async def _delete_signed_by_secret(
    sandbox: RunningSandbox, target: InterviewRecord, token: str
) -> CallToolResult:
    """delete_interview of `target` with `token`, on a server that signs its tokens with SECRET."""
    async with connect(sandbox, confirm="token", confirm_secret=SecretStr(SECRET)) as client:
        sandbox.reset_request_counts()
        arguments = {"interview_id": target.id, "confirmation_token": token}
        return await client.call_tool("delete_interview", arguments)


async def _token(client: Any, tool: str, arguments: dict[str, Any]) -> str:
    first = await confirmation_asked(client, tool, arguments)
    token: str = first["confirmation_token"]
    return token


def _forge_mac(token: str) -> str:
    body, mac = token.rsplit(".", 1)
    return f"{body}.{('A' if mac[0] != 'A' else 'B')}{mac[1:]}"


# ------------------------------------------------------------------------------------ tokens


@pytest.mark.parametrize("era", ["legacy", "auto"])
async def test_a_token_with_a_tampered_signature_is_refused_as_forged(
    sandbox: RunningSandbox, era: Era
) -> None:
    target = _completed(sandbox)
    async with connect(sandbox, era=era, confirm="token") as client:
        token = await _token(client, "delete_interview", {"interview_id": target.id})
        sandbox.reset_request_counts()
        message = error_text(
            await call_with_token(client, "delete_interview", {"interview_id": target.id}, _forge_mac(token))
        )
    assert "signature does not verify" in message
    assert "Nothing was changed" in message
    _unchanged(sandbox, target)


async def test_a_token_signed_by_another_server_is_refused_as_forged(sandbox: RunningSandbox) -> None:
    target = _completed(sandbox)
    other = ConfirmationTokens(b"another-servers-secret-32-bytes!").issue(
        "delete_interview", {"interview_id": target.id}
    )
    message = error_text(await _delete_signed_by_secret(sandbox, target, other.token))
    assert "forged or from another server" in message
    _unchanged(sandbox, target)


async def test_a_correctly_signed_token_past_its_expiry_is_refused_as_expired(
    sandbox: RunningSandbox,
) -> None:
    target = _completed(sandbox)
    an_hour_ago = time.time() - 3600
    expired = ConfirmationTokens(SECRET.encode(), clock=lambda: an_hour_ago).issue(
        "delete_interview", {"interview_id": target.id}
    )
    message = error_text(await _delete_signed_by_secret(sandbox, target, expired.token))
    assert "has expired" in message
    _unchanged(sandbox, target)


async def test_the_same_server_secret_makes_its_own_fresh_tokens_work(sandbox: RunningSandbox) -> None:
    # The control for the expired case: a token this test signs with the shared secret, still valid, works.
    target = _completed(sandbox)
    fresh = ConfirmationTokens(SECRET.encode()).issue("delete_interview", {"interview_id": target.id})
    done = data(await _delete_signed_by_secret(sandbox, target, fresh.token))
    assert done["status"] == "done"
    assert sandbox.store.interview(target.id) is None


async def test_a_used_token_replayed_is_refused_and_acts_only_once(sandbox: RunningSandbox) -> None:
    target = _completed(sandbox)
    arguments = {"interview_id": target.id, "duration_days": 30}
    async with connect(sandbox, confirm="token") as client:
        token = await _token(client, "share_interview", arguments)
        sandbox.reset_request_counts()
        done = data(await client.call_tool("share_interview", {**arguments, "confirmation_token": token}))
        replayed = error_text(
            await client.call_tool("share_interview", {**arguments, "confirmation_token": token})
        )
    assert done["status"] == "done"
    assert "already used once" in replayed
    assert _mutations(sandbox) == {"ShareInterview": 1}


async def test_a_delete_token_replayed_after_the_delete_says_it_was_used(sandbox: RunningSandbox) -> None:
    target = _completed(sandbox)
    async with connect(sandbox, confirm="token") as client:
        token = await _token(client, "delete_interview", {"interview_id": target.id})
        arguments = {"interview_id": target.id, "confirmation_token": token}
        assert data(await client.call_tool("delete_interview", arguments))["status"] == "done"
        sandbox.reset_request_counts()
        replayed = error_text(await client.call_tool("delete_interview", arguments))
    assert "already used once" in replayed
    assert _mutations(sandbox) == {}


async def test_a_token_used_on_one_replica_is_refused_on_another(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    # Two servers with the same secret and state file, as two replicas on one machine run.
    target = _completed(sandbox)
    arguments = {"interview_id": target.id, "duration_days": 30}
    shared: dict[str, Any] = {"confirm_secret": SecretStr(SECRET), "state_db": str(tmp_path / "state.db")}
    async with (
        connect(sandbox, confirm="token", **shared) as first,
        connect(sandbox, confirm="token", **shared) as second,
    ):
        token = await _token(first, "share_interview", arguments)
        sandbox.reset_request_counts()
        assert data(await first.call_tool("share_interview", {**arguments, "confirmation_token": token}))
        replayed = await second.call_tool("share_interview", {**arguments, "confirmation_token": token})
    assert _mutations(sandbox) == {"ShareInterview": 1}
    assert "already used once" in error_text(replayed)


async def test_a_delete_interview_token_does_not_delete_a_position(sandbox: RunningSandbox) -> None:
    target = _completed(sandbox)
    position = sandbox.store.position(target.position_id)
    async with connect(sandbox, confirm="token") as client:
        token = await _token(client, "delete_interview", {"interview_id": target.id})
        sandbox.reset_request_counts()
        on_position = error_text(
            await call_with_token(client, "delete_position", {"position_id": target.position_id}, token)
        )
        # Even with the interview's id as the position id, the tool in the token decides.
        same_id = error_text(
            await call_with_token(client, "delete_position", {"position_id": target.id}, token)
        )
    assert "issued for a different tool" in on_position
    assert "issued for a different tool" in same_id
    assert sandbox.store.position(target.position_id) == position
    _unchanged(sandbox, target)


async def test_a_token_for_one_interview_does_not_act_on_another(sandbox: RunningSandbox) -> None:
    first, second = _completed(sandbox), _completed(sandbox, skip=1)
    async with connect(sandbox, confirm="token") as client:
        token = await _token(client, "delete_interview", {"interview_id": first.id})
        sandbox.reset_request_counts()
        message = error_text(
            await call_with_token(client, "delete_interview", {"interview_id": second.id}, token)
        )
        # The token was not spent by the refused call: the call it was issued for still works.
        done = data(await call_with_token(client, "delete_interview", {"interview_id": first.id}, token))
    assert "issued for different arguments" in message
    assert done["status"] == "done"
    assert sandbox.store.interview(second.id) == second
    assert sandbox.store.interview(first.id) is None


async def test_a_share_token_for_30_days_does_not_share_for_365(sandbox: RunningSandbox) -> None:
    target = _completed(sandbox)
    async with connect(sandbox, confirm="token") as client:
        token = await _token(client, "share_interview", {"interview_id": target.id, "duration_days": 30})
        sandbox.reset_request_counts()
        message = error_text(
            await call_with_token(
                client, "share_interview", {"interview_id": target.id, "duration_days": 365}, token
            )
        )
    assert "issued for different arguments" in message
    _unchanged(sandbox, target)


@pytest.mark.parametrize(
    "token",
    [
        "abc",
        "   ",
        "c1.delete_interview.digest.not-a-number.nonce.mac",
        "c1.delete_interview.digest.99999999999.nonce",
        "c2.delete_interview.digest.99999999999.nonce.mac",
        "c1.delete_interview.digest.99999999999.nonce.mac.extra",
        "ℂ𝟙.délete.\u202e.1.\u200b.mac",
        "c1.delete_interview.digest.99999999999.nonce.mac\n; DROP TABLE interviews",
    ],
)
async def test_a_malformed_token_string_changes_nothing_and_says_so(
    sandbox: RunningSandbox, token: str
) -> None:
    target = _completed(sandbox)
    async with connect(sandbox, confirm="token") as client:
        sandbox.reset_request_counts()
        message = error_text(
            await call_with_token(client, "delete_interview", {"interview_id": target.id}, token)
        )
    assert "Nothing was changed" in message
    assert "malformed" in message or "signature does not verify" in message
    _unchanged(sandbox, target)


async def test_an_oversized_token_is_refused_by_validation_naming_the_argument(
    sandbox: RunningSandbox,
) -> None:
    target = _completed(sandbox)
    message = await rejected_before_sending(
        sandbox,
        "delete_interview",
        {"interview_id": target.id, "confirmation_token": "c1." * 200},
        confirm="token",
    )
    assert "confirmation_token" in message
    _unchanged(sandbox, target)


async def test_an_empty_token_only_asks_again(sandbox: RunningSandbox) -> None:
    target = _completed(sandbox)
    async with connect(sandbox, confirm="token") as client:
        sandbox.reset_request_counts()
        again = data(await call_with_token(client, "delete_interview", {"interview_id": target.id}, ""))
    assert again["status"] == "confirmation_required"
    assert "Nothing has been changed yet" in again["message"]
    _unchanged(sandbox, target)


# ------------------------------------------------------------------------------------ elicitation


@pytest.mark.parametrize("era", ["legacy", "auto"])
@pytest.mark.parametrize(
    ("content", "why"),
    [
        ({}, "does not match the requested schema"),
        ({"confirm": None}, "does not match the requested schema"),
        ({"confirm": "maybe"}, "does not match the requested schema"),
        (None, "with no content"),
    ],
)
async def test_an_accepted_elicitation_with_unusable_content_changes_nothing_and_says_why(
    sandbox: RunningSandbox, era: Era, content: dict[str, Any] | None, why: str
) -> None:
    target = _completed(sandbox)
    elicitor = Elicitor(action="accept", content=content)
    async with connect(sandbox, era=era, elicitor=elicitor) as client:
        sandbox.reset_request_counts()
        message = error_text(await client.call_tool("delete_interview", {"interview_id": target.id}))
    assert elicitor.messages, "the user was not asked"
    assert why in message
    _unchanged(sandbox, target)


@pytest.mark.parametrize("era", ["legacy", "auto"])
@pytest.mark.parametrize(
    ("action", "content", "status", "why"),
    [
        ("decline", None, "declined", "The user declined. Nothing was changed."),
        ("cancel", None, "cancelled", "The user dismissed the confirmation. Nothing was changed."),
        ("accept", {"confirm": False}, "declined", "did not tick 'Go ahead'. Nothing was changed."),
    ],
)
async def test_a_declined_cancelled_or_unticked_elicitation_changes_nothing_and_says_so(
    sandbox: RunningSandbox, era: Era, action: Any, content: dict[str, Any] | None, status: str, why: str
) -> None:
    target = _completed(sandbox)
    async with connect(sandbox, era=era, elicitor=Elicitor(action=action, content=content)) as client:
        sandbox.reset_request_counts()
        result = data(await client.call_tool("delete_interview", {"interview_id": target.id}))
    assert result["status"] == status
    assert why in result["message"]
    _unchanged(sandbox, target)


@pytest.mark.parametrize("era", ["legacy", "auto"])
@pytest.mark.parametrize(
    "content",
    [{"confirm": "yes"}, {"confirm": 1}, {"confirm": True, "delete_everything": True}],
    ids=["string-yes", "integer-1", "extra-field"],
)
async def test_an_accepted_elicitation_that_does_not_fit_the_boolean_form_changes_nothing(
    sandbox: RunningSandbox, era: Era, content: dict[str, Any]
) -> None:
    target = _completed(sandbox)
    async with connect(sandbox, era=era, elicitor=Elicitor(action="accept", content=content)) as client:
        sandbox.reset_request_counts()
        result = await client.call_tool("delete_interview", {"interview_id": target.id})
    _unchanged(sandbox, target)
    assert result.is_error
