"""A bad argument is refused before anything reaches Hireflix, and the error names it: a malformed object id
in every tool that takes one, and a page or time window out of range in the tools that list logs and events.

Rules with more to say than the argument's name (an e-mail address, a phone number, a webhook URL) are tested
beside their tools.
"""

from __future__ import annotations

from typing import Any

import pytest

from hireflix_sandbox.embedded import RunningSandbox
from tests.tools.conftest import rejected_before_sending

pytestmark = pytest.mark.anyio

MALFORMED_IDS = [
    ("get_interview", {"interview_id": "abc"}, "interview_id"),
    ("score_interview", {"interview_id": "abc", "score": 3}, "interview_id"),
    ("get_position", {"position_id": "not-an-id"}, "position_id"),
    ("delete_webhook", {"webhook_id": "hook-1"}, "webhook_id"),
    ("remove_member", {"member_id": "42"}, "member_id"),
]

LOG_QUERIES_OUT_OF_RANGE = [
    ("get_account_logs", {"limit": 0}, "limit"),
    ("get_account_logs", {"limit": 101}, "limit"),
    ("get_account_logs", {"skip": -1}, "skip"),
    ("get_account_logs", {"since": "last week"}, "since"),
    ("get_account_logs", {"until": "2026-13-01"}, "until"),
    ("get_account_logs", {"since": "2026-03-02", "until": "2026-03-01T23:59:59Z"}, "since"),
]

EVENT_QUERIES_OUT_OF_RANGE = [
    ("list_webhook_events", {"since": "yesterday"}, "since"),
    ("list_webhook_events", {"since": "2025-13-01"}, "since"),
    ("list_webhook_events", {"event": "interview.finished"}, "event"),
    ("list_webhook_events", {"limit": 0}, "limit"),
    ("list_webhook_events", {"limit": 51}, "limit"),
    ("list_webhook_events", {"cursor": "not-a-cursor"}, "cursor"),
]


@pytest.mark.parametrize(
    ("tool", "arguments", "field"), MALFORMED_IDS + LOG_QUERIES_OUT_OF_RANGE + EVENT_QUERIES_OUT_OF_RANGE
)
async def test_a_bad_argument_is_refused_naming_it_before_anything_is_sent(
    sandbox: RunningSandbox, tool: str, arguments: dict[str, Any], field: str
) -> None:
    message = await rejected_before_sending(sandbox, tool, arguments)
    assert field in message
