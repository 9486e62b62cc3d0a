"""Streamable HTTP as deployed: `hireflix-mcp serve --transport http` in its own process.

DNS-rebinding protection (wrong Origin 403, wrong Host 421), the bearer token on a non-loopback bind
(missing, wrong or differently presented: 401; right: served, and still subject to Host and Origin),
request bodies over the 4 MiB limit (413), and 20 concurrent clients making 100 calls each, with zero errors.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from collections.abc import Iterator
from collections.abc import Mapping
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from hireflix_sandbox.embedded import RunningSandbox
from tests.conftest import CANARY_API_KEY
from tests.serving import MCP_HEADERS
from tests.serving import PING
from tests.serving import HttpServer
from tests.serving import serve_http
from tests.serving import server_env
from tests.tools.conftest import data

pytestmark = pytest.mark.anyio

TOKEN = "bearer-token-for-http-tests-0123456789"
MAX_BODY = 4 * 1024 * 1024
CLIENTS = 20
CALLS_PER_CLIENT = 100


@pytest.fixture(scope="module")
def loopback(
    shared_sandbox: RunningSandbox, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[HttpServer]:
    stderr = tmp_path_factory.mktemp("loopback") / "stderr.log"
    with serve_http(server_env(shared_sandbox), stderr) as server:
        yield server


@pytest.fixture(scope="module")
def exposed(shared_sandbox: RunningSandbox, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HttpServer]:
    """Bound to every interface (so a token is required), reached here through loopback."""
    stderr = tmp_path_factory.mktemp("exposed") / "stderr.log"
    env = server_env(shared_sandbox, HIREFLIX_MCP_AUTH_TOKEN=TOKEN)
    with serve_http(env, stderr, "--host", "0.0.0.0", "--allowed-hosts", "127.0.0.1:*") as server:  # noqa: S104
        yield server


async def _post(url: str, body: bytes | Mapping[str, Any] = PING, /, **headers: str) -> httpx2.Response:
    async with httpx2.AsyncClient(timeout=10, trust_env=False) as http:
        if isinstance(body, bytes):
            return await http.post(url, content=body, headers={**MCP_HEADERS, **headers})
        return await http.post(url, json=dict(body), headers={**MCP_HEADERS, **headers})


async def _positions(client: Client) -> int:
    return len(data(await client.call_tool("list_positions", {}))["positions"])


# ------------------------------------------------------------------------------------ Host and Origin


async def test_a_request_from_a_foreign_origin_is_refused_with_403(loopback: HttpServer) -> None:
    refused = await _post(loopback.url, origin="https://evil.example")
    also_refused = await _post(loopback.url, origin="http://127.0.0.1.evil.example")
    # The control: the server's own origin gets whatever no Origin at all gets (a ping without a
    # session is a 400 in the handshake era), never a 403.
    allowed = await _post(loopback.url, origin=f"http://127.0.0.1:{loopback.port}")
    without = await _post(loopback.url)
    assert refused.status_code == 403
    assert also_refused.status_code == 403
    assert allowed.status_code == without.status_code != 403


async def test_a_request_for_a_foreign_host_is_refused_with_421(loopback: HttpServer) -> None:
    refused = await _post(loopback.url, host="evil.example")
    rebinding = await _post(loopback.url, host=f"attacker.example:{loopback.port}")
    assert refused.status_code == 421
    assert rebinding.status_code == 421


# ------------------------------------------------------------------------------------ bearer token


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer wrong-token",
        f"Bearer {TOKEN}x",
        f"Bearer {TOKEN[:-1]}",
        f"Basic {TOKEN}",
        TOKEN,
        "Bearer",
    ],
    ids=["missing", "wrong", "longer", "shorter", "basic-scheme", "no-scheme", "empty"],
)
async def test_a_non_loopback_bind_refuses_a_missing_or_wrong_bearer_token_with_401(
    exposed: HttpServer, authorization: str | None
) -> None:
    headers = {"authorization": authorization} if authorization is not None else {}
    response = await _post(exposed.url, **headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert TOKEN not in response.text


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_the_right_bearer_token_is_served_in_both_eras(exposed: HttpServer, mode: str) -> None:
    async with httpx2.AsyncClient(headers={"authorization": f"Bearer {TOKEN}"}, timeout=10) as http:
        with anyio.fail_after(30):
            async with Client(streamable_http_client(exposed.url, http_client=http), mode=mode) as client:
                assert await _positions(client) >= 4


async def test_the_right_token_does_not_lift_host_and_origin_checks(exposed: HttpServer) -> None:
    bearer = f"Bearer {TOKEN}"
    origin = await _post(exposed.url, authorization=bearer, origin="https://evil.example")
    host = await _post(exposed.url, authorization=bearer, host="evil.example")
    assert origin.status_code == 403
    assert host.status_code == 421


# ------------------------------------------------------------------------------------ body size


async def test_a_body_declared_over_4_mib_is_refused_with_413(loopback: HttpServer) -> None:
    oversized = b'{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"' + b"x" * MAX_BODY + b'"}}'
    response = await _post(loopback.url, oversized)
    assert response.status_code == 413


async def test_a_chunked_body_growing_past_4_mib_is_refused_with_413(loopback: HttpServer) -> None:
    chunk = b"x" * (256 * 1024)

    async def body() -> AsyncIterator[bytes]:
        yield b'{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"'
        for _ in range(MAX_BODY // len(chunk) + 2):
            yield chunk
        yield b'"}}'

    async with httpx2.AsyncClient(timeout=10, trust_env=False) as http:
        response = await http.post(loopback.url, content=body(), headers=MCP_HEADERS)
    assert "content-length" not in response.request.headers  # streamed: the limit is counted, not declared
    assert response.status_code == 413


async def test_a_large_body_under_the_limit_is_not_refused_for_its_size(loopback: HttpServer) -> None:
    padded = b'{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"' + b"x" * (3 * 1024 * 1024) + b'"}}'
    response = await _post(loopback.url, padded)
    assert response.status_code != 413
    assert response.status_code < 500


# ------------------------------------------------------------------------------------ concurrency


# 2,000 calls: ~30 s alone, ~50 s on a loaded 2-core machine; the limit guards against a hang only.
@pytest.mark.timeout(240)
async def test_twenty_concurrent_clients_making_a_hundred_calls_each_see_no_error(
    loopback: HttpServer,
) -> None:
    failures: list[str] = []
    calls = 0

    async def one_client(number: int) -> None:
        nonlocal calls
        mode = "legacy" if number % 2 else "auto"
        async with Client(loopback.url, mode=mode) as client:
            position_id = data(await client.call_tool("list_positions", {}))["positions"][0]["id"]
            for call in range(CALLS_PER_CLIENT):
                # Mostly a tool that answers without Hireflix, so the load is on the HTTP transport and not
                # on the sandbox sharing this machine's CPU; every tenth call goes upstream as well.
                if call % 10:
                    result = await client.call_tool("build_application_link", {"position_id": position_id})
                    ok = not result.is_error and bool(data(result).get("url"))
                else:
                    result = await client.call_tool("list_positions", {})
                    ok = not result.is_error and bool(data(result).get("positions"))
                calls += 1
                if not ok:
                    failures.append(f"client {number}: {result.content}")

    started = time.monotonic()
    with anyio.fail_after(120):
        async with anyio.create_task_group() as group:
            for number in range(CLIENTS):
                group.start_soon(one_client, number)
    elapsed = time.monotonic() - started
    print(f"\n{CLIENTS} clients x {CALLS_PER_CLIENT} calls over HTTP: {calls} calls in {elapsed:.1f} s")
    assert failures == []
    assert calls == CLIENTS * CALLS_PER_CLIENT


def test_the_servers_logged_nothing_alarming_and_no_secret(loopback: HttpServer, exposed: HttpServer) -> None:
    for server in (loopback, exposed):
        log = server.stderr.read_text()
        assert "Traceback" not in log
        assert CANARY_API_KEY not in log
        assert TOKEN not in log
