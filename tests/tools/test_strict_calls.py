"""A call made the way a strict model makes it (every optional parameter present, as null) behaves exactly
as the same call with those parameters left out, for every tool.

OpenAI's strict schemas and several agent frameworks make the model send every parameter; "not given"
then arrives as null (and, for ids, tokens, cursors and urls, sometimes as ""). Each tool is called both
ways, each way against its own fresh sandbox (so writes do not see each other), and the two results must
read the same once generated ids, tokens and times are masked.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from mcp.types import Tool

from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.embedded import running_sandbox
from hireflix_sandbox.listing import interview_filter_status
from tests.conftest import CANARY_API_KEY
from tests.tools.conftest import connect
from tests.tools.conftest import text

pytestmark = pytest.mark.anyio

_GENERATED = [
    (re.compile(r"\b[0-9a-f]{24}\b"), "<id>"),
    (re.compile(r"c\d\.[A-Za-z0-9_.\-]+"), "<token>"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"), "<time>"),
    (re.compile(r"/[A-Za-z0-9]{6,}(?=[\"/?])"), "/<hash>"),
    (re.compile(r"//127\.0\.0\.1:\d+/"), "//<sandbox>/"),  # media URLs name each run's sandbox port
]


def _masked(value: str) -> str:
    for pattern, replacement in _GENERATED:
        value = pattern.sub(replacement, value)
    return value


def _required_arguments(sandbox: RunningSandbox) -> dict[str, dict[str, Any]]:
    """The smallest valid arguments of every tool, from the sandbox's demo data."""
    store = sandbox.store
    position = next(p for p in store.positions() if p.archived is None)
    interviews = store.interviews(position.id)
    recorded = next(i for i in interviews if interview_filter_status(i) == "to_evaluate")
    other = next(i for i in interviews if i.id != recorded.id and interview_filter_status(i) == "pending")
    member = next(m for m in store.members() if m.type != "owner")
    pid, iid = {"position_id": position.id}, {"interview_id": recorded.id}
    return {
        "list_positions": {},
        "get_position": pid,
        "create_position": {"name": "Night auditor", "questions": [{"title": "Why nights?"}]},
        "update_position": {**pid, "name": "Renamed"},
        "archive_position": pid,
        "delete_position": pid,
        "invite_candidate": {**pid, "email": "strict@example.com", "first_name": "Strict"},
        "invite_candidates": {**pid, "candidates": [{"email": "rows@example.com", "first_name": "Row"}]},
        "search_interviews": pid,
        "find_candidate": {"query": recorded.email},
        # Every match of one position (limit 50): hits of equal rank come in index order, which differs
        # between two syncs, so `_results` compares this tool's hits in interview-id order.
        "search_transcripts": {"query": "team", **pid, "limit": 50},
        "get_interview": iid,
        "get_interview_transcript": iid,
        "get_interview_media": iid,
        "get_interview_access_info": iid,
        "delete_interview": {"interview_id": other.id},
        "reinvite_candidate": {**pid, "email": other.email},
        "score_interview": {**iid, "score": 4},
        "comment_on_interview": {**iid, "comment": "Clear answers."},
        "set_interview_status": {**iid, "status": "shortlisted"},
        "share_interview": iid,
        "build_application_link": pid,
        "get_embed_code": iid,
        "get_account_logs": {},
        "list_members": {},
        "add_member": {"email": "new.member@example.com"},
        "remove_member": {"email": member.email},
        "list_webhooks": {},
        "create_webhook": {"url": "https://hooks.example.com/hireflix", "events": ["interview.finish"]},
        "delete_webhook": {"webhook_id": "0" * 24},
        "list_webhook_events": {},
    }


def _as_a_strict_model_sends_them(tool: Tool, arguments: dict[str, Any]) -> dict[str, Any]:
    """`arguments` plus every other parameter, as null ("" for ids, tokens, cursors and urls)."""
    filled = dict(arguments)
    for name in tool.input_schema.get("properties", {}):
        if name not in filled:
            empty_string = name.endswith("_id") or name in ("confirmation_token", "cursor", "url")
            filled[name] = "" if empty_string else None
    return filled


async def _results(strict: bool) -> dict[str, str]:
    with running_sandbox(api_key=CANARY_API_KEY) as sandbox:
        calls = _required_arguments(sandbox)
        async with connect(sandbox, confirm="token") as client:
            tools = {tool.name: tool for tool in (await client.list_tools()).tools}
            assert set(tools) == set(calls)
            out: dict[str, str] = {}
            for name, arguments in calls.items():
                sent = _as_a_strict_model_sends_them(tools[name], arguments) if strict else arguments
                result = await client.call_tool(name, sent)
                shown = text(result)
                out[name] = ("ERROR " if result.is_error else "") + _masked(shown)
            return out


async def test_every_optional_parameter_sent_as_null_means_left_out() -> None:
    plain, strict = await _results(strict=False), await _results(strict=True)
    for name, expected in plain.items():
        assert "Invalid arguments" not in strict[name], f"{name}: {strict[name]}"
        assert strict[name] == expected, name
