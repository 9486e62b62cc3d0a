"""Attacks with a confirmation token taken from another session.

A token is bound to the MCP session that asked for it (`hireflix_mcp.confirm.confirmation_session`): a
client that reads one in a transcript, a log or another agent's output cannot redeem it in its own
session, and the refusal does not spend it, so its own session can still use it. Handshake-era sessions
are the ones that exist: stdio and in-process connections, and streamable HTTP sessions. (The 2026-07-28
era has no sessions; there a token is bound to the authenticated caller, see the function's docstring.)
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from mcp import Client

from hireflix_mcp.server import build_server
from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.store import InterviewRecord
from tests.serving import HttpServer
from tests.serving import serve_http
from tests.serving import server_env
from tests.tools.conftest import call_with_token
from tests.tools.conftest import connect
from tests.tools.conftest import data
from tests.tools.conftest import error_text
from tests.tools.conftest import sandbox_settings

pytestmark = pytest.mark.anyio


def _recorded(sandbox: RunningSandbox) -> InterviewRecord:
    return next(r for r in sandbox.store.all_interviews() if r.completed)


async def _redeem_across(
    first: Client, second: Client, sandbox: RunningSandbox
) -> tuple[str, dict[str, Any]]:
    target = _recorded(sandbox)
    arguments = {"interview_id": target.id}
    asked = data(await first.call_tool("delete_interview", arguments))
    with_token = {**arguments, "confirmation_token": asked["confirmation_token"]}
    refused = error_text(await second.call_tool("delete_interview", with_token))
    assert sandbox.store.interview(target.id) == target, "another session's token deleted the interview"
    done = data(await first.call_tool("delete_interview", with_token))
    assert sandbox.store.interview(target.id) is None
    return refused, done


async def test_a_token_from_another_session_is_refused_and_stays_usable_by_its_own(
    sandbox: RunningSandbox,
) -> None:
    server = build_server(sandbox_settings(sandbox, confirm="token"))
    async with Client(server, mode="legacy") as first, Client(server, mode="legacy") as second:
        refused, done = await _redeem_across(first, second, sandbox)
    assert "issued to another MCP session" in refused
    assert "Nothing was changed" in refused
    assert done["status"] == "done"


async def test_a_token_from_another_http_session_is_refused(sandbox: RunningSandbox, tmp_path: Any) -> None:
    env = server_env(sandbox, HIREFLIX_MCP_CONFIRM="token")
    server: HttpServer
    with serve_http(env, tmp_path / "stderr.log") as server, anyio.fail_after(60):
        async with Client(server.url, mode="legacy") as first, Client(server.url, mode="legacy") as second:
            refused, done = await _redeem_across(first, second, sandbox)
    assert "issued to another MCP session" in refused
    assert done["status"] == "done"


async def test_without_sessions_a_token_still_works_across_requests(sandbox: RunningSandbox) -> None:
    # The control: in the 2026-07-28 era every request stands alone, and the token works as before.
    target = _recorded(sandbox)
    async with connect(sandbox, era="auto", confirm="token") as client:
        asked = data(await client.call_tool("delete_interview", {"interview_id": target.id}))
        done = data(
            await call_with_token(
                client, "delete_interview", {"interview_id": target.id}, asked["confirmation_token"]
            )
        )
    assert done["status"] == "done"
