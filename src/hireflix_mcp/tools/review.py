"""Review: score, comment, shortlist/discard, share recordings."""

from __future__ import annotations

from typing import Annotated
from typing import Literal

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import AfterValidator
from pydantic import BaseModel
from pydantic import Field
from pydantic import StringConstraints

from hireflix_mcp.hireflix import models as hx
from hireflix_mcp.sanitize import CandidateText
from hireflix_mcp.sanitize import candidate_text
from hireflix_mcp.state import Ctx
from hireflix_mcp.state import hireflix
from hireflix_mcp.tools.inputs import InterviewId
from hireflix_mcp.tools.registry import Preview
from hireflix_mcp.tools.registry import tool
from hireflix_mcp.views.common import candidate_name
from hireflix_mcp.views.common import iso
from hireflix_mcp.views.common import position_label
from hireflix_mcp.views.common import who
from hireflix_mcp.views.confirmation import ConfirmationFields
from hireflix_mcp.views.interviews import Comment

# --------------------------------------------------------------------------------------------- inputs


def _half_step_or_cleared(score: float | None) -> float | None:
    """None clears the score. 0 clears it too: a value every agent framework can send (LlamaIndex drops
    null from a required argument, and a strict model must send a number), and never a score."""
    if score is None or score == 0:
        return None
    # `multiple_of` alone tolerates float noise (3.0000000001 passes); Hireflix wants exact half steps.
    if score * 2 != round(score * 2):
        raise ValueError("score must be a multiple of 0.5 (0.5, 1, 1.5, ... 5), or 0 to clear it")
    return score


Score = Annotated[
    float | None,  # null is accepted and published as a number (schema_compact): 0 is how to clear
    Field(ge=0, le=5, multiple_of=0.5, description="0 clears it."),
    AfterValidator(_half_step_or_cleared),
]
CommentText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=5000),
    Field(description="<=5000 characters."),
]
TargetStatus = Literal["shortlisted", "to_evaluate", "discarded"]
ShareDays = Annotated[int, Field(ge=1, le=365, description="Days the link works.")]

# --------------------------------------------------------------------------------------------- outputs


class ReviewedInterview(BaseModel):
    interview_id: str
    candidate_name: CandidateText
    position_name: str | None = None
    score: float | None = None
    status: hx.InterviewStatus

    @classmethod
    def of(cls, interview: hx.Interview) -> ReviewedInterview:
        return cls(
            interview_id=interview.id,
            candidate_name=candidate_name(interview.candidate),
            position_name=interview.position_name,
            score=interview.score_value,
            status=interview.review_status,
        )


class CommentResult(BaseModel):
    interview_id: str
    candidate_name: CandidateText
    comment: Comment
    comment_count: int = Field(description="Comments on the interview now, this one included.")


class StatusChange(ReviewedInterview):
    previous_status: hx.InterviewStatus
    changed: bool
    message: str


class ShareResult(ConfirmationFields):
    interview_id: str
    url: str | None = None
    expires_at: str | None = None
    duration_days: int


# --------------------------------------------------------------------------------------------- tools


@tool(
    kind="write",
    title="Score an interview",
    description="Sets an interview's score: 0.5 to 5 in halves.",
    idempotent=True,
)
async def score_interview(interview_id: InterviewId, score: Score, ctx: Ctx) -> ReviewedInterview:
    return ReviewedInterview.of(await hireflix(ctx).score_interview(interview_id, score))


@tool(
    kind="write",
    title="Comment on an interview",
    description="Adds a comment to an interview for the hiring team.",
)
async def comment_on_interview(interview_id: InterviewId, comment: CommentText, ctx: Ctx) -> CommentResult:
    updated = await hireflix(ctx).comment_on_interview(interview_id, comment)
    # The mutation answers with every comment; ours is the newest one carrying this text.
    ours = [c for c in updated.comments if (c.value or "").strip() == comment]
    newest = max(ours, key=lambda c: c.created_at or 0.0) if ours else None
    return CommentResult(
        interview_id=updated.id,
        candidate_name=candidate_name(updated.candidate),
        comment=Comment.of(newest) if newest else Comment(text=candidate_text(comment)),
        comment_count=len(updated.comments),
    )


@tool(
    kind="write",
    title="Set interview status",
    description="Shortlists (once recorded) or discards an interview, or returns it to to_evaluate.",
    idempotent=True,
)
async def set_interview_status(
    interview_id: InterviewId,
    status: TargetStatus,
    ctx: Ctx,
) -> StatusChange:
    hf = hireflix(ctx)
    current: hx.Interview = await hf.get_interview(interview_id)
    previous = current.review_status
    # Hireflix would mark an interview nobody recorded; a review status only means something once there
    # is a recording. Discarding stays open (dropping a no-show), and so does undoing a mark.
    if not current.is_recorded and status == "shortlisted":
        raise ToolError(
            f"Interview {interview_id} cannot be shortlisted: the candidate has not recorded it yet; "
            "shortlist it once they have, or discard it."
        )
    if not current.is_recorded and status == "to_evaluate" and previous == "pending":
        raise ToolError(
            f"Interview {interview_id} is pending: the candidate has not recorded it yet, and it moves to "
            "to_evaluate by itself when they do."
        )
    discarded = current.archived is not None or current.discarded_at is not None
    shortlisted = current.finalist is not None or current.shortlisted_at is not None
    # Hireflix keeps two marks (archive = discarded, finalist = shortlisted; discarded wins): send only
    # the mutations that change a mark, so a repeated call changes nothing.
    if status == "shortlisted":
        if discarded:
            current = await hf.set_archived(interview_id, False)
        if not shortlisted:
            current = await hf.set_finalist(interview_id, True)
    elif status == "discarded":
        if not discarded:
            current = await hf.set_archived(interview_id, True)
    else:
        if discarded:
            current = await hf.set_archived(interview_id, False)
        if shortlisted:
            current = await hf.set_finalist(interview_id, False)
    new = current.review_status
    if new == previous:
        message = f"The interview was already {new}; nothing changed."
    else:
        message = f"Moved the interview from {previous} to {new}."
    if status == "to_evaluate" and new == "pending":
        message += " The candidate has not recorded it yet; it reaches to_evaluate when they finish."
    return StatusChange(
        **ReviewedInterview.of(current).model_dump(),
        previous_status=previous,
        changed=new != previous,
        message=message,
    )


async def preview_share(ctx: Ctx, interview_id: str, duration_days: int) -> Preview:
    interview = await hireflix(ctx).get_interview(interview_id)
    days = "1 day" if duration_days == 1 else f"{duration_days} days"
    return Preview(
        f"Create a public link to the interview of {who(interview)} for {position_label(interview)}, "
        f"watchable by anyone with the link for {days}?"
    )


@tool(
    kind="write",
    title="Share a recording",
    description=("A public link to an interview's recording (personal data). The user confirms first."),
    confirm=preview_share,
)
async def share_interview(interview_id: InterviewId, ctx: Ctx, duration_days: ShareDays = 75) -> ShareResult:
    link = await hireflix(ctx).share_interview(interview_id, duration_days)
    expires = iso(link.expires)
    return ShareResult(
        status="done",
        message=f"Created a public link to the interview, valid until {expires or '?'}. Anyone with the "
        "link can watch the recording without logging in.",
        interview_id=interview_id,
        url=link.url,
        expires_at=expires,
        duration_days=duration_days,
    )
