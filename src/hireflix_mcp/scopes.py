"""What each OAuth scope lets a person do, and the refusal that names the scope a tool needs.

Three nested scopes: `hireflix:read` (read tools and resources), `hireflix:write` (also the tools that
change positions, interviews, reviews and links, confirmed ones included) and `hireflix:admin` (also
the account and webhooks toolsets, the webhook event feed and the audit trail). A higher scope
includes the lower ones. A caller whose `scopes` is None (stdio, the static bearer token) may do
everything.

This module is imported on every start: it knows names and rules only, nothing of JWT or HTTP.
"""

from __future__ import annotations

from collections.abc import Iterable

from hireflix_mcp.identity import Caller
from hireflix_mcp.identity import current_caller

READ = "hireflix:read"
WRITE = "hireflix:write"
ADMIN = "hireflix:admin"
SCOPES: tuple[str, ...] = (READ, WRITE, ADMIN)
"""Every scope this server understands, lowest first (published as `scopes_supported`)."""

ADMIN_TOOLSETS = frozenset({"account", "webhooks"})
ADMIN_RESOURCES = frozenset({"hireflix://events", "hireflix://audit"})
"""Resources that expose webhook data or the audit trail: listed and read with `hireflix:admin` only."""

_RANK = {scope: rank for rank, scope in enumerate(SCOPES)}


def tool_scope(toolset: str, kind: str) -> str:
    """The lowest scope that may list and call a tool of this toolset and kind."""
    if toolset in ADMIN_TOOLSETS:
        return ADMIN
    return READ if kind == "read" else WRITE


def resource_scope(uri: str) -> str:
    """The lowest scope that may list and read the resource at `uri`."""
    return ADMIN if uri in ADMIN_RESOURCES else READ


def granted(held: Iterable[str] | None, needed: str) -> bool:
    """Whether scopes `held` (None: unrestricted) include `needed`, counting the nesting."""
    if held is None:
        return True
    return any(_RANK.get(scope, -1) >= _RANK[needed] for scope in held)


def allows(caller: Caller, needed: str) -> bool:
    return granted(caller.scopes, needed)


def held_text(held: Iterable[str] | None) -> str:
    """The hireflix scopes a token holds, for a message: 'hireflix:read' or 'no hireflix scope'."""
    mine = [scope for scope in SCOPES if held is not None and scope in held]
    return ", ".join(mine) if mine else "no hireflix scope"


def refusal(what: str, needed: str, held: Iterable[str] | None) -> str:
    """The error for `what` (a tool or resource) outside the caller's scopes, naming the scope needed."""
    return (
        f"{what} needs the {needed} scope; your sign-in has {held_text(held)}. Nothing was sent. "
        f"Ask an administrator of your identity provider to grant {needed}, then sign in again."
    )


def refused(what: str, needed: str) -> str | None:
    """The refusal for the current caller when `needed` is above their scopes, else None."""
    caller = current_caller()
    return None if allows(caller, needed) else refusal(what, needed, caller.scopes)
