"""Serve the product with the conformance suite's fixtures, over streamable HTTP (tests only).

    python -m tests.conformance.launcher --port 8123        # from the repository root

The server is the one `hireflix-mcp serve --transport http --sandbox` runs: `build_server` with the
default profile against an embedded Hireflix sandbox, with the sandbox's webhook secret (so the product
serves `resources/subscribe`), and `http_app` on loopback. Then `add_fixtures` adds the suite's fixture
tools, resources and prompts (tests/conformance/fixtures.py) to that same server object, and fails,
before anything is served, if that replaced a request handler the product had registered: the suite
must test the product's handlers, not a fixture's. SSE streams are made resumable (`event_store`), which
the suite's polling scenario checks.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections import deque
from collections.abc import Callable
from collections.abc import Sequence
from typing import Any

from mcp.server import MCPServer
from mcp.server.streamable_http import EventCallback
from mcp.server.streamable_http import EventMessage
from mcp.server.streamable_http import EventStore
from mcp.types import JSONRPCMessage
from pydantic import SecretStr
from starlette.types import ASGIApp

from hireflix_mcp.sdk_compat import request_handlers
from hireflix_mcp.server import build_server
from hireflix_mcp.server import http_app
from hireflix_mcp.settings import Settings
from hireflix_sandbox.embedded import running_sandbox
from tests.conformance.fixtures import FixtureState
from tests.conformance.fixtures import add_conformance_fixtures

HOST = "127.0.0.1"
SSE_RETRY_INTERVAL_MS = 100
"""Reconnection delay suggested to the suite's clients on resumable SSE streams."""


class FixtureReplacesProductHandler(RuntimeError):
    """Adding the conformance fixtures replaced (or removed) a request handler the product registered."""


class InMemorySSEEventStore(EventStore):
    """Makes SSE streams resumable: the polling scenario (SEP-1699) closes a stream mid-call and the
    client reconnects with Last-Event-ID. Bounded, since a fixture server can run for a while."""

    def __init__(self, max_events: int = 10_000) -> None:
        self._events: deque[tuple[str, int, JSONRPCMessage | None]] = deque(maxlen=max_events)
        self._next_id = 0

    async def store_event(self, stream_id: str, message: JSONRPCMessage | None) -> str:
        self._next_id += 1
        self._events.append((stream_id, self._next_id, message))
        return str(self._next_id)

    async def replay_events_after(self, last_event_id: str, send_callback: EventCallback) -> str | None:
        try:
            after = int(last_event_id)
        except ValueError:
            return None
        stream = next((sid for sid, eid, _ in self._events if eid == after), None)
        if stream is None:
            return None
        for sid, eid, message in list(self._events):
            # None marks a priming event: nothing to replay.
            if sid == stream and eid > after and message is not None:
                await send_callback(EventMessage(message, str(eid)))
        return stream


def add_fixtures(
    server: MCPServer[Any],
    add: Callable[[MCPServer[Any]], FixtureState] = add_conformance_fixtures,
) -> FixtureState:
    """`add(server)`, refusing the result if it replaced or removed a request handler `server` had."""
    before = request_handlers(server)
    state = add(server)
    after = request_handlers(server)
    replaced = sorted(method for method, entry in before.items() if after.get(method) is not entry)
    if replaced:
        raise FixtureReplacesProductHandler(
            f"conformance fixtures replaced the product's handler for {', '.join(replaced)}: the suite "
            "would test the fixture instead of the product. Let the product's handler serve it."
        )
    return state


def fixture_settings(sandbox_url: str, api_key: str, webhook_secret: str, port: int) -> Settings:
    """The settings `serve --transport http --sandbox` runs with (no HIREFLIX_* from outside)."""
    return Settings(
        api_url=sandbox_url,
        api_key=SecretStr(api_key),
        webhook_secret=SecretStr(webhook_secret),
        public_url=f"http://{HOST}:{port}",
    )


def fixture_app(settings: Settings, port: int) -> ASGIApp:
    """The product's HTTP app with the fixtures added to its server."""
    server = build_server(settings)
    add_fixtures(server)
    return http_app(
        server,
        settings,
        host=HOST,
        port=port,
        event_store=InMemorySSEEventStore(),
        retry_interval=SSE_RETRY_INTERVAL_MS,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.conformance.launcher", description=__doc__)
    parser.add_argument("--port", type=int, required=True, help="loopback port to serve /mcp on")
    parser.add_argument("--sandbox-db", default=":memory:", help="sandbox SQLite file (default in memory)")
    args = parser.parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    import uvicorn

    with running_sandbox(db_path=args.sandbox_db) as sandbox:
        settings = fixture_settings(sandbox.url, sandbox.api_key, sandbox.runtime.webhook_secret, args.port)
        app = fixture_app(settings, args.port)
        uvicorn.run(app, host=HOST, port=args.port, log_level="info", log_config=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
