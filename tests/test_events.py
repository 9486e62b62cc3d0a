"""The store of received webhook events: de-duplication, filters, order, persistence, threads."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from hireflix_mcp.events import SqliteEventStore
from tests.support import run_in_threads


def _body(event: str, date_ms: float, data: dict[str, Any]) -> bytes:
    return json.dumps({"event": event, "date": date_ms, "data": data}, separators=(",", ":")).encode()


def _add(store: SqliteEventStore, event: str, date_ms: float, interview_id: str) -> bool:
    data = {"id": interview_id, "candidate": {"name": "Ana"}}
    return store.add(event, date_ms, data, _body(event, date_ms, data))


def test_the_same_raw_body_is_kept_once() -> None:
    store = SqliteEventStore()
    assert _add(store, "interview.finish", 1_000, "a") is True
    assert _add(store, "interview.finish", 1_000, "a") is False
    assert store.count() == 1


def test_same_event_with_a_different_body_is_a_new_event() -> None:
    store = SqliteEventStore()
    assert _add(store, "interview.finish", 1_000, "a")
    assert _add(store, "interview.finish", 1_001, "a")
    assert store.count() == 2


def test_events_come_back_newest_first_with_their_data() -> None:
    store = SqliteEventStore(clock=lambda: 50.0)
    _add(store, "interview.create", 1_000, "a")
    _add(store, "interview.finish", 3_000, "b")
    _add(store, "interview.status-change", 2_000, "c")
    events = store.list()
    assert [(e.event, e.date_ms) for e in events] == [
        ("interview.finish", 3_000),
        ("interview.status-change", 2_000),
        ("interview.create", 1_000),
    ]
    assert events[0].data == {"id": "b", "candidate": {"name": "Ana"}}
    assert events[0].received_ms == 50_000
    assert len(events[0].digest) == 64


def test_since_keeps_events_at_or_after_it() -> None:
    store = SqliteEventStore()
    for date in (1_000, 2_000, 3_000):
        _add(store, "interview.finish", date, str(date))
    assert [e.date_ms for e in store.list(since_ms=2_000)] == [3_000, 2_000]
    assert store.list(since_ms=3_001) == []


def test_event_filter_and_limit_combine() -> None:
    store = SqliteEventStore()
    _add(store, "interview.finish", 1_000, "a")
    _add(store, "interview.create", 2_000, "b")
    _add(store, "interview.finish", 3_000, "c")
    _add(store, "interview.finish", 4_000, "d")
    finishes = store.list(event="interview.finish", limit=2)
    assert [e.data["id"] for e in finishes] == ["d", "c"]
    assert [e.data["id"] for e in store.list(since_ms=1_500, event="interview.create")] == ["b"]
    assert store.list(limit=0) == []


def test_a_file_store_keeps_events_across_reopening(tmp_path: Path) -> None:
    path = str(tmp_path / "state.db")
    first = SqliteEventStore(path)
    _add(first, "interview.finish", 1_000, "a")
    first.close()
    reopened = SqliteEventStore(path)
    assert reopened.count() == 1
    assert reopened.list()[0].data["id"] == "a"
    assert _add(reopened, "interview.finish", 1_000, "a") is False, "de-duplication survives a restart"
    reopened.close()


def test_two_stores_on_one_file_see_each_others_events(tmp_path: Path) -> None:
    path = str(tmp_path / "state.db")
    writer, reader = SqliteEventStore(path), SqliteEventStore(path)
    _add(writer, "interview.create", 1_000, "a")
    assert [e.data["id"] for e in reader.list()] == ["a"]
    writer.close()
    reader.close()


def test_concurrent_adds_from_threads_keep_each_body_once() -> None:
    store = SqliteEventStore()
    accepted: list[bool] = []
    lock = threading.Lock()

    def deliver(offset: int) -> None:
        for n in range(50):
            # Every thread delivers the same 50 bodies, shifted, so each body arrives several times.
            ok = _add(store, "interview.finish", float((n + offset) % 50), "x")
            with lock:
                accepted.append(ok)

    run_in_threads(deliver, 8, timeout_s=10)
    assert store.count() == 50
    assert accepted.count(True) == 50
    assert len(accepted) == 400
