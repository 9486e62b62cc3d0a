"""Searching interviews by conditions, whatever filters this Hireflix accepts.

`HireflixClient.match_interviews` (one position) and `HireflixClient.find_interviews` (every position)
come here; so every caller gets the same behaviour, learnt once per client.

In one position (`InterviewSearch.search`): the conditions go upstream as one `interviewList` filter,
a name or any `any_of` with the guessed `or`/`and` combinators (below). When Hireflix refuses those
names (a validation error quoting them), or a condition cannot be said upstream at all (`recorded`),
the search runs client-side: one query per alternative without combinators (a name becomes two: its
longest word in the first name, and in the last name), each read up to `LOCAL_SCAN_LIMIT`, merged,
de-duplicated, checked exactly (`InterviewCondition.matches`), newest first, and paginated with a
cursor of our own (`local:...`, bound to the query). The page says which mode ran. A refusal is
remembered: later searches go client-side at once.

In every position (`InterviewSearch.find`): one `FindCandidate` request lists each position's matches
(up to `PAGE_LIMIT` each). If Hireflix refuses that document (validation, or a cost/depth limit), the
client lists the positions and searches each as above, `CONCURRENCY` at a time, and remembers that too;
a position whose search failed is reported, not fatal.

What was learnt (`ServerAbilities`) belongs to one client and its `with_options` views.

The `interviewList` input is built here too: `InterviewCondition` + `build_interview_filter` (the
`InterviewListFilter`), `InterviewSort`, `interview_list_input`. The names the schema marks [I] that
the client must put into variables (the filter combinators, the extra sort fields and directions)
are spelled in this module only.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import logging
import re
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING
from typing import Any
from typing import Literal
from typing import TypeVar

import anyio
from pydantic import BaseModel
from pydantic import ConfigDict

from hireflix_mcp.hireflix.errors import GraphQLRequestError
from hireflix_mcp.hireflix.errors import HireflixError
from hireflix_mcp.hireflix.errors import ValidationFailed
from hireflix_mcp.hireflix.models import Candidate
from hireflix_mcp.hireflix.models import Interview
from hireflix_mcp.hireflix.models import InterviewStatus
from hireflix_mcp.hireflix.names import fold
from hireflix_mcp.hireflix.names import name_words
from hireflix_mcp.hireflix.names import word_pattern
from hireflix_mcp.hireflix.names import words_match

if TYPE_CHECKING:
    from hireflix_mcp.hireflix.client import HireflixClient

logger = logging.getLogger("hireflix_mcp.hireflix")

T = TypeVar("T")

PAGE_LIMIT = 100
"""The largest page `interviewList` serves."""
LOCAL_SCAN_LIMIT = 2_000
"""Client-side search: interviews read per query at most."""
CONCURRENCY = 8
"""Requests in flight at once for client-side scans and position-by-position finds."""
LOCAL_CURSOR = "local:"

SearchMode = Literal["server", "client"]
FindMode = Literal["one_request", "per_position"]


# ---------------------------------------------------------------------------------- interviewList input
# [I] The schema guesses these names; they are spelled here and nowhere else in the project. The input
# types are plain models; the search below decides what to do when Hireflix refuses part of a filter.
FILTER_AND = "and"
FILTER_OR = "or"
InterviewSortField = Literal["createdAt", "updatedAt", "completedAt", "score"]
SortDirection = Literal["ASC", "DESC"]


class InterviewSort(BaseModel):
    model_config = ConfigDict(frozen=True)

    field: InterviewSortField = "createdAt"
    direction: SortDirection = "DESC"

    def to_graphql(self) -> dict[str, str]:
        return {"field": self.field, "direction": self.direction}


def case_insensitive_pattern(text: str) -> str:
    """A regex matching `text` anywhere, ignoring case, in any regex dialect (no flags needed)."""
    parts: list[str] = []
    for char in text:
        if char.lower() != char.upper():
            parts.append(f"[{re.escape(char.lower())}{re.escape(char.upper())}]")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


class InterviewCondition(BaseModel):
    """Conditions on one interview, all of which must hold (AND).

    `to_filter` says it to Hireflix (all but `recorded`, which no filter field expresses); `matches`
    applies the exact meaning to an interview already read, for results filtered client-side.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str | None = None
    email: str | None = None
    """Exact e-mail, any case."""
    email_contains: str | None = None
    """Part of the e-mail, any case."""
    name: str | None = None
    """A name as typed: every word of it (split at spaces and commas) is part of the first or the last
    name, ignoring case and accents (`names.py`): "Costa, Liam" and "liam costa" find Liam Costa."""
    first_name: str | None = None
    """Exact first name."""
    last_name: str | None = None
    """Exact last name."""
    status: InterviewStatus | None = None
    min_score: float | None = None
    """Lowest score; an unscored interview never matches."""
    max_score: float | None = None
    """Highest score; an unscored interview never matches."""
    recorded: bool | None = None
    """True: the candidate has finished recording (`Interview.is_recorded`); False: not yet. No
    `interviewList` filter field says this (status `pending` leaves out discarded and shortlisted
    interviews that were never recorded), so it is applied client-side only: see `search.py`."""

    @property
    def filters_server_side(self) -> bool:
        """Whether Hireflix can apply all of this condition (everything but `recorded` can)."""
        return self.recorded is None

    def matches(self, interview: Interview) -> bool:
        """Whether `interview` meets every condition, as Hireflix filters them (and `recorded`)."""
        candidate = interview.candidate or Candidate()
        email = candidate.email or ""
        score = interview.score_value
        checks = (
            self.id is None or interview.id == self.id,
            self.email is None or email.casefold() == self.email.casefold(),
            self.email_contains is None or fold(self.email_contains) in fold(email),
            self.first_name is None or candidate.first_name == self.first_name,
            self.last_name is None or candidate.last_name == self.last_name,
            self.name is None
            or words_match(name_words(self.name), (candidate.first_name, candidate.last_name)),
            self.status is None or interview.review_status == self.status,
            self.min_score is None or (score is not None and score >= self.min_score),
            self.max_score is None or (score is not None and score <= self.max_score),
            self.recorded is None or interview.is_recorded == self.recorded,
        )
        return all(checks)

    def to_filter(self) -> dict[str, Any]:
        """This condition as an `InterviewListFilter` (`recorded` left out: no field expresses it)."""
        result: dict[str, Any] = {}
        if self.id is not None:
            result["id"] = {"equal": self.id}
        if self.email is not None:
            result["email"] = {"equal": self.email}
        if self.email_contains is not None:
            result.setdefault("email", {})["regex"] = word_pattern(self.email_contains)
        if self.first_name is not None:
            result["firstName"] = {"equal": self.first_name}
        if self.last_name is not None:
            result["lastName"] = {"equal": self.last_name}
        if self.status is not None:
            result["status"] = {"equal": self.status}
        score: dict[str, float] = {}
        if self.min_score is not None:
            score["greaterThanOrEqual"] = self.min_score
        if self.max_score is not None:
            score["lessThanOrEqual"] = self.max_score
        if score:
            result["score"] = score
        if self.name is not None:
            # Each word in the first or the last name: OR per word, the words ANDed.
            per_word = [
                [{"firstName": {"regex": pattern}}, {"lastName": {"regex": pattern}}]
                for pattern in map(word_pattern, name_words(self.name))
            ]
            if len(per_word) == 1:
                result[FILTER_OR] = per_word[0]
            elif per_word:
                result[FILTER_AND] = [{FILTER_OR: either} for either in per_word]
        return result


def build_interview_filter(
    all_of: InterviewCondition | None = None, any_of: Sequence[InterviewCondition] = ()
) -> dict[str, Any] | None:
    """The `InterviewListFilter` for: every condition in `all_of`, and at least one of `any_of`."""
    result = all_of.to_filter() if all_of is not None else {}
    alternatives = [condition.to_filter() for condition in any_of]
    alternatives = [a for a in alternatives if a]
    if alternatives:
        if FILTER_OR in result:
            result = {FILTER_AND: [result, {FILTER_OR: alternatives}]}
        else:
            result[FILTER_OR] = alternatives
    return result or None


def interview_list_input(
    filter: Mapping[str, Any] | None, limit: int, cursor: str | None, sort: Sequence[InterviewSort] | None
) -> dict[str, Any]:
    """The `InterviewListInput` variable of SearchInterviews."""
    pagination: dict[str, Any] = {"limit": limit}
    if cursor is not None:
        pagination["lastCursor"] = cursor
    result: dict[str, Any] = {"pagination": pagination}
    if filter:
        result["filter"] = dict(filter)
    if sort:
        result["sort"] = [s.to_graphql() for s in sort]
    return result


class InvalidCursorError(ValueError):
    """A cursor this search cannot continue from; the message says what to do instead."""


@dataclass
class ServerAbilities:
    """What this Hireflix was found to accept, learnt from its refusals."""

    combinators: bool = True
    """The `or`/`and` filter fields."""
    find_candidate: bool = True
    """The one-request `FindCandidate` document."""
    positions_with_counts: bool = True
    """The one-request `ListPositionsWithCounts` document (`HireflixClient.list_positions_with_counts`)."""


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of a search in one position, newest first."""

    items: list[Interview]
    next_cursor: str | None
    """Pass back, with the same conditions, for the next page; None: this is the last page."""
    total: int | None
    """Matches in all: Hireflix's count server-side (None when it gave none), exact client-side."""
    mode: SearchMode
    """"server": Hireflix applied the filter; "client": the client read and filtered the interviews."""
    complete: bool = True
    """False when a client-side read stopped at `LOCAL_SCAN_LIMIT`: more matches may exist."""


@dataclass(frozen=True, slots=True)
class FoundInterview:
    interview: Interview
    position_id: str
    position_name: str | None


@dataclass(frozen=True, slots=True)
class FailedPosition:
    """A position whose search failed; the others were still searched."""

    position_id: str
    position_name: str | None
    error: HireflixError


@dataclass(frozen=True, slots=True)
class FoundPage:
    """Matches across every position, newest first."""

    items: list[FoundInterview]
    """At most the `limit` asked for."""
    total: int
    """Matches found, `items` and those beyond the limit."""
    capped: bool
    """More matches may exist than `items`: beyond the limit, or beyond what a position listed."""
    positions_searched: int
    """Positions whose search succeeded."""
    positions_failed: list[FailedPosition] = field(default_factory=list)
    mode: FindMode = "one_request"


def rejects_combinators(exc: HireflixError) -> bool:
    """True for a GraphQL validation error that quotes the guessed combinator names."""
    if not isinstance(exc, ValidationFailed | GraphQLRequestError):
        return False
    text = str(exc)
    names = (FILTER_OR, FILTER_AND)
    return any(re.search(rf"[\"'`]{re.escape(name)}[\"'`]", text) for name in names)


def _needs_combinators(where: InterviewCondition, any_of: Sequence[InterviewCondition]) -> bool:
    return where.name is not None or bool(any_of)


def _server_side(where: InterviewCondition, any_of: Sequence[InterviewCondition]) -> bool:
    return where.filters_server_side and all(a.filters_server_side for a in any_of)


def fallback_filters(where: InterviewCondition, any_of: Sequence[InterviewCondition]) -> list[dict[str, Any]]:
    """Filters without OR/AND whose results, together, include every match of `where AND any(any_of)`.

    Each alternative is merged with the top-level conditions; a name becomes two queries (its longest
    word in the first name, in the last name). The exact conditions are applied afterwards (`matches`).
    """
    filters: dict[str, dict[str, Any]] = {}
    for alt in any_of or [InterviewCondition()]:
        mins = [s for s in (where.min_score, alt.min_score) if s is not None]
        maxes = [s for s in (where.max_score, alt.max_score) if s is not None]
        base = InterviewCondition(
            id=where.id or alt.id,
            email=where.email or alt.email,
            email_contains=where.email_contains or alt.email_contains,
            first_name=where.first_name or alt.first_name,
            last_name=where.last_name or alt.last_name,
            status=where.status or alt.status,
            min_score=max(mins) if mins else None,
            max_score=min(maxes) if maxes else None,
        ).to_filter()
        name = where.name or alt.name
        variants = [base]
        if name:
            pattern = word_pattern(max(name_words(name), key=len))
            variants = [
                {**base, key: {**base.get(key, {}), "regex": pattern}} for key in ("firstName", "lastName")
            ]
        for variant in variants:
            filters[json.dumps(variant, sort_keys=True)] = variant
    return list(filters.values())


def _encode_cursor(payload: Mapping[str, Any]) -> str:
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return LOCAL_CURSOR + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> dict[str, Any]:
    text = cursor.removeprefix(LOCAL_CURSOR)
    try:
        value = json.loads(base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode()))
    except (ValueError, binascii.Error):
        value = None
    if not isinstance(value, dict):
        raise InvalidCursorError(
            "cursor is not one this tool returned: pass next_cursor back unchanged, or omit it."
        )
    return value


def _query_digest(position_id: str, where: InterviewCondition, any_of: Sequence[InterviewCondition]) -> str:
    text = repr((position_id, where, tuple(any_of)))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _newest_first(interview: Interview) -> tuple[float, str]:
    return (interview.created_at or 0.0, interview.id)


async def gather(calls: Sequence[Callable[[], Awaitable[T]]]) -> list[T | HireflixError]:
    """Run `calls` with at most CONCURRENCY in flight; each slot holds a result or the HireflixError."""
    results: dict[int, T | HireflixError] = {}
    limiter = anyio.CapacityLimiter(CONCURRENCY)

    async def run(index: int, call: Callable[[], Awaitable[T]]) -> None:
        async with limiter:
            try:
                results[index] = await call()
            except HireflixError as exc:
                results[index] = exc

    async with anyio.create_task_group() as group:
        for index, call in enumerate(calls):
            group.start_soon(run, index, call)
    return [results[index] for index in range(len(calls))]


@dataclass(frozen=True, slots=True)
class _Searched:
    id: str
    name: str | None
    found: SearchPage | HireflixError


class InterviewSearch:
    """The searches of one client (or view); `abilities` is shared with the client's other views."""

    def __init__(self, client: HireflixClient, abilities: ServerAbilities) -> None:
        self.client = client
        self.abilities = abilities

    # ------------------------------------------------------------------------------ one position
    async def search(
        self,
        position_id: str,
        where: InterviewCondition | None,
        any_of: Sequence[InterviewCondition] = (),
        *,
        limit: int = 20,
        cursor: str | None = None,
    ) -> SearchPage:
        if not 1 <= limit <= PAGE_LIMIT:
            raise ValueError(f"limit must be between 1 and {PAGE_LIMIT}")
        where = where if where is not None else InterviewCondition()
        any_of = list(any_of)
        combinators = _needs_combinators(where, any_of)
        if (
            (cursor or "").startswith(LOCAL_CURSOR)
            or not _server_side(where, any_of)
            or (combinators and not self.abilities.combinators)
        ):
            return await self._search_locally(position_id, where, any_of, limit, cursor)
        filter_ = build_interview_filter(where, any_of)
        try:
            page = await self.client.search_interviews(position_id, filter_, limit=limit, cursor=cursor)
        except (ValidationFailed, GraphQLRequestError) as exc:
            if not (combinators and rejects_combinators(exc)):
                raise
            self._combinators_refused()
            if cursor is not None:
                raise InvalidCursorError(
                    "Hireflix no longer accepts this search's cursor: repeat the search without cursor."
                ) from exc
            return await self._search_locally(position_id, where, any_of, limit, None)
        return SearchPage(list(page.results), page.next_cursor, page.total, "server")

    def _combinators_refused(self) -> None:
        logger.warning(
            "Hireflix refused the %r/%r filter fields; searching client-side",
            FILTER_OR,
            FILTER_AND,
        )
        self.abilities.combinators = False

    async def _scan(self, position_id: str, filter_: Mapping[str, Any]) -> tuple[list[Interview], bool]:
        """Every interview matching `filter_` (up to LOCAL_SCAN_LIMIT), and whether that was all of them."""
        found: list[Interview] = []
        cursor: str | None = None
        while len(found) < LOCAL_SCAN_LIMIT:
            page = await self.client.search_interviews(
                position_id, filter_ or None, limit=PAGE_LIMIT, cursor=cursor
            )
            found.extend(page.results)
            cursor = page.next_cursor
            if cursor is None:
                return found, True
        return found, False

    async def _search_locally(
        self,
        position_id: str,
        where: InterviewCondition,
        any_of: Sequence[InterviewCondition],
        limit: int,
        cursor: str | None,
    ) -> SearchPage:
        digest = _query_digest(position_id, where, any_of)
        offset = 0
        if cursor is not None:
            state = _decode_cursor(cursor) if cursor.startswith(LOCAL_CURSOR) else None
            if state is None or state.get("q") != digest or not isinstance(state.get("o"), int):
                raise InvalidCursorError(
                    "cursor belongs to a different search: repeat the search with the same arguments and "
                    "no cursor."
                )
            offset = max(0, int(state["o"]))
        scans = await gather(
            [functools.partial(self._scan, position_id, f) for f in fallback_filters(where, any_of)]
        )
        merged: dict[str, Interview] = {}
        complete = True
        for scan in scans:
            if isinstance(scan, HireflixError):
                raise scan
            interviews, whole = scan
            complete = complete and whole
            for interview in interviews:
                if where.matches(interview) and (not any_of or any(a.matches(interview) for a in any_of)):
                    merged[interview.id] = interview
        ordered = sorted(merged.values(), key=_newest_first, reverse=True)
        end = offset + limit
        next_cursor = _encode_cursor({"o": end, "q": digest}) if end < len(ordered) else None
        return SearchPage(ordered[offset:end], next_cursor, len(ordered), "client", complete)

    # ------------------------------------------------------------------------------ every position
    async def find(self, where: InterviewCondition, *, limit: int = 50) -> FoundPage:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        searched, mode = await self._find_everywhere(where)
        items: list[FoundInterview] = []
        failures: list[FailedPosition] = []
        capped = False
        for position in searched:
            found = position.found
            if isinstance(found, HireflixError):
                failures.append(FailedPosition(position.id, position.name, found))
                continue
            capped = capped or found.next_cursor is not None or not found.complete
            items += [FoundInterview(i, position.id, position.name) for i in found.items if where.matches(i)]
        items.sort(key=lambda item: _newest_first(item.interview), reverse=True)
        return FoundPage(
            items=items[:limit],
            total=len(items),
            capped=capped or len(items) > limit,
            positions_searched=len(searched) - len(failures),
            positions_failed=failures,
            mode=mode,
        )

    async def _find_everywhere(self, where: InterviewCondition) -> tuple[list[_Searched], FindMode]:
        """Every position with its matches for `where` (up to PAGE_LIMIT each), in one request if it can."""
        combinators = _needs_combinators(where, ())
        if not self.abilities.find_candidate or (combinators and not self.abilities.combinators):
            return await self._find_position_by_position(where), "per_position"
        try:
            positions = await self.client.find_candidate_everywhere(
                build_interview_filter(where), limit_per_position=PAGE_LIMIT
            )
        except (ValidationFailed, GraphQLRequestError) as exc:
            # The sandbox accepts FindCandidate (it validates against schema.graphql), but the real API
            # might refuse it as a document (GraphQL validation, or a query cost/depth limit), or refuse
            # the filter's combinators: then search position by position (1 + N requests), with documents
            # known to work. A retryable refusal is a passing fault, not a verdict: raised as usual.
            if combinators and rejects_combinators(exc):
                self._combinators_refused()
            elif isinstance(exc, GraphQLRequestError) and not exc.retryable:
                logger.warning("Hireflix refused FindCandidate (%s); searching position by position", exc)
                self.abilities.find_candidate = False
            else:
                raise
            return await self._find_position_by_position(where), "per_position"
        searched: list[_Searched] = []
        for position in positions:
            page = position.interview_list
            found = SearchPage(list(page.results), page.next_cursor, page.total, "server")
            searched.append(_Searched(position.id, position.name, found))
        return searched, "one_request"

    async def _find_position_by_position(self, where: InterviewCondition) -> list[_Searched]:
        """List the positions, then search each (CONCURRENCY at a time); a failed one holds its error."""
        positions = await self.client.list_positions()
        searches = await gather(
            [functools.partial(self.search, p.id, where, limit=PAGE_LIMIT) for p in positions]
        )
        return [_Searched(p.id, p.name, found) for p, found in zip(positions, searches, strict=True)]
