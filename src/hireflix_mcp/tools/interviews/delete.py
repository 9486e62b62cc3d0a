"""delete_interview and reinvite_candidate: the two confirmed interview tools."""

from __future__ import annotations

import logging

from mcp.server.mcpserver.exceptions import ToolError

from hireflix_mcp.hireflix import models as hx
from hireflix_mcp.hireflix.errors import HireflixError
from hireflix_mcp.hireflix.errors import NotFoundError
from hireflix_mcp.sanitize import candidate_text
from hireflix_mcp.state import Ctx
from hireflix_mcp.state import hireflix
from hireflix_mcp.tools.inputs import Email
from hireflix_mcp.tools.inputs import InterviewId
from hireflix_mcp.tools.inputs import PositionId
from hireflix_mcp.tools.interviews.inputs import CandidateRow
from hireflix_mcp.tools.interviews.inputs import ExternalIdValue
from hireflix_mcp.tools.interviews.inputs import FirstNameValue
from hireflix_mcp.tools.interviews.inputs import LastNameValue
from hireflix_mcp.tools.interviews.inputs import Metadata
from hireflix_mcp.tools.interviews.inputs import PhoneValue
from hireflix_mcp.tools.interviews.inputs import SendInviteEmail
from hireflix_mcp.tools.interviews.invite import invite_request
from hireflix_mcp.tools.registry import Preview
from hireflix_mcp.tools.registry import tool
from hireflix_mcp.views.common import position_label
from hireflix_mcp.views.common import quoted_email
from hireflix_mcp.views.common import who
from hireflix_mcp.views.confirmation import ConfirmationFields
from hireflix_mcp.views.errors import describe_upstream_error
from hireflix_mcp.views.interviews import InterviewBrief

logger = logging.getLogger("hireflix_mcp.tools.interviews")


class DeleteResult(ConfirmationFields):
    interview: InterviewBrief | None = None


class ReinviteResult(ConfirmationFields):
    deleted_interview_id: str | None = None
    interview: InterviewBrief | None = None
    email_sent: bool | None = None


# --------------------------------------------------------------------------------------------- delete


async def preview_delete_interview(ctx: Ctx, interview_id: str) -> Preview:
    interview = await hireflix(ctx).get_interview(interview_id)
    return Preview(
        f"Delete the interview of {who(interview)} for {position_label(interview)}? This cannot be undone."
    )


@tool(
    kind="destructive",
    title="Delete an interview",
    description="Deletes an interview and its recording for good. The user confirms first.",
    confirm=preview_delete_interview,
)
async def delete_interview(interview_id: InterviewId, ctx: Ctx) -> DeleteResult:
    deleted = await hireflix(ctx).delete_interview(interview_id)
    return DeleteResult(
        status="done",
        message=f"Deleted the interview {deleted.id} and its recording.",
        interview=InterviewBrief.of(deleted),
    )


# --------------------------------------------------------------------------------------------- re-invite


async def _interview_to_replace(ctx: Ctx, position_id: str, email: str) -> hx.Interview:
    existing = await hireflix(ctx).find_interview_by_email(position_id, email)
    if existing is None:
        raise ToolError(
            f"{email} has no interview in position {position_id}, so there is nothing to re-invite. Use "
            "invite_candidate to invite them."
        )
    return existing


async def preview_reinvite(ctx: Ctx, position_id: str, email: str, send_invite_email: bool) -> Preview:
    """The interview to replace is found here once; the body deletes exactly this one (`approved`)."""
    existing = await _interview_to_replace(ctx, position_id, email)
    mail = "Hireflix will e-mail them" if send_invite_email else "no e-mail will be sent"
    label = position_label(existing)
    return Preview(
        f"Delete the interview of {who(existing)} for {label} and its recording, then invite "
        f"{quoted_email(email)} again to {label} ({mail})? The old recording cannot be recovered.",
        subject=existing,
        # Bound into the token, so a confirmation cannot delete an interview other than the one it named.
        binding={"replaces": existing.id},
    )


@tool(
    kind="destructive",
    title="Re-invite a candidate",
    description=(
        "Replaces a candidate's interview with a new invite; fields left out stay. The user confirms first."
    ),
    open_world=True,
    confirm=preview_reinvite,
)
async def reinvite_candidate(
    position_id: PositionId,
    email: Email,
    ctx: Ctx,
    approved: Preview,
    first_name: FirstNameValue | None = None,
    last_name: LastNameValue | None = None,
    phone: PhoneValue | None = None,
    external_id: ExternalIdValue | None = None,
    send_invite_email: SendInviteEmail = True,
    metadata: Metadata = None,
) -> ReinviteResult:
    hf = hireflix(ctx)
    existing: hx.Interview = approved.subject
    old = existing.candidate or hx.Candidate()
    row = CandidateRow(
        email=email,
        first_name=first_name or old.first_name or old.name or email.split("@")[0],
        last_name=last_name if last_name is not None else old.last_name,
        phone=phone if phone is not None else old.phone,
        external_id=external_id if external_id is not None else existing.external_id,
        metadata=metadata,
    )
    try:
        await hf.delete_interview(existing.id)
    except NotFoundError:
        logger.info("reinvite: interview %s was already gone", existing.id)
    try:
        result = await hf.invite_candidate(invite_request(position_id, row, send_invite_email))
    except HireflixError as exc:
        raise ToolError(
            f"Deleted the old interview {existing.id}, but the new invite failed: "
            f"{describe_upstream_error(exc)} "
            f"{candidate_text(email)} now has no interview in this position; call invite_candidate to invite "
            "them once the problem is fixed."
        ) from exc
    interview = result.interview
    sent = send_invite_email and not interview.disable_notifications
    return ReinviteResult(
        status="done",
        message=f"Deleted the old interview {existing.id} and invited {candidate_text(email)} again"
        + ("; Hireflix is e-mailing them the link." if sent else "; no e-mail was sent."),
        deleted_interview_id=existing.id,
        interview=InterviewBrief.of(interview),
        email_sent=sent,
    )
