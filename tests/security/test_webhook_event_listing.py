"""Attacks that flood the event store, or make one listing of it enormous.

`list_webhook_events` and `hireflix://events` return at most 50 events and about 100 KB per call, newest
first, with a cursor for the rest (before, one call returned 50 MB: 100 events of long candidate names).
Every field of a row is cut to a sane length. The store forgets events received more than
`HIREFLIX_MCP_EVENT_RETENTION_DAYS` (30 by default) ago, and keeps at most `MAX_STORED_EVENTS`, so it
cannot grow without bound.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hireflix_mcp.events import SqliteEventStore
from hireflix_mcp.resources import EVENTS_URI
from hireflix_mcp.settings import Settings
from hireflix_sandbox.embedded import RunningSandbox
from tests.test_resources import read_text
from tests.tools.conftest import connect
from tests.tools.conftest import data
from tests.tools.conftest import text

pytestmark = pytest.mark.anyio

EVENTS = 130
LONG = "Ann " * 5_000  # a 20 KB name (a signed body under the receiver's 256 KiB limit can carry more)
PAGE_BYTES = 100_000


def _flood(db: str) -> None:
    store = SqliteEventStore(db)
    for n in range(EVENTS):
        data = {"id": f"{n:024x}", "candidate": {"name": LONG, "email": f"{n}@example.com"}}
        store.add("interview.finish", 1_750_000_000_000 + n, data, json.dumps(data).encode())
    store.close()


async def test_a_flood_of_long_events_comes_back_in_bounded_pages_and_a_cursor_walks_all_of_them(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    db = str(tmp_path / "state.db")
    _flood(db)
    seen: list[str] = []
    sizes: list[int] = []
    async with connect(sandbox, state_db=db) as client:
        asked = {"since": "2000-01-01", "limit": 50}
        while True:
            result = await client.call_tool("list_webhook_events", asked)
            sizes.append(len(text(result)))
            page = data(result)
            assert len(page["events"]) <= 50
            seen += [e["interview_id"] for e in page["events"]]
            if "next_cursor" not in page:
                break
            asked = {"cursor": page["next_cursor"], "limit": 50}
        resource = (await read_text(client, EVENTS_URI)).text
    assert max(sizes) <= PAGE_BYTES + 1_000, sizes
    assert len(resource) <= PAGE_BYTES + 1_000
    assert "next_cursor" in json.loads(resource)
    assert seen == [f"{n:024x}" for n in reversed(range(EVENTS))], "newest first, each event once"


def test_the_event_store_forgets_events_past_the_retention_period_or_the_count(tmp_path: Path) -> None:
    now = [1_750_000_000.0]
    store = SqliteEventStore(
        str(tmp_path / "state.db"), clock=lambda: now[0], retention_days=30, max_events=3
    )
    for n in range(3):
        store.add("interview.create", 1_750_000_000_000, {"id": str(n)}, str(n).encode())
    now[0] += 31 * 86_400
    store.add("interview.create", 1_752_000_000_000, {"id": "new"}, b"new")
    assert [e.data["id"] for e in store.list()] == ["new"]
    for n in range(5):
        now[0] += 61
        store.add("interview.create", 1_752_000_000_001 + n, {"id": f"flood{n}"}, f"flood{n}".encode())
    assert [e.data["id"] for e in store.list()] == ["flood4", "flood3", "flood2"]
    store.close()
    assert Settings.from_env({}).event_retention_days == 30
    assert Settings.from_env({"HIREFLIX_MCP_EVENT_RETENTION_DAYS": "7"}).event_retention_days == 7
