"""Every tool that deletes or grants something asks first, the same way: a person who declines or cancels
changes nothing, and a client that cannot ask its user gets a preview with a single-use token.

What each tool asks (the exact question, what an accepted call does) and its own token mix-ups stay beside
its other tests; share_interview, delete_interview and reinvite_candidate check more on these paths and keep
their own tests of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from hireflix_sandbox.embedded import RunningSandbox
from tests.tools.conftest import Elicitor
from tests.tools.conftest import Era
from tests.tools.conftest import confirmed_once_with_token
from tests.tools.conftest import refused_by

pytestmark = pytest.mark.anyio

NEW_EMAIL = "new.recruiter@acme-talent.example"


@dataclass(frozen=True)
class Target:
    """A confirmed tool's call on one demo object."""

    arguments: dict[str, Any]
    acted: Callable[[], bool]
    """Whether the tool has done what it asks about."""
    previewed: str
    """What its preview must say."""


def _delete_position(sandbox: RunningSandbox) -> Target:
    position_id = next(p.id for p in sandbox.store.positions() if p.archived is None)
    return Target(
        {"position_id": position_id},
        acted=lambda: sandbox.store.position(position_id) is None,
        previewed="cannot be undone",
    )


def _delete_webhook(sandbox: RunningSandbox) -> Target:
    hook = sandbox.store.webhooks()[0]
    return Target(
        {"webhook_id": hook.id}, acted=lambda: sandbox.store.webhook(hook.id) is None, previewed=hook.url
    )


def _add_member(sandbox: RunningSandbox) -> Target:
    return Target(
        {"email": NEW_EMAIL},
        acted=lambda: NEW_EMAIL in {m.email for m in sandbox.store.members()},
        previewed=f'Give "{NEW_EMAIL}" access',
    )


def _remove_member(sandbox: RunningSandbox) -> Target:
    member = next(m for m in sandbox.store.members() if m.type == "member")
    assert member.name
    return Target(
        {"member_id": member.id},
        acted=lambda: member.email not in {m.email for m in sandbox.store.members()},
        previewed=member.name,
    )


TARGETS: dict[str, Callable[[RunningSandbox], Target]] = {
    "delete_position": _delete_position,
    "delete_webhook": _delete_webhook,
    "add_member": _add_member,
    "remove_member": _remove_member,
}


@pytest.mark.parametrize("tool", TARGETS)
async def test_a_declined_or_cancelled_confirmation_changes_nothing(
    sandbox: RunningSandbox, era: Era, refusing: Elicitor, tool: str
) -> None:
    target = TARGETS[tool](sandbox)
    await refused_by(refusing, sandbox, tool, target.arguments, era=era)
    assert not target.acted()


@pytest.mark.parametrize("tool", TARGETS)
async def test_without_elicitation_a_preview_comes_first_and_its_token_acts_once(
    sandbox: RunningSandbox, era: Era, tool: str
) -> None:
    target = TARGETS[tool](sandbox)
    first, _ = await confirmed_once_with_token(sandbox, tool, target.arguments, done=target.acted, era=era)
    assert target.previewed in first["message"]
