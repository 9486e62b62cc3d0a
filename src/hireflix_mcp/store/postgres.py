"""`StateStore` in PostgreSQL: what several replicas (on any number of machines) share.

`HIREFLIX_MCP_STATE_DB=postgresql://user:password@host:5432/db`. Opening the store connects a small
psycopg pool and creates or migrates the schema (tables `spent_tokens`, `webhook_events`, `audit_log`
and `hireflix_mcp_schema`, under an advisory lock so replicas starting together do not race). Then:
- `spend` is one `INSERT ... ON CONFLICT DO NOTHING`: of any number of replicas redeeming the same token at
  the same moment exactly one inserts the nonce, and only that one proceeds;
- `add` stores a webhook event once (by the hash of its raw body) and, in the same transaction, sends
  `NOTIFY hireflix_events` with this replica's id; every replica `LISTEN`s on a connection of its own (a
  thread, reconnecting after a failure) and calls `on_remote_event` for events other replicas stored;
- events are kept `HIREFLIX_MCP_EVENT_RETENTION_DAYS` and at most `MAX_STORED_EVENTS`, spent nonces until
  their token expires; the audit trail is kept (delete old rows yourself if you need to).

Calls are synchronous and short (one round trip each); they are made from the server's event loop, so a
database that stops answering holds a replica up for at most `STATEMENT_TIMEOUT_MS` per call.
The password in the URL is never logged: `location` is the URL without it.
"""

from __future__ import annotations

import builtins
import hashlib
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import psycopg
from psycopg_pool import ConnectionPool

from hireflix_mcp.dsn import redact_url
from hireflix_mcp.events import DAY_MS
from hireflix_mcp.events import DEFAULT_RETENTION_DAYS
from hireflix_mcp.events import MAX_STORED_EVENTS
from hireflix_mcp.events import PRUNE_INTERVAL_SECONDS
from hireflix_mcp.events import ListedEventStore
from hireflix_mcp.store.base import AuditEntry
from hireflix_mcp.store.sqlite import AUDIT_COLUMNS
from hireflix_mcp.store.sqlite import ListedAuditTrail
from hireflix_mcp.store.sqlite import entry_row

logger = logging.getLogger("hireflix_mcp.store")

CHANNEL = "hireflix_events"
"""The NOTIFY channel on which a replica announces a webhook event it stored."""
STATEMENT_TIMEOUT_MS = 10_000
CONNECT_TIMEOUT_SECONDS = 10
POOL_SIZE = 10
LISTEN_POLL_SECONDS = 0.25
"""How often the listening thread looks up from its connection to see whether it should stop."""
_MIGRATION_LOCK = 0x48_46_58_4D  # "HFXM": the advisory lock replicas take to create or migrate the schema

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1: the three tables
        "CREATE TABLE IF NOT EXISTS spent_tokens (nonce text PRIMARY KEY,"
        " expires_at double precision NOT NULL)",
        "CREATE INDEX IF NOT EXISTS spent_tokens_expiry ON spent_tokens (expires_at)",
        "CREATE TABLE IF NOT EXISTS webhook_events (digest text PRIMARY KEY, event text NOT NULL,"
        " date_ms double precision NOT NULL, data text NOT NULL, received_ms double precision NOT NULL)",
        "CREATE INDEX IF NOT EXISTS webhook_events_date ON webhook_events (date_ms DESC)",
        "CREATE INDEX IF NOT EXISTS webhook_events_received ON webhook_events (received_ms)",
        "CREATE TABLE IF NOT EXISTS audit_log (id bigserial PRIMARY KEY, at_ms double precision NOT NULL,"
        " sub text NOT NULL, person text, client text, tool text NOT NULL, outcome text NOT NULL,"
        " ids jsonb NOT NULL, operations jsonb NOT NULL, duration_ms double precision NOT NULL)",
        "CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at_ms)",
        "CREATE INDEX IF NOT EXISTS audit_log_sub ON audit_log (sub, at_ms)",
    ),
)
"""Schema versions in order: a new version appends statements; a replica applies the ones it lacks."""


def migrate(conn: psycopg.Connection[Any]) -> int:
    """Bring the schema to the newest version; returns it. Safe to run from several replicas at once."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        conn.execute("CREATE TABLE IF NOT EXISTS hireflix_mcp_schema (version integer NOT NULL)")
        row = conn.execute("SELECT max(version) FROM hireflix_mcp_schema").fetchone()
        current = int(row[0]) if row is not None and row[0] is not None else 0
        for version, statements in enumerate(MIGRATIONS[current:], start=current + 1):
            for statement in statements:
                conn.execute(statement)  # constant DDL
            conn.execute("INSERT INTO hireflix_mcp_schema (version) VALUES (%s)", (version,))
            logger.info("state store: schema migrated to version %d", version)
    return len(MIGRATIONS)


class PostgresState(ListedEventStore, ListedAuditTrail):
    """`StateStore` on PostgreSQL (see the module docstring)."""

    shared_across_hosts = True
    _placeholder = "%s"

    def __init__(
        self,
        url: str,
        *,
        retention_days: float = DEFAULT_RETENTION_DAYS,
        max_events: int = MAX_STORED_EVENTS,
        clock: Callable[[], float] = time.time,
        pool_size: int = POOL_SIZE,
    ) -> None:
        self._url = url
        self.location = redact_url(url)
        self.replica = secrets.token_hex(8)
        """This process's id in NOTIFY payloads: its own announcements are not heard twice."""
        self._retention_ms = retention_days * DAY_MS
        self._max_events = max_events
        self._clock = clock
        self._pool_size = pool_size
        self._pool: ConnectionPool[psycopg.Connection[Any]] | None = None
        self._pruned_at: dict[str, float] = {}
        self._listener: threading.Thread | None = None
        self._stop = threading.Event()

    # ------------------------------------------------------------------------------ lifecycle
    def _connect_kwargs(self) -> dict[str, Any]:
        return {
            "autocommit": True,
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS}",
            "application_name": "hireflix-mcp",
        }

    def open(self, on_remote_event: Callable[[], None] | None = None) -> None:
        if self._pool is not None:
            return
        try:  # one connection first: a database that cannot be reached fails the start at once
            with psycopg.connect(self._url, **self._connect_kwargs()) as conn:
                migrate(conn)
        except psycopg.Error as exc:
            why = str(exc).strip().replace(urlsplit(self._url).password or "\0", "***")
            raise ConnectionError(f"cannot open the state store at {self.location}: {why}") from None
        pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
            self._url,
            kwargs=self._connect_kwargs(),
            min_size=1,
            max_size=self._pool_size,
            timeout=CONNECT_TIMEOUT_SECONDS,
            open=True,
            name="hireflix-state",
        )
        self._pool = pool
        self._stop.clear()
        if on_remote_event is not None:
            listening = threading.Event()
            self._listener = threading.Thread(
                target=self._listen, args=(on_remote_event, listening), name="hireflix-listen", daemon=True
            )
            self._listener.start()
            # A webhook another replica stores from now on is heard: wait until LISTEN took effect.
            listening.wait(CONNECT_TIMEOUT_SECONDS)
        logger.info("state store: PostgreSQL at %s", self.location)

    def close(self) -> None:
        self._stop.set()
        if self._listener is not None:
            self._listener.join(timeout=5)
            self._listener = None
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()

    def _listen(self, on_remote_event: Callable[[], None], listening: threading.Event) -> None:
        """LISTEN on a connection of its own; call `on_remote_event` for other replicas' events."""
        failures = 0
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._url, **self._connect_kwargs()) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    listening.set()
                    if failures:
                        logger.info("state store: listening for other replicas' events again")
                        on_remote_event()  # events may have arrived while not listening
                    failures = 0
                    while not self._stop.is_set():
                        for notice in conn.notifies(timeout=LISTEN_POLL_SECONDS):
                            if notice.payload != self.replica:
                                on_remote_event()
            except psycopg.Error as exc:
                failures += 1
                logger.warning("state store: listening connection lost (%s); retrying", type(exc).__name__)
                self._stop.wait(min(5.0, 0.2 * 2**failures))
            except Exception:  # a callback bug must not end the listening for good
                logger.exception("state store: a remote-event callback failed")

    @property
    def pool(self) -> ConnectionPool[psycopg.Connection[Any]]:
        if self._pool is None:
            from hireflix_mcp.webhooks import StoreUnavailable

            raise StoreUnavailable("the state store is not open")
        return self._pool

    def _due(self, what: str) -> bool:
        """Whether `what` should be pruned now (at most once a `PRUNE_INTERVAL_SECONDS` per replica)."""
        now = self._clock()
        if now - self._pruned_at.get(what, -PRUNE_INTERVAL_SECONDS) < PRUNE_INTERVAL_SECONDS:
            return False
        self._pruned_at[what] = now
        return True

    # ------------------------------------------------------------------------------ spent nonces
    def spend(self, nonce: str, expires_at: float) -> bool:
        with self.pool.connection() as conn:
            if self._due("spent_tokens"):
                conn.execute("DELETE FROM spent_tokens WHERE expires_at < %s", (self._clock(),))
            cursor = conn.execute(
                "INSERT INTO spent_tokens (nonce, expires_at) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                (nonce, expires_at),
            )
            return cursor.rowcount == 1

    # ------------------------------------------------------------------------------ webhook events
    def add(self, event_name: str, date_ms: float, data: Mapping[str, Any], raw_body: bytes) -> bool:
        digest = hashlib.sha256(raw_body).hexdigest()
        row = (digest, event_name, float(date_ms), json.dumps(dict(data)), self._clock() * 1000)
        with self.pool.connection() as conn, conn.transaction():
            cursor = conn.execute(
                "INSERT INTO webhook_events (digest, event, date_ms, data, received_ms)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                row,
            )
            stored = cursor.rowcount == 1
            if stored:  # delivered to listeners when the transaction commits
                conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, self.replica))
        if self._due("webhook_events"):
            self._prune_events()
        return stored

    def _prune_events(self) -> None:
        with self.pool.connection() as conn:
            self._forget_old(conn, self._clock())

    def _fetch(self, sql: str, params: builtins.list[Any]) -> builtins.list[tuple[Any, ...]]:
        with self.pool.connection() as conn:
            return conn.execute(sql, params).fetchall()  # built from constants

    def count(self) -> int:
        with self.pool.connection() as conn:
            row = conn.execute("SELECT count(*) FROM webhook_events").fetchone()
        return int(row[0]) if row is not None else 0

    # ------------------------------------------------------------------------------ audit trail
    def record(self, entry: AuditEntry) -> None:
        with self.pool.connection() as conn:
            conn.execute(
                f"INSERT INTO audit_log ({AUDIT_COLUMNS})"  # noqa: S608 - constant columns
                " VALUES (%s, %s, %s, %s, %s, %s, %s::jsonb, %s::jsonb, %s)",
                entry_row(entry),
            )
