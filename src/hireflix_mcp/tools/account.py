"""Account: audit logs and team members."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from hireflix_mcp.hireflix import models as hx
from hireflix_mcp.hireflix.errors import NotFoundError
from hireflix_mcp.state import Ctx, hireflix
from hireflix_mcp.tools.inputs import Email
from hireflix_mcp.tools.registry import Preview, tool
from hireflix_mcp.views.common import HEX_ID, iso
from hireflix_mcp.views.confirmation import ConfirmationFields

# --------------------------------------------------------------------------------------------- outputs


class LogEntry(BaseModel):
    at: str | None
    actor_email: str | None = Field(
        description="Who did it; null for anonymous access such as a shared link."
    )
    action: str | None
    object_type: str | None = None
    object_id: str | None = None
    ip: str | None = None
    medium: str | None = Field(description="ADMIN (dashboard), API_KEY, or WEBAPP_INTERVIEW_SHAREABLE_LINK.")

    @classmethod
    def of(cls, entry: hx.AuditLogEntry) -> LogEntry:
        target = entry.object or {}
        object_type, object_id = target.get("type"), target.get("id")
        return cls(
            at=iso(entry.timestamp),
            actor_email=entry.actor.email if entry.actor else None,
            action=entry.action,
            object_type=str(object_type) if object_type is not None else None,
            object_id=str(object_id) if object_id is not None else None,
            ip=entry.ip,
            medium=entry.medium,
        )


class AccountLogs(BaseModel):
    entries: list[LogEntry]
    total: int = Field(description="Entries in the last two months (Hireflix keeps no older ones).")
    next_skip: int | None = Field(description="Pass as skip for the next page; null when this is the last.")


class Member(BaseModel):
    id: str | None
    name: str | None = None
    email: str | None
    type: str | None = Field(default=None, description="owner, admin or member.")

    @classmethod
    def of(cls, m: hx.TeamMember) -> Member:
        return cls(id=m.id, name=m.name, email=m.email, type=m.type)


class MemberList(BaseModel):
    members: list[Member]
    total: int


class MemberChangeResult(ConfirmationFields):
    member: Member | None = None


# --------------------------------------------------------------------------------------------- tools


@tool(
    toolset="account",
    kind="read",
    title="Read account activity logs",
    description=(
        "The account's audit log (who did what, when, from which IP) for the last two months, newest "
        "first, paginated with skip and limit."
    ),
)
async def get_account_logs(
    ctx: Ctx,
    limit: Annotated[int, Field(ge=1, le=100, description="Entries per page (1 to 100).")] = 20,
    skip: Annotated[
        int, Field(ge=0, le=100_000, description="Entries to skip: the next_skip of the previous page.")
    ] = 0,
) -> AccountLogs:
    page = await hireflix(ctx).get_account_logs(skip=skip, limit=limit)
    total = page.total if page.total is not None else skip + len(page.results)
    seen = skip + len(page.results)
    return AccountLogs(
        entries=[LogEntry.of(e) for e in page.results],
        total=total,
        next_skip=seen if page.results and seen < total else None,
    )


async def _members(ctx: Ctx) -> list[hx.TeamMember]:
    return [m for m in await hireflix(ctx).list_members() if not m.deleted]


@tool(
    toolset="account",
    kind="read",
    title="List team members",
    description=("The company's Hireflix team members with their ids and e-mails."),
)
async def list_members(ctx: Ctx) -> MemberList:
    members = [Member.of(m) for m in await _members(ctx)]
    return MemberList(members=members, total=len(members))


def _member_phrase(m: hx.TeamMember) -> str:
    return f"{m.name} <{m.email}>" if m.name else f"<{m.email}>"


async def preview_add(email: str) -> Preview:
    return Preview(
        f"Give {email} access to the company's Hireflix account, including every candidate's recordings?"
    )


@tool(
    toolset="account",
    kind="write",
    title="Add a team member",
    description=(
        "Gives a person access to the company's Hireflix account and its candidate data. Asks the user "
        "to confirm first."
    ),
    confirm=preview_add,
)
async def add_member(
    email: Annotated[Email, Field(description="The e-mail of the person to give access to.")],
    ctx: Ctx,
) -> MemberChangeResult:
    added = await hireflix(ctx).add_member(email)
    member = next((m for m in await _members(ctx) if (m.email or "").lower() == email.lower()), None)
    if not added:
        message = f"{email} is already a member of the account; nothing changed."
    else:
        message = f"Gave {email} access to the company's Hireflix account."
    return MemberChangeResult(status="done", message=message, member=Member.of(member) if member else None)


MemberIdArg = Annotated[
    str | None,
    Field(pattern=HEX_ID, description="The member's id from list_members. Give this or email, not both."),
]
MemberEmailArg = Annotated[
    Email | None, Field(description="The member's e-mail. Give this or member_id, not both.")
]


def _require_one(member_id: str | None, email: str | None) -> None:
    # The schema stays a flat object (no oneOf, which many clients reject), so the rule lives here.
    if (member_id is None) == (email is None):
        raise ToolError("Give exactly one of member_id or email (ids and e-mails come from list_members).")


async def _find_member(ctx: Ctx, member_id: str | None, email: str | None) -> hx.TeamMember:
    """The member a remove_member call names, or a tool error the model can act on."""
    _require_one(member_id, email)
    for m in await _members(ctx):
        if (member_id is not None and m.id == member_id) or (
            email is not None and (m.email or "").lower() == email.lower()
        ):
            if m.type == "owner":
                raise ToolError(f"{_member_phrase(m)} owns the account and cannot be removed.")
            return m
    raise NotFoundError("member", member_id or email, operation="ListMembers")


async def preview_remove(ctx: Ctx, member_id: str | None, email: str | None) -> Preview:
    member = await _find_member(ctx, member_id, email)
    return Preview(
        f"Remove {_member_phrase(member)} from the company's Hireflix account? They lose access to "
        "every position and candidate recording.",
    )


@tool(
    toolset="account",
    kind="destructive",
    title="Remove a team member",
    description=(
        "Removes a person's access to the company's Hireflix account, by member id or e-mail. Asks the "
        "user to confirm first."
    ),
    confirm=preview_remove,
)
async def remove_member(
    ctx: Ctx, member_id: MemberIdArg = None, email: MemberEmailArg = None
) -> MemberChangeResult:
    member = await _find_member(ctx, member_id, email)
    if not await hireflix(ctx).remove_member(id=member.id):
        raise NotFoundError("member", member.id, operation="RemoveMember")
    return MemberChangeResult(
        status="done",
        message=f"Removed {_member_phrase(member)} from the company's Hireflix account.",
        member=Member.of(member),
    )
