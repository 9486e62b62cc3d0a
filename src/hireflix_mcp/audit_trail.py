"""Reading the audit trail: `hireflix-mcp audit` and the `hireflix://audit` resource.

    hireflix-mcp audit [--since DATE] [--person SUB] [--limit N] [--json]

reads the store `HIREFLIX_MCP_STATE_DB` names (a SQLite file or a PostgreSQL URL; a `:memory:` trail
lives and dies with its server process, so there is nothing to read from outside it) and prints one line
per tool call, oldest first, or a JSON array with `--json`.

The resource `hireflix://audit` gives the newest `RESOURCE_ENTRIES` entries to a caller with the
`hireflix:admin` scope (OAuth mode; others neither list nor read it). Without OAuth there is one person,
who runs the server and may read their own trail: the resource is listed and readable then.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

from mcp.server import MCPServer
from pydantic import ValidationError

from hireflix_mcp.audit import AUDIT_URI
from hireflix_mcp.settings import Settings
from hireflix_mcp.settings import describe_invalid
from hireflix_mcp.state import request_app_state
from hireflix_mcp.store import AuditEntry
from hireflix_mcp.store import open_state
from hireflix_mcp.views.common import time_bound

RESOURCE_ENTRIES = 200
_RELATIVE = re.compile(r"(\d+)([dhm])")


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """`2026-12-01`, `2026-12-01T09:30`, `2026-12-01T09:30:00+01:00` (naive means UTC), or `7d`/`12h`/`30m`
    ago; `ValueError` naming the accepted forms otherwise."""
    relative = _RELATIVE.fullmatch(text.strip())
    if relative:
        amount, unit = int(relative.group(1)), relative.group(2)
        span = {"d": timedelta(days=amount), "h": timedelta(hours=amount), "m": timedelta(minutes=amount)}
        return (now or datetime.now(UTC)) - span[unit]
    try:
        return datetime.fromtimestamp(time_bound(text) / 1000, UTC)
    except (ValueError, OverflowError):
        raise ValueError(
            f"--since {text!r} is invalid: expected a date (2026-12-01), a date and time "
            "(2026-12-01T09:30, UTC unless an offset is given) or an age (7d, 12h, 30m)"
        ) from None


def line(entry: AuditEntry) -> str:
    """One entry as one line: time, person, client, tool, outcome, ids, operations, duration."""
    who = f"{entry.person} ({entry.sub})" if entry.person else entry.sub
    ids = " ".join(f"{entity}={','.join(values)}" for entity, values in entry.ids.items()) or "-"
    ops = ",".join(entry.operations) or "-"
    at = entry.at.strftime("%Y-%m-%dT%H:%M:%SZ")
    client = entry.client or "-"
    took = f"{entry.duration_ms:.0f}ms"
    return f"{at}  {who}  {client}  {entry.tool}  {entry.outcome}  {ids}  ops={ops}  {took}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="hireflix-mcp audit",
        description="Print the audit trail: one line per tool call (who, client, tool, outcome, ids, "
        "Hireflix operations), oldest first, from the store HIREFLIX_MCP_STATE_DB names.",
    )
    parser.add_argument("--since", help="from this date/time (2026-12-01, 2026-12-01T09:30) or age (7d)")
    parser.add_argument("--person", help="only this person's calls (their subject, 'local' for stdio)")
    parser.add_argument("--limit", type=int, default=1000, help="at most this many, the newest (1000)")
    parser.add_argument("--json", action="store_true", help="a JSON array instead of lines")
    args = parser.parse_args(argv)
    try:
        since = parse_since(args.since) if args.since else None
    except ValueError as exc:
        parser.error(str(exc))
    if args.limit < 1:
        parser.error("--limit must be at least 1")
    try:
        settings = Settings.from_env()
    except ValidationError as exc:
        for problem in describe_invalid(exc):
            print(f"hireflix-mcp audit: {problem}", file=sys.stderr)
        return 2
    if settings.state_db == ":memory:":
        print(
            "hireflix-mcp audit: HIREFLIX_MCP_STATE_DB is not set (:memory:), so the audit trail lives only "
            "inside the server process. Set it to a SQLite file or a postgresql:// URL, for the server and "
            "for this command.",
            file=sys.stderr,
        )
        return 2
    store = open_state(settings)
    try:
        store.open()
    except ConnectionError as exc:
        print(f"hireflix-mcp audit: {exc}", file=sys.stderr)
        return 1
    try:
        entries = store.audit(since=since, sub=args.person, limit=args.limit)
    finally:
        store.close()
    if args.json:
        print(json.dumps([entry.as_json() for entry in entries], indent=1))
    else:
        for entry in entries:
            print(line(entry))
        if not entries:
            narrowed = " matching --since/--person" if since or args.person else ""
            print(f"no tool calls recorded{narrowed}", file=sys.stderr)
    return 0


async def read_audit() -> str:
    state = request_app_state()
    entries = state.audit.audit(limit=RESOURCE_ENTRIES) if state.audit is not None else []
    body: dict[str, Any] = {
        "entries": [entry.as_json() for entry in entries],
        "shown": len(entries),
        "note": f"The newest {RESOURCE_ENTRIES} tool calls, oldest first; `hireflix-mcp audit` prints "
        "more. Ids and operation names only: no candidate data.",
    }
    return json.dumps(body, separators=(",", ":"))


def register_audit_resource(server: MCPServer[Any]) -> None:
    server.resource(
        AUDIT_URI,
        name="audit_trail",
        title="Audit trail",
        description="Who called which tool, from which client, with what outcome, on which ids "
        "(administrators only).",
        mime_type="application/json",
    )(read_audit)
