"""`StateStore` in SQLite: a file (shared by the processes of one machine, kept across restarts) or
`:memory:` (one process). The single-user default: nothing to run beside the server.

Spent nonces and the audit trail are opened when the store is built and live as long as it; webhook
events open with the first server lifespan and close with the last (a `:memory:` event store lives exactly
as long as something uses it). SQLite has no channel between processes, so a webhook received by one
process is seen by the others' `list_webhook_events` (same file) but does not notify their subscribers.
"""

from __future__ import annotations

import builtins
import json
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from typing import Any

from hireflix_mcp.confirm import MemorySpentTokens
from hireflix_mcp.confirm import SpentTokenStore
from hireflix_mcp.confirm import SqliteSpentTokens
from hireflix_mcp.events import DEFAULT_RETENTION_DAYS
from hireflix_mcp.events import MAX_STORED_EVENTS
from hireflix_mcp.events import SqliteEventStore
from hireflix_mcp.events import SqlQueries
from hireflix_mcp.store.base import OUTCOMES
from hireflix_mcp.store.base import AuditEntry
from hireflix_mcp.store.base import ForwardedState

AUDIT_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS audit_log ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, at_ms REAL NOT NULL, sub TEXT NOT NULL, person TEXT,"
    " client TEXT, tool TEXT NOT NULL, outcome TEXT NOT NULL, ids TEXT NOT NULL, operations TEXT NOT NULL,"
    " duration_ms REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at_ms)",
    "CREATE INDEX IF NOT EXISTS audit_log_sub ON audit_log (sub, at_ms)",
)


def entry_row(entry: AuditEntry) -> tuple[Any, ...]:
    """An entry as the columns both stores keep (ids and operations as JSON text)."""
    return (
        entry.at.timestamp() * 1000,
        entry.sub,
        entry.person,
        entry.client,
        entry.tool,
        entry.outcome,
        json.dumps(dict(entry.ids), separators=(",", ":")),
        json.dumps(list(entry.operations), separators=(",", ":")),
        entry.duration_ms,
    )


def row_entry(row: tuple[Any, ...]) -> AuditEntry:
    """The entry a row of `entry_row` columns holds (an unknown outcome reads as "error")."""
    at_ms, sub, person, client, tool, outcome, ids, operations, duration_ms = row
    return AuditEntry(
        at=datetime.fromtimestamp(at_ms / 1000, UTC),
        sub=sub,
        person=person,
        client=client,
        tool=tool,
        outcome=outcome if outcome in OUTCOMES else "error",
        ids=json.loads(ids) if isinstance(ids, str) else dict(ids),
        operations=tuple(json.loads(operations) if isinstance(operations, str) else operations),
        duration_ms=float(duration_ms),
    )


AUDIT_COLUMNS = "at_ms, sub, person, client, tool, outcome, ids, operations, duration_ms"


class ListedAuditTrail(SqlQueries):
    """The audit listing both SQL stores share: `audit` over one query (`SqlQueries`)."""

    def audit(
        self, since: datetime | None = None, sub: str | None = None, limit: int = 1000
    ) -> builtins.list[AuditEntry]:
        sql = f"SELECT {AUDIT_COLUMNS} FROM audit_log WHERE 1=1"  # noqa: S608 - constant columns
        params: builtins.list[Any] = []
        if since is not None:
            sql += " AND at_ms >= ?"
            params.append(since.timestamp() * 1000)
        if sub is not None:
            sql += " AND sub = ?"
            params.append(sub)
        sql += " ORDER BY at_ms DESC, id DESC LIMIT ?"
        params.append(limit)
        return [row_entry(row) for row in reversed(self._query(sql, params))]


class SqliteAuditTrail(ListedAuditTrail):
    """The audit trail in one SQLite database (a file, or this process's memory)."""

    def __init__(self, path: str) -> None:
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        if path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA busy_timeout=5000")
        for statement in AUDIT_SCHEMA:
            self._db.execute(statement)
        self._lock = threading.Lock()

    def record(self, entry: AuditEntry) -> None:
        with self._lock:
            self._db.execute(
                f"INSERT INTO audit_log ({AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
                entry_row(entry),
            )

    def _fetch(self, sql: str, params: builtins.list[Any]) -> builtins.list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def close(self) -> None:
        with self._lock:
            self._db.close()


class SqliteState(ForwardedState):
    """`StateStore` on SQLite (see the module docstring)."""

    shared_across_hosts = False

    def __init__(
        self,
        path: str = ":memory:",
        *,
        retention_days: float = DEFAULT_RETENTION_DAYS,
        max_events: int = MAX_STORED_EVENTS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.location = path
        self._path = path
        self._retention_days = retention_days
        self._max_events = max_events
        self._clock = clock
        self.spent: SpentTokenStore = (
            MemorySpentTokens(clock) if path == ":memory:" else SqliteSpentTokens(path, clock)
        )
        self.trail = SqliteAuditTrail(path)
        self._events: SqliteEventStore | None = None

    def open(self, on_remote_event: Callable[[], None] | None = None) -> None:
        if self._events is None:
            self._events = SqliteEventStore(
                self._path, self._clock, retention_days=self._retention_days, max_events=self._max_events
            )

    def close(self) -> None:
        events, self._events = self._events, None
        if events is not None:
            events.close()

    @property
    def events(self) -> SqliteEventStore:
        if self._events is None:
            from hireflix_mcp.webhooks import StoreUnavailable

            raise StoreUnavailable("the event store is not open")
        return self._events

    def _spent_tokens(self) -> SpentTokenStore:
        return self.spent

    def _event_store(self) -> SqliteEventStore:
        return self.events

    def _audit_trail(self) -> SqliteAuditTrail:
        return self.trail
