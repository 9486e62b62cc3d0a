"""Argument completion (`completion/complete`) for prompts and resource templates: names in, ids out.

- `position_id`: positions whose name contains what the user typed (any case), or whose id starts with
  it; open positions before archived ones, best match first.
- `interview_id`: interviews whose candidate has every typed word in their first or last name (the
  client's name rule: any order, any case, any accent), or whose e-mail contains what was typed as one
  word. When the request's context already holds a `position_id`, only that position is searched;
  otherwise the most recently updated positions are searched, a few at a time, each for a few matches.
- `status`: the four review stages.

The protocol's `Completion` carries bare values (no labels), so ids come back alone, best first, at most
100. `MCPServer` accepts one completion handler per server, and hands it no request context, so the
Hireflix client reaches it through `request_app_state()`, set for each request by the `expose_app_state`
middleware (which the static resources need too: `MCPServer` gives them no context either).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import anyio
from mcp.server import MCPServer
from mcp.types import Completion
from mcp.types import CompletionArgument
from mcp.types import CompletionContext
from mcp.types import PromptReference
from mcp.types import ResourceTemplateReference

from hireflix_mcp.hireflix.client import HireflixClient
from hireflix_mcp.hireflix.errors import HireflixError
from hireflix_mcp.hireflix.models import INTERVIEW_STATUSES
from hireflix_mcp.hireflix.models import Interview
from hireflix_mcp.hireflix.models import Position
from hireflix_mcp.hireflix.names import fold
from hireflix_mcp.hireflix.search import InterviewCondition
from hireflix_mcp.hireflix.search import SearchPage
from hireflix_mcp.state import install_app_state_middleware
from hireflix_mcp.state import request_app_state

logger = logging.getLogger("hireflix_mcp.completions")

MAX_VALUES = 100
"""The protocol's limit on completion values."""
POSITIONS_SEARCHED = 20
"""Without a chosen position, search at most this many positions (most recently updated first)."""
MATCHES_PER_POSITION = 10
SEARCH_CONCURRENCY = 4
MAX_QUERY_CHARS = 100

HEX_ID = re.compile(r"^[0-9a-f]{24}$")

# ------------------------------------------------------------------------------------ matching


def _norm(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


@dataclass(frozen=True)
class _Match:
    rank: tuple[int, ...]
    value: str


def _position_rank(position: Position, query: str) -> tuple[int, ...] | None:
    """Sort key of a matching position (lower is better), None when it does not match."""
    name = _norm(position.name)
    archived = 1 if position.is_archived else 0
    if not query:
        return (archived, 0)
    if position.id.startswith(query):
        return (archived, 0)
    if name.startswith(query):
        return (archived, 1)
    if f" {query}" in f" {name}":
        return (archived, 2)
    if query in name:
        return (archived, 3)
    return None


def match_positions(positions: Sequence[Position], typed: str) -> list[str]:
    """Ids of the positions matching `typed`, best first (ties: by name)."""
    query = _norm(typed)[:MAX_QUERY_CHARS]
    matches: list[tuple[tuple[int, ...], str, str]] = []
    for position in positions:
        rank = _position_rank(position, query)
        if rank is not None:
            matches.append((rank, _norm(position.name), position.id))
    matches.sort()
    return [position_id for _, _, position_id in matches]


def _candidate_fields(interview: Interview) -> tuple[str, str]:
    """The candidate's full name and e-mail, without case or accents (as the search matched them)."""
    candidate = interview.candidate
    if candidate is None:
        return "", ""
    full = (
        candidate.full_name
        or candidate.name
        or " ".join(p for p in (candidate.first_name, candidate.last_name) if p)
    )
    return fold(_norm(full)), fold(_norm(candidate.email))


def _interview_rank(interview: Interview, words: Sequence[str]) -> int:
    """Sort key of a matching interview (lower is better): name start, word start, e-mail start, else."""
    name, email = _candidate_fields(interview)
    query = fold(" ".join(words))
    if not query or name.startswith(query):
        return 0
    if f" {query}" in f" {name}":
        return 1
    if email.startswith(query):
        return 2
    return 3


def _alternatives(words: Sequence[str]) -> list[InterviewCondition]:
    """Whom the typed words may mean: a name, by the client's one rule (every word in the first or last
    name, any case or accent: "ana lop" and "lopez, ana" find Ana López), or, typed as one word, part of
    an e-mail. No words: anyone."""
    if not words:
        return []
    alternatives = [InterviewCondition(name=" ".join(words))]
    if len(words) == 1:
        alternatives.append(InterviewCondition(email_contains=words[0]))
    return alternatives


async def _search(hf: HireflixClient, position_id: str, words: Sequence[str], limit: int) -> SearchPage:
    return await hf.match_interviews(position_id, any_of=_alternatives(words), limit=limit)


async def match_interviews(hf: HireflixClient, typed: str, position_id: str | None) -> Completion:
    """Ids of interviews whose candidate matches `typed`, in one position or across recent ones."""
    words = _norm(typed)[:MAX_QUERY_CHARS].split()
    if len(words) == 1 and HEX_ID.match(words[0]):
        return Completion(values=[words[0]], total=1, has_more=False)
    truncated = False
    if position_id is not None and HEX_ID.match(position_id):
        page = await _search(hf, position_id, words, MAX_VALUES)
        found = page.items
        truncated = page.next_cursor is not None or not page.complete
    else:
        positions = sorted(
            await hf.list_positions(),
            key=lambda p: (p.is_archived, -(p.updated_at or p.created_at or 0.0)),
        )
        truncated = len(positions) > POSITIONS_SEARCHED
        found = []
        limiter = anyio.CapacityLimiter(SEARCH_CONCURRENCY)

        async def search_one(pid: str) -> None:
            async with limiter:
                try:
                    page = await _search(hf, pid, words, MATCHES_PER_POSITION)
                except HireflixError as exc:
                    # One position failing should not hide the matches found in the others.
                    logger.info("completion search in position %s failed: %s", pid, type(exc).__name__)
                    return
            found.extend(page.items)
            nonlocal truncated
            truncated = truncated or page.next_cursor is not None or not page.complete

        async with anyio.create_task_group() as group:
            for position in positions[:POSITIONS_SEARCHED]:
                group.start_soon(search_one, position.id)
    ranked = {i.id: (_interview_rank(i, words), -(i.created_at or 0.0)) for i in found}
    ids = sorted(ranked, key=lambda i: ranked[i])
    return Completion(
        values=ids[:MAX_VALUES],
        total=None if truncated else len(ids),
        has_more=truncated or len(ids) > MAX_VALUES,
    )


def _limited(values: Sequence[str]) -> Completion:
    return Completion(values=list(values[:MAX_VALUES]), total=len(values), has_more=len(values) > MAX_VALUES)


def _statuses(typed: str) -> Iterator[str]:
    query = _norm(typed)
    return (s for s in INTERVIEW_STATUSES if s.startswith(query) or query in s)


# ------------------------------------------------------------------------------------ handler


async def complete(
    ref: PromptReference | ResourceTemplateReference,
    argument: CompletionArgument,
    context: CompletionContext | None,
) -> Completion | None:
    """Completion for `position_id`, `interview_id` and `status`, whichever prompt or template asks."""
    if argument.name == "status":
        return _limited(list(_statuses(argument.value)))
    if argument.name not in ("position_id", "interview_id"):
        return None
    hf = request_app_state().hireflix
    try:
        if argument.name == "position_id":
            return _limited(match_positions(await hf.list_positions(), argument.value))
        chosen = (context.arguments or {}).get("position_id") if context is not None else None
        return await match_interviews(hf, argument.value, chosen)
    except HireflixError as exc:
        # Completion is a convenience: when Hireflix fails, offer nothing rather than an error dialog.
        logger.info("completion of %s failed upstream: %s", argument.name, type(exc).__name__)
        return Completion(values=[], total=None, has_more=None)


def register_completions(server: MCPServer[Any]) -> None:
    """Install the one completion handler (and the middleware it relies on) on `server`."""
    install_app_state_middleware(server)
    # The SDK leaves `completion()` unannotated; it returns the decorator that registers `complete`.
    server.completion()(complete)  # type: ignore[no-untyped-call]
