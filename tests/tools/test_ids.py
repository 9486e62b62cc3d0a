"""Every tool that takes an object id refuses a malformed one, naming the argument, before anything reaches
Hireflix."""

from __future__ import annotations

from typing import Any

import pytest

from hireflix_sandbox.embedded import RunningSandbox
from tests.tools.conftest import rejected_before_sending

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
    message = await rejected_before_sending(sandbox, tool, arguments)
    assert field in message
