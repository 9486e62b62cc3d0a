"""What every tool module shares: the per-server state, id argument types, and error translation.

Errors: bad arguments never reach a tool body (pydantic rejects them, naming the field and the rule);
Hireflix failures arrive as `HireflixError` and leave as a `ToolError` written for the model: what
failed, whether retrying can help and when.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ParamSpec, TypeVar

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from hireflix_mcp.confirm import Approval, Confirmation, Gate, InvalidConfirmationToken
from hireflix_mcp.events import EventStore
from hireflix_mcp.hireflix.client import HireflixClient
from hireflix_mcp.hireflix.errors import HireflixError, NotFoundError
from hireflix_mcp.settings import Settings

logger = logging.getLogger("hireflix_mcp.tools")

HEX_ID = r"^[0-9a-f]{24}$"

Ctx = Context[Any, Any]

PositionId = Annotated[str, Field(pattern=HEX_ID, description="From list_positions.")]
InterviewId = Annotated[str, Field(pattern=HEX_ID, description="From search_interviews or find_candidate.")]
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
Email = Annotated[
    str, Field(pattern=EMAIL_PATTERN, min_length=3, max_length=254, description="E-mail address.")
]
ConfirmationToken = Annotated[
    str | None,
    Field(
        max_length=400,
        description="Omit at first. After confirmation_required, and only once the user agrees, pass the "
        "returned token with the same arguments.",
    ),
]


@dataclass(frozen=True)
class AppState:
    """What the server's lifespan builds once and every tool call reads."""

    settings: Settings
    hireflix: HireflixClient
    confirmation: Confirmation
    events: EventStore


def app_state(ctx: Context[Any, Any]) -> AppState:
    state = ctx.request_context.lifespan_context
    if not isinstance(state, AppState):  # pragma: no cover - a wiring bug, not a user error
        raise TypeError("the server lifespan did not provide AppState")
    return state


def hireflix(ctx: Context[Any, Any]) -> HireflixClient:
    return app_state(ctx).hireflix


# Where a model finds valid ids, by the kind of object Hireflix could not find.
WHERE_IDS_COME_FROM = {
    "position": "list_positions",
    "interview": "search_interviews or find_candidate",
    "webhook": "list_webhooks",
    "member": "list_members",
}


def describe_upstream_error(exc: HireflixError) -> str:
    """The model-facing text for a Hireflix failure, with explicit retry advice."""
    text = str(exc)
    if isinstance(exc, NotFoundError) and exc.kind in WHERE_IDS_COME_FROM:
        text += f" Valid {exc.kind} ids come from {WHERE_IDS_COME_FROM[exc.kind]}."
    if "retry" in text.lower():  # the client's message already advises
        return text
    if exc.retryable:
        when = f" after {exc.retry_after:.0f} s" if exc.retry_after else " in a few seconds"
        advice = f"Retrying may help: retry{when}."
    else:
        advice = "Retrying the same call will not help."
    return f"{text} {advice}"


P = ParamSpec("P")
R = TypeVar("R")


def upstream_errors(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Translate `HireflixError` into a `ToolError` the model can act on (the signature is kept)."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await fn(*args, **kwargs)
        except HireflixError as exc:
            logger.info("%s failed upstream: %s", fn.__name__, type(exc).__name__)
            raise ToolError(describe_upstream_error(exc)) from exc

    return wrapper


def gate(ctx: Ctx, tool: str, arguments: Mapping[str, Any], token: str | None, approval: Approval) -> Gate:
    """Apply the confirmation policy to one call of a gated tool.

    `arguments` are the validated arguments that define the action (not the token); a token is bound to
    exactly these. A token that cannot authorise the call is a tool error saying why; nothing changes.
    """
    try:
        return app_state(ctx).confirmation.decide(tool, arguments, token, approval)
    except InvalidConfirmationToken as exc:
        raise ToolError(str(exc)) from exc
