"""`hireflix-mcp index sync | status | purge`: the transcript index from the command line.

    hireflix-mcp index sync [--position ID ...]   fill or update it now (a progress bar on stderr)
    hireflix-mcp index status                     what is indexed, where, and how fresh
    hireflix-mcp index purge                      forget every transcript kept (personal data)

The index lives where HIREFLIX_MCP_STATE_DB says (a SQLite file, or a postgresql:// URL); with the
default `:memory:` nothing outlives the command, so `sync` says so.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import TextIO

import anyio
from pydantic import ValidationError

from hireflix_mcp.settings import Settings
from hireflix_mcp.settings import describe_invalid
from hireflix_mcp.transcripts.index import Stats
from hireflix_mcp.transcripts.index import TranscriptIndex
from hireflix_mcp.transcripts.index import open_index
from hireflix_mcp.views.common import iso

BAR_WIDTH = 30


class ProgressBar:
    """One line on stderr, redrawn after each page: interviews read of those listed so far."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.positions: dict[str, tuple[int, int | None]] = {}
        self.started = time.monotonic()
        self._last_line = 0.0

    def __call__(self, position: str, done: int, total: int | None) -> None:
        self.positions[position] = (done, total)
        read = sum(d for d, _ in self.positions.values())
        known = sum(t if t is not None else d for d, t in self.positions.values())
        share = read / known if known else 1.0
        filled = int(BAR_WIDTH * share)
        line = (
            f"[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {read}/{known} interviews, "
            f"{len(self.positions)} positions, {time.monotonic() - self.started:.0f} s  {position[:30]}"
        )
        if self.tty:
            self.stream.write("\r" + line.ljust(100))
        elif time.monotonic() - self._last_line >= 2 or (total is not None and done >= total):
            self.stream.write(line + "\n")
            self._last_line = time.monotonic()
        self.stream.flush()

    def close(self) -> None:
        if self.tty and self.positions:
            self.stream.write("\n")


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ValidationError as exc:
        raise SystemExit("\n".join(f"hireflix-mcp: {line}" for line in describe_invalid(exc))) from None


def describe(stats: Stats) -> list[str]:
    lines = [
        f"where: {stats.where}",
        f"interviews: {stats.interviews} listed, {stats.recorded} recorded with {stats.answers} answers "
        "indexed",
        f"size: {stats.bytes / 1_048_576:.1f} MiB",
        f"last webhook update: {iso(stats.changed_at) or 'none'}",
        f"positions: {len(stats.positions)}",
    ]
    for p in stats.positions:
        state = f"synced {iso(p.completed_at)}" if p.completed_at else "never completed"
        if p.pass_started is not None:
            state += f"; a pass is under way since {iso(p.pass_started)} (resumes from its cursor)"
        lines.append(f"  {p.position_id}  {p.position_name[:40]:40}  {state}")
    return lines


async def _sync(settings: Settings, index: TranscriptIndex, positions: Sequence[str] | None) -> int:
    from hireflix_mcp.hireflix.client import HireflixClient
    from hireflix_mcp.transcripts.sync import TranscriptSync

    bar = ProgressBar(sys.stderr)
    async with HireflixClient(settings.client_config()) as client:
        started = time.monotonic()
        report = await TranscriptSync(index, client).run(positions or None, bar)
    bar.close()
    print(
        f"synced {report.positions} positions in {time.monotonic() - started:.1f} s: {report.interviews} "
        f"interviews listed, {report.indexed} (re)indexed, {report.forgotten} forgotten (deleted upstream), "
        f"{report.requests} API requests",
        file=sys.stderr,
    )
    for position_id, reason in report.failed.items():
        print(f"position {position_id} not finished (resumes next time): {reason}", file=sys.stderr)
    return 1 if report.failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hireflix-mcp index", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="action", required=True)
    sync = sub.add_parser("sync", help="fill or update the index now, with a progress bar on stderr")
    sync.add_argument("--position", action="append", metavar="ID", help="only this position (repeatable)")
    sub.add_parser("status", help="what is indexed, where, and how fresh")
    sub.add_parser("purge", help="delete every transcript the index keeps (not in Hireflix)")
    args = parser.parse_args(argv)
    settings = _settings()
    index = open_index(settings.state_db)
    try:
        if args.action == "status":
            print("\n".join(describe(index.stats())))
            return 0
        if args.action == "purge":
            before = index.stats()
            index.purge()
            print(
                f"purged {before.answers} answers of {before.recorded} interviews from {before.where}; "
                "Hireflix itself is unchanged"
            )
            return 0
        if settings.api_key is None:
            print(
                "hireflix-mcp: HIREFLIX_API_KEY is not set: it is needed to read transcripts", file=sys.stderr
            )
            return 2
        if settings.state_db == ":memory:":
            print(
                "hireflix-mcp: HIREFLIX_MCP_STATE_DB is not set: the index is kept in memory and ends with "
                "this "
                "command (set it to a file or a postgresql:// URL to keep it)",
                file=sys.stderr,
            )
        return anyio.run(_sync, settings, index, args.position)
    finally:
        index.close()
