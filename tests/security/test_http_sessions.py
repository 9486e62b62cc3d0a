"""Attacks on the HTTP transport's sessions: a client that opens sessions and never leaves.

`HIREFLIX_MCP_MAX_SESSIONS` (default 500) bounds the sessions a server keeps. Past it the longest idle
session is closed, so its client gets 404 and starts again as the spec says, and a new client still gets
in: a flood of initialize requests holds at most that many sessions, not every one it opened.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx2
import pytest
from mcp import Client

from hireflix_sandbox.embedded import RunningSandbox
from tests.serving import MCP_HEADERS
from tests.serving import HttpServer
from tests.serving import initialize_request
from tests.serving import serve_http
from tests.serving import server_env
from tests.tools.conftest import data

pytestmark = pytest.mark.anyio

CAP = 5
FLOOD = 60
INITIALIZE = initialize_request("flood")
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}
PING = {"jsonrpc": "2.0", "id": 2, "method": "ping"}


@pytest.fixture
def capped(sandbox: RunningSandbox, tmp_path: Path) -> Iterator[HttpServer]:
    env = server_env(sandbox, HIREFLIX_MCP_MAX_SESSIONS=str(CAP))
    with serve_http(env, tmp_path / "stderr.log") as server:
        yield server


async def open_session(http: httpx2.AsyncClient, url: str) -> str:
    """A handshake-era session opened with raw requests (initialize, then initialized); its id."""
    response = await http.post(url, json=INITIALIZE, headers=MCP_HEADERS)
    assert response.status_code == 200, response.text
    session = response.headers["mcp-session-id"]
    headers = {**MCP_HEADERS, "mcp-session-id": session, "mcp-protocol-version": "2025-11-25"}
    assert (await http.post(url, json=INITIALIZED, headers=headers)).status_code == 202
    return session


async def ping(http: httpx2.AsyncClient, url: str, session: str) -> int:
    """The HTTP status of a ping in `session` (404 once the server closed it)."""
    headers = {**MCP_HEADERS, "mcp-session-id": session, "mcp-protocol-version": "2025-11-25"}
    return (await http.post(url, json=PING, headers=headers)).status_code


async def test_a_flood_of_sessions_cannot_lock_a_new_client_out(capped: HttpServer) -> None:
    url = capped.url
    with anyio.fail_after(60):
        async with httpx2.AsyncClient(timeout=10, trust_env=False) as http:
            first = [await open_session(http, url) for _ in range(CAP)]
            assert await ping(http, url, first[0]) == 200  # the oldest session is now the most recently used
            newcomer = await open_session(http, url)
            # Past the cap the longest idle session went: the second one, not the one just used.
            assert await ping(http, url, first[1]) == 404
            assert await ping(http, url, first[0]) == 200
            assert await ping(http, url, newcomer) == 200
            flood = [await open_session(http, url) for _ in range(FLOOD)]
            alive = [s for s in (*first, newcomer, *flood) if await ping(http, url, s) == 200]
            assert alive == flood[-CAP:]
        # A real client still gets in, and works.
        async with Client(url, mode="legacy") as client:
            assert data(await client.call_tool("list_positions", {}))["positions"]
