"""What a replica keeps between requests, behind one small interface (`StateStore`).

Three kinds of state, each shared by every replica that points `HIREFLIX_MCP_STATE_DB` at the same store:
- spent confirmation nonces (`spend`: one atomic insert, so a token is accepted once across replicas);
- received webhook events (the `events.EventStore` methods, with retention);
- the audit trail (`record`, `audit`): one `AuditEntry` per tool call, holding ids but no candidate data.

A store is built at start (no I/O), opened by the first server lifespan and closed by the last
(`SharedState`, in `store/__init__.py`). `open(on_remote_event)` also subscribes to events stored by other
replicas: PostgreSQL calls `on_remote_event` (from another thread) after another replica stored one;
SQLite, which has no such channel, never does.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any
from typing import Literal
from typing import Protocol

from hireflix_mcp.confirm import SpentTokenStore
from hireflix_mcp.events import EventStore
from hireflix_mcp.events import ForwardedEventStore

Outcome = Literal["ok", "refused", "confirmation_asked", "declined", "error"]
OUTCOMES: tuple[Outcome, ...] = ("ok", "refused", "confirmation_asked", "declined", "error")

ID_TEXT = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
"""What an id recorded in the audit trail looks like; anything else is not kept (it may be free text)."""
MAX_IDS = 50
"""Ids kept per entity and call (a bulk call names more; the entry then says how many were left out)."""
MAX_OPERATIONS = 50
"""Operation names kept per call (the first ones sent)."""


@dataclass(frozen=True)
class AuditEntry:
    """One tool call, as the audit trail keeps it: who, what, how it ended, which ids, which operations."""

    at: datetime
    """When the call started (UTC)."""
    sub: str
    """The person's subject ("local" over stdio and with the static bearer token)."""
    person: str | None
    """Their e-mail or name, when the sign-in said it."""
    client: str | None
    """The MCP client's name from its clientInfo (as the client says; not verified)."""
    tool: str
    outcome: Outcome
    ids: Mapping[str, builtins.list[str]] = field(default_factory=dict)
    """Entity ("interview", "position", "member", ...) to the ids the call named."""
    operations: tuple[str, ...] = ()
    """The upstream GraphQL operation names sent, in order (a retried request counts once)."""
    duration_ms: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat().replace("+00:00", "Z"),
            "sub": self.sub,
            "person": self.person,
            "client": self.client,
            "tool": self.tool,
            "outcome": self.outcome,
            "ids": {entity: list(ids) for entity, ids in self.ids.items()},
            "operations": list(self.operations),
            "duration_ms": round(self.duration_ms, 1),
        }


class AuditTrail(Protocol):
    def record(self, entry: AuditEntry) -> None:
        """Keep one entry."""
        ...

    def audit(
        self, since: datetime | None = None, sub: str | None = None, limit: int = 1000
    ) -> builtins.list[AuditEntry]:
        """Entries at or after `since`, of subject `sub` when given, oldest first, the newest `limit`."""
        ...


class StateStore(EventStore, AuditTrail, Protocol):
    """Everything a replica shares with the others (see the module docstring): spent confirmation nonces,
    webhook events (`events.EventStore`) and the audit trail (`AuditTrail`)."""

    location: str
    """Where the state lives, for logs and the doctor: a path, ":memory:", or a URL without password."""
    shared_across_hosts: bool
    """Whether replicas on other machines see the same state (PostgreSQL) or not (SQLite)."""

    def open(self, on_remote_event: Callable[[], None] | None = None) -> None: ...

    def close(self) -> None: ...

    def spend(self, nonce: str, expires_at: float) -> bool:
        """Mark `nonce` spent; False if it already was (by any replica)."""
        ...


class ForwardedState(ForwardedEventStore):
    """The `StateStore` calls passed on: nonces to `_spent_tokens()`, webhook events to `_event_store()`,
    the audit trail to `_audit_trail()` (one object, or the parts a store is made of)."""

    def _spent_tokens(self) -> SpentTokenStore:
        raise NotImplementedError

    def _audit_trail(self) -> AuditTrail:
        raise NotImplementedError

    def spend(self, nonce: str, expires_at: float) -> bool:
        return self._spent_tokens().spend(nonce, expires_at)

    def record(self, entry: AuditEntry) -> None:
        self._audit_trail().record(entry)

    def audit(
        self, since: datetime | None = None, sub: str | None = None, limit: int = 1000
    ) -> builtins.list[AuditEntry]:
        return self._audit_trail().audit(since, sub, limit)


def clean_ids(ids: Mapping[str, builtins.list[str]]) -> dict[str, builtins.list[str]]:
    """`ids` with only id-shaped values, at most `MAX_IDS` per entity, entities in a stable order."""
    kept: dict[str, builtins.list[str]] = {}
    for entity in sorted(ids):
        values = [value for value in ids[entity] if ID_TEXT.fullmatch(value)]
        if values:
            kept[entity] = values[:MAX_IDS]
    return kept
