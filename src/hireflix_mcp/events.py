"""The interview events this server received from Hireflix webhooks, kept for `list_webhook_events`.

The webhook receiver (a route of the HTTP server) verifies each POST and calls `EventStore.add` with the
event name, its `date`, its `data` and the raw body. Hireflix documents no replay protection, and a
delivery can be retried, so the store de-duplicates by a hash of the raw body: the same delivery twice
is one event. `EventStore` is the small interface several replicas could share; `SqliteEventStore`
keeps events in one SQLite file (or in memory), safe to use from several threads.
"""

from __future__ import annotations

import builtins
import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class StoredEvent:
    """One accepted webhook event."""

    digest: str
    """SHA-256 of the raw body, hex: the event's identity."""
    event: str
    date_ms: float
    """When Hireflix says the event happened (the body's `date`, epoch ms)."""
    data: dict[str, Any]
    """The interview snapshot as Hireflix sent it (candidate-written, unsanitised)."""
    received_ms: float


class EventStore(Protocol):
    """Received webhook events: add once, list newest first."""

    def add(self, event_name: str, date_ms: float, data: Mapping[str, Any], raw_body: bytes) -> bool:
        """Keep one event; False when the same raw body was added before (nothing changes)."""
        ...

    def list(
        self, since_ms: float | None = None, event: str | None = None, limit: int = 20
    ) -> builtins.list[StoredEvent]:
        """Events dated at or after `since_ms`, of type `event` when given, newest first, at most `limit`."""
        ...

    def count(self) -> int:
        """How many events are kept."""
        ...

    def close(self) -> None: ...


class SqliteEventStore:
    """`EventStore` in SQLite: `":memory:"` for one process, a file path to survive restarts."""

    def __init__(self, path: str = ":memory:", clock: Callable[[], float] = time.time) -> None:
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        if path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS webhook_events ("
            " digest TEXT PRIMARY KEY, event TEXT NOT NULL, date_ms REAL NOT NULL,"
            " data TEXT NOT NULL, received_ms REAL NOT NULL)"
        )
        self._db.execute("CREATE INDEX IF NOT EXISTS webhook_events_date ON webhook_events (date_ms DESC)")
        # One connection shared by threads: sqlite3 serialises calls, but not a check-then-act sequence.
        self._lock = threading.Lock()
        self._clock = clock

    def add(self, event_name: str, date_ms: float, data: Mapping[str, Any], raw_body: bytes) -> bool:
        digest = hashlib.sha256(raw_body).hexdigest()
        row = (digest, event_name, float(date_ms), json.dumps(dict(data)), self._clock() * 1000)
        with self._lock:
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO webhook_events (digest, event, date_ms, data, received_ms) "
                "VALUES (?, ?, ?, ?, ?)",
                row,
            )
            return cursor.rowcount == 1

    def list(
        self, since_ms: float | None = None, event: str | None = None, limit: int = 20
    ) -> builtins.list[StoredEvent]:
        if limit < 1:
            return []
        sql = "SELECT digest, event, date_ms, data, received_ms FROM webhook_events WHERE 1=1"
        params: builtins.list[Any] = []
        if since_ms is not None:
            sql += " AND date_ms >= ?"
            params.append(float(since_ms))
        if event is not None:
            sql += " AND event = ?"
            params.append(event)
        sql += " ORDER BY date_ms DESC, received_ms DESC, digest LIMIT ?"
        params.append(limit)
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        return [
            StoredEvent(digest=r[0], event=r[1], date_ms=r[2], data=json.loads(r[3]), received_ms=r[4])
            for r in rows
        ]

    def count(self) -> int:
        with self._lock:
            (total,) = self._db.execute("SELECT COUNT(*) FROM webhook_events").fetchone()
        return int(total)

    def close(self) -> None:
        with self._lock:
            self._db.close()
