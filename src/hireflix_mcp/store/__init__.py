"""The shared state of a replica (`HIREFLIX_MCP_STATE_DB`): SQLite for one person, PostgreSQL for a team.

`open_state(settings)` picks the implementation from the setting: `:memory:` or a file path is SQLite
(`store.sqlite`), a `postgresql://` URL is PostgreSQL (`store.postgres`, imported only then). `SharedState`
wraps it for a built server: the first lifespan opens it and the last closes it, and it stands in for it
(spent nonces, events, audit) wherever the server needs one object before any lifespan ran.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from hireflix_mcp.dsn import is_postgres_url
from hireflix_mcp.store.base import OUTCOMES
from hireflix_mcp.store.base import AuditEntry
from hireflix_mcp.store.base import AuditTrail
from hireflix_mcp.store.base import ForwardedState
from hireflix_mcp.store.base import Outcome
from hireflix_mcp.store.base import StateStore
from hireflix_mcp.store.sqlite import SqliteState

if TYPE_CHECKING:
    from hireflix_mcp.settings import Settings

__all__ = [
    "OUTCOMES",
    "AuditEntry",
    "AuditTrail",
    "Outcome",
    "SharedState",
    "StateStore",
    "open_state",
]


def open_state(settings: Settings) -> StateStore:
    """The store `settings.state_db` names, built but not opened (no I/O yet for PostgreSQL)."""
    if is_postgres_url(settings.state_db):
        from hireflix_mcp.store.postgres import PostgresState

        return PostgresState(settings.state_db, retention_days=settings.event_retention_days)
    return SqliteState(settings.state_db, retention_days=settings.event_retention_days)


class SharedState(ForwardedState):
    """One `StateStore` per built server, opened by the first lifespan that enters `opened()` and closed
    by the last to leave, and usable in its place (it delegates every call to it)."""

    def __init__(self, store: StateStore) -> None:
        self.store = store
        self._users = 0
        self._lock = threading.Lock()

    @property
    def location(self) -> str:
        return self.store.location

    @contextmanager
    def opened(self, on_remote_event: Callable[[], None] | None = None) -> Iterator[StateStore]:
        """The open store; `on_remote_event` (from the first opener) hears other replicas' events."""
        with self._lock:
            if self._users == 0:
                self.store.open(on_remote_event)
            self._users += 1
        try:
            yield self.store
        finally:
            with self._lock:
                self._users -= 1
                if self._users == 0:
                    self.store.close()

    def _event_store(self) -> StateStore:
        return self.store

    _spent_tokens = _audit_trail = _event_store  # every call goes to the one store

    def close(self) -> None:
        """Closing happens when the last user leaves `opened()`; nothing to do here."""
