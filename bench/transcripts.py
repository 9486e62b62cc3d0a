"""The transcript index on a large account: sync cost, size, search latency, webhook freshness, and what
search_transcripts saves against reading every transcript.

    .venv/bin/python -m bench.transcripts [--size 10000] [--postgres] [--queries 100]

Steps, each printed as it finishes:
1. a sandbox with `--demo-size` interviews (six answers each, English and Spanish, word timings);
2. a full sync into a SQLite file (and a PostgreSQL database with --postgres, on a throwaway cluster):
   wall time and API requests;
3. the index's size;
4. search_transcripts through the real MCP client over `--queries` varied queries: p50 and p95
   (targets: p95 < 50 ms SQLite, < 100 ms PostgreSQL);
5. one interview completed upstream, its `interview.finish` event applied: time until it is searchable
   (target < 1 s);
6. "which of this position's 200 candidates mentioned X": characters returned and wall time with
   search_transcripts against get_interview_transcript on every interview of the position (the ratio).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
from mcp import Client
from mcp.types import TextContent
from pydantic import SecretStr

from hireflix_mcp.hireflix.client import HireflixClient
from hireflix_mcp.server import build_server
from hireflix_mcp.settings import Settings
from hireflix_mcp.tools.catalog import Profile
from hireflix_mcp.transcripts.index import Filters
from hireflix_mcp.transcripts.index import open_index
from hireflix_mcp.transcripts.query import parse
from hireflix_mcp.transcripts.sync import CONCURRENCY
from hireflix_mcp.transcripts.sync import TranscriptSync
from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.embedded import running_sandbox
from hireflix_sandbox.large_demo import _EN
from hireflix_sandbox.large_demo import _ES

WORDS = ("experience", "team", "customers", "trabajé", "equipo", "clientes", "calm", "feedback", "problemas",
         "responsable", "organised", "rapidez", "priorities", "honest", "mentor", "plan", "stock",
         "cocinero")  # fmt: skip


def queries(count: int, positions: list[str], rng: random.Random) -> list[dict[str, Any]]:
    """Varied queries: single words, skills, shifts as phrases, ORs, two-word ANDs, scoped or not."""
    made: list[dict[str, Any]] = []
    skills = [s for s in (*_EN["skills"], *_ES["skills"]) if '"' not in s]
    for i in range(count):
        kind = i % 5
        if kind == 0:
            query = rng.choice(WORDS)
        elif kind == 1:
            query = f'"{rng.choice(_EN["shifts"] + _ES["shifts"])}"'
        elif kind == 2:
            query = f"{rng.choice(skills).split()[-1]} OR {rng.choice(skills).split()[-1]}"
        elif kind == 3:
            query = f"{rng.choice(skills).split()[-1]} {rng.choice(WORDS)}"
        else:
            query = f'"{rng.choice(_EN["duties"] + _ES["duties"])}"'
        arguments: dict[str, Any] = {"query": query, "limit": 10}
        if i % 3 == 0:
            arguments["position_id"] = rng.choice(positions)
        if i % 7 == 0:
            arguments["status"] = "to_evaluate"
        made.append(arguments)
    return made


def text_of(result: Any) -> str:
    return "".join(c.text for c in result.content if isinstance(c, TextContent))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@contextlib.asynccontextmanager
async def patient_sync(
    state_db: str, sandbox: RunningSandbox, concurrency: int = CONCURRENCY
) -> AsyncIterator[TranscriptSync]:
    """A sync of the index at `state_db` from `sandbox`, its request counts reset; the index closed after."""
    index = open_index(state_db)
    # The sandbox answers one request at a time, and a page of 50 interviews with word timings takes it
    # seconds of GraphQL execution: a patient read timeout.
    settings = Settings(api_url=sandbox.url, api_key=SecretStr(sandbox.api_key), read_timeout=300)
    sandbox.reset_request_counts()
    try:
        async with HireflixClient(settings.client_config()) as client:
            yield TranscriptSync(index, client, concurrency=concurrency)
    finally:
        index.close()


async def sync_into(state_db: str, sandbox: RunningSandbox) -> dict[str, Any]:
    started = time.perf_counter()
    async with patient_sync(state_db, sandbox, concurrency=2) as sync:  # two positions at once
        report = await sync.run()
        elapsed = time.perf_counter() - started
        stats = sync.index.stats()
    return {
        "sync_s": round(elapsed, 1),
        "requests": sandbox.request_counts()["total"],
        "interviews_indexed": stats.recorded,
        "answers": stats.answers,
        "index_mib": round(stats.bytes / 1_048_576, 1),
        "failed": report.failed,
    }


async def searches(state_db: str, sandbox: RunningSandbox, count: int) -> dict[str, Any]:
    settings = Settings(api_url=sandbox.url, api_key=SecretStr(sandbox.api_key), state_db=state_db)
    positions = [p.id for p in sandbox.store.positions() if "bench" in p.tags]
    plan = queries(count, positions, random.Random(7))
    measured: dict[str, Any] = {"queries": count}
    async with Client(build_server(settings, Profile())) as client:
        await client.call_tool("search_transcripts", {"query": "warm up", "limit": 1})
        # First round: hits whose word timings the index lacks read them from Hireflix (one request per
        # interview). Second round, same queries: what a search costs once they are kept.
        for label in ("first", "again"):
            times: list[float] = []
            for arguments in plan:
                started = time.perf_counter()
                result = await client.call_tool("search_transcripts", arguments)
                times.append((time.perf_counter() - started) * 1000)
                assert not result.is_error, text_of(result)
            measured[f"{label}_p50_ms"] = round(statistics.median(times), 1)
            measured[f"{label}_p95_ms"] = round(percentile(times, 0.95), 1)
    return measured


async def timings_pass(state_db: str, sandbox: RunningSandbox) -> dict[str, Any]:
    """The background's second phase: every position's word timings, in pages with the words."""
    started = time.perf_counter()
    async with patient_sync(state_db, sandbox) as sync:
        filled = 0
        for progress in sync.index.stats().positions:
            filled += await sync.fill_position_times(progress.position_id)
    return {
        "word_timings_pass_s": round(time.perf_counter() - started, 1),
        "requests": sandbox.request_counts()["total"],
        "interviews_timed": filled,
    }


async def webhook_freshness(state_db: str, sandbox: RunningSandbox) -> dict[str, Any]:
    index = open_index(state_db)
    settings = Settings(api_url=sandbox.url, api_key=SecretStr(sandbox.api_key))
    record = next(r for r in sandbox.store.all_interviews() if not r.completed)
    sandbox.complete_interview(record.id)
    word = (sandbox.store.answers(record.id)[0].text or "x").split()[-1].strip(".")
    async with HireflixClient(settings.client_config()) as client:
        started = time.perf_counter()
        await TranscriptSync(index, client).apply_event(
            "interview.finish", {"id": record.id, "position": {"id": record.position_id}}
        )
        hits = index.search(parse(word), Filters(position_id=record.position_id), 50).hits
        elapsed = time.perf_counter() - started
    index.close()
    assert record.id in {h.interview.interview_id for h in hits}
    return {"finish_to_searchable_ms": round(elapsed * 1000, 1)}


async def side_by_side(state_db: str, sandbox: RunningSandbox) -> dict[str, Any]:
    settings = Settings(api_url=sandbox.url, api_key=SecretStr(sandbox.api_key), state_db=state_db)
    position = next(p for p in sandbox.store.positions() if "bench" in p.tags and p.language == "en")
    interviews = [r.id for r in sandbox.store.interviews(position.id)]
    async with Client(build_server(settings, Profile())) as client:
        arguments = {"query": '"night shifts"', "position_id": position.id, "limit": 50}
        started = time.perf_counter()
        await client.call_tool("search_transcripts", arguments)  # reads the hits' word timings once
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        found = await client.call_tool("search_transcripts", arguments)
        search_s = time.perf_counter() - started
        search_chars = len(text_of(found))
        matched = json.loads(text_of(found))["matched_interviews"]
        started = time.perf_counter()
        read_chars = 0
        for interview_id in interviews:
            cursor: str | None = None
            while True:
                reading: dict[str, Any] = {"interview_id": interview_id}
                if cursor:
                    reading["cursor"] = cursor
                page = await client.call_tool("get_interview_transcript", reading)
                read_chars += len(text_of(page))
                cursor = json.loads(text_of(page)).get("next_cursor")
                if not cursor:
                    break
        read_s = time.perf_counter() - started
    return {
        "position_interviews": len(interviews),
        "matched_interviews": matched,
        "search_chars": search_chars,
        "search_first_s": round(first_s, 3),
        "search_s": round(search_s, 3),
        "read_all_chars": read_chars,
        "read_all_s": round(read_s, 1),
        "chars_ratio": round(read_chars / search_chars, 1),
        "time_ratio": round(read_s / search_s, 1),
    }


def reuse(source: str, target: str) -> dict[str, Any]:
    """Copy a synced SQLite index, marked as synced now (its age would make every search check upstream)."""
    import shutil
    import sqlite3

    shutil.copyfile(source, target)
    with contextlib.closing(sqlite3.connect(target)) as db, db:
        db.execute("UPDATE tx_progress SET completed_at = ?", (time.time() * 1000,))
    index = open_index(target)
    stats = index.stats()
    index.close()
    return {
        "reused": source,
        "interviews_indexed": stats.recorded,
        "index_mib": round(stats.bytes / 1_048_576, 1),
    }


def copy_index(source: str, target: str) -> dict[str, Any]:
    """Fill `target` with what the synced `source` holds (saves a second sync through the slow sandbox)."""
    origin, copy = open_index(source), open_index(target)
    started = time.perf_counter()
    positions = origin.stats().positions
    for progress in positions:
        docs = [origin.interview(i) for i in origin.known(progress.position_id)]
        copy.upsert([d for d in docs if d is not None], seen_at=time.time() * 1000)
        copy.save_progress(progress)
    stats = copy.stats()
    origin.close()
    copy.close()
    return {
        "loaded_from_sqlite_s": round(time.perf_counter() - started, 1),
        "interviews_indexed": stats.recorded,
        "answers": stats.answers,
        "index_mib": round(stats.bytes / 1_048_576, 1),
    }


@contextlib.contextmanager
def postgres() -> Iterator[str]:
    from tests.pg_cluster import running_cluster

    with running_cluster() as cluster:
        yield cluster.new_database("bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--postgres", action="store_true", help="also PostgreSQL (a throwaway cluster)")
    parser.add_argument("--timings-pass", action="store_true", help="run the word-timings pass (slow) first")
    parser.add_argument(
        "--reuse-sqlite",
        metavar="FILE",
        help="start from this synced SQLite index of an account of the same --size (ids are deterministic) "
        "instead of syncing again",
    )
    parser.add_argument(
        "--postgres-sync",
        action="store_true",
        help="sync PostgreSQL from the API too (else copied from SQLite)",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    with running_sandbox(demo_size=args.size) as sandbox, tempfile.TemporaryDirectory() as tmp:
        print(
            json.dumps(
                {"sandbox": f"{args.size} interviews", "generated_s": round(time.perf_counter() - started, 1)}
            )
        )
        stores = {"sqlite": str(Path(tmp) / "state.db")}
        with contextlib.ExitStack() as stack:
            if args.postgres:
                stores["postgres"] = stack.enter_context(postgres())
            for name, state_db in stores.items():
                if name == "sqlite" and args.reuse_sqlite:
                    print(json.dumps({"store": name, **reuse(args.reuse_sqlite, state_db)}), flush=True)
                elif name == "postgres" and not args.postgres_sync:
                    print(json.dumps({"store": name, **copy_index(stores["sqlite"], state_db)}), flush=True)
                else:
                    print(json.dumps({"store": name, **anyio.run(sync_into, state_db, sandbox)}), flush=True)
                if name == "sqlite" and args.timings_pass:
                    print(
                        json.dumps({"store": name, **anyio.run(timings_pass, state_db, sandbox)}), flush=True
                    )
                print(
                    json.dumps({"store": name, **anyio.run(searches, state_db, sandbox, args.queries)}),
                    flush=True,
                )
                print(
                    json.dumps({"store": name, **anyio.run(webhook_freshness, state_db, sandbox)}), flush=True
                )
            print(
                json.dumps({"store": "sqlite", **anyio.run(side_by_side, stores["sqlite"], sandbox)}),
                flush=True,
            )


if __name__ == "__main__":
    main()
