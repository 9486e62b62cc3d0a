"""The transcript index as the server runs it: one per built server, shared by every connection.

- Opened with the first lifespan (`running`) and closed with the last, in the state store
  (`HIREFLIX_MCP_STATE_DB`: a SQLite file, `:memory:`, or a `postgresql://` URL).
- With `background=True` (`hireflix-mcp serve`, unless HIREFLIX_MCP_INDEX_SYNC=off) a task fills it:
  one pass over every position, then a lighter pass every `REFRESH_SECONDS` to pick up changes.
- Webhook events reach it through `watching(event_store)`: every event the receiver stores is queued,
  and a task applies it (delete at once; finish and status-change with one request each).
- A search whose scope has never been synced syncs that scope first, for up to `ON_DEMAND_SECONDS`
  (`ensure_synced`), so the index works with background sync off too.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import threading
from collections.abc import AsyncIterator
from collections.abc import Mapping
from contextlib import asynccontextmanager
from typing import Any

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream
from anyio.streams.memory import MemoryObjectSendStream

from hireflix_mcp.events import EventStore
from hireflix_mcp.events import ForwardedEventStore
from hireflix_mcp.hireflix.client import HireflixClient
from hireflix_mcp.hireflix.errors import HireflixError
from hireflix_mcp.transcripts.index import Coverage
from hireflix_mcp.transcripts.index import Filters
from hireflix_mcp.transcripts.index import SearchResult
from hireflix_mcp.transcripts.index import TranscriptIndex
from hireflix_mcp.transcripts.index import now_ms
from hireflix_mcp.transcripts.index import open_index
from hireflix_mcp.transcripts.sync import SyncReport
from hireflix_mcp.transcripts.sync import TranscriptSync

logger = logging.getLogger("hireflix_mcp.transcripts")

REFRESH_SECONDS = 900.0
ON_DEMAND_SECONDS = 20.0
STALE_AFTER_SECONDS = 900.0
"""Hits are checked against upstream before they are returned when the scope's last complete pass is
older than this and no webhook receiver tells the index about deletions."""
INDEXED_EVENTS = frozenset({"interview.finish", "interview.delete", "interview.status-change"})
QUEUE_SIZE = 1000


class TranscriptService:
    def __init__(self, state_db: str, *, background: bool = False, receiver: bool = False) -> None:
        self._state_db = state_db
        self.background = background
        self.receiver = receiver
        """A webhook receiver feeds this index (deletions then arrive as events)."""
        self._index: TranscriptIndex | None = None
        self._sync: TranscriptSync | None = None
        self._users = 0
        self._lock = threading.Lock()
        self._position_locks: dict[str, anyio.Lock] = {}
        self._send: MemoryObjectSendStream[tuple[str, dict[str, Any]]] | None = None
        self.applied = anyio.Event()
        """Set when the next queued webhook event has been applied (tests wait on it)."""
        self.passed = anyio.Event()
        """Set when the next background pass has ended."""

    @property
    def index(self) -> TranscriptIndex:
        if self._index is None:
            raise RuntimeError("the transcript index is not open")
        return self._index

    @property
    def sync(self) -> TranscriptSync:
        if self._sync is None:
            raise RuntimeError("the transcript index is not open")
        return self._sync

    @asynccontextmanager
    async def running(self, client: HireflixClient) -> AsyncIterator[TranscriptService]:
        with self._lock:
            first = self._users == 0
            if self._index is None:
                self._index = open_index(self._state_db)
            self._users += 1
        if first:
            self._sync = TranscriptSync(self._index, client)
        try:
            if not first:
                yield self
                return
            send, receive = anyio.create_memory_object_stream[tuple[str, dict[str, Any]]](QUEUE_SIZE)
            with send, receive:
                self._send = send
                async with anyio.create_task_group() as group:
                    group.start_soon(self._apply_events, receive)
                    if self.background:
                        group.start_soon(self._keep_current)
                    try:
                        yield self
                    finally:
                        self._send = None
                        group.cancel_scope.cancel()
        finally:
            with self._lock:
                self._users -= 1
                if self._users == 0 and self._index is not None:
                    self._index.close()
                    self._index = None
                    self._sync = None

    # ------------------------------------------------------------------------------------ background

    async def _keep_current(self) -> None:
        while True:
            try:
                report = await self.sync.run()
                logger.info(
                    "transcript index: %d interviews listed, %d indexed, %d forgotten in %d requests",
                    report.interviews,
                    report.indexed,
                    report.forgotten,
                    report.requests,
                )
                # Then the word timings, position by position, for hits to say when words were said
                # without asking Hireflix at search time.
                for progress in (await anyio.to_thread.run_sync(self.index.stats)).positions:
                    if await anyio.to_thread.run_sync(self.index.untimed, progress.position_id):
                        await self.sync.fill_position_times(progress.position_id)
            except HireflixError as exc:
                logger.warning("transcript index: sync pass failed: %s", exc)
            except Exception:
                # The pass runs in the server's own task group: an error here must not stop the server.
                logger.exception("transcript index: sync pass failed; trying again in %d s", REFRESH_SECONDS)
            self.passed.set()
            self.passed = anyio.Event()
            await anyio.sleep(REFRESH_SECONDS)

    async def _apply_events(self, receive: MemoryObjectReceiveStream[tuple[str, dict[str, Any]]]) -> None:
        async for event, data in receive:
            try:
                await self.sync.apply_event(event, data)
            except Exception:  # like a failed pass: logged, and the server goes on
                logger.exception("transcript index: could not apply the webhook event %s", event)
            self.applied.set()
            self.applied = anyio.Event()

    def enqueue(self, event: str, data: Mapping[str, Any]) -> None:
        """Queue a webhook event for the index (from any thread of the event loop; never blocks)."""
        if event not in INDEXED_EVENTS or self._send is None:
            return
        try:
            self._send.send_nowait((event, dict(data)))
        except anyio.WouldBlock:
            logger.warning("transcript index: event queue full; %s left to the next sync pass", event)

    def watching(self, store: EventStore) -> EventStore:
        """`store`, telling this index about every event newly added to it."""
        return _Watched(store, self)

    # ------------------------------------------------------------------------------------ on demand

    async def ensure_synced(self, position_ids: list[str] | None) -> SyncReport | None:
        """Sync, for up to ON_DEMAND_SECONDS, the positions of a scope that were never synced."""
        index = self.index
        if position_ids is None:
            coverage = await anyio.to_thread.run_sync(index.coverage, Filters())
            if coverage.complete:
                return None
            wanted = None
        else:
            wanted = [
                pid
                for pid in position_ids
                if (p := await anyio.to_thread.run_sync(index.progress, pid)) is None
                or p.completed_at is None
            ]
            if not wanted:
                return None
        lock = self._position_locks.setdefault(",".join(wanted or ["*"]), anyio.Lock())
        with anyio.move_on_after(ON_DEMAND_SECONDS):
            async with lock:
                return await self.sync.run(wanted)
        return None

    async def with_times(self, result: SearchResult) -> SearchResult:
        """`result` with the word timings of its hits, read from Hireflix for those the index lacks."""
        missing = [hit.interview.interview_id for hit in result.hits if hit.answer.times is None]
        if not missing:
            return result
        await self.sync.fill_times(missing)
        hits = []
        for hit in result.hits:
            if hit.answer.times is None:
                stored = await anyio.to_thread.run_sync(self.index.interview, hit.interview.interview_id)
                found = [a for a in stored.answers if a.question == hit.answer.question] if stored else []
                hit = dataclasses.replace(hit, answer=found[0]) if found else hit
            hits.append(hit)
        return dataclasses.replace(result, hits=hits)

    def stale(self, coverage: Coverage) -> bool:
        """Whether hits may name interviews deleted upstream since the index last heard."""
        if coverage.synced_at is None:
            return not self.receiver
        age = (now_ms() - coverage.synced_at) / 1000
        return not self.receiver and (age > STALE_AFTER_SECONDS or math.isnan(age))


class _Watched(ForwardedEventStore):
    """An `EventStore` that passes each newly stored event to the transcript index."""

    def __init__(self, store: EventStore, service: TranscriptService) -> None:
        self._store = store
        self._service = service

    def _event_store(self) -> EventStore:
        return self._store

    def add(self, event_name: str, date_ms: float, data: Mapping[str, Any], raw_body: bytes) -> bool:
        added = self._store.add(event_name, date_ms, data, raw_body)
        if added:
            self._service.enqueue(event_name, data)
        return added

    def close(self) -> None:
        self._store.close()
