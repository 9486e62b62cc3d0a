"""The shared state store, the same tests against SQLite (a file) and PostgreSQL (the throwaway cluster).

Two store objects on one database stand for two replicas: what one writes, the other sees and obeys.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest

from hireflix_mcp.events import DAY_MS
from hireflix_mcp.store import AuditEntry
from hireflix_mcp.store import SharedState
from hireflix_mcp.store import StateStore
from hireflix_mcp.store.postgres import PostgresState
from hireflix_mcp.store.sqlite import SqliteState
from tests.pg_cluster import PostgresCluster

Clock = list[float]
Replica = Callable[..., StateStore]

NOW = 1_800_000_000.0


@pytest.fixture(params=["sqlite", "postgres"])
def replica(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Replica]:
    """Opens stores on one database, each a replica; all are closed after the test."""
    if request.param == "postgres":
        cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
        url = cluster.new_database("store")
    opened: list[StateStore] = []

    def make(
        clock: Clock | None = None,
        on_remote_event: Callable[[], None] | None = None,
        retention: int = 30,
        max_events: int = 1000,
    ) -> StateStore:
        now = (lambda: clock[0]) if clock is not None else (lambda: NOW)
        store: StateStore
        if request.param == "postgres":
            store = PostgresState(url, retention_days=retention, max_events=max_events, clock=now)
        else:
            path = str(tmp_path / "state.db")
            store = SqliteState(path, retention_days=retention, max_events=max_events, clock=now)
        store.open(on_remote_event)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


def _body(n: int) -> bytes:
    return f'{{"event":"interview.finish","date":{1_700_000_000_000 + n},"data":{{"id":"i{n}"}}}}'.encode()


def test_a_nonce_is_spent_once_across_replicas(replica: Replica) -> None:
    a, b = replica(), replica()
    assert a.spend("nonce-1", NOW + 600) is True
    assert b.spend("nonce-1", NOW + 600) is False
    assert a.spend("nonce-1", NOW + 600) is False
    assert b.spend("nonce-2", NOW + 600) is True


def test_fifty_simultaneous_spends_of_one_nonce_on_three_replicas_let_exactly_one_through(
    replica: Replica,
) -> None:
    replicas = [replica(), replica(), replica()]
    start = threading.Barrier(50)

    def spend(i: int) -> bool:
        start.wait(timeout=10)
        return replicas[i % 3].spend("contested", NOW + 600)

    with ThreadPoolExecutor(50) as pool:
        results = list(pool.map(spend, range(50)))
    assert results.count(True) == 1


def test_an_event_stored_by_one_replica_is_listed_by_another_once(replica: Replica) -> None:
    a, b = replica(), replica()
    assert a.add("interview.finish", 1_700_000_000_001, {"id": "i1"}, _body(1)) is True
    assert b.add("interview.finish", 1_700_000_000_001, {"id": "i1"}, _body(1)) is False  # a retry
    assert b.add("interview.status-change", 1_700_000_000_002, {"id": "i2"}, _body(2)) is True
    listed = a.list(since_ms=1_600_000_000_000)
    assert [(e.event, e.data) for e in listed] == [
        ("interview.status-change", {"id": "i2"}),
        ("interview.finish", {"id": "i1"}),
    ]
    assert b.count() == 2
    assert [e.data for e in b.list(event="interview.finish")] == [{"id": "i1"}]
    first_page = b.list(limit=1)
    assert [e.data for e in b.list(limit=5, after=first_page[0].key)] == [{"id": "i1"}]


def test_events_older_than_the_retention_are_forgotten(replica: Replica) -> None:
    clock: Clock = [NOW - 40 * DAY_MS / 1000]
    store = replica(clock, retention=30)
    store.add("interview.finish", 1_700_000_000_001, {"id": "old"}, _body(1))
    clock[0] = NOW
    store.add("interview.finish", 1_700_000_000_002, {"id": "new"}, _body(2))
    assert [e.data["id"] for e in replica().list()] == ["new"]


def test_past_the_event_cap_the_earliest_received_events_are_forgotten(replica: Replica) -> None:
    clock: Clock = [NOW]
    store = replica(clock, max_events=3)
    for n in range(5):
        clock[0] += 60
        store.add("interview.finish", 1_700_000_000_000 + (5 - n), {"id": f"i{n}"}, _body(n))
    # Kept by when they arrived, not by the date Hireflix gave them.
    assert sorted(e.data["id"] for e in replica().list()) == ["i2", "i3", "i4"]
    assert store.count() == 3


def _entry(sub: str, minutes: int, tool: str = "get_interview") -> AuditEntry:
    return AuditEntry(
        at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC) + timedelta(minutes=minutes),
        sub=sub,
        person=f"{sub}@example.com",
        client="claude-ai",
        tool=tool,
        outcome="ok",
        ids={"interview": ["6650a1b2c3d4e5f6a7b8c9d0"]},
        operations=("GetInterview",),
        duration_ms=12.5,
    )


def test_the_audit_trail_keeps_entries_and_filters_by_time_and_person(replica: Replica) -> None:
    a, b = replica(), replica()
    a.record(_entry("ana", 0))
    b.record(_entry("bo", 1, "delete_interview"))
    a.record(_entry("ana", 2, "score_interview"))
    everything = b.audit()
    assert [(e.sub, e.tool) for e in everything] == [
        ("ana", "get_interview"),
        ("bo", "delete_interview"),
        ("ana", "score_interview"),
    ]
    assert everything[0] == _entry("ana", 0)
    assert [e.tool for e in a.audit(sub="ana")] == ["get_interview", "score_interview"]
    since = datetime(2026, 12, 1, 9, 1, tzinfo=UTC)
    assert [e.tool for e in a.audit(since=since)] == ["delete_interview", "score_interview"]
    assert [e.tool for e in a.audit(limit=1)] == ["score_interview"]


def test_shared_state_opens_with_the_first_user_and_closes_with_the_last(tmp_path: Path) -> None:
    shared = SharedState(SqliteState(str(tmp_path / "state.db")))
    with shared.opened() as first:
        with shared.opened() as second:
            assert second is first
            shared.add("interview.finish", 1_700_000_000_001, {"id": "i1"}, _body(1))
        assert shared.count() == 1
    from hireflix_mcp.webhooks import StoreUnavailable

    with pytest.raises(StoreUnavailable):
        shared.count()


# ------------------------------------------------------------------------------ PostgreSQL only


def test_an_event_stored_by_one_replica_is_announced_to_the_others_not_to_itself(
    postgres_cluster: PostgresCluster,
) -> None:
    url = postgres_cluster.new_database("notify")
    heard_a, heard_b = threading.Event(), threading.Event()
    a, b = PostgresState(url), PostgresState(url)
    a.open(heard_a.set)
    b.open(heard_b.set)
    try:
        assert b.add("interview.finish", 1_700_000_000_001, {"id": "i1"}, _body(1))
        assert heard_a.wait(10)
        assert not heard_b.wait(LISTEN_SETTLE)
        heard_a.clear()
        assert not b.add("interview.finish", 1_700_000_000_001, {"id": "i1"}, _body(1))  # a duplicate
        assert a.add("interview.finish", 1_700_000_000_002, {"id": "i2"}, _body(2))
        assert heard_b.wait(10)
        assert not heard_a.is_set()
    finally:
        a.close()
        b.close()


LISTEN_SETTLE = 0.5
"""How long a replica is given to (wrongly) hear its own announcement; it is heard within ms if at all."""


def test_replicas_starting_together_create_the_schema_once(postgres_cluster: PostgresCluster) -> None:
    url = postgres_cluster.new_database("migrate")
    stores = [PostgresState(url) for _ in range(4)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda store: store.open(), stores))
    try:
        assert stores[0].spend("n", NOW + 600)
        assert not stores[3].spend("n", NOW + 600)
    finally:
        for store in stores:
            store.close()


def test_an_unreachable_database_is_named_without_its_password() -> None:
    store = PostgresState("postgresql://hireflix:s3cret-pw@127.0.0.1:9/state")
    with pytest.raises(ConnectionError) as raised:
        store.open()
    assert "s3cret-pw" not in str(raised.value)
    assert "postgresql://hireflix:***@127.0.0.1:9/state" in str(raised.value)
