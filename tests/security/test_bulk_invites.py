"""Attacks through invite_candidates: a model e-mailing many people at once without a person knowing.

More than 10 rows to send is confirmed like any other irreversible action: the preview says how many
people, to which position, and names the first few addresses; nothing is sent before the answer.
"""

from __future__ import annotations

import pytest

from hireflix_sandbox.embedded import RunningSandbox
from tests.tools.conftest import Elicitor
from tests.tools.conftest import connect
from tests.tools.conftest import data
from tests.tools.test_interviews_support import new_position

pytestmark = pytest.mark.anyio


def _rows(count: int, prefix: str = "bulk") -> list[dict[str, str]]:
    return [{"email": f"{prefix}{i}@example.com", "first_name": f"Person {i}"} for i in range(count)]


def _invites(sandbox: RunningSandbox) -> int:
    counts: dict[str, int] = sandbox.request_counts()["by_operation_name"]
    return counts.get("InviteCandidate", 0)


async def test_a_model_cannot_email_eleven_people_without_the_user_seeing_who(
    sandbox: RunningSandbox,
) -> None:
    position_id = new_position(sandbox, "Night Shift Nurse")
    arguments = {"position_id": position_id, "candidates": _rows(11)}
    sandbox.reset_request_counts()
    async with connect(sandbox, confirm="token") as client:
        asked = data(await client.call_tool("invite_candidates", arguments))
        assert _invites(sandbox) == 0, "an invite went out before the user answered"
        done = data(
            await client.call_tool(
                "invite_candidates", {**arguments, "confirmation_token": asked["confirmation_token"]}
            )
        )
    assert asked["status"] == "confirmation_required"
    preview = asked["message"]
    assert preview.startswith('Invite 11 candidates to "Night Shift Nurse": ')
    assert '"bulk0@example.com", "bulk1@example.com", "bulk2@example.com" and 8 more?' in preview
    assert "e-mails each of them" in preview
    assert done["totals"] == {"invited": 11}
    assert len(sandbox.store.interviews(position_id)) == 11


async def test_a_declined_bulk_invite_sends_nothing_and_ten_rows_need_no_question(
    sandbox: RunningSandbox,
) -> None:
    position_id = new_position(sandbox)
    elicitor = Elicitor("decline")
    sandbox.reset_request_counts()
    async with connect(sandbox, elicitor=elicitor) as client:
        declined = data(
            await client.call_tool("invite_candidates", {"position_id": position_id, "candidates": _rows(12)})
        )
        assert _invites(sandbox) == 0
        ten = data(
            await client.call_tool(
                "invite_candidates", {"position_id": position_id, "candidates": _rows(10, "ten")}
            )
        )
    assert declined["status"] == "declined"
    assert len(elicitor.messages) == 1, "ten rows should not have asked"
    assert elicitor.messages[0].startswith("Invite 12 candidates to ")
    assert ten["totals"] == {"invited": 10}
