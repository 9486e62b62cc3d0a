"""The embedded sandbox: a real sandbox served on loopback from inside this process.

`hireflix-mcp serve --sandbox` and `hireflix-mcp doctor --sandbox` run against it, and so do the tests. The
app is served by uvicorn in a background thread on a port the OS picks, so clients talk real HTTP to it.
Start-up waits on a readiness event (no sleeping) and takes a few tens of milliseconds; shutdown stops the
server at once instead of waiting for uvicorn's polling loop.

    with running_sandbox(invite_quota=2) as sandbox:
        ...  # point any Hireflix client at sandbox.url with the key sandbox.api_key
        sandbox.complete_interview(interview_id)
        assert sandbox.request_counts()["by_root_field"].get("inviteCandidateToInterview", 0) == 2
"""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from typing import Literal

import httpx2
import uvicorn
from starlette.types import ASGIApp

from .app import SandboxConfig
from .app import SandboxRuntime
from .app import create_app
from .app import runtime_of
from .store import Store

STARTUP_TIMEOUT = 10.0
SHUTDOWN_TIMEOUT = 10.0


class _ThreadServer(uvicorn.Server):
    """uvicorn, but started and stopped by events instead of signals and a 0.1 s polling loop."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()
        self.loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self.loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        await super().startup(sockets=sockets)
        if self.started:
            self.ready.set()

    async def main_loop(self) -> None:
        await self.on_tick(0)  # sets the default response headers once
        if self._stop is not None:
            await self._stop.wait()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        async with asyncio.timeout(SHUTDOWN_TIMEOUT):
            # uvicorn offers no event for "all connections closed", so poll briefly.
            while self.server_state.connections or self.server_state.tasks:  # noqa: ASYNC110
                await asyncio.sleep(0.002)
            for server in self.servers:
                await server.wait_closed()
        await self.lifespan.shutdown()

    def request_stop(self) -> None:
        if self.loop is not None and self._stop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._stop.set)


class RunningSandbox:
    """A sandbox serving on loopback, with direct access to its state and small sync HTTP helpers."""

    def __init__(self, runtime: SandboxRuntime, server: _ThreadServer, base_url: str) -> None:
        self._runtime = runtime
        self._server = server
        self.base_url = base_url
        self.url = f"{base_url}/me"
        self.config: SandboxConfig = runtime.config
        self.api_key: str = runtime.api_key
        self.http = httpx2.Client(
            base_url=base_url, headers={"X-API-KEY": self.api_key}, timeout=10.0, trust_env=False
        )

    @property
    def store(self) -> Store:
        """The live store (assert on state directly; it is shared with the server thread, safely)."""
        return self._runtime.store

    @property
    def runtime(self) -> SandboxRuntime:
        return self._runtime

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        if self._server.loop is None:
            raise RuntimeError("the sandbox server has not started")
        return self._server.loop

    # ------------------------------------------------------------ HTTP helpers

    def graphql(
        self, query: str, variables: dict[str, Any] | None = None, operation_name: str | None = None
    ) -> Any:
        """POST a GraphQL request with the key and return the decoded JSON body (whatever it holds)."""
        payload: dict[str, Any] = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        if operation_name is not None:
            payload["operationName"] = operation_name
        response = self.http.post("/me", json=payload)
        return response.json()

    def complete_interview(
        self, interview_id: str, *, ip: str | None = None, user_agent: str | None = None
    ) -> Any:
        """Simulate the candidate finishing the interview (answers, transcripts, `interview.finish`)."""
        body = {k: v for k, v in (("ip", ip), ("userAgent", user_agent)) if v is not None}
        response = self.http.post(f"/_sandbox/interviews/{interview_id}/complete", json=body)
        response.raise_for_status()
        return response.json()

    def request_counts(self) -> dict[str, Any]:
        """`{"total", "by_operation_name", "by_root_field", "by_field"}` since start or the last reset."""
        response = self.http.get("/_sandbox/requests")
        response.raise_for_status()
        counts: dict[str, Any] = response.json()
        return counts

    def reset_request_counts(self) -> None:
        self.http.post("/_sandbox/requests/reset").raise_for_status()

    def set_fault(self, **rule: Any) -> str:
        """Add one fault rule (see faults.FaultRule, e.g. `kind="rate_limit", retry_after=1`); its id."""
        response = self.http.post("/_sandbox/faults", json=rule)
        response.raise_for_status()
        return str(response.json()["id"])

    def clear_faults(self) -> None:
        self.http.delete("/_sandbox/faults").raise_for_status()

    def drain_webhooks(self, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Wait until every scheduled webhook delivery ended; the delivery log."""
        self.http.post("/_sandbox/webhooks/drain", params={"timeout": timeout}).raise_for_status()
        return self.webhook_deliveries()

    def webhook_deliveries(self) -> list[dict[str, Any]]:
        response = self.http.get("/_sandbox/webhooks/deliveries")
        response.raise_for_status()
        deliveries: list[dict[str, Any]] = response.json()["deliveries"]
        return deliveries


def _free_socket(host: str) -> socket.socket:
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets whose proto says TCP; without it
    # every response (headers and body written apart) waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    sock.listen(128)
    sock.setblocking(False)
    return sock


@contextmanager
def serving(app: ASGIApp, *, lifespan: Literal["on", "off"] = "off") -> Iterator[tuple[str, _ThreadServer]]:
    """Serve any ASGI `app` on 127.0.0.1 in a background thread; yield its base URL and the server.

    Start-up waits on a readiness event, never a sleep; the `with` exit stops the server at once.
    """
    host = "127.0.0.1"
    sock = _free_socket(host)
    port = sock.getsockname()[1]
    uv_config = uvicorn.Config(app, lifespan=lifespan, log_config=None, log_level="warning", access_log=False)
    server = _ThreadServer(uv_config)
    failure: list[BaseException] = []

    def serve() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # noqa: BLE001 - reported to the starting thread below
            failure.append(exc)

    thread = threading.Thread(target=serve, name=f"loopback-server:{port}", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not server.ready.wait(0.005):
            if not thread.is_alive():
                raise RuntimeError("the server failed to start") from (failure[0] if failure else None)
            if time.monotonic() > deadline:
                raise TimeoutError(f"the server did not start within {STARTUP_TIMEOUT} s")
        yield f"http://{host}:{port}", server
    finally:
        server.request_stop()
        thread.join(SHUTDOWN_TIMEOUT)
        sock.close()
        if thread.is_alive():
            raise RuntimeError("the server did not stop in time")


@contextmanager
def running_sandbox(config: SandboxConfig | None = None, **overrides: Any) -> Iterator[RunningSandbox]:
    """Serve a fresh sandbox (default: in-memory, seed 1, demo data) on 127.0.0.1 for the `with` body."""
    config = dataclasses.replace(config or SandboxConfig(), **overrides)
    app = create_app(config)
    with serving(app, lifespan="on") as (base_url, server):
        sandbox = RunningSandbox(runtime_of(app), server, base_url)
        try:
            yield sandbox
        finally:
            sandbox.http.close()
