"""A confirmation asked by one replica and answered on another (2026-07-28 era, behind a load balancer).

In the 2026-07-28 era a confirmation is a round trip: the server answers "input required" with a sealed
`requestState`, and the client sends the call again with the person's answer. A load balancer may send
that second request to another replica; the replicas then need the same sealing key, which they derive
from the shared HIREFLIX_MCP_CONFIRM_SECRET. The client here alternates replicas request by request.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import ExitStack
from contextlib import asynccontextmanager
from pathlib import Path

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from hireflix_sandbox.embedded import RunningSandbox
from tests.serving import HttpServer
from tests.serving import serve_http
from tests.serving import server_env
from tests.tools.conftest import Elicitor

pytestmark = pytest.mark.anyio


class RoundRobin(httpx2.AsyncHTTPTransport):
    """A load balancer in the client: each request goes to the next replica's port."""

    def __init__(self, ports: list[int]) -> None:
        super().__init__()
        self._ports = itertools.cycle(ports)
        self.sent: list[int] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        port = next(self._ports)
        self.sent.append(port)
        request.url = request.url.copy_with(port=port)
        return await super().handle_async_request(request)


@asynccontextmanager
async def balanced(
    replicas: list[HttpServer], elicitor: Elicitor
) -> AsyncIterator[tuple[Client, RoundRobin]]:
    balancer = RoundRobin([replica.port for replica in replicas])
    async with (
        httpx2.AsyncClient(transport=balancer, timeout=30) as http,
        Client(
            streamable_http_client(replicas[0].url, http_client=http), elicitation_callback=elicitor
        ) as client,
    ):
        yield client, balancer


def two_replicas(stack: ExitStack, sandbox: RunningSandbox, logs: Path, **env: str) -> list[HttpServer]:
    environment = server_env(sandbox, HIREFLIX_MCP_CONFIRM="elicit", **env)
    return [stack.enter_context(serve_http(environment, logs / f"replica-{n}.log")) for n in "AB"]


async def test_a_confirmation_asked_on_one_replica_is_answered_on_another(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    interview = sandbox.store.all_interviews()[0]
    with ExitStack() as stack:
        replicas = two_replicas(stack, sandbox, tmp_path, HIREFLIX_MCP_CONFIRM_SECRET="s" * 32)
        elicitor = Elicitor()
        async with balanced(replicas, elicitor) as (client, balancer):
            sent_before = len(balancer.sent)
            result = await client.call_tool("delete_interview", {"interview_id": interview.id})
        calls = balancer.sent[sent_before:]
    assert not result.is_error, result.content
    assert len(elicitor.messages) == 1, "the person was asked once"
    assert len(set(calls)) == 2, f"the call and its answer went to both replicas: {calls}"
    assert sandbox.store.interview(interview.id) is None, "the confirmed delete happened"


async def test_without_a_shared_secret_an_answer_reaching_another_replica_is_refused_and_nothing_is_deleted(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    interview = sandbox.store.all_interviews()[0]
    with ExitStack() as stack:
        replicas = two_replicas(stack, sandbox, tmp_path)
        async with balanced(replicas, Elicitor()) as (client, _):
            with pytest.raises(MCPError, match="Invalid or expired requestState"):
                await client.call_tool("delete_interview", {"interview_id": interview.id})
    assert sandbox.store.interview(interview.id) is not None
