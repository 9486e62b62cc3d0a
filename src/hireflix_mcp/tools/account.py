"""Account: audit logs and team members."""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass
from dataclasses import field
from functools import partial
from typing import Annotated
from typing import Any

import anyio
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import AfterValidator
from pydantic import BaseModel
from pydantic import Field

from hireflix_mcp.hireflix import models as hx
from hireflix_mcp.hireflix.client import HireflixClient
from hireflix_mcp.hireflix.errors import HireflixError
from hireflix_mcp.hireflix.errors import NotFoundError
from hireflix_mcp.hireflix.search import gather
from hireflix_mcp.sanitize import CandidateText
from hireflix_mcp.sanitize import candidate_text
from hireflix_mcp.state import Ctx
from hireflix_mcp.state import hireflix
from hireflix_mcp.tools.inputs import Email
from hireflix_mcp.tools.inputs import TimeBound
from hireflix_mcp.tools.registry import Preview
from hireflix_mcp.tools.registry import tool
from hireflix_mcp.views.common import DAY_MS
from hireflix_mcp.views.common import HEX_ID
from hireflix_mcp.views.common import ascii_domain
from hireflix_mcp.views.common import candidate_email
from hireflix_mcp.views.common import candidate_name
from hireflix_mcp.views.common import iso
from hireflix_mcp.views.common import quoted
from hireflix_mcp.views.common import quoted_email
from hireflix_mcp.views.common import time_bound
from hireflix_mcp.views.confirmation import ConfirmationFields

LOG_DAYS = 60
"""Hireflix keeps the audit log of the last two months."""

# --------------------------------------------------------------------------------------------- inputs


# --------------------------------------------------------------------------------------------- outputs

MEDIUMS = {"ADMIN": "dashboard", "API_KEY": "API key", "WEBAPP_INTERVIEW_SHAREABLE_LINK": "shared link"}
"""How an action reached Hireflix (the audit entry's `medium`), in words."""


class LogEntry(BaseModel):
    at: str | None
    action: str | None
    actor: str | None = Field(description="The member's e-mail; anonymous for a shared link.")
    candidate: CandidateText | None = None
    position: str | None = None
    member: str | None = None
    interview_id: str | None = None
    position_id: str | None = None
    member_id: str | None = None
    webhook_id: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    deleted: bool | None = Field(default=None, description="The object no longer exists.")
    via: str | None = Field(description="dashboard, API key or shared link.")
    ip: str | None = None


class AccountLogs(BaseModel):
    entries: list[LogEntry]
    since: str | None = None
    until: str | None = None
    total: int | None = Field(
        default=None, description="Entries in the last two months; given when no range is."
    )
    next_skip: int | None = Field(description="Pass as skip, with the same range, for more; null: no more.")
    note: str | None = None


@dataclass
class _Names:
    """What one call found out about the objects its entries touched (each looked up once)."""

    positions: dict[str, str | None] | None = None
    members: dict[str, hx.TeamMember] | None = None
    interviews: dict[str, hx.Interview | None] = field(default_factory=dict)
    """None: Hireflix has no such interview any more. A missing key: the lookup failed."""
    failures: list[HireflixError] = field(default_factory=list)


def _ids(entries: list[hx.AuditLogEntry], kind: str) -> list[str]:
    return list(dict.fromkeys(e.object_id for e in entries if e.object_type == kind and e.object_id))


def _about_someone_else(entry: hx.AuditLogEntry) -> bool:
    """A MEMBER entry about another member (a login names its own actor: nothing to look up)."""
    return entry.object_type == "MEMBER" and entry.object_id != (entry.actor.id if entry.actor else None)


async def _look_up_names(hf: HireflixClient, entries: list[hx.AuditLogEntry]) -> _Names:
    """Names for the objects of `entries`: the positions in one request, the members in one, each
    interview in its own small request (at most a few at once), all only when some entry needs them."""
    names = _Names()

    async def positions() -> None:
        try:
            names.positions = {p.id: p.name for p in await hf.list_positions()}
        except HireflixError as exc:
            names.failures.append(exc)

    async def members() -> None:
        try:
            names.members = {m.id: m for m in await hf.list_members() if m.id and not m.deleted}
        except HireflixError as exc:
            names.failures.append(exc)

    async def interviews(ids: list[str]) -> None:
        found = await gather([partial(hf.get_interview_names, id) for id in ids])
        for id, result in zip(ids, found, strict=True):
            if isinstance(result, NotFoundError):
                names.interviews[id] = None
            elif isinstance(result, HireflixError):
                names.failures.append(result)
            else:
                names.interviews[id] = result

    async with anyio.create_task_group() as group:
        if _ids(entries, "POSITION"):
            group.start_soon(positions)
        if any(_about_someone_else(e) for e in entries):
            group.start_soon(members)
        if interview_ids := _ids(entries, "INTERVIEW"):
            group.start_soon(interviews, interview_ids)
    return names


def _about(entry: hx.AuditLogEntry, names: _Names) -> tuple[dict[str, Any], bool]:
    """The fields naming what the entry touched, and whether it could be named (or is known gone)."""
    kind, object_id = entry.object_type, entry.object_id
    if object_id is None or (kind == "MEMBER" and not _about_someone_else(entry)):
        return {}, True
    if kind == "INTERVIEW":
        if object_id not in names.interviews:
            return {"interview_id": object_id}, False
        interview = names.interviews[object_id]
        if interview is None:
            return {"interview_id": object_id, "deleted": True}, True
        who = candidate_name(interview.candidate) or candidate_email(interview.candidate)
        return {
            "candidate": candidate_text(who, max_chars=80) or None,
            "position": interview.position_name,
            "interview_id": object_id,
        }, True
    if kind == "POSITION":
        if names.positions is None:
            return {"position_id": object_id}, False
        if object_id not in names.positions:
            return {"position_id": object_id, "deleted": True}, True
        return {"position": names.positions[object_id], "position_id": object_id}, True
    if kind == "MEMBER":
        if names.members is None:
            return {"member_id": object_id}, False
        member = names.members.get(object_id)
        if member is None:
            return {"member_id": object_id, "deleted": True}, True
        named = f"{member.name} <{member.email}>" if member.name else member.email
        return {"member": named, "member_id": object_id}, True
    if kind == "WEBHOOK":
        return {"webhook_id": object_id}, True
    return {"object_type": kind, "object_id": object_id}, True


def _log_entry(entry: hx.AuditLogEntry, names: _Names) -> tuple[LogEntry, bool]:
    """The entry as the model reads it, and whether its object could be named (or is known gone)."""
    about, named = _about(entry, names)
    actor = entry.actor
    return LogEntry(
        at=iso(entry.timestamp),
        action=entry.action,
        actor=(actor.email or actor.id) if actor else "anonymous",
        via=MEDIUMS.get(entry.medium or "", entry.medium),
        ip=entry.ip,
        **about,
    ), named


def _notes(
    window: hx.AuditLogWindow, names: _Names, unnamed: int, since_ms: float | None, until_ms: float | None
) -> str | None:
    notes: list[str] = []
    oldest = time.time() * 1000 - LOG_DAYS * DAY_MS
    if any(bound is not None and bound < oldest for bound in (since_ms, until_ms)):
        notes.append(f"Hireflix keeps only the last two months: nothing before {iso(oldest)} can be shown.")
    if window.stopped_early:
        notes.append(
            f"Read {window.scanned} entries without finishing this page; call again with "
            f"skip={window.next_skip} to read on."
        )
    elif not window.entries:
        ranged = since_ms is not None or until_ms is not None
        notes.append("No entries in this range." if ranged else "No entries at this skip.")
    if unnamed:
        again = "; calling again may name them" if any(f.retryable for f in names.failures) else ""
        entries = "1 entry shows" if unnamed == 1 else f"{unnamed} entries show"
        notes.append(f"Hireflix did not answer some name lookups, so {entries} only ids{again}.")
    return " ".join(notes) or None


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
    kind="read",
    title="Read account activity",
    description=(
        "The account's audit log (who did what, to which candidate or position), newest first, last "
        "two months; since/until filter by date."
    ),
)
async def get_account_logs(
    ctx: Ctx,
    limit: Annotated[int, Field(ge=1, le=100, description="Entries per page (1 to 100).")] = 20,
    skip: Annotated[
        int, Field(ge=0, le=100_000, description="Entries to skip: the next_skip of the previous page.")
    ] = 0,
    since: Annotated[
        TimeBound | None, Field(description="ISO 8601 date or time (UTC unless it names a zone).")
    ] = None,
    until: Annotated[
        TimeBound | None, Field(description="ISO 8601 date or time, inclusive (a date: the whole day).")
    ] = None,
) -> AccountLogs:
    """Hireflix's audit query has no time filter: a range is found by reading the log newest first
    (`HireflixClient.read_account_logs`, at most 1,000 entries a call; the note says when it stopped
    early and `next_skip` reads on). Each entry then names what it touched: the interview's candidate
    and position, the position, the other member, looked up once per call."""
    since_ms = time_bound(since) if since is not None else None
    until_ms = time_bound(until, end=True) if until is not None else None
    if since_ms is not None and until_ms is not None and since_ms > until_ms:
        raise ToolError(f"since ({since}) is after until ({until}); give a range that runs forward in time.")
    hf = hireflix(ctx)
    window = await hf.read_account_logs(since=since_ms, until=until_ms, skip=skip, limit=limit)
    names = await _look_up_names(hf, window.entries)
    entries: list[LogEntry] = []
    unnamed = 0
    for raw in window.entries:
        entry, named = _log_entry(raw, names)
        entries.append(entry)
        unnamed += not named
    ranged = since_ms is not None or until_ms is not None
    return AccountLogs(
        entries=entries,
        since=iso(since_ms),
        until=iso(until_ms),
        total=None if ranged else window.total,
        next_skip=window.next_skip,
        note=_notes(window, names, unnamed, since_ms, until_ms),
    )


async def _members(ctx: Ctx) -> list[hx.TeamMember]:
    return [m for m in await hireflix(ctx).list_members() if not m.deleted]


@tool(
    kind="read",
    title="List team members",
    description="The team members with access to the Hireflix account, with their ids and e-mails.",
)
async def list_members(ctx: Ctx) -> MemberList:
    members = [Member.of(m) for m in await _members(ctx)]
    return MemberList(members=members, total=len(members))


def _member_phrase(m: hx.TeamMember) -> str:
    return f"{quoted(m.name, max_chars=80)} ({quoted_email(m.email)})" if m.name else quoted_email(m.email)


# Characters that show as nothing, or change what the characters around them look like, beyond the
# format, control and separator categories (Hangul fillers, a braille blank, combining joiners, selectors).
_INVISIBLE = frozenset("ᅟᅠㅤﾠ⠀͏឴឵") | frozenset(map(chr, range(0xFE00, 0xFE10)))
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zs", "Zl", "Zp"})


def _visible_email(email: str) -> str:
    """An address a person can read as it is: no invisible or direction-changing characters, and a domain
    DNS can carry (IDNA), so the preview can show it exactly."""
    hidden = [c for c in email if c in _INVISIBLE or unicodedata.category(c) in _INVISIBLE_CATEGORIES]
    if hidden:
        names = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'unnamed')}" for c in dict.fromkeys(hidden))
        raise ValueError(
            f"contains invisible or direction-changing characters ({names}): type the address again "
            "without them"
        )
    if ascii_domain(email.rpartition("@")[2]) is None:
        raise ValueError("has a domain that is not a valid internet domain name")
    return email


MemberEmail = Annotated[Email, AfterValidator(_visible_email), Field(description="Who gets access.")]


async def preview_add(email: str) -> Preview:
    note = ""
    domain = email.rpartition("@")[2]
    if not domain.isascii():
        note = (
            f" Its domain is written outside ASCII: {quoted(domain, max_chars=254)} is "
            f"{quoted(ascii_domain(domain))} on the internet, whatever it looks like."
        )
    elif not email.isascii():
        note = " The part before the @ has letters outside ASCII, which can look like ASCII ones."
    return Preview(
        f"Give {quoted_email(email)} access to the company's Hireflix account, including every candidate's "
        f"recordings?{note}"
    )


@tool(
    kind="write",
    title="Add a team member",
    description=(
        "Gives a person access to the Hireflix account and its candidate data. The user confirms first."
    ),
    confirm=preview_add,
)
async def add_member(email: MemberEmail, ctx: Ctx) -> MemberChangeResult:
    added = await hireflix(ctx).add_member(email)
    member = next((m for m in await _members(ctx) if (m.email or "").lower() == email.lower()), None)
    if not added:
        message = f"{quoted_email(email)} is already a member of the account; nothing changed."
    else:
        message = f"Gave {quoted_email(email)} access to the company's Hireflix account."
    return MemberChangeResult(status="done", message=message, member=Member.of(member) if member else None)


MemberIdArg = Annotated[
    str | None,
    Field(pattern=HEX_ID, description="From list_members; or give email."),
]
MemberEmailArg = Annotated[Email | None, Field(description="Or give member_id.")]


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
    kind="destructive",
    title="Remove a team member",
    description=(
        "Removes a person's access to the Hireflix account, by member_id or email. The user confirms first."
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
