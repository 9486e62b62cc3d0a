"""Interview counts per position, the recorded ones among them.

No filter says "recorded" (a discarded or shortlisted interview may or may not have been recorded), so
each position's counts come from four aliased `interviewList`s (`InterviewCountFields`): totals for
pending and to_evaluate, and for shortlisted and discarded the first page with just what tells whether
each was recorded; further pages are read with SearchInterviews.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Any

from hireflix_mcp.hireflix.errors import GraphQLRequestError
from hireflix_mcp.hireflix.errors import HireflixError
from hireflix_mcp.hireflix.models import InterviewCounts
from hireflix_mcp.hireflix.models import InterviewPage
from hireflix_mcp.hireflix.models import Position
from hireflix_mcp.hireflix.models import PositionWithCounts
from hireflix_mcp.hireflix.search import PAGE_LIMIT
from hireflix_mcp.hireflix.search import InterviewCondition
from hireflix_mcp.hireflix.search import gather

if TYPE_CHECKING:
    from hireflix_mcp.hireflix.client import HireflixClient

logger = logging.getLogger("hireflix_mcp.hireflix")

COUNT_VARIABLES: dict[str, Any] = {
    "statusPending": "pending",
    "statusToEvaluate": "to_evaluate",
    "statusShortlisted": "shortlisted",
    "statusDiscarded": "discarded",
    "markLimit": PAGE_LIMIT,
}
"""The variables of `InterviewCountFields` (GetPosition, ListPositionsWithCounts)."""
_STATUS_ALIASES = {
    "pending": "pendingCount",
    "to_evaluate": "toEvaluateCount",
    "shortlisted": "shortlistedCount",
    "discarded": "discardedCount",
}
_MAYBE_RECORDED = ("shortlisted", "discarded")
"""The statuses whose interviews may or may not have been recorded."""


def _with_counts(position: Position, counts: InterviewCounts | HireflixError) -> PositionWithCounts:
    if isinstance(counts, HireflixError):
        logger.warning("Hireflix: could not count the interviews of position %s (%s)", position.id, counts)
        return PositionWithCounts(**position.model_dump())
    return PositionWithCounts(**position.model_dump(), interview_counts=counts)


async def positions_with_counts(client: HireflixClient) -> list[PositionWithCounts]:
    """Every position (archived ones included) with its interview counts, in one request when
    Hireflix allows it (`ListPositionsWithCounts`); a position with more than a page of shortlisted
    or discarded interviews costs one more request per further page (see `_interview_counts`).

    If Hireflix refuses that document (it accepts GetPosition, but may put a cost or depth limit on
    counting every position at once), the positions are listed (`ListPositions`) and each counted
    with GetPosition, `CONCURRENCY` at a time, and the refusal is remembered. A position whose
    counts could not be read has `interview_counts` None; the others are still counted.
    """
    abilities = client._search.abilities
    if abilities.positions_with_counts:
        try:
            data = await client._run("ListPositionsWithCounts", COUNT_VARIABLES)
        except GraphQLRequestError as exc:
            if exc.retryable:
                raise
            logger.warning(
                "Hireflix refused ListPositionsWithCounts (%s); counting position by position", exc
            )
            abilities.positions_with_counts = False
        else:
            raws = [p for p in data.get("positions") or [] if p is not None]
            positions = [client._parse(Position, raw, "ListPositionsWithCounts") for raw in raws]
            counted = await gather(
                [
                    functools.partial(client.interview_counts, p.id, raw, "ListPositionsWithCounts")
                    for p, raw in zip(positions, raws, strict=True)
                ]
            )
            return [_with_counts(p, c) for p, c in zip(positions, counted, strict=True)]
    listed = await client.list_positions()
    details = await gather([functools.partial(client.get_position, p.id) for p in listed])
    return [
        _with_counts(p, d if isinstance(d, HireflixError) else d.interview_counts)
        for p, d in zip(listed, details, strict=True)
    ]


async def interview_counts(
    client: HireflixClient, position_id: str, raw: Mapping[str, Any], operation: str
) -> InterviewCounts:
    """The counts of a position selected with `InterviewCountFields`: each status's `total`, and the
    recorded ones: every one to evaluate, and the shortlisted and discarded ones that were recorded,
    read on with SearchInterviews from `lastCursor` when a status has more than the first page."""
    pages = {
        status: client._parse(InterviewPage, raw.get(alias) or {}, operation)
        for status, alias in _STATUS_ALIASES.items()
    }
    totals = {status: page.total or 0 for status, page in pages.items()}
    recorded = totals["to_evaluate"]
    for status in _MAYBE_RECORDED:
        page = pages[status]
        marks = {i.id: i.is_recorded for i in page.results}
        cursor = page.last_cursor if page.results else None
        while cursor is not None and len(marks) < totals[status]:
            more = await client.search_interviews(
                position_id, InterviewCondition(status=status), limit=PAGE_LIMIT, cursor=cursor
            )
            fresh = {i.id: i.is_recorded for i in more.results if i.id not in marks}
            if not fresh:
                break
            marks.update(fresh)
            cursor = more.next_cursor
        recorded += sum(marks.values())
    return InterviewCounts(**totals, recorded=recorded)
