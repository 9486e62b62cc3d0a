"""Workflow bench: seven agent workflows replayed against the sandbox, in result and definition characters.

    .venv/bin/python bench/workflows.py [--baseline REV | --no-baseline] [--scale small|full]

Each workflow is a small async function that behaves like an agent: it calls tools over a real MCP
`Client` session (stdio, `hireflix-mcp serve --sandbox --toolsets all` in a fresh subprocess, with
`HIREFLIX_MCP_CONFIRM=token` so confirmations are the token round trip), reads each result the way a
model would (the text content, parsed as JSON; structured content only to find ids when the text is
not JSON) and decides its next call from what came back. Workflows adapt to the tool surface (input
schemas, result keys) instead of hard-coding one version's shapes, so the same script measures the
working tree and a baseline git revision, each from identical seeded demo data:

1. open positions and how many finished each
2. find a named candidate and summarise the interview (transcript + prompt)
3. invite three candidates, one malformed and one already invited
4. shortlist the top two by score and share a link
5. delete an interview and remove a member with confirmation
6. what happened in the account last week
7. ten bad inputs (each error text is printed: it is what a model sees)

Counted per workflow: tool calls and prompt gets, characters of result text (content blocks' text,
embedded resources' text for prompts), of structured content serialized compactly, their total, and
tool errors; plus the model-visible definition characters of the tools and prompts it used. What each
workflow concluded (its "answer": counts, names, outcomes) is compared between the versions, so a
smaller result that loses something an agent needs shows up as a difference.

Workflows start from what an earlier turn of the conversation would know (position ids and names, a
candidate's name, a member's e-mail): an uncounted setup step reads it from the server being measured.

Targets (printed ok/MISS, never asserted by tests): workflow 1 in one call; total result characters at
most 0.6x the baseline's. Results go to stdout, progress to stderr. tests/test_workflows_bench.py runs
the working tree at small scale.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from contextlib import asynccontextmanager
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any
from typing import Literal
from typing import TextIO
from typing import cast

import anyio
from mcp import Client
from mcp import StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.shared.exceptions import MCPError
from mcp.types import CallToolResult
from mcp.types import ContentBlock
from mcp.types import EmbeddedResource
from mcp.types import GetPromptResult
from mcp.types import Prompt
from mcp.types import TextContent
from mcp.types import TextResourceContents
from mcp.types import Tool

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
DEFAULT_BASELINE = "3062a81"
"""main before the compact-results work."""

Scale = Literal["small", "full"]
logger = logging.getLogger("bench.workflows")

ID_RE = re.compile(r"\b[0-9a-f]{24}\b")
TOKEN_RE = re.compile(r"confirmation_token\W+([A-Za-z0-9._~-]{20,})")
MODEL_VISIBLE_TOOL_KEYS = ("name", "title", "description", "inputSchema", "annotations")
MODEL_VISIBLE_PROMPT_KEYS = ("name", "title", "description", "arguments")
RECORDED_STATUSES = ("to_evaluate", "shortlisted")

NEW_CANDIDATE = {"email": "ada.lovelace@example.org", "first_name": "Ada", "last_name": "Lovelace"}
MALFORMED_CANDIDATE = {"email": "grace.hopper(at)example.org", "first_name": "Grace", "last_name": "Hopper"}

TITLES = {
    1: "open positions and how many finished each",
    2: "find a candidate, summarise the interview",
    3: "invite three (one malformed, one invited)",
    4: "shortlist the top two, share a link",
    5: "delete an interview, remove a member",
    6: "what happened last week",
    7: "ten bad inputs",
}


# ------------------------------------------------------------------------------------------ records


def compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def block_text(block: ContentBlock) -> str:
    """The text a model reads from one content block (embedded text resources included)."""
    if isinstance(block, TextContent):
        return block.text
    if isinstance(block, EmbeddedResource) and isinstance(block.resource, TextResourceContents):
        return block.resource.text
    return ""


def parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def dig(data: Any, path: str) -> Any:
    """`data["a"]["b"]` for path "a.b"; None when any step is missing."""
    for part in path.split("."):
        if not isinstance(data, Mapping):
            return None
        data = data.get(part)
    return data


def pick(data: Any, *paths: str) -> Any:
    """The first of `paths` present (not None) in `data`."""
    for path in paths:
        value = dig(data, path)
        if value is not None:
            return value
    return None


def pick_str(data: Any, *paths: str) -> str | None:
    value = pick(data, *paths)
    return value if isinstance(value, str) and value else None


def pick_num(data: Any, *paths: str) -> float | None:
    value = pick(data, *paths)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _dicts(items: Sequence[Any]) -> list[dict[str, Any]]:
    return [item for item in items if isinstance(item, dict)]


def _table(data: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """A columns + rows table (a compact list shape) as records."""
    columns = data.get("columns") or data.get("fields")
    rows = data.get("rows") or data.get("items") or data.get("data")
    if isinstance(columns, list) and isinstance(rows, list) and all(isinstance(r, list) for r in rows):
        return [dict(zip(columns, row, strict=False)) for row in rows]
    return None


def records(data: Any, *preferred: str) -> list[dict[str, Any]]:
    """The list of records in a result: under one of `preferred` keys, else the first list of objects."""
    if isinstance(data, list):
        return _dicts(data)
    if not isinstance(data, Mapping):
        return []
    table = _table(data)
    if table is not None:
        return table
    for key in preferred:
        value = data.get(key)
        if isinstance(value, list):
            return _dicts(value)
        if isinstance(value, Mapping) and (nested := _table(value)) is not None:
            return nested
    for value in data.values():
        if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            return _dicts(value)
    return []


def record_id(record: Mapping[str, Any], *keys: str) -> str | None:
    value = pick(record, *keys, "id")
    return value if isinstance(value, str) and ID_RE.fullmatch(value) else None


def person_name(record: Any) -> str | None:
    """A candidate's or member's display name, however the result spells it."""
    name = pick_str(record, "name", "candidate_name", "candidate.name", "candidate")
    if name:
        return name
    first = pick_str(record, "first_name", "candidate.first_name")
    last = pick_str(record, "last_name", "candidate.last_name")
    return " ".join(part for part in (first, last) if part) or None


def is_open(position: Mapping[str, Any]) -> bool:
    status = position.get("status")
    return not position.get("archived") and not position.get("archived_at") and status != "archived"


FINISHED_KEYS = (
    "recorded",
    "finished",
    "completed",
    "recorded_count",
    "finished_count",
    "completed_count",
    "interviews_recorded",
    "interviews_finished",
    "interviews_completed",
)
COUNT_CONTAINERS = ("interview_counts", "counts", "interviews", "stats", "interview_stats")


def finished_count(data: Any, depth: int = 0) -> int | None:
    """How many interviews of a position were recorded, from whatever counts the result carries."""
    if not isinstance(data, Mapping) or depth > 2:
        return None
    for key in FINISHED_KEYS:
        value = data.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    for key, value in data.items():  # e.g. "recorded_interviews", "n_finished"
        if (
            re.search(r"record|finish|complet", key)
            and isinstance(value, int)
            and not isinstance(value, bool)
        ):
            return value
    for key in COUNT_CONTAINERS:
        found = finished_count(data.get(key), depth + 1)
        if found is not None:
            return found
    if depth == 0:
        return None
    total, pending = data.get("total"), data.get("pending")
    if isinstance(total, int) and isinstance(pending, int):
        return total - pending
    parts = [data.get(s) for s in ("to_evaluate", "shortlisted", "discarded")]
    numbers = [p for p in parts if isinstance(p, int)]
    return sum(numbers) if numbers else None


def parse_time(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# ------------------------------------------------------------------------------------------ agent


@dataclass
class Reply:
    """One tool result as an agent reads it."""

    tool: str
    is_error: bool
    text: str
    structured: dict[str, Any] | None
    protocol_error: bool = False

    @property
    def data(self) -> Any:
        """The text parsed as JSON; structured content only when the text is not JSON."""
        parsed = parse_json(self.text)
        return parsed if parsed is not None else self.structured

    def ids(self) -> list[str]:
        """Every 24-hex id the result mentions: the last resort when nothing parses."""
        found = ID_RE.findall(self.text)
        if not found and self.structured is not None:
            found = ID_RE.findall(compact(self.structured))
        return list(dict.fromkeys(found))

    def status(self) -> str | None:
        return pick_str(self.data, "status", "outcome", "result")

    def token(self) -> str | None:
        token = pick_str(self.data, "confirmation_token", "confirmation.token")
        if token is None and self.structured is not None:
            token = pick_str(self.structured, "confirmation_token", "confirmation.token")
        if token is None and (match := TOKEN_RE.search(self.text)):
            token = match.group(1)
        return token

    def done(self) -> bool:
        """The action happened: no error, no confirmation still pending."""
        return not self.is_error and self.status() != "confirmation_required" and self.token() is None


@dataclass
class Tally:
    calls: int = 0
    prompt_gets: int = 0
    text_chars: int = 0
    structured_chars: int = 0
    errors: int = 0
    protocol_errors: int = 0
    unparsed: int = 0
    """Successful results whose text is not JSON (read through structured content or ids only)."""
    tools: set[str] = field(default_factory=set)
    prompts: set[str] = field(default_factory=set)

    @property
    def total_chars(self) -> int:
        return self.text_chars + self.structured_chars

    @property
    def requests(self) -> int:
        return self.calls + self.prompt_gets


@dataclass
class Known:
    """What earlier turns of the conversation would have told the agent (uncounted setup)."""

    now: datetime
    position_names: dict[str, str]
    invite_position: str
    existing_email: str
    review_position: str
    candidate_names: list[str]
    sample_interview: str
    member_email: str | None
    finished: dict[str, int]
    """Per open position name: interviews with a recorded time (completed_at), where results carry it."""


class Agent:
    """A client session plus the bookkeeping: every counted call adds to the current tally."""

    def __init__(
        self, client: Client, tools: Sequence[Tool], prompts: Sequence[Prompt], scale: Scale
    ) -> None:
        self.client = client
        self.tools = {tool.name: tool for tool in tools}
        self.prompts = {prompt.name: prompt for prompt in prompts}
        self.scale = scale
        self.tally = Tally()
        self.known: Known | None = None

    @property
    def full(self) -> bool:
        return self.scale == "full"

    def has(self, tool: str) -> bool:
        return tool in self.tools

    def params(self, tool: str) -> dict[str, Any]:
        spec = self.tools.get(tool)
        props = spec.input_schema.get("properties", {}) if spec is not None else {}
        return props if isinstance(props, dict) else {}

    def required(self, tool: str) -> list[str]:
        spec = self.tools.get(tool)
        required = spec.input_schema.get("required", []) if spec is not None else []
        return [str(name) for name in required] if isinstance(required, list) else []

    def maximum(self, tool: str, param: str, cap: int) -> int | None:
        spec = self.params(tool).get(param)
        if not isinstance(spec, dict):
            return None
        most = spec.get("maximum")
        return min(int(most), cap) if isinstance(most, int | float) else cap

    async def call(self, tool: str, arguments: dict[str, Any], *, counted: bool = True) -> Reply:
        try:
            result: CallToolResult = await self.client.call_tool(tool, arguments)
        except MCPError as exc:
            reply = Reply(tool, True, str(exc), None, protocol_error=True)
            logger.warning("protocol error from %s: %s", tool, exc)
        else:
            text = "".join(block_text(block) for block in result.content)
            reply = Reply(tool, bool(result.is_error), text, result.structured_content)
        if counted:
            tally = self.tally
            tally.calls += 1
            tally.tools.add(tool)
            structured = len(compact(reply.structured)) if reply.structured is not None else 0
            tally.text_chars += len(reply.text)
            tally.structured_chars += structured
            tally.errors += reply.is_error and not reply.protocol_error
            tally.protocol_errors += reply.protocol_error
            logger.debug("  %s: %d text + %d structured chars", tool, len(reply.text), structured)
            if not reply.is_error and parse_json(reply.text) is None:
                tally.unparsed += 1
                logger.warning("%s: result text is not JSON: %.120s", tool, reply.text)
        return reply

    async def prompt(self, name: str, arguments: dict[str, str]) -> str:
        self.tally.prompt_gets += 1
        self.tally.prompts.add(name)
        try:
            result: GetPromptResult = await self.client.get_prompt(name, arguments)
        except MCPError as exc:
            self.tally.protocol_errors += 1
            self.tally.text_chars += len(str(exc))
            return str(exc)
        text = "".join(block_text(message.content) for message in result.messages)
        logger.debug("  prompt %s: %d text chars", name, len(text) + len(result.description or ""))
        self.tally.text_chars += len(text) + len(result.description or "")
        return text

    async def confirmed(self, tool: str, arguments: dict[str, Any]) -> Reply:
        """Call; if the server asks for confirmation, the user agrees: call again with the token."""
        reply = await self.call(tool, arguments)
        token = reply.token()
        if reply.is_error or token is None:
            return reply
        return await self.call(tool, {**arguments, "confirmation_token": token})

    async def pages(
        self,
        tool: str,
        arguments: dict[str, Any],
        keys: Sequence[str],
        max_pages: int,
        enough: Callable[[list[dict[str, Any]]], bool] | None = None,
    ) -> list[dict[str, Any]]:
        """The records of a listing, page after page (next_cursor or next_skip) until `enough` says so."""
        args = dict(arguments)
        found: list[dict[str, Any]] = []
        for _ in range(max_pages):
            reply = await self.call(tool, args)
            rows = records(reply.data, *keys)
            found += rows
            if reply.is_error or not rows or (enough is not None and enough(rows)):
                break
            data = reply.data
            cursor = pick(data, "next_cursor", "page.next_cursor")
            skip = pick(data, "next_skip", "page.next_skip")
            if isinstance(cursor, str) and cursor and "cursor" in self.params(tool):
                args["cursor"] = cursor
            elif isinstance(skip, int) and not isinstance(skip, bool) and "skip" in self.params(tool):
                args["skip"] = skip
            else:
                break
        return found

    def defs_chars(self, tally: Tally) -> int:
        """Model-visible definition characters of the tools and prompts a workflow used."""
        total = 0
        for name in sorted(tally.tools):
            if name in self.tools:
                total += len(compact(model_visible(self.tools[name])))
        for name in sorted(tally.prompts):
            if name in self.prompts:
                dumped = self.prompts[name].model_dump(mode="json", by_alias=True, exclude_none=True)
                total += len(compact({k: dumped[k] for k in MODEL_VISIBLE_PROMPT_KEYS if k in dumped}))
        return total


def model_visible(tool: Tool) -> dict[str, Any]:
    dumped = tool.model_dump(mode="json", by_alias=True, exclude_none=True)
    return {key: dumped[key] for key in MODEL_VISIBLE_TOOL_KEYS if key in dumped}


# ------------------------------------------------------------------------------------------ setup


async def learn(agent: Agent) -> Known:
    """Uncounted: what earlier turns would know. Uses the same adaptive reading as the workflows."""
    listed = await agent.call("list_positions", {}, counted=False)
    positions = [p for p in records(listed.data, "positions", "items") if is_open(p)]
    names = {pid: str(p.get("name", pid)) for p in positions if (pid := record_id(p, "position_id"))}
    if not names:
        raise RuntimeError(f"setup: no open positions in list_positions: {listed.text[:300]}")
    limit = agent.maximum("search_interviews", "limit", 100)
    by_position: dict[str, list[dict[str, Any]]] = {}
    for pid in names:
        args: dict[str, Any] = {"position_id": pid} | ({"limit": limit} if limit else {})
        found = await agent.call("search_interviews", args, counted=False)
        by_position[pid] = records(found.data, "interviews", "items")
    first = next(iter(names))
    invited = [
        e for i in by_position[first] if (e := pick_str(i, "email", "candidate_email", "candidate.email"))
    ]
    to_evaluate = {
        pid: sum(i.get("status") == "to_evaluate" for i in rows) for pid, rows in by_position.items()
    }
    review = max(names, key=lambda pid: to_evaluate[pid])
    candidates: list[str] = []
    for pid in names:
        for interview in by_position[pid]:
            name = person_name(interview)
            if interview.get("status") in RECORDED_STATUSES and name and " " in name:
                candidates.append(name)
                break
    recorded_keys = ("completed_at", "recorded_at", "finished_at")
    finished = {
        names[pid]: sum(1 for i in rows if pick(i, *recorded_keys) is not None)
        for pid, rows in by_position.items()
    }
    if not any(finished.values()):
        finished = {}  # the listing does not say when interviews were recorded: nothing to check against
    any_interview = [
        iid for rows in by_position.values() for i in rows if (iid := record_id(i, "interview_id"))
    ]
    member_email = None
    if agent.has("list_members"):
        members = records((await agent.call("list_members", {}, counted=False)).data, "members")
        others = [m for m in members if pick_str(m, "type", "role") not in ("owner",)]
        member_email = pick_str(others[-1], "email") if others else None
    if not invited or not candidates or not any_interview:
        raise RuntimeError("setup: the demo data lacks invited, recorded or any interviews")
    return Known(
        now=datetime.now(UTC),
        position_names=names,
        invite_position=first,
        existing_email=invited[0],
        review_position=review,
        candidate_names=candidates,
        sample_interview=any_interview[0],
        member_email=member_email,
        finished=finished,
    )


def known(agent: Agent) -> Known:
    assert agent.known is not None, "learn() first"
    return agent.known


# ------------------------------------------------------------------------------------------ workflows

Answer = dict[str, Any]


async def open_positions(agent: Agent) -> Answer:
    """1. Which positions are open, and how many candidates finished the interview in each."""
    listed = await agent.call("list_positions", {})
    answer: Answer = {}
    for position in records(listed.data, "positions", "items"):
        if not is_open(position):
            continue
        name = str(position.get("name"))
        count = finished_count(position)
        if count is None and (pid := record_id(position, "position_id")):
            detail = await agent.call("get_position", {"position_id": pid})
            count = finished_count(detail.data)
        answer[name] = count
    return answer


async def summarise_candidate(agent: Agent) -> Answer:
    """2. Find a candidate by name, read the interview and transcript, get the summary prompt."""
    answer: Answer = {}
    names = known(agent).candidate_names[: 3 if agent.full else 1]
    for name in names:
        found = await agent.call("find_candidate", {"query": name})
        matches = records(found.data, "interviews", "candidates", "matches", "results", "items")
        exact = [m for m in matches if (person_name(m) or "").casefold() == name.casefold()]
        chosen = (exact or matches or [{}])[0]
        interview_id = record_id(chosen, "interview_id") or next(iter(found.ids()), None)
        if interview_id is None:
            answer[name] = "not found"
            continue
        detail = await agent.call("get_interview", {"interview_id": interview_id})
        rows = await agent.pages(
            "get_interview_transcript",
            {"interview_id": interview_id},
            ("answers", "questions", "items"),
            max_pages=20 if agent.full else 1,
        )
        answered = sum(1 for row in rows if pick_str(row, "text", "transcript", "answer"))
        prompt_chars = 0
        if "summarize_interview" in agent.prompts:
            prompt_chars = len(await agent.prompt("summarize_interview", {"interview_id": interview_id}))
        answer[name] = {
            "status": pick_str(detail.data, "status", "review_status"),
            "score": pick_num(detail.data, "score"),
            "position": pick_str(detail.data, "position_name", "position.name"),
            "answers_transcribed": answered,
            "prompt": prompt_chars > 0,
        }
    return answer


def _row_indexes(ranges: str) -> list[int]:
    """'0,2-3' -> [0, 2, 3]."""
    out: list[int] = []
    for part in ranges.split(","):
        start, _, end = part.partition("-")
        if start.strip().isdigit():
            out += range(int(start), int(end or start) + 1)
    return out


async def invite_three(agent: Agent) -> Answer:
    """3. Invite three candidates: one new, one with a malformed e-mail, one already invited."""
    k = known(agent)
    rows = [
        NEW_CANDIDATE,
        MALFORMED_CANDIDATE,
        {"email": k.existing_email, "first_name": "Returning"},
    ]
    answer: Answer = {}
    if agent.has("invite_candidates"):
        reply = await agent.call("invite_candidates", {"position_id": k.invite_position, "candidates": rows})
        for row in records(reply.data, "rows", "results", "candidates", "items"):
            email = pick_str(row, "email", "candidate.email")
            outcome = pick_str(row, "outcome", "status", "result")
            if email and outcome:
                answer[email] = outcome
        # The compact shape: outcome -> [[row, email, interview_id, interview_url], ...] for rows that have
        # an interview, and outcome -> [{rows: "0,2-3", reason}] for rows that need attention.
        for outcome in ("invited", "already_invited"):
            for entry in reply.data.get(outcome) or []:
                if isinstance(entry, list) and len(entry) > 1:
                    answer[str(entry[1])] = outcome
        for outcome in ("invalid", "duplicate_in_list", "failed", "not_attempted"):
            for group in reply.data.get(outcome) or []:
                for index in _row_indexes(group.get("rows", "") if isinstance(group, dict) else ""):
                    if index < len(rows):
                        answer[rows[index]["email"]] = outcome
        if answer and not reply.is_error:
            return answer
        answer = {}  # the bulk tool refused the list: fall back to one call per candidate
    for row in rows:
        reply = await agent.call("invite_candidate", {"position_id": k.invite_position, **row})
        answer[row["email"]] = "invalid" if reply.is_error else reply.status()
    return answer


async def shortlist_top_two(agent: Agent) -> Answer:
    """4. Rank the interviews to evaluate by score, shortlist the top two, share the best one."""
    pid = known(agent).review_position
    candidates = await agent.pages(
        "search_interviews",
        {"position_id": pid, "status": "to_evaluate"},
        ("interviews", "items"),
        max_pages=20 if agent.full else 1,
    )
    candidates.sort(key=lambda row: pick_num(row, "score") or -1.0, reverse=True)
    top = candidates[:2]
    answer: Answer = {"ranked": len(candidates), "shortlisted": [], "shared": False}
    for row in top:
        interview_id = record_id(row, "interview_id")
        if interview_id is None:
            continue
        moved = await agent.call(
            "set_interview_status", {"interview_id": interview_id, "status": "shortlisted"}
        )
        if not moved.is_error:
            answer["shortlisted"].append(person_name(row))
    if top and (best := record_id(top[0], "interview_id")):
        shared = await agent.confirmed("share_interview", {"interview_id": best})
        answer["shared"] = shared.done() and "http" in shared.text
    return answer


async def delete_and_remove(agent: Agent) -> Answer:
    """5. Delete the interview of the candidate invited in 3; remove a team member. Both confirmed."""
    answer: Answer = {}
    email = NEW_CANDIDATE["email"]
    found = await agent.call("find_candidate", {"query": email})
    matches = records(found.data, "interviews", "candidates", "matches", "results", "items")
    mine = [m for m in matches if pick_str(m, "email", "candidate_email", "candidate.email") == email]
    interview_id = record_id((mine or matches or [{}])[0], "interview_id") or next(iter(found.ids()), None)
    if interview_id is not None:
        deleted = await agent.confirmed("delete_interview", {"interview_id": interview_id})
        answer["interview_deleted"] = deleted.done()
    else:
        answer["interview_deleted"] = "not found"
    member = known(agent).member_email
    if member and agent.has("remove_member"):
        if "email" in agent.params("remove_member"):
            target: dict[str, Any] = {"email": member}
        else:
            listed = await agent.call("list_members", {})
            ids = [
                record_id(m, "member_id") for m in records(listed.data, "members") if m.get("email") == member
            ]
            target = {"member_id": ids[0]} if ids and ids[0] else {}
        removed = await agent.confirmed("remove_member", target)
        answer["member_removed"] = removed.done()
    return answer


LOG_TIME_KEYS = ("at", "timestamp", "created_at", "time", "date", "when")
LOG_NAME_KEYS = ("object_name", "name", "object.name", "target", "target_name", "subject", "label", "title")


def entry_object(entry: Mapping[str, Any]) -> tuple[str, str | None]:
    kind = pick_str(entry, "object_type", "object.type", "type", "kind") or ""
    return kind.lower(), record_id(entry, "object_id", "object.id", "interview_id", "position_id")


async def last_week(agent: Agent) -> Answer:
    """6. What happened in the account last week: the log entries of the last 7 days, named."""
    k = known(agent)
    cutoff = k.now - timedelta(days=7)
    params = agent.params("get_account_logs")
    args: dict[str, Any] = {}
    if "since" in params:
        since_spec = params["since"] if isinstance(params["since"], dict) else {}
        date_only = since_spec.get("format") == "date"
        args["since"] = cutoff.date().isoformat() if date_only else cutoff.strftime("%Y-%m-%dT%H:%M:%SZ")
        if (most := agent.maximum("get_account_logs", "limit", 100)) is not None:
            args["limit"] = most

    def reached_cutoff(rows: list[dict[str, Any]]) -> bool:
        times = [t for row in rows if (t := parse_time(pick(row, *LOG_TIME_KEYS)))]
        return bool(times) and min(times) < cutoff

    entries = await agent.pages(
        "get_account_logs",
        args,
        ("entries", "logs", "items", "events"),
        max_pages=20 if agent.full else 2,
        enough=reached_cutoff,
    )
    week = [e for e in entries if (t := parse_time(pick(e, *LOG_TIME_KEYS))) is None or t >= cutoff]
    names: dict[str, str | None] = {}
    unnamed = 0
    for entry in week:
        if pick_str(entry, *LOG_NAME_KEYS):
            continue
        kind, object_id = entry_object(entry)
        if object_id is None or object_id in names:
            continue
        if "interview" in kind and (agent.full or len(names) < 3):
            detail = await agent.call("get_interview", {"interview_id": object_id})
            names[object_id] = None if detail.is_error else person_name(detail.data)
        elif "position" in kind:
            if object_id in k.position_names:
                names[object_id] = k.position_names[object_id]
            else:
                detail = await agent.call("get_position", {"position_id": object_id})
                names[object_id] = None if detail.is_error else pick_str(detail.data, "name")
        else:
            unnamed += 1
    actions = Counter(pick_str(e, "action", "event", "type") or "?" for e in week)
    return {
        "entries": len(week),
        "actions": dict(sorted(actions.items())),
        "named_by_lookup": sum(1 for v in names.values() if v),
        "unnameable": sum(1 for v in names.values() if not v),
    }


@dataclass
class BadInput:
    label: str
    tool: str
    arguments: dict[str, Any]
    argument: str
    """The argument the error should name."""
    is_error: bool = False
    protocol_error: bool = False
    text: str = ""

    @property
    def names_argument(self) -> bool:
        return self.argument in self.text


def bad_inputs(agent: Agent) -> list[BadInput]:
    """Ten deliberate mistakes, each adapted to the tool surface so it stays a mistake."""
    k = known(agent)
    pid, iid = k.invite_position, k.sample_interview
    unknown = next(
        n for n in ("sort_by", "order", "page", "fields") if n not in agent.params("search_interviews")
    )
    required = agent.required("invite_candidate")
    missing = "first_name" if "first_name" in required or not required else required[-1]
    person = {"position_id": pid, "email": "jane.doe@example.com", "first_name": "Jane"}
    return [
        BadInput("malformed id", "get_interview", {"interview_id": "12345"}, "interview_id"),
        BadInput("bad e-mail", "invite_candidate", {**person, "email": "jane.doe(at)example.com"}, "email"),
        BadInput("score 3.3", "score_interview", {"interview_id": iid, "score": 3.3}, "score"),
        BadInput("unknown argument", "search_interviews", {"position_id": pid, unknown: "score"}, unknown),
        BadInput("limit 500", "search_interviews", {"position_id": pid, "limit": 500}, "limit"),
        BadInput(
            "missing required field",
            "invite_candidate",
            {key: value for key, value in person.items() if key != missing},
            missing,
        ),
        BadInput("bad status", "set_interview_status", {"interview_id": iid, "status": "hired"}, "status"),
        BadInput("bad phone", "invite_candidate", {**person, "phone": "555-0100"}, "phone"),
        BadInput("empty query", "find_candidate", {"query": ""}, "query"),
        BadInput("wrong type", "get_account_logs", {"limit": "ten"}, "limit"),
    ]


async def ten_bad_inputs(agent: Agent) -> tuple[Answer, list[BadInput]]:
    """7. Ten bad calls: each should come back as a tool error naming the argument at fault."""
    done = []
    for bad in bad_inputs(agent):
        reply = await agent.call(bad.tool, bad.arguments)
        bad.is_error, bad.protocol_error, bad.text = reply.is_error, reply.protocol_error, reply.text
        done.append(bad)
    answer: Answer = {
        "tool_errors": sum(b.is_error and not b.protocol_error for b in done),
        "naming_argument": sum(b.is_error and b.names_argument for b in done),
    }
    return answer, done


# ------------------------------------------------------------------------------------------ running


@dataclass
class WorkflowResult:
    number: int
    title: str
    tally: Tally
    definition_chars: int
    answer: Answer
    completed: bool
    failure: str | None = None
    bad_inputs: list[BadInput] = field(default_factory=list)

    @property
    def calls(self) -> int:
        return self.tally.requests

    @property
    def result_chars(self) -> int:
        return self.tally.total_chars


@dataclass
class Definitions:
    """Compact JSON characters of tools/list: model-visible part and whole, per profile."""

    default_visible: int
    default_whole: int
    default_tools: int
    all_visible: int
    all_whole: int
    all_tools: int
    prompts: int


@dataclass
class VersionReport:
    label: str
    src_dir: Path
    workflows: list[WorkflowResult]
    definitions: Definitions
    seconds: float
    known: Known | None = None


Workflow = Callable[[Agent], Awaitable[Answer]]
WORKFLOWS: tuple[tuple[int, Workflow], ...] = (
    (1, open_positions),
    (2, summarise_candidate),
    (3, invite_three),
    (4, shortlist_top_two),
    (5, delete_and_remove),
    (6, last_week),
)


def server_env(src_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("HIREFLIX_")}
    env.update(
        PYTHONPATH=str(src_dir),
        HIREFLIX_MCP_CONFIRM="token",
        HIREFLIX_MCP_LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def python() -> str:
    return str(PYTHON) if PYTHON.exists() else sys.executable


def check_imports(src_dir: Path) -> None:
    """The server subprocess must import the code under `src_dir`, not the installed checkout."""
    probe = "import hireflix_mcp as m, hireflix_sandbox as s; print(m.__file__); print(s.__file__)"
    out = subprocess.run(
        [python(), "-c", probe],
        env=server_env(src_dir),
        cwd=src_dir,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    wrong = [path for path in out if not Path(path).resolve().is_relative_to(src_dir.resolve())]
    if wrong:
        raise RuntimeError(f"PYTHONPATH={src_dir} imports {wrong}")


@asynccontextmanager
async def server_session(src_dir: Path, *extra: str, errlog: TextIO) -> AsyncIterator[Client]:
    """`hireflix-mcp serve --sandbox` over stdio, from the code tree `src_dir`."""
    params = StdioServerParameters(
        command=python(),
        args=["-m", "hireflix_mcp.cli", "serve", "--sandbox", *extra],
        env=server_env(src_dir),
        cwd=str(src_dir),
    )
    async with Client(stdio_client(params, errlog=errlog), read_timeout_seconds=60) as client:
        yield client


def definition_sizes(tools: Sequence[Tool]) -> tuple[int, int]:
    visible = compact([model_visible(tool) for tool in tools])
    whole = compact({"tools": [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in tools]})
    return len(visible), len(whole)


@contextmanager
def server_log() -> Iterator[TextIO]:
    """The servers' stderr, kept in a temporary file and echoed to ours only at DEBUG level."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as log:
        try:
            yield log
        finally:
            if logger.isEnabledFor(logging.DEBUG):
                log.seek(0)
                sys.stderr.write(log.read())


async def run_version(src_dir: Path, scale: Scale, label: str = "now") -> VersionReport:
    """All seven workflows and the definition sizes, for the code tree `src_dir` (its `src/`)."""
    started = time.perf_counter()
    check_imports(src_dir)
    results: list[WorkflowResult] = []
    default_tools: list[Tool] = []

    async def list_default_profile(errlog: TextIO) -> None:
        async with server_session(src_dir, errlog=errlog) as client:
            default_tools.extend((await client.list_tools()).tools)

    with server_log() as errlog:
        async with anyio.create_task_group() as group:
            group.start_soon(list_default_profile, errlog)  # a second server, for the default tool list
            async with server_session(src_dir, "--toolsets", "all", errlog=errlog) as client:
                tools = (await client.list_tools()).tools
                prompts = (await client.list_prompts()).prompts
                logger.info("%s: server up after %.1f s", label, time.perf_counter() - started)
                agent = Agent(client, tools, prompts, scale)
                agent.known = await learn(agent)
                for number, workflow in WORKFLOWS:
                    results.append(await _run_one(agent, number, workflow))
                results.append(await _run_bad_inputs(agent))
    all_visible, all_whole = definition_sizes(tools)
    default_visible, default_whole = definition_sizes(default_tools)
    prompt_chars = len(
        compact([p.model_dump(mode="json", by_alias=True, exclude_none=True) for p in prompts])
    )
    definitions = Definitions(
        default_visible, default_whole, len(default_tools), all_visible, all_whole, len(tools), prompt_chars
    )
    return VersionReport(label, src_dir, results, definitions, time.perf_counter() - started, agent.known)


async def _run_one(agent: Agent, number: int, workflow: Workflow) -> WorkflowResult:
    agent.tally = Tally()
    logger.info("workflow %d: %s", number, TITLES[number])
    try:
        answer = await workflow(agent)
        failure = None
    except Exception as exc:  # one broken workflow must not hide the others' figures
        logger.exception("workflow %d failed", number)
        answer, failure = {}, f"{type(exc).__name__}: {exc}"
    tally = agent.tally
    completed = failure is None and tally.protocol_errors == 0
    if failure is None and tally.protocol_errors:
        failure = f"{tally.protocol_errors} protocol error(s)"
    return WorkflowResult(number, TITLES[number], tally, agent.defs_chars(tally), answer, completed, failure)


async def _run_bad_inputs(agent: Agent) -> WorkflowResult:
    bad: list[BadInput] = []

    async def seven(agent: Agent) -> Answer:
        answer, done = await ten_bad_inputs(agent)
        bad.extend(done)
        return answer

    result = await _run_one(agent, 7, seven)
    result.bad_inputs = bad
    return result


async def run_workflows(src_dir: Path, scale: Scale = "small") -> list[WorkflowResult]:
    """The seven workflows against a fresh sandbox server running the code in `src_dir`."""
    return (await run_version(src_dir, scale)).workflows


# ------------------------------------------------------------------------------------------ report


def _ratio(now: int, base: int) -> str:
    return f"{now / base:.2f}x" if base else "-"


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISS"


def _calls(t: Tally) -> str:
    return f"{t.calls}+{t.prompt_gets}p" if t.prompt_gets else str(t.calls)


def _chars(t: Tally) -> str:
    return f"{t.text_chars}+{t.structured_chars}={t.total_chars}"


def _columns(rows: Sequence[Sequence[str]]) -> list[str]:
    """Rows as aligned text: the first two columns left-aligned, the rest right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell.ljust(w) if i < 2 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]


def _workflow_table(now: VersionReport, base: VersionReport | None) -> list[str]:
    nt = _totals(now.workflows)
    if base is None:
        rows = [["#", "workflow", "calls", "result chars", "errors", "defs"]]
        for n in now.workflows:
            flag = "" if n.completed else " FAILED"
            cells = (_calls(n.tally), _chars(n.tally), str(n.tally.errors), str(n.definition_chars))
            rows.append([str(n.number), n.title + flag, *cells])
        rows.append(["", "total", _calls(nt), _chars(nt), str(nt.errors), ""])
        return _columns(rows)
    bt = _totals(base.workflows)
    rows = [
        ["#", "workflow", "calls", "", "result chars", "", "now/", "errors", "", "defs", ""],
        ["", "", "base", "now", "baseline", "now", "base", "base", "now", "base", "now"],
    ]
    for b, n in zip(base.workflows, now.workflows, strict=True):
        flag = "" if b.completed and n.completed else " FAILED"
        rows.append(
            [
                *(str(n.number), n.title + flag, _calls(b.tally), _calls(n.tally)),
                *(_chars(b.tally), _chars(n.tally), _ratio(n.result_chars, b.result_chars)),
                *(str(b.tally.errors), str(n.tally.errors), str(b.definition_chars), str(n.definition_chars)),
            ]
        )
    ratio = _ratio(nt.total_chars, bt.total_chars)
    total = (_calls(bt), _calls(nt), _chars(bt), _chars(nt), ratio, str(bt.errors), str(nt.errors))
    rows.append(["", "total", *total, "", ""])
    return _columns(rows)


def _first_answer_check(report: VersionReport) -> str:
    """How many of workflow 1's counts match the interviews' own recorded times (read in setup)."""
    truth = report.known.finished if report.known else {}
    answer = report.workflows[0].answer
    if not truth:
        return f"{report.label}: no recorded times to check against"
    right = sum(1 for name, count in truth.items() if answer.get(name) == count)
    return f"{report.label} {right}/{len(truth)}"


def print_report(now: VersionReport, base: VersionReport | None, scale: Scale, out: TextIO) -> None:
    def say(line: str = "") -> None:
        print(line, file=out)

    against = f"baseline {base.label} vs the working tree" if base else "the working tree only"
    say(f"Workflow bench, scale {scale}: {against}")
    say(
        "calls: tool calls (+ prompt gets, p); result chars: text content + structured content "
        "(compact JSON) = total;"
    )
    say("errors: tool results with isError; defs: model-visible definition chars of the tools/prompts used")
    say()
    for line in _workflow_table(now, base):
        say(line)
    say()
    say("tool definitions, compact JSON of tools/list (model-visible: name, title, description, inputSchema,")
    say("annotations / whole):")
    for report in (base, now):
        if report is None:
            continue
        d = report.definitions
        say(
            f"  {report.label:<8} default profile {d.default_tools:>2} tools {d.default_visible:>6} / "
            f"{d.default_whole:>6}   all toolsets {d.all_tools:>2} tools {d.all_visible:>6} / "
            f"{d.all_whole:>6}   prompts/list {d.prompts:>5}"
        )
    say()
    say("targets:")
    w1 = now.workflows[0]
    say(f"  {_verdict(w1.calls == 1):<4}  workflow 1 in one call: {w1.calls}")
    if base is not None:
        bt, nt = _totals(base.workflows), _totals(now.workflows)
        ratio = nt.total_chars / bt.total_chars if bt.total_chars else float("inf")
        say(
            f"  {_verdict(ratio <= 0.6):<4}  total result chars <= 0.6x baseline: "
            f"{nt.total_chars} / {bt.total_chars} = {ratio:.2f}x"
        )
    failed = [w for r in (base, now) if r is not None for w in r.workflows if not w.completed]
    say(f"  {_verdict(not failed):<4}  every workflow completed")
    for w in failed:
        say(f"        workflow {w.number}: {w.failure}")
    if base is not None:
        differ = [
            n.number for b, n in zip(base.workflows, now.workflows, strict=True) if b.answer != n.answer
        ]
        but = f" except workflow {', '.join(map(str, differ))} (below)" if differ else ""
        say(f"  {'DIFF' if differ else 'ok':<4}  same conclusions as the baseline{but}")
    bad = now.workflows[6].bad_inputs
    named = sum(b.is_error and not b.protocol_error and b.names_argument for b in bad)
    say(f"  {_verdict(named == 10):<4}  workflow 7: ten tool errors each naming its argument: {named}")
    for report in (base, now):
        if report is not None and (unparsed := _totals(report.workflows).unparsed):
            say(f"  NOTE  {report.label}: {unparsed} results were not JSON text; figures may mislead")
    say()
    say("nothing an agent needs lost: what each workflow concluded")
    checks = [_first_answer_check(r) for r in (base, now) if r is not None]
    say("  workflow 1 counts equal to the interviews' recorded times: " + ", ".join(checks))
    for n in now.workflows[:6]:
        b_answer = None if base is None else base.workflows[n.number - 1].answer
        same = "" if b_answer is None else (" (same as baseline)" if b_answer == n.answer else " DIFFERS:")
        say(f"  {n.number}. {compact(n.answer)}{same}")
        if b_answer is not None and b_answer != n.answer:
            say(f"     baseline: {compact(b_answer)}")
    for report in (base, now):
        if report is None:
            continue
        say()
        say(f"workflow 7 error texts ({report.label}), what a model sees:")
        for i, item in enumerate(report.workflows[6].bad_inputs, 1):
            kind = "PROTOCOL ERROR" if item.protocol_error else ("error" if item.is_error else "NOT AN ERROR")
            names = "names" if item.names_argument else "does NOT name"
            say(
                f"  {i:>2}. {item.label} ({item.tool}): {kind}, {len(item.text)} chars, "
                f"{names} {item.argument}"
            )
            for line in item.text.splitlines() or [""]:
                say(f"        | {line}")
    say()
    timing = ", ".join(f"{r.label} {r.seconds:.1f} s" for r in (base, now) if r is not None)
    say(f"time (start-up included): {timing}")


def _totals(workflows: Sequence[WorkflowResult]) -> Tally:
    total = Tally()
    for w in workflows:
        total.calls += w.tally.calls
        total.prompt_gets += w.tally.prompt_gets
        total.text_chars += w.tally.text_chars
        total.structured_chars += w.tally.structured_chars
        total.errors += w.tally.errors
        total.protocol_errors += w.tally.protocol_errors
        total.unparsed += w.tally.unparsed
    return total


# ------------------------------------------------------------------------------------------ main


@contextmanager
def baseline_tree(rev: str) -> Iterator[Path]:
    """A temporary `git worktree` of `rev` (detached); removed afterwards. Yields its src/."""
    scratch = Path(tempfile.mkdtemp(prefix="hireflix-bench-"))
    tree = scratch / "tree"
    git = shutil.which("git") or "git"
    subprocess.run(
        [git, "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(tree), rev],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        commit = subprocess.run(
            [git, "-C", str(tree), "rev-parse", "--short", "HEAD"], check=True, capture_output=True, text=True
        ).stdout.strip()
        logger.info("baseline %s (%s) checked out in %s", rev, commit, tree)
        yield tree / "src"
    finally:
        subprocess.run(
            [git, "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
            check=False,
            stdout=subprocess.DEVNULL,
        )
        shutil.rmtree(scratch, ignore_errors=True)


async def _main(args: argparse.Namespace) -> int:
    scale = cast(Scale, args.scale)
    base: VersionReport | None = None
    with anyio.fail_after(300):
        if not args.no_baseline:
            with baseline_tree(args.baseline) as base_src:
                logger.info("running the baseline %s", args.baseline)
                base = await run_version(base_src, scale, label=args.baseline)
        logger.info("running the working tree")
        now = await run_version(ROOT / "src", scale, label="now")
    print_report(now, base, scale, sys.stdout)
    reports = [r for r in (base, now) if r is not None]
    return 0 if all(w.completed for r in reports for w in r.workflows) else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--baseline", default=DEFAULT_BASELINE, help=f"git revision (default {DEFAULT_BASELINE})"
    )
    parser.add_argument("--no-baseline", action="store_true", help="run the working tree only")
    parser.add_argument("--scale", choices=("small", "full"), default="full")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logs, servers' stderr included")
    args = parser.parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(name)s: %(message)s",
    )
    for noisy in ("mcp", "httpx2", "httpcore2"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return anyio.run(_main, args)


if __name__ == "__main__":
    sys.exit(main())
