"""search_interviews (one position) and find_candidate (every position).

The searching itself (which filters Hireflix accepts, the client-side fallback, its cursors, one rule for
matching names) is the client's: `HireflixClient.match_interviews` and `find_interviews`.
"""

from __future__ import annotations

import re
from typing import Annotated
from typing import Literal

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel
from pydantic import Field

from hireflix_mcp.hireflix.search import InterviewCondition
from hireflix_mcp.hireflix.search import InvalidCursorError
from hireflix_mcp.state import Ctx
from hireflix_mcp.state import hireflix
from hireflix_mcp.tools.inputs import EMAIL_PATTERN
from hireflix_mcp.tools.inputs import Email
from hireflix_mcp.tools.inputs import PositionId
from hireflix_mcp.tools.interviews.inputs import FIND_MAX_RESULTS
from hireflix_mcp.tools.interviews.inputs import SEARCH_MAX_LIMIT
from hireflix_mcp.tools.interviews.inputs import Condition
from hireflix_mcp.tools.interviews.inputs import NamePart
from hireflix_mcp.tools.interviews.inputs import Score
from hireflix_mcp.tools.registry import tool
from hireflix_mcp.views.errors import describe_upstream_error
from hireflix_mcp.views.interviews import STATUS_HELP
from hireflix_mcp.views.interviews import InterviewSummary
from hireflix_mcp.views.interviews import ReviewStatus


class SearchResult(BaseModel):
    position_id: str
    interviews: list[InterviewSummary]
    total: int | None = Field(
        default=None, description="How many interviews match in all (this page holds some of them)."
    )
    next_cursor: str | None = Field(
        default=None, description="Pass back as cursor for the next page; left out at the end."
    )
    filter_mode: Literal["server", "client"] = Field(
        description="server: Hireflix filtered. client: this server read the interviews and filtered them "
        "(Hireflix cannot filter on recorded, or refused OR/AND filters)."
    )
    complete: bool | None = Field(
        default=None, description="false: the client-side read stopped early; more may match."
    )


class FoundInterview(InterviewSummary):
    position_id: str
    position_name: str | None = None


class PositionFailure(BaseModel):
    position_id: str
    position_name: str | None = None
    reason: str


class FindResult(BaseModel):
    matched_by: Literal["email", "name"]
    interviews: list[FoundInterview]
    total: int = Field(description="Matching interviews found across all positions.")
    capped: bool = Field(description="True when more matched than are listed; refine the query.")
    positions_searched: int
    positions_failed: list[PositionFailure] = Field(default_factory=list)
    message: str


@tool(
    kind="read",
    title="Search interviews",
    description=("A position's interviews by status, recorded, e-mail, name or score; any_of ORs."),
)
async def search_interviews(
    position_id: PositionId,
    ctx: Ctx,
    status: Annotated[ReviewStatus | None, Field(description=STATUS_HELP)] = None,
    recorded: Annotated[bool | None, Field(description="Finished recording.")] = None,
    email: Email | None = None,
    name: Annotated[
        NamePart | None,
        Field(description="Any order, case or accents."),
    ] = None,
    min_score: Annotated[Score | None, Field(description="Unscored never match.")] = None,
    max_score: Score | None = None,
    any_of: Annotated[
        list[Condition] | None,
        Field(
            max_length=10,
            description="Each ANDs its fields.",
        ),
    ] = None,
    limit: Annotated[int, Field(ge=1, le=SEARCH_MAX_LIMIT)] = 20,
    cursor: Annotated[str | None, Field(max_length=2000, description="From the last page.")] = None,
) -> SearchResult:
    if min_score is not None and max_score is not None and min_score > max_score:
        raise ToolError(f"min_score ({min_score:g}) must not be greater than max_score ({max_score:g}).")
    where = InterviewCondition(
        email=email, name=name, status=status, min_score=min_score, max_score=max_score, recorded=recorded
    )
    alternatives = [InterviewCondition(**a.model_dump()) for a in any_of or []]
    try:
        page = await hireflix(ctx).match_interviews(
            position_id, where, alternatives, limit=limit, cursor=cursor
        )
    except InvalidCursorError as exc:
        raise ToolError(str(exc)) from None
    return SearchResult(
        position_id=position_id,
        interviews=[InterviewSummary.of(i) for i in page.items],
        total=page.total,
        next_cursor=page.next_cursor,
        filter_mode=page.mode,
        complete=None if page.complete else False,
    )


@tool(
    kind="read",
    title="Find a candidate",
    description="A candidate's interviews in every position, by e-mail or name.",
)
async def find_candidate(
    query: Annotated[
        str,
        Field(
            min_length=2,
            max_length=254,
            description="E-mail, or name in any order.",
        ),
    ],
    ctx: Ctx,
) -> FindResult:
    text = query.strip()
    by_email = re.fullmatch(EMAIL_PATTERN, text) is not None
    if not any(c.isalnum() for c in text):
        raise ToolError("query: give an e-mail address or a name.")
    where = InterviewCondition(email=text) if by_email else InterviewCondition(name=text)
    found = await hireflix(ctx).find_interviews(where, limit=FIND_MAX_RESULTS)
    matches = [
        FoundInterview(
            **InterviewSummary.of(item.interview).model_dump(),
            position_id=item.position_id,
            position_name=item.position_name,
        )
        for item in found.items
    ]
    failures = [
        PositionFailure(
            position_id=f.position_id, position_name=f.position_name, reason=describe_upstream_error(f.error)
        )
        for f in found.positions_failed
    ]
    searched = found.positions_searched + len(failures)
    found_text = f"{found.total} interview{'' if found.total == 1 else 's'} found"
    message = f"Searched {searched} positions by {'e-mail' if by_email else 'name'}: {found_text}"
    if found.total > FIND_MAX_RESULTS:
        message += f"; showing the newest {FIND_MAX_RESULTS}, refine the query."
    elif found.capped:
        message += "; a position had more matches than were read, refine the query."
    else:
        message += "."
    if failures:
        message += f" {len(failures)} positions could not be searched: see positions_failed."
    return FindResult(
        matched_by="email" if by_email else "name",
        interviews=matches,
        total=found.total,
        capped=found.capped,
        positions_searched=found.positions_searched,
        positions_failed=failures,
        message=message,
    )
