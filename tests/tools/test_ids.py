"""Every tool that takes an object id refuses a malformed one, naming the argument, before anything reaches
Hireflix."""

from __future__ import annotations

from typing import Any

import pytest

from hireflix_sandbox.embedded import RunningSandbox
from tests.tools.conftest import connect
from tests.tools.conftest import refused_upfront

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("tool", "arguments", "field"),
    [
        ("get_interview", {"interview_id": "abc"}, "interview_id"),
        ("score_interview", {"interview_id": "abc", "score": 3}, "interview_id"),
        ("get_position", {"position_id": "not-an-id"}, "position_id"),
        ("delete_webhook", {"webhook_id": "hook-1"}, "webhook_id"),
        ("remove_member", {"member_id": "42"}, "member_id"),
    ],
)
async def test_a_malformed_id_is_refused_naming_the_argument_before_anything_is_sent(
    sandbox: RunningSandbox, tool: str, arguments: dict[str, Any], field: str
) -> None:
    async with connect(sandbox) as client:
        message = await refused_upfront(client, sandbox, tool, arguments)
    assert field in message
