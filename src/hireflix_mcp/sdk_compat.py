"""Every use of the `mcp` SDK's private internals, in one place (written against mcp 2.3.0).

The product otherwise uses only the SDK's public API. Each function here reaches past it for one
reason, stated in its docstring with the behaviour it relies on; tests/test_sdk_compat.py checks that
each hook still exists on the installed SDK and is reached in a real flow, so an SDK upgrade that
moves one fails there, by name, rather than somewhere downstream.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from typing import cast

from anyio.abc import TaskGroup
from mcp.server import MCPServer
from mcp.server.connection import Connection
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.lowlevel.server import HandlerEntry
from mcp.server.mcpserver.tools import Tool
from mcp.server.streamable_http import StreamableHTTPServerTransport
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from pydantic import BaseModel


def request_connection(ctx: ServerRequestContext[Any, Any]) -> Connection:
    """The connection a lowlevel request handler's request arrived on.

    mcp 2.3.0: `ServerRequestContext.session` is a `ServerSession` built for each request around the
    connection (private `_connection`); the `Connection` is what outlives the request and sends
    `notifications/resources/updated` on the client's standalone stream, so handshake-era resource
    subscriptions are kept per connection. The SDK hands lowlevel handlers no public handle on it
    (`mcpserver.Context.connection` exists, but lowlevel handlers do not get that context).
    """
    connection: Connection = ctx.session._connection
    return connection


def lowlevel_server(server: MCPServer[Any]) -> Server[Any]:
    """The lowlevel `Server` inside `server` (private `_lowlevel_server` in mcp 2.3.0).

    `MCPServer` has no public registration for the handshake-era `resources/subscribe` and
    `resources/unsubscribe` methods (nor `logging/setLevel`); the lowlevel server's public
    `add_request_handler` does, and its capabilities (`resources.subscribe`) follow from what it serves.
    """
    lowlevel: Server[Any] = server._lowlevel_server
    return lowlevel


def request_handlers(server: MCPServer[Any]) -> Mapping[str, HandlerEntry[Any]]:
    """A copy of every request handler `server` serves, by method (private `_request_handlers`).

    mcp 2.3.0 offers `get_request_handler(method)` but no listing; `add_request_handler` silently
    replaces an existing entry (a new `HandlerEntry` each time), so comparing two copies shows what a
    registration replaced. The conformance launcher (tests/conformance) uses it to refuse a fixture that
    would replace a product handler.
    """
    return dict(lowlevel_server(server)._request_handlers)


def forbid_unknown_arguments(tool: Tool) -> None:
    """Make `tool` reject argument names it does not have, naming them, and publish the matching schema.

    mcp 2.3.0 validates `tools/call` arguments with `tool.fn_metadata.arg_model` (a pydantic model built
    from the function's signature, subclassing `ArgModelBase`), which ignores unknown keys: a misspelt
    `confirmation_token` would silently vanish. The model is swapped for a subclass with
    `extra="forbid"`. The published schema (`tool.parameters`) is the SDK's, with
    `additionalProperties: false` set on its root to match, rather than generated again (that doubled
    the cost of building every tool at start-up). Callers may compact the schema afterwards.
    """
    loose = tool.fn_metadata.arg_model
    strict: type[BaseModel] = type(
        loose.__name__, (loose,), {"model_config": {**loose.model_config, "extra": "forbid"}}
    )
    tool.fn_metadata.arg_model = strict  # type: ignore[assignment]  # a subclass of the SDK's ArgModelBase
    tool.parameters = {**tool.parameters, "additionalProperties": False}


def close_longest_idle_sessions(manager: StreamableHTTPSessionManager, max_sessions: int) -> None:
    """Make `manager` keep at most `max_sessions` stateful sessions by closing the longest idle one to
    admit a new client, instead of turning the new client away.

    mcp 2.3.0 admits a session in the private `_admit_session(requestor)` (called under its
    `_session_creation_lock`, so admissions are serialised) and answers 503 once `max_sessions` are open:
    a flood of initialize requests then holds memory for the idle timeout (30 minutes) and locks every new
    client out. This wraps `_admit_session` on this one manager: at the limit it first forgets the longest
    idle session (`_server_instances`, session id to transport in admission order, and `_session_owners`),
    so that its id answers 404 from then on and its client starts again as the spec says, and terminates its
    transport on the manager's `_task_group` (the private `_discard_session`), which ends the session's task
    and frees it. How long a session has been idle is the transport's own bookkeeping: no request in flight
    (`_requests_in_flight`, an open GET stream counts) and the earliest `idle_scope.deadline`, which the
    transport sets to "last request done + idle timeout". Sessions with a request in flight go only when
    every session has one, oldest first.
    """
    admit = manager._admit_session

    def idleness(item: tuple[str, StreamableHTTPServerTransport]) -> tuple[bool, float]:
        transport = item[1]
        scope = transport.idle_scope
        return transport._requests_in_flight > 0, scope.deadline if scope is not None else float("-inf")

    def admit_closing_the_longest_idle(requestor: Any) -> StreamableHTTPServerTransport | None:
        sessions = manager._server_instances
        # Set while the manager runs (mypy reads its `None` initial value as its only type).
        task_group = cast("TaskGroup | None", manager._task_group)
        while len(sessions) >= max_sessions and task_group is not None:
            session_id, transport = min(sessions.items(), key=idleness)
            sessions.pop(session_id)
            manager._session_owners.pop(session_id, None)
            task_group.start_soon(manager._discard_session, session_id, transport)
        return admit(requestor)

    manager._admit_session = admit_closing_the_longest_idle  # type: ignore[method-assign]
