"""Who is calling: the person behind a tool call, for scopes and the audit trail.

Over stdio, and over HTTP with the static `HIREFLIX_MCP_AUTH_TOKEN`, there is one person: `LOCAL`,
with every scope. In OAuth mode the HTTP layer validates the access token and sets the caller for the
duration of the request (`caller_scope`); handlers read it with `current_caller()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Caller:
    """The person behind a request. `scopes is None` means unrestricted (one-person deployments)."""

    sub: str
    email: str | None = None
    name: str | None = None
    scopes: frozenset[str] | None = None

    @property
    def label(self) -> str:
        """How the audit trail names the person: e-mail, else name, else subject."""
        return self.email or self.name or self.sub


LOCAL = Caller(sub="local")

_caller: ContextVar[Caller] = ContextVar("hireflix_mcp_caller", default=LOCAL)


def current_caller() -> Caller:
    return _caller.get()


@contextmanager
def caller_scope(caller: Caller) -> Iterator[None]:
    token = _caller.set(caller)
    try:
        yield
    finally:
        _caller.reset(token)
