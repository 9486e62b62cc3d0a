"""What the server's lifespan builds once and every handler reads: `AppState`, and how to reach it.

Tools receive a `Context` and call `app_state(ctx)`. Handlers the SDK calls without a context
(resource templates, completions) read `request_app_state()`, which the `expose_app_state` middleware
sets for the duration of each request.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

from mcp.server.mcpserver import Context

if TYPE_CHECKING:
    from mcp.server import MCPServer
    from mcp.server.context import CallNext
    from mcp.server.context import HandlerResult
    from mcp.server.context import ServerRequestContext

    from hireflix_mcp.confirm import Confirmation
    from hireflix_mcp.events import EventStore
    from hireflix_mcp.hireflix.client import HireflixClient
    from hireflix_mcp.settings import Settings
    from hireflix_mcp.store.base import AuditTrail
    from hireflix_mcp.transcripts.service import TranscriptService

Ctx = Context[Any, Any]


@dataclass(frozen=True)
class AppState:
    """What the server's lifespan builds once and every tool call reads."""

    settings: Settings
    hireflix: HireflixClient
    confirmation: Confirmation
    events: EventStore
    transcripts: TranscriptService | None = None
    """The transcript index (`search_transcripts`, answer resources); None in servers built without one."""
    audit: AuditTrail | None = None
    """Where every tool call is recorded (`hireflix_mcp.audit`); None: not recorded."""


def app_state(ctx: Context[Any, Any]) -> AppState:
    state = ctx.request_context.lifespan_context
    if not isinstance(state, AppState):  # pragma: no cover - a wiring bug, not a user error
        raise TypeError("the server lifespan did not provide AppState")
    return state


def hireflix(ctx: Context[Any, Any]) -> HireflixClient:
    return app_state(ctx).hireflix


_app_state: ContextVar[AppState | None] = ContextVar("hireflix_mcp_app_state", default=None)


async def expose_app_state(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
    """Middleware: make this request's `AppState` readable by handlers that get no context."""
    state = ctx.lifespan_context if isinstance(ctx.lifespan_context, AppState) else None
    token = _app_state.set(state)
    try:
        return await call_next(ctx)
    finally:
        _app_state.reset(token)


def request_app_state() -> AppState:
    """The `AppState` of the request being handled (inside a handler wrapped by `expose_app_state`)."""
    state = _app_state.get()
    if state is None:  # pragma: no cover - a wiring bug, not a user error
        raise RuntimeError("no AppState for this request: is the expose_app_state middleware installed?")
    return state


def install_app_state_middleware(server: MCPServer[Any]) -> None:
    """Add `expose_app_state` to `server` once (idempotent)."""
    if expose_app_state not in server.middleware:
        server.middleware.append(expose_app_state)
