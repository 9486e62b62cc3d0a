"""Positions as the model sees them (get_position, list_positions, the position resource)."""

from __future__ import annotations

from pydantic import BaseModel
from pydantic import Field

from hireflix_mcp.hireflix import models as hx
from hireflix_mcp.views.common import iso


class PositionSummary(BaseModel):
    id: str
    name: str
    archived: bool
    archived_at: str | None = None
    created_at: str | None = None
    language: str | None = None
    location: str | None = None

    @classmethod
    def of(cls, p: hx.Position) -> PositionSummary:
        return cls(
            id=p.id,
            name=p.name or "",
            archived=p.archived is not None,
            archived_at=iso(p.archived),
            created_at=iso(p.created_at),
            language=p.language,
            location=p.location,
        )


class Question(BaseModel):
    title: str
    description: str | None = None
    time_to_answer_s: int | None = None
    time_to_think_s: int | None = None
    retakes: int | None = None


class InterviewCounts(BaseModel):
    pending: int = Field(description="Invited, not yet recorded.")
    to_evaluate: int = Field(description="Recorded, waiting for review.")
    shortlisted: int
    discarded: int = Field(description="Recorded or not.")
    total: int
    recorded: int = Field(description="Finished recording, whatever the status.")

    @classmethod
    def of(cls, counts: hx.InterviewCounts) -> InterviewCounts:
        return cls(**counts.model_dump(), total=counts.total)


class PositionListItem(PositionSummary):
    """One position in list_positions: its summary and interview counts."""

    interview_counts: InterviewCounts | None = Field(
        default=None, description="Left out when they could not be read."
    )

    @classmethod
    def of_counted(cls, p: hx.PositionWithCounts) -> PositionListItem:
        counts = InterviewCounts.of(p.interview_counts) if p.interview_counts is not None else None
        return cls(**PositionSummary.of(p).model_dump(), interview_counts=counts)


class PositionDetail(PositionSummary):
    description: str | None = None
    questions: list[Question]
    interview_counts: InterviewCounts


def position_detail(p: hx.PositionDetail) -> PositionDetail:
    """get_position's answer, which the position resource shows too."""
    return PositionDetail(
        **PositionSummary.of(p).model_dump(),
        description=p.description,
        questions=[
            Question(
                title=q.title or "",
                description=q.description,
                time_to_answer_s=q.time_to_answer,
                time_to_think_s=q.time_to_think,
                retakes=q.retakes,
            )
            for q in p.questions or []
        ],
        interview_counts=InterviewCounts.of(p.interview_counts),
    )


def counts_phrase(counts: hx.InterviewCounts) -> str:
    """'14 interviews: 5 pending, 3 to evaluate, 1 shortlisted, 5 discarded; 7 recorded' (every interview
    counted)."""
    return (
        f"{counts.total} interviews: {counts.pending} pending, {counts.to_evaluate} to evaluate, "
        f"{counts.shortlisted} shortlisted, {counts.discarded} discarded; {counts.recorded} recorded"
    )
