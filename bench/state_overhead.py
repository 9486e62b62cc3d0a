"""What the shared state costs per tool call: the audit trail on every call, and a confirmation token's
issue and redemption, with SQLite and with PostgreSQL, against the same call with neither.

    .venv/bin/python bench/state_overhead.py [--calls 200]

The sandbox runs in its own process (`run.sandbox_process`), the MCP server in this one with the
SDK's in-memory client, so the figures are this server's own work plus the stand-in's answer. Rows:
1. get_interview per call on a server with each store (memory, a SQLite file, PostgreSQL: a throwaway
   local cluster with fsync off; a network database adds its round trip on top), the audit switched
   off and on call by call: the difference is the audit's cost;
2. share_interview asked then confirmed with its token (two calls, one upstream write, two audit
   entries): memory (baseline), SQLite, PostgreSQL;
3. the store operations alone (one `spend` + one `record`): SQLite against PostgreSQL.
Each line gives the median per call and its ratio to the baseline of its group.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import ExitStack
from contextlib import contextmanager
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import anyio
from mcp import Client
from mcp.types import CallToolResult
from mcp.types import TextContent
from pydantic import SecretStr

from hireflix_mcp import audit
from hireflix_mcp.server import build_server
from hireflix_mcp.settings import Settings
from hireflix_mcp.store import AuditEntry
from hireflix_mcp.store import StateStore
from hireflix_mcp.store import open_state
from hireflix_mcp.tools.catalog import ALL_TOOLSETS
from hireflix_mcp.tools.catalog import Profile
from run import KEY
from run import ROOT
from run import median_ms
from run import sandbox_process

SECRET = "bench-confirm-secret-0123456789"  # noqa: S105 - a throwaway HMAC key


AUDIT = {"on": True}


@contextmanager
def switchable_audit() -> Iterator[None]:
    """The audit hook finds the trail only while `AUDIT["on"]`: calls without it are the baseline."""
    original = audit._trail
    audit._trail = lambda context: original(context) if AUDIT["on"] else None
    try:
        yield
    finally:
        audit._trail = original


def settings(url: str, state_db: str) -> Settings:
    return Settings(
        api_url=url,
        api_key=SecretStr(KEY),
        confirm="token",
        confirm_secret=SecretStr(SECRET),
        state_db=state_db,
        index_sync=False,
    )


async def per_call_ms(calls: int, one: Callable[[], Awaitable[None]]) -> float:
    for _ in range(5):  # warm up: connections, caches
        await one()
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        await one()
        samples.append(time.perf_counter() - started)
    return median_ms(samples)


async def paired_ms(calls: int, one: Callable[[], Awaitable[None]]) -> tuple[float, float]:
    """(median without audit, median with audit), the two interleaved call by call (load drifts)."""
    for _ in range(5):
        await one()
    without: list[float] = []
    with_audit: list[float] = []
    for _ in range(calls):
        for on, samples in ((False, without), (True, with_audit)):
            AUDIT["on"] = on
            started = time.perf_counter()
            await one()
            samples.append(time.perf_counter() - started)
    AUDIT["on"] = True
    return median_ms(without), median_ms(with_audit)


def _json(result: CallToolResult) -> dict[str, Any]:
    block = result.content[0]
    assert isinstance(block, TextContent), result
    assert not result.is_error, block.text
    value: dict[str, Any] = json.loads(block.text)
    return value


async def an_interview(url: str) -> str:
    server = build_server(settings(url, ":memory:"), Profile(toolsets=ALL_TOOLSETS))
    async with Client(server) as client:
        positions = _json(await client.call_tool("list_positions", {}))["positions"]
        for position in positions:
            found = _json(await client.call_tool("search_interviews", {"position_id": position["id"]}))
            if found.get("interviews"):
                return str(found["interviews"][0]["interview_id"])
    raise RuntimeError("the sandbox has no interview")


async def measure_tools(
    url: str, state_db: str, interview_id: str, calls: int
) -> tuple[tuple[float, float], float]:
    """((get_interview ms without, with audit), share ask + confirm ms) on a server with `state_db`."""
    server = build_server(settings(url, state_db), Profile(toolsets=ALL_TOOLSETS))
    async with Client(server) as client:

        async def read() -> None:
            result = await client.call_tool("get_interview", {"interview_id": interview_id})
            assert not result.is_error

        async def confirmed_share() -> None:
            arguments: dict[str, Any] = {"interview_id": interview_id, "duration_days": 7}
            token = _json(await client.call_tool("share_interview", arguments))["confirmation_token"]
            done = await client.call_tool("share_interview", {**arguments, "confirmation_token": token})
            assert not done.is_error, done

        return await paired_ms(calls, read), await per_call_ms(max(calls // 4, 20), confirmed_share)


def measure_store(store: StateStore, calls: int) -> float:
    store.open()
    try:
        entry = AuditEntry(
            at=datetime.now(UTC),
            sub="bench",
            person=None,
            client="bench",
            tool="get_interview",
            outcome="ok",
            ids={"interview": ["6650a1b2c3d4e5f6a7b8c9d0"]},
            operations=("GetInterview",),
        )
        samples = []
        for n in range(calls):
            started = time.perf_counter()
            store.spend(f"nonce-{n}-{time.time_ns()}", time.time() + 600)
            store.record(entry)
            samples.append(time.perf_counter() - started)
        return median_ms(samples)
    finally:
        store.close()


def line(figure: str, value: float, baseline: float) -> str:
    return f"{figure:<58} {value:8.2f} ms   x{value / baseline:5.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench/state_overhead.py")
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))  # the throwaway cluster of the tests
    from tests.pg_cluster import running_cluster

    with ExitStack() as stack:
        url = stack.enter_context(sandbox_process())
        cluster = stack.enter_context(running_cluster())
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        interview_id = anyio.run(an_interview, url)
        stores = {
            "memory": ":memory:",
            "sqlite": str(folder / "state.db"),
            "postgres": cluster.new_database("bench"),
        }
        with switchable_audit():
            results = {
                name: anyio.run(measure_tools, url, db, interview_id, args.calls)
                for name, db in stores.items()
            }
        print(f"\nper call, median of {args.calls}, audit off and on interleaved")
        overhead = {}
        for name, ((off, on), _) in results.items():
            print(line(f"get_interview, {name}: no audit (baseline)", off, off))
            print(line(f"get_interview, {name}: audit", on, off))
            overhead[name] = on - off
        rounds = max(args.calls // 4, 20)
        base_confirm = results["memory"][1]
        print(f"share_interview asked, then confirmed with its token ({rounds} rounds; audit on)")
        for name, (_, confirm) in results.items():
            label = "memory (baseline)" if name == "memory" else name
            print(line(f"share_interview ask + confirm, {label}", confirm, base_confirm))
        sqlite_ops = measure_store(open_state(settings(url, stores["sqlite"] + ".ops")), args.calls)
        postgres_ops = measure_store(open_state(settings(url, cluster.new_database("ops"))), args.calls)
        print(line("store alone: spend + record, SQLite (baseline)", sqlite_ops, sqlite_ops))
        print(line("store alone: spend + record, PostgreSQL", postgres_ops, sqlite_ops))
        print(
            f"audit overhead per call: memory {overhead['memory']:+.2f} ms, "
            f"SQLite {overhead['sqlite']:+.2f} ms, PostgreSQL {overhead['postgres']:+.2f} ms"
        )
        confirm_extra = {name: results[name][1] - base_confirm for name in ("sqlite", "postgres")}
        print(
            f"confirmation round over memory: SQLite {confirm_extra['sqlite']:+.2f} ms, "
            f"PostgreSQL {confirm_extra['postgres']:+.2f} ms; PostgreSQL/SQLite store ops x"
            f"{postgres_ops / sqlite_ops:.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
