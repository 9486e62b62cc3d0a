"""Positions: list, read, create, update, archive, delete."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver import Elicit, Resolve
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field, field_validator

from hireflix_mcp.confirm import Approval, ConfirmForm, NotAsked
from hireflix_mcp.hireflix import models as hx
from hireflix_mcp.tools.common import (
    ConfirmationToken,
    Ctx,
    PositionId,
    app_state,
    gate,
    hireflix,
    upstream_errors,
)
from hireflix_mcp.tools.outputs import ConfirmationFields, iso

# --------------------------------------------------------------------------------------------- outputs


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


class PositionList(BaseModel):
    positions: list[PositionSummary]
    total: int = Field(description="How many positions are listed (all of them: this list is not paginated).")
    archived_hidden: int = Field(
        description="Archived positions left out (pass include_archived to see them)."
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
    discarded: int
    total: int


class PositionDetail(PositionSummary):
    description: str | None = None
    questions: list[Question]
    interview_counts: InterviewCounts


class QuestionIn(BaseModel):
    title: str = Field(
        min_length=1, max_length=500, description="The question the candidate answers on video."
    )
    description: str | None = Field(
        default=None, max_length=2000, description="Optional guidance shown below it."
    )

    @field_validator("title")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a question title cannot be blank")
        return value.strip()


class PositionChangeResult(ConfirmationFields):
    position: PositionSummary | None = None


# --------------------------------------------------------------------------------------------- tools


@upstream_errors
async def list_positions(
    ctx: Ctx,
    include_archived: Annotated[bool, Field(description="Also list archived positions.")] = False,
) -> PositionList:
    positions = await hireflix(ctx).list_positions()
    shown = [p for p in positions if include_archived or p.archived is None]
    return PositionList(
        positions=[PositionSummary.of(p) for p in shown],
        total=len(shown),
        archived_hidden=len(positions) - len(shown),
    )


def _detail(p: hx.PositionDetail) -> PositionDetail:
    counts = p.interview_counts
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
        interview_counts=InterviewCounts(
            pending=counts.pending,
            to_evaluate=counts.to_evaluate,
            shortlisted=counts.shortlisted,
            discarded=counts.discarded,
            total=counts.total,
        ),
    )


@upstream_errors
async def get_position(position_id: PositionId, ctx: Ctx) -> PositionDetail:
    return _detail(await hireflix(ctx).get_position(position_id))


@upstream_errors
async def create_position(
    ctx: Ctx,
    name: Annotated[str, Field(min_length=1, max_length=100, description="The position's title.")],
    questions: Annotated[
        list[QuestionIn], Field(min_length=1, max_length=30, description="Interview questions, in order.")
    ],
    description: Annotated[str | None, Field(max_length=5000, description="Shown to candidates.")] = None,
) -> PositionDetail:
    hf = hireflix(ctx)
    created = await hf.create_position(
        name=name.strip(),
        description=description,
        questions=[hx.PositionQuestionInput(title=q.title, description=q.description) for q in questions],
    )
    return _detail(await hf.get_position(created.id))


@upstream_errors
async def update_position(
    position_id: PositionId,
    ctx: Ctx,
    name: Annotated[str | None, Field(min_length=1, max_length=100, description="New title.")] = None,
    description: Annotated[str | None, Field(max_length=5000, description="New description.")] = None,
) -> PositionSummary:
    if name is None and description is None:
        raise ToolError("Nothing to change: give name and/or description.")
    hf = hireflix(ctx)
    updated = await hf.update_position(position_id, name=name, description=description)
    return PositionSummary.of(updated)


async def _position_phrase(ctx: Ctx, position_id: str) -> str:
    p = await hireflix(ctx).get_position(position_id)
    c = p.interview_counts
    return (
        f"'{p.name}' ({c.total} interviews: {c.pending} pending, {c.to_evaluate} to evaluate, "
        f"{c.shortlisted} shortlisted)"
    )


async def _ask_about_position(
    ctx: Ctx, position_id: str, confirmation_token: str | None, question: str
) -> Elicit[ConfirmForm] | NotAsked:
    """Confirmation for an action on one position; `question` has a `{position}` placeholder."""

    async def preview() -> str:
        return question.format(position=await _position_phrase(ctx, position_id))

    return await app_state(ctx).confirmation.ask(ctx, preview, confirmation_token)


@upstream_errors
async def _confirm_archive(
    ctx: Ctx, position_id: str, confirmation_token: str | None
) -> Elicit[ConfirmForm] | NotAsked:
    return await _ask_about_position(
        ctx,
        position_id,
        confirmation_token,
        "Archive the position {position}? It stops accepting invites; its interviews stay readable.",
    )


@upstream_errors
async def archive_position(
    position_id: PositionId,
    ctx: Ctx,
    confirmation_token: ConfirmationToken = None,
    *,
    approval: Annotated[Approval, Resolve(_confirm_archive)],
) -> PositionChangeResult:
    state = app_state(ctx)
    decision = gate(ctx, "archive_position", {"position_id": position_id}, confirmation_token, approval)
    if not decision.proceed:
        return PositionChangeResult(**ConfirmationFields.stopped(decision))
    archived = await state.hireflix.archive_position(position_id)
    return PositionChangeResult(
        status="done",
        message=f"Archived the position '{archived.name}'.",
        position=PositionSummary.of(archived),
    )


@upstream_errors
async def _confirm_delete(
    ctx: Ctx, position_id: str, confirmation_token: str | None
) -> Elicit[ConfirmForm] | NotAsked:
    return await _ask_about_position(
        ctx,
        position_id,
        confirmation_token,
        "Delete the position {position} and every interview in it? This cannot be undone.",
    )


@upstream_errors
async def delete_position(
    position_id: PositionId,
    ctx: Ctx,
    confirmation_token: ConfirmationToken = None,
    *,
    approval: Annotated[Approval, Resolve(_confirm_delete)],
) -> PositionChangeResult:
    state = app_state(ctx)
    decision = gate(ctx, "delete_position", {"position_id": position_id}, confirmation_token, approval)
    if not decision.proceed:
        return PositionChangeResult(**ConfirmationFields.stopped(decision))
    deleted = await state.hireflix.delete_position(position_id)
    return PositionChangeResult(
        status="done",
        message=f"Deleted the position '{deleted.name}' and its interviews.",
        position=PositionSummary.of(deleted),
    )
