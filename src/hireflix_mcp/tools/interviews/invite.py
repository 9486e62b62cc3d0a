"""invite_candidate: one candidate, one interview link."""

from __future__ import annotations

import logging
from typing import Literal

from pydantic import BaseModel
from pydantic import Field

from hireflix_mcp.hireflix import models as hx
from hireflix_mcp.hireflix.client import HireflixClient
from hireflix_mcp.hireflix.errors import InterviewAlreadyExistsError
from hireflix_mcp.hireflix.errors import NotFoundError
from hireflix_mcp.state import Ctx
from hireflix_mcp.state import hireflix
from hireflix_mcp.tools.inputs import Email
from hireflix_mcp.tools.inputs import PositionId
from hireflix_mcp.tools.interviews.inputs import CandidateRow
from hireflix_mcp.tools.interviews.inputs import ExternalId
from hireflix_mcp.tools.interviews.inputs import FirstName
from hireflix_mcp.tools.interviews.inputs import LastName
from hireflix_mcp.tools.interviews.inputs import Metadata
from hireflix_mcp.tools.interviews.inputs import Phone
from hireflix_mcp.tools.interviews.inputs import SendInviteEmail
from hireflix_mcp.tools.registry import tool
from hireflix_mcp.views.interviews import InterviewBrief

logger = logging.getLogger("hireflix_mcp.tools.interviews")


class InviteOutcome(BaseModel):
    status: Literal["invited", "already_invited"] = Field(
        description="invited: a new interview was created. already_invited: this e-mail already had an "
        "interview in the position (Hireflix allows one); it is returned and nothing was sent."
    )
    message: str
    interview: InterviewBrief | None
    email_sent: bool = Field(
        description="Whether Hireflix e-mailed the candidate the link because of this call."
    )


# --------------------------------------------------------------------------------------------- invite


async def _existing_interview(
    hf: HireflixClient, position_id: str, email: str, interview_id: str | None
) -> hx.Interview | None:
    if interview_id is not None:
        try:
            return await hf.get_interview(interview_id)
        except NotFoundError:
            pass
    return await hf.find_interview_by_email(position_id, email)


def invite_request(position_id: str, row: CandidateRow, send_invite_email: bool) -> hx.InviteRequest:
    return hx.InviteRequest(
        position_id=position_id,
        email=row.email,
        first_name=row.first_name,
        last_name=row.last_name or None,
        phone=row.phone,
        external_id=row.external_id,
        disable_notifications=None if send_invite_email else True,
        metadata=row.metadata,
    )


@tool(
    kind="write",
    title="Invite a candidate",
    description=("Invites a candidate to record an interview; returns its id and link."),
    open_world=True,
)
async def invite_candidate(
    position_id: PositionId,
    email: Email,
    first_name: FirstName,
    ctx: Ctx,
    last_name: LastName = None,
    phone: Phone = None,
    external_id: ExternalId = None,
    send_invite_email: SendInviteEmail = True,
    metadata: Metadata = None,
) -> InviteOutcome:
    hf = hireflix(ctx)
    row = CandidateRow(
        email=email,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        external_id=external_id,
        metadata=metadata,
    )
    try:
        result = await hf.invite_candidate(invite_request(position_id, row, send_invite_email))
    except InterviewAlreadyExistsError as exc:
        existing = await _existing_interview(hf, position_id, email, exc.existing_interview_id)
        return InviteOutcome(
            status="already_invited",
            message="This e-mail already has an interview in this position (Hireflix allows one per e-mail "
            "and position); nothing was sent. To start over, use reinvite_candidate.",
            interview=InterviewBrief.of(existing) if existing else None,
            email_sent=False,
        )
    interview = result.interview
    sent = send_invite_email and not interview.disable_notifications
    return InviteOutcome(
        status="invited",
        message="Invited; Hireflix is e-mailing the candidate the link."
        if sent
        else "Invited; no e-mail was sent: share interview_url with the candidate yourself.",
        interview=InterviewBrief.of(interview),
        email_sent=sent,
    )
