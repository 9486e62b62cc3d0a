"""The interview events this server received from Hireflix webhooks, kept for `list_webhook_events`.

The webhook receiver (a route of the HTTP server) verifies each POST and calls `EventStore.add` with the
event name, its `date`, its `data` and the raw body. Hireflix documents no replay protection, and a
delivery can be retried, so the store de-duplicates by a hash of the raw body: the same delivery twice
is one event. `EventStore` is the small interface replicas share (`hireflix_mcp.store`); `SqliteEventStore`
keeps events in one SQLite file (or in memory), safe to use from several threads, for
`HIREFLIX_MCP_EVENT_RETENTION_DAYS` (30 by default) after they arrived, and at most `MAX_STORED_EVENTS`;
`store.postgres.PostgresState` keeps them in PostgreSQL with the same rules (`ListedEventStore` is the
listing and the forgetting both share). `ForwardedEventStore` is the base of the wrappers that stand in
for a store.

What may be stored is decided at the door (`valid_event_name`, `valid_event_date`); a row that still
cannot be read back (written by an older version, or by hand) is skipped and logged, never allowed to
break a listing.
"""

from __future__ import annotations

import builtins
import hashlib
import json
import logging
import math
import re
import sqlite3
import threading
import time
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from typing import Protocol
from typing import TypeGuard

logger = logging.getLogger("hireflix_mcp.events")

EVENT_NAME = re.compile(r"[a-z]+(\.[a-z-]+)+")
"""What an event name looks like: Hireflix's five (`interview.finish`, `interview.status-change`, ...)
all match it, and so will one it adds later."""
MAX_EVENT_NAME = 100
EARLIEST_EVENT_MS = 946_684_800_000.0
"""2000-01-01T00:00:00Z: no interview event is older."""
LATEST_EVENT_MS = 4_102_444_800_000.0
"""2100-01-01T00:00:00Z: a date past this is not a clock's, and would not fit a date type."""

DEFAULT_RETENTION_DAYS = 30
MAX_STORED_EVENTS = 100_000
"""However fast events arrive, the store keeps at most this many (the newest received)."""
PRUNE_INTERVAL_SECONDS = 60.0
DAY_MS = 86_400_000.0


def valid_event_name(name: object) -> TypeGuard[str]:
    return isinstance(name, str) and len(name) <= MAX_EVENT_NAME and EVENT_NAME.fullmatch(name) is not None


def valid_event_date(date_ms: object) -> TypeGuard[int | float]:
    """A finite number of epoch milliseconds between 2000 and 2100 (not a bool)."""
    if isinstance(date_ms, bool) or not isinstance(date_ms, int | float):
        return False
    # An int is compared as an int: float(10**400) would raise OverflowError.
    return (isinstance(date_ms, int) or math.isfinite(date_ms)) and (
        EARLIEST_EVENT_MS <= date_ms <= LATEST_EVENT_MS
    )


@dataclass(frozen=True)
class EventKey:
    """Where an event sits in the newest-first order: a listing continues after one."""

    date_ms: float
    received_ms: float
    digest: str


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

    @property
    def key(self) -> EventKey:
        return EventKey(self.date_ms, self.received_ms, self.digest)


class EventStore(Protocol):
    """Received webhook events: add once, list newest first."""

    def add(self, event_name: str, date_ms: float, data: Mapping[str, Any], raw_body: bytes) -> bool:
        """Keep one event; False when the same raw body was added before (nothing changes)."""
        ...

    def list(
        self,
        since_ms: float | None = None,
        event: str | None = None,
        limit: int = 20,
        after: EventKey | None = None,
    ) -> builtins.list[StoredEvent]:
        """Events dated at or after `since_ms`, of type `event` when given, newest first, starting after
        `after` when given; at most `limit`, and fewer only when no more match."""
        ...

    def count(self) -> int:
        """How many events are kept."""
        ...

    def close(self) -> None: ...


class SqlQueries:
    """A store that answers SQL queries written with `?` placeholders (`_fetch` runs one in the store's
    own paramstyle, `_placeholder`): the base of the listings the SQLite and PostgreSQL stores share."""

    _placeholder = "?"

    def _fetch(self, sql: str, params: builtins.list[Any]) -> builtins.list[tuple[Any, ...]]:
        raise NotImplementedError

    def _sql(self, sql: str) -> str:
        return sql.replace("?", self._placeholder)

    def _query(self, sql: str, params: builtins.list[Any]) -> builtins.list[tuple[Any, ...]]:
        return self._fetch(self._sql(sql), params)


class ListedEventStore(SqlQueries):
    """What both SQL stores share: `list` over one query (`SqlQueries`), and forgetting old events
    (`_forget_old`, for events kept `_retention_ms` and at most `_max_events`)."""

    _retention_ms: float
    _max_events: int

    def list(
        self,
        since_ms: float | None = None,
        event: str | None = None,
        limit: int = 20,
        after: EventKey | None = None,
    ) -> builtins.list[StoredEvent]:
        events: builtins.list[StoredEvent] = []
        while len(events) < limit:
            wanted = limit - len(events)
            rows = self._rows(since_ms, event, wanted, after)
            for digest, name, date_ms, raw, received_ms in rows:
                try:
                    data = json.loads(raw)
                except (ValueError, RecursionError):
                    logger.warning("event store: skipped event %s, whose data cannot be read", digest[:12])
                    continue
                data = data if isinstance(data, dict) else {}
                events.append(StoredEvent(digest, name, date_ms, data, received_ms))
            if len(rows) < wanted:
                break
            # Rows were skipped: fill the page from further on, so fewer than `limit` means the end.
            digest, _, date_ms, _, received_ms = rows[-1]
            after = EventKey(date_ms, received_ms, digest)
        return events

    def _rows(
        self, since_ms: float | None, event: str | None, limit: int, after: EventKey | None
    ) -> builtins.list[tuple[Any, ...]]:
        sql = "SELECT digest, event, date_ms, data, received_ms FROM webhook_events WHERE 1=1"
        params: builtins.list[Any] = []
        if since_ms is not None:
            sql += " AND date_ms >= ?"
            params.append(float(since_ms))
        if event is not None:
            sql += " AND event = ?"
            params.append(event)
        if after is not None:
            # The order below, continued: older, or as old but received earlier, or a later digest.
            sql += (
                " AND (date_ms < ? OR (date_ms = ? AND (received_ms < ?"
                " OR (received_ms = ? AND digest > ?))))"
            )
            params += [after.date_ms, after.date_ms, after.received_ms, after.received_ms, after.digest]
        sql += " ORDER BY date_ms DESC, received_ms DESC, digest LIMIT ?"
        params.append(limit)
        return self._query(sql, params)

    def _forget_old(self, db: Any, now: float) -> None:
        """Delete, through `db` (a connection), the events received before the retention period at `now`
        (epoch seconds), and the oldest past `_max_events`."""
        expired = db.execute(
            self._sql("DELETE FROM webhook_events WHERE received_ms < ?"), (now * 1000 - self._retention_ms,)
        ).rowcount
        excess = db.execute(
            self._sql(
                "DELETE FROM webhook_events WHERE digest NOT IN (SELECT digest FROM webhook_events"
                " ORDER BY received_ms DESC, digest LIMIT ?)"
            ),
            (self._max_events,),
        ).rowcount
        if expired or excess:
            logger.info("event store: forgot %d expired and %d excess events", expired, excess)


class ForwardedEventStore:
    """An `EventStore` that stands in for another, `_event_store()`, and passes every call on to it."""

    def _event_store(self) -> EventStore:
        raise NotImplementedError

    def add(self, event_name: str, date_ms: float, data: Mapping[str, Any], raw_body: bytes) -> bool:
        return self._event_store().add(event_name, date_ms, data, raw_body)

    def list(
        self,
        since_ms: float | None = None,
        event: str | None = None,
        limit: int = 20,
        after: EventKey | None = None,
    ) -> builtins.list[StoredEvent]:
        return self._event_store().list(since_ms, event, limit, after)

    def count(self) -> int:
        return self._event_store().count()


class SqliteEventStore(ListedEventStore):
    """`EventStore` in SQLite: `":memory:"` for one process, a file path to survive restarts."""

    def __init__(
        self,
        path: str = ":memory:",
        clock: Callable[[], float] = time.time,
        *,
        retention_days: float = DEFAULT_RETENTION_DAYS,
        max_events: int = MAX_STORED_EVENTS,
    ) -> None:
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        if path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS webhook_events ("
            " digest TEXT PRIMARY KEY, event TEXT NOT NULL, date_ms REAL NOT NULL,"
            " data TEXT NOT NULL, received_ms REAL NOT NULL)"
        )
        self._db.execute("CREATE INDEX IF NOT EXISTS webhook_events_date ON webhook_events (date_ms DESC)")
        self._db.execute("CREATE INDEX IF NOT EXISTS webhook_events_received ON webhook_events (received_ms)")
        # One connection shared by threads: sqlite3 serialises calls, but not a check-then-act sequence.
        self._lock = threading.Lock()
        self._clock = clock
        self._retention_ms = retention_days * DAY_MS
        self._max_events = max_events
        self._pruned_at: float | None = None
        with self._lock:
            self._prune()

    def _prune(self) -> None:
        """Forget events received before the retention period, and the oldest past `max_events`
        (at most once a `PRUNE_INTERVAL_SECONDS`; the caller holds the lock)."""
        now = self._clock()
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_INTERVAL_SECONDS:
            return
        self._pruned_at = now
        self._forget_old(self._db, now)

    def add(self, event_name: str, date_ms: float, data: Mapping[str, Any], raw_body: bytes) -> bool:
        digest = hashlib.sha256(raw_body).hexdigest()
        row = (digest, event_name, float(date_ms), json.dumps(dict(data)), self._clock() * 1000)
        with self._lock:
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO webhook_events (digest, event, date_ms, data, received_ms) "
                "VALUES (?, ?, ?, ?, ?)",
                row,
            )
            self._prune()
            return cursor.rowcount == 1

    def _fetch(self, sql: str, params: builtins.list[Any]) -> builtins.list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def count(self) -> int:
        with self._lock:
            (total,) = self._db.execute("SELECT COUNT(*) FROM webhook_events").fetchone()
        return int(total)

    def close(self) -> None:
        with self._lock:
            self._db.close()
