"""Every use of the `mcp` SDK's private internals, in one place (written against mcp 2.3.0).

The product otherwise uses only the SDK's public API. Each function here reaches past it for one
reason, stated in its docstring with the behaviour it relies on; tests/test_sdk_compat.py checks that
each hook still exists on the installed SDK and is reached in a real flow, so an SDK upgrade that
moves one fails there, by name, rather than somewhere downstream.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mcp.server import MCPServer
from mcp.server.connection import Connection
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.lowlevel.server import HandlerEntry
from mcp.server.mcpserver.tools import Tool
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
    `extra="forbid"`, and `tool.parameters` (the published input schema) is regenerated from it, so it
    says `additionalProperties: false`. Callers may compact the schema afterwards.
    """
    loose = tool.fn_metadata.arg_model
    strict: type[BaseModel] = type(
        loose.__name__, (loose,), {"model_config": {**loose.model_config, "extra": "forbid"}}
    )
    tool.fn_metadata.arg_model = strict  # type: ignore[assignment]  # a subclass of the SDK's ArgModelBase
    tool.parameters = strict.model_json_schema(by_alias=True)
