"""`hireflix-mcp serve` as a real process: stdio and streamable HTTP (stateful and stateless), with auth."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp import StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

from hireflix_mcp.cli import main as cli_main
from hireflix_mcp.server import transport_security
from hireflix_mcp.settings import Settings
from hireflix_mcp.settings import is_loopback
from hireflix_sandbox.embedded import RunningSandbox
from tests.serving import MCP_HEADERS
from tests.serving import PING
from tests.serving import HttpServer
from tests.serving import sandbox_over_stdio
from tests.serving import serve_http
from tests.serving import server_env
from tests.tools.conftest import data

pytestmark = pytest.mark.anyio

CANARY = "hfx-canary-key-Zq8y1V0-never-print"
TOKEN = "t0k3n-for-tests-only"


async def _positions_via(client: Client) -> list[dict[str, Any]]:
    positions: list[dict[str, Any]] = data(await client.call_tool("list_positions", {}))["positions"]
    return positions


async def test_serve_over_stdio_lists_tools_and_answers_a_call(sandbox: RunningSandbox) -> None:
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "hireflix_mcp.cli", "serve"], env=server_env(sandbox)
    )
    with anyio.fail_after(30):
        async with Client(params) as client:
            tools = await client.list_tools()
            assert "list_positions" in {t.name for t in tools.tools}
            assert await _positions_via(client)


async def test_serve_sandbox_flag_runs_against_an_embedded_sandbox_over_stdio() -> None:
    with anyio.fail_after(30):
        async with Client(sandbox_over_stdio()) as client:
            assert len(await _positions_via(client)) >= 4


@pytest.mark.parametrize("stateless", [False, True])
async def test_serve_over_streamable_http_answers_in_both_eras(
    sandbox: RunningSandbox, tmp_path: Path, stateless: bool
) -> None:
    extra = ("--stateless",) if stateless else ()
    with serve_http(server_env(sandbox), tmp_path / "stderr.log", *extra) as server:
        url = server.url
        for mode in ("legacy", "auto"):
            with anyio.fail_after(30):
                async with Client(url, mode=mode) as client:
                    assert await _positions_via(client)


@pytest.fixture(scope="module")
def with_token(
    shared_sandbox: RunningSandbox, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[HttpServer]:
    """A loopback HTTP server that requires TOKEN, shared by the module's tests that only read through it."""
    stderr = tmp_path_factory.mktemp("with-token") / "stderr.log"
    with serve_http(server_env(shared_sandbox, HIREFLIX_MCP_AUTH_TOKEN=TOKEN), stderr) as server:
        yield server


async def test_http_with_a_token_rejects_missing_and_wrong_bearer(with_token: HttpServer) -> None:
    url = with_token.url
    async with httpx2.AsyncClient(timeout=5) as http:
        missing = await http.post(url, json=PING, headers=MCP_HEADERS)
        wrong = await http.post(url, json=PING, headers={**MCP_HEADERS, "authorization": "Bearer nope"})
    assert missing.status_code == 401
    assert wrong.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    async with httpx2.AsyncClient(headers={"authorization": f"Bearer {TOKEN}"}, timeout=10) as http:
        with anyio.fail_after(30):
            async with Client(streamable_http_client(url, http_client=http)) as client:
                assert await _positions_via(client)


async def test_http_serves_a_health_route_without_the_token(with_token: HttpServer) -> None:
    async with httpx2.AsyncClient(timeout=5) as http:
        health = await http.get(f"{with_token.base_url}/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "ok"


async def test_http_rejects_a_foreign_origin_and_host(sandbox: RunningSandbox, tmp_path: Path) -> None:
    with serve_http(server_env(sandbox), tmp_path / "stderr.log") as server:
        async with httpx2.AsyncClient(timeout=5) as http:
            origin = await http.post(
                server.url, json=PING, headers={**MCP_HEADERS, "origin": "https://evil.example"}
            )
            host = await http.post(server.url, json=PING, headers={**MCP_HEADERS, "host": "evil.example"})
        assert origin.status_code == 403
        assert host.status_code == 421


def test_non_loopback_bind_without_a_token_refuses_to_start(capsys: pytest.CaptureFixture[str]) -> None:
    env_before = os.environ.get("HIREFLIX_MCP_AUTH_TOKEN")
    os.environ.pop("HIREFLIX_MCP_AUTH_TOKEN", None)
    try:
        code = cli_main(["serve", "--sandbox", "--transport", "http", "--host", "0.0.0.0", "--port", "1"])  # noqa: S104
    finally:
        if env_before is not None:
            os.environ["HIREFLIX_MCP_AUTH_TOKEN"] = env_before
    assert code == 2
    assert "HIREFLIX_MCP_AUTH_TOKEN" in capsys.readouterr().err


def test_serve_without_a_key_explains_how_to_get_one(capsys: pytest.CaptureFixture[str]) -> None:
    saved = os.environ.pop("HIREFLIX_API_KEY", None)
    try:
        assert cli_main(["serve"]) == 2
    finally:
        if saved is not None:
            os.environ["HIREFLIX_API_KEY"] = saved
    err = capsys.readouterr().err
    assert "HIREFLIX_API_KEY" in err
    assert "--sandbox" in err


async def test_api_key_never_reaches_the_client_or_the_log_of_a_stdio_server(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    # The sandbox rejects the canary key, so every call fails with an authentication error.
    env = server_env(sandbox, HIREFLIX_API_KEY=CANARY, HIREFLIX_MCP_LOG_LEVEL="DEBUG")
    params = StdioServerParameters(command=sys.executable, args=["-m", "hireflix_mcp.cli", "serve"], env=env)
    log_path = tmp_path / "stderr.log"
    with log_path.open("w") as errlog, anyio.fail_after(30):
        async with Client(stdio_client(params, errlog=errlog)) as client:
            result = await client.call_tool("list_positions", {})
    seen = result.model_dump_json()
    assert result.is_error
    assert "HIREFLIX_API_KEY" in seen  # the error tells the model which setting to fix
    assert CANARY not in seen
    log = log_path.read_text()
    assert "list_positions" in log or "hireflix" in log  # the server did log at DEBUG
    assert CANARY not in log


def test_loopback_detection_and_transport_security_defaults() -> None:
    assert is_loopback("127.0.0.1")
    assert is_loopback("::1")
    assert is_loopback("localhost")
    assert not is_loopback("0.0.0.0")  # noqa: S104
    assert not is_loopback("10.1.2.3")
    security = transport_security("0.0.0.0", 8000, ("mcp.example.com:*",))  # noqa: S104
    assert security.enable_dns_rebinding_protection
    assert "mcp.example.com:*" in security.allowed_hosts
    assert "https://mcp.example.com" in security.allowed_origins


def test_settings_never_show_the_api_key() -> None:
    settings = Settings.from_env({"HIREFLIX_API_KEY": CANARY})
    assert CANARY not in repr(settings)
    assert CANARY not in str(settings)
    assert CANARY not in settings.model_dump_json()
