"""What the shared state costs per tool call: the audit trail on every call, and a confirmation token's
issue and redemption, with SQLite and with PostgreSQL, against the same call with neither.

    .venv/bin/python -m bench.state_overhead [--calls 200]

The sandbox runs in its own process (`bench.run.sandbox_process`), the MCP server in this one with the
SDK's in-memory client, so the figures are this server's own work plus the stand-in's answer. Rows:
1. get_interview per call: no audit (baseline), audit in a SQLite file, audit in PostgreSQL (a throwaway
   local cluster, fsync off: a network database adds its round trip on top);
2. share_interview asked then confirmed with its token (two calls, one upstream write): spent nonces in
   memory and no audit (baseline), SQLite, PostgreSQL;
3. the store operations alone (one `spend` + one `record`): SQLite against PostgreSQL.
Each line gives the median per call and its ratio to the baseline of its group.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio
from bench.run import KEY, sandbox_process
from mcp import Client
from mcp.types import CallToolResult, TextContent
from pydantic import SecretStr

from hireflix_mcp import audit
from hireflix_mcp.server import build_server
from hireflix_mcp.settings import Settings
from hireflix_mcp.store import AuditEntry, StateStore, open_state
from hireflix_mcp.tools.catalog import ALL_TOOLSETS, Profile

SECRET = "bench-confirm-secret-0123456789"  # noqa: S105 - a throwaway HMAC key


@contextmanager
def no_audit() -> Iterator[None]:
    """The baseline: the audit hook finds no trail, so it only runs the call."""
    original = audit._trail
    audit._trail = lambda context: None
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
    return statistics.median(samples) * 1000


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


async def measure_tools(url: str, state_db: str, interview_id: str, calls: int) -> tuple[float, float]:
    """(get_interview ms, share ask + confirm ms) on a server with `state_db`."""
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

        return await per_call_ms(calls, read), await per_call_ms(max(calls // 4, 20), confirmed_share)


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
        return statistics.median(samples) * 1000
    finally:
        store.close()


def line(figure: str, value: float, baseline: float) -> str:
    return f"{figure:<58} {value:8.2f} ms   x{value / baseline:5.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench.state_overhead")
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    from tests.pg_cluster import running_cluster

    with ExitStack() as stack:
        url = stack.enter_context(sandbox_process())
        cluster = stack.enter_context(running_cluster())
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        interview_id = anyio.run(an_interview, url)
        stores = {
            "sqlite": str(folder / "state.db"),
            "postgres": cluster.new_database("bench"),
        }
        with no_audit():
            base_read, base_confirm = anyio.run(measure_tools, url, ":memory:", interview_id, args.calls)
        results = {
            name: anyio.run(measure_tools, url, db, interview_id, args.calls) for name, db in stores.items()
        }
        print(f"\nper call, median of {args.calls} (confirm: {max(args.calls // 4, 20)} rounds)")
        print(line("get_interview, no audit (baseline)", base_read, base_read))
        for name, (read, _) in results.items():
            print(line(f"get_interview, audit in {name}", read, base_read))
        print(line("share_interview ask + confirm, memory, no audit (baseline)", base_confirm, base_confirm))
        for name, (_, confirm) in results.items():
            print(line(f"share_interview ask + confirm, {name}", confirm, base_confirm))
        sqlite_ops = measure_store(open_state(settings(url, stores["sqlite"] + ".ops")), args.calls)
        postgres_ops = measure_store(open_state(settings(url, cluster.new_database("ops"))), args.calls)
        print(line("store alone: spend + record, SQLite (baseline)", sqlite_ops, sqlite_ops))
        print(line("store alone: spend + record, PostgreSQL", postgres_ops, sqlite_ops))
        pg_read = results["postgres"][0]
        print(f"audit overhead per call: SQLite {results['sqlite'][0] - base_read:+.2f} ms, ")
        print(
            f"PostgreSQL {pg_read - base_read:+.2f} ms; PostgreSQL/SQLite ratio of the read call "
            f"{pg_read / results['sqlite'][0]:.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
