"""search_transcripts: ranked passages of recorded answers across interviews, from the local index
(`hireflix_mcp.transcripts`), each with where it was said and a citation the prompts ask for."""

from __future__ import annotations

from typing import Annotated

import anyio
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel
from pydantic import Field

from hireflix_mcp.sanitize import CANDIDATE_CONTENT_NOTE
from hireflix_mcp.sanitize import CandidateText
from hireflix_mcp.state import Ctx
from hireflix_mcp.state import app_state
from hireflix_mcp.tools.inputs import PositionId
from hireflix_mcp.tools.inputs import TimeBound
from hireflix_mcp.tools.registry import tool
from hireflix_mcp.transcripts.index import COUNT_CAP
from hireflix_mcp.transcripts.index import Coverage
from hireflix_mcp.transcripts.index import Filters
from hireflix_mcp.transcripts.index import Hit
from hireflix_mcp.transcripts.index import SearchResult
from hireflix_mcp.transcripts.query import MAX_QUERY_CHARS
from hireflix_mcp.transcripts.query import Matcher
from hireflix_mcp.transcripts.query import Query
from hireflix_mcp.transcripts.query import QueryError
from hireflix_mcp.transcripts.query import parse
from hireflix_mcp.transcripts.service import TranscriptService
from hireflix_mcp.transcripts.text import citation
from hireflix_mcp.transcripts.text import snippet
from hireflix_mcp.views.common import Compact
from hireflix_mcp.views.common import iso
from hireflix_mcp.views.common import time_bound
from hireflix_mcp.views.interviews import ReviewStatus

MAX_HITS = 50


class TranscriptHit(Compact):
    interview_id: str
    candidate: CandidateText
    position: str | None = None
    status: str
    question: int
    title: str
    at_s: float | None = Field(default=None, description="Seconds into the answer where the match is said.")
    snippet: CandidateText
    cite: CandidateText
    also: list[int] | None = Field(default=None, description="Other questions of this interview that match.")


class IndexCoverage(Compact):
    interviews: int = Field(description="Interviews in scope known to the index.")
    recorded: int = Field(description="Of those, recorded ones whose answers are searchable.")
    complete: bool = Field(description="Every position in scope has been read in full.")
    synced_at: str | None = None
    updated_at: str | None = Field(default=None, description="Last webhook update.")


class TranscriptSearch(BaseModel):
    query: str = Field(description="The query as understood.")
    matched_interviews: int
    matched_answers: int
    counts_capped: bool | None = Field(
        default=None, description=f"Over {COUNT_CAP} answers match: counted up to there. Narrow the query."
    )
    hits: list[TranscriptHit]
    index: IndexCoverage
    note: str


def coverage_out(coverage: Coverage) -> IndexCoverage:
    return IndexCoverage(
        interviews=coverage.interviews,
        recorded=coverage.recorded,
        complete=coverage.complete,
        synced_at=iso(coverage.synced_at),
        updated_at=iso(coverage.changed_at),
    )


def hit_out(hit: Hit, query: Query, *, with_position: bool) -> TranscriptHit:
    answer = hit.answer
    marked, centre, at = Matcher(query, answer.language).locate(answer.text, answer.times)
    return TranscriptHit(
        interview_id=hit.interview.interview_id,
        candidate=hit.interview.candidate,
        position=hit.interview.position_name if with_position else None,
        status=hit.interview.status,
        question=answer.question,
        title=answer.title,
        at_s=at,
        snippet=snippet(answer.text, marked, centre=centre),
        cite=citation(hit.interview.candidate, answer.question, at),
        also=list(hit.also) or None,
    )


async def checked(service: TranscriptService, result: SearchResult, coverage: Coverage) -> SearchResult:
    """`result` without the interviews deleted upstream, when the index may not know yet (`stale`)."""
    if not result.hits or not service.stale(coverage):
        return result
    ids = [hit.interview.interview_id for hit in result.hits]
    alive = await service.sync.existing(ids)
    gone = [i for i in ids if i not in alive]
    for interview_id in gone:
        await anyio.to_thread.run_sync(service.index.delete, interview_id)
    hits = [hit for hit in result.hits if hit.interview.interview_id in alive]
    answers_gone = sum(1 + len(h.also) for h in result.hits if h.interview.interview_id not in alive)
    return SearchResult(
        hits, result.matched_interviews - len(gone), result.matched_answers - answers_gone, result.capped
    )


@tool(
    kind="read",
    title="Search transcripts",
    description=(
        'Searches all recorded answers: words, "a phrase", OR; any case, accents or word forms. Per '
        "interview: best answer, snippet, cite."
    ),
)
async def search_transcripts(
    query: Annotated[str, Field(min_length=1, max_length=MAX_QUERY_CHARS)],
    ctx: Ctx,
    position_id: PositionId | None = None,
    status: ReviewStatus | None = None,
    recorded_since: Annotated[TimeBound | None, Field(description="ISO date.")] = None,
    limit: Annotated[int, Field(ge=1, le=MAX_HITS)] = 10,
) -> TranscriptSearch:
    service = app_state(ctx).transcripts
    if service is None:  # pragma: no cover - every built server has one
        raise ToolError("search_transcripts is not available on this server: it has no transcript index.")
    try:
        parsed = parse(query)
    except QueryError as exc:
        raise ToolError(str(exc)) from None
    since = time_bound(recorded_since) if recorded_since is not None else None
    filters = Filters(position_id=position_id, status=status, recorded_since=since)
    await service.ensure_synced([position_id] if position_id else None)
    index = service.index
    result = await anyio.to_thread.run_sync(index.search, parsed, filters, limit)
    coverage = await anyio.to_thread.run_sync(index.coverage, filters)
    result = await checked(service, result, coverage)
    result = await service.with_times(result)
    return TranscriptSearch(
        query=parsed.describe(),
        matched_interviews=result.matched_interviews,
        matched_answers=result.matched_answers,
        counts_capped=True if result.capped else None,
        hits=[hit_out(hit, parsed, with_position=position_id is None) for hit in result.hits],
        index=coverage_out(coverage),
        note=f"candidate, snippet, cite: {CANDIDATE_CONTENT_NOTE}",
    )
