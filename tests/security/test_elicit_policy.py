"""Attacks on the confirmation policy a deployment chose: a model standing in for the person.

`HIREFLIX_MCP_CONFIRM=elicit` (`--confirm elicit`) wants a human check no model can satisfy: confirmed
tools ask through the client's own prompt, refuse with a clear error when the client cannot show one,
and never issue or accept a token. Under the default fallback (tokens), the result tells the model in
one sentence to show the preview to the user and wait for their answer.
"""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from hireflix_mcp.confirm import ConfirmationTokens
from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.store import InterviewRecord
from tests.tools.conftest import Elicitor
from tests.tools.conftest import Era
from tests.tools.conftest import call_with_token
from tests.tools.conftest import connect
from tests.tools.conftest import data
from tests.tools.conftest import error_text
from tests.tools.conftest import text

pytestmark = pytest.mark.anyio

SECRET = "elicit-policy-test-secret-0123456789"


def _recorded(sandbox: RunningSandbox) -> InterviewRecord:
    return next(r for r in sandbox.store.all_interviews() if r.completed)


@pytest.mark.parametrize("era", ["legacy", "auto"])
async def test_a_model_cannot_satisfy_the_elicit_policy_with_a_token(
    sandbox: RunningSandbox, era: Era
) -> None:
    target = _recorded(sandbox)
    # A token a model could hold, correctly signed for this very call.
    forged = ConfirmationTokens(SECRET.encode()).issue("delete_interview", {"interview_id": target.id})
    async with connect(sandbox, era=era, confirm="elicit", confirm_secret=SecretStr(SECRET)) as client:
        asked = await client.call_tool("delete_interview", {"interview_id": target.id})
        presented = await call_with_token(
            client, "delete_interview", {"interview_id": target.id}, forged.token
        )
    for result in (asked, presented):
        message = error_text(result)
        assert "HIREFLIX_MCP_CONFIRM=elicit" in message
        assert "does not support elicitation" in message
        assert "Nothing was changed" in message
        assert "confirmation_token" not in text(result).replace("no confirmation token", "")
    assert sandbox.store.interview(target.id) == target


@pytest.mark.parametrize("era", ["legacy", "auto"])
async def test_under_the_elicit_policy_the_person_still_decides(sandbox: RunningSandbox, era: Era) -> None:
    target = _recorded(sandbox)
    elicitor = Elicitor("accept")
    async with connect(sandbox, era=era, confirm="elicit", elicitor=elicitor) as client:
        done = data(await client.call_tool("delete_interview", {"interview_id": target.id}))
    assert done["status"] == "done"
    assert elicitor.messages[0].startswith("Delete the interview of ")
    assert sandbox.store.interview(target.id) is None


async def test_a_confirmation_required_result_tells_the_model_to_wait_for_the_user(
    sandbox: RunningSandbox,
) -> None:
    target = _recorded(sandbox)
    async with connect(sandbox, confirm="token") as client:
        asked = data(await client.call_tool("delete_interview", {"interview_id": target.id}))
    instruction = asked["message"].split("Nothing has been changed yet. ", 1)[1]
    assert instruction.startswith("Show this preview to the user and wait for their answer")
    assert instruction.endswith(".")
    assert instruction.count(". ") == 0  # one sentence
