"""Positions: list, read, create, update, archive, delete."""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable
from typing import Annotated

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel
from pydantic import Field
from pydantic import field_validator

from hireflix_mcp.hireflix import models as hx
from hireflix_mcp.state import Ctx
from hireflix_mcp.state import hireflix
from hireflix_mcp.tools.inputs import PositionId
from hireflix_mcp.tools.registry import Preview
from hireflix_mcp.tools.registry import tool
from hireflix_mcp.views.common import quoted
from hireflix_mcp.views.confirmation import ConfirmationFields
from hireflix_mcp.views.positions import PositionDetail
from hireflix_mcp.views.positions import PositionListItem
from hireflix_mcp.views.positions import PositionSummary
from hireflix_mcp.views.positions import counts_phrase
from hireflix_mcp.views.positions import position_detail

# --------------------------------------------------------------------------------------------- outputs


class PositionList(BaseModel):
    positions: list[PositionListItem]
    total: int = Field(description="How many positions are listed (all of them: this list is not paginated).")
    archived_hidden: int = Field(
        description="Archived positions left out (pass include_archived to see them)."
    )
    note: str | None = None


class QuestionIn(BaseModel):
    title: str = Field(min_length=1, max_length=500, description=None)
    description: str | None = Field(default=None, max_length=2000, description=None)

    @field_validator("title")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a question title cannot be blank")
        return value.strip()


class PositionChangeResult(ConfirmationFields):
    position: PositionSummary | None = None


class FieldChange(BaseModel):
    before: str | None = Field(default=None, serialization_alias="from")
    after: str | None = Field(default=None, serialization_alias="to")


class PositionUpdate(BaseModel):
    message: str
    changed: dict[str, FieldChange] = Field(description="Each field that changed, from and to.")
    position: PositionSummary


# --------------------------------------------------------------------------------------------- tools


@tool(
    kind="read",
    title="List positions",
    # include_archived says what it adds, and a result counts what it left out (archived_hidden).
    description="Start here: positions (job openings) with ids and interview counts.",
)
async def list_positions(
    ctx: Ctx,
    include_archived: bool = False,
) -> PositionList:
    positions = await hireflix(ctx).list_positions_with_counts()
    shown = [p for p in positions if include_archived or p.archived is None]
    uncounted = sum(p.interview_counts is None for p in shown)
    return PositionList(
        positions=[PositionListItem.of_counted(p) for p in shown],
        total=len(shown),
        archived_hidden=len(positions) - len(shown),
        note=(
            f"Interview counts could not be read for {uncounted} of these positions; get_position gives "
            "them one by one."
            if uncounted
            else None
        ),
    )


@tool(
    kind="read",
    title="Get a position",
    description="A position's questions, settings and interview counts.",
)
async def get_position(position_id: PositionId, ctx: Ctx) -> PositionDetail:
    return position_detail(await hireflix(ctx).get_position(position_id))


@tool(
    kind="write",
    title="Create a position",
    description="Creates a position with its interview questions.",
)
async def create_position(
    ctx: Ctx,
    name: Annotated[str, Field(min_length=1, max_length=100)],
    questions: Annotated[list[QuestionIn], Field(min_length=1, max_length=30)],
    description: Annotated[str | None, Field(max_length=5000, description="Shown to candidates.")] = None,
) -> PositionDetail:
    hf = hireflix(ctx)
    created = await hf.create_position(
        name=name.strip(),
        description=description,
        questions=[hx.PositionQuestionInput(title=q.title, description=q.description) for q in questions],
    )
    return position_detail(await hf.get_position(created.id))


@tool(
    kind="write",
    title="Update a position",
    description="Renames or re-describes a position.",
    idempotent=True,
)
async def update_position(
    position_id: PositionId,
    ctx: Ctx,
    name: Annotated[str | None, Field(min_length=1, max_length=100)] = None,
    description: Annotated[str | None, Field(max_length=5000)] = None,
) -> PositionUpdate:
    if name is None and description is None:
        raise ToolError("Nothing to change: give name and/or description.")
    hf = hireflix(ctx)
    before = await hf.get_position_summary(position_id)
    asked = {
        field: value for field, value in (("name", name), ("description", description)) if value is not None
    }
    differing = {field: value for field, value in asked.items() if value != getattr(before, field)}
    if not differing:
        # Already so: nothing is sent, so a repeated call writes nothing and says so.
        return PositionUpdate(
            message=f"Nothing changed: '{before.name}' already has that {' and '.join(asked)}.",
            changed={},
            position=PositionSummary.of(before),
        )
    after = await hf.update_position(position_id, **differing)
    changed = {
        field: FieldChange(before=getattr(before, field), after=getattr(after, field))
        for field in differing
        if getattr(after, field) != getattr(before, field)
    }
    if "name" in changed:
        message = f"Renamed '{before.name}' to '{after.name}'"
        message += " and updated its description." if "description" in changed else "."
    elif changed:
        message = f"Updated the description of '{after.name}'."
    else:
        message = f"Hireflix kept '{after.name}' as it was."
    return PositionUpdate(
        message=message,
        changed=changed,
        position=PositionSummary.of(after),
    )


def _asking(question: str) -> Callable[[Ctx, str], Awaitable[Preview]]:
    """The preview of a confirmed position tool: `question` with `{position}` filled in, the position's
    name and every interview the action touches."""

    async def preview(ctx: Ctx, position_id: str) -> Preview:
        p = await hireflix(ctx).get_position(position_id)
        return Preview(question.format(position=f"{quoted(p.name)} ({counts_phrase(p.interview_counts)})"))

    return preview


def _done(message: str, position: hx.Position) -> PositionChangeResult:
    """The result of a confirmed position tool that went ahead: what it did, to which position."""
    return PositionChangeResult(status="done", message=message, position=PositionSummary.of(position))


@tool(
    kind="write",
    title="Archive a position",
    description=("Stops a position taking invites (interviews stay readable). The user confirms first."),
    confirm=_asking(
        "Archive the position {position}? It stops accepting invites; its interviews stay readable."
    ),
)
async def archive_position(position_id: PositionId, ctx: Ctx) -> PositionChangeResult:
    archived = await hireflix(ctx).archive_position(position_id)
    return _done(f"Archived the position '{archived.name}'.", archived)


@tool(
    kind="destructive",
    title="Delete a position",
    description=(
        "Deletes a position and its interviews for good (prefer archive_position). The user confirms first."
    ),
    confirm=_asking("Delete the position {position} and every interview in it? This cannot be undone."),
)
async def delete_position(position_id: PositionId, ctx: Ctx) -> PositionChangeResult:
    deleted = await hireflix(ctx).delete_position(position_id)
    return _done(f"Deleted the position '{deleted.name}' and its interviews.", deleted)
