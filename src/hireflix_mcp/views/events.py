"""Interview events as the model sees them, the same in `list_webhook_events` and `hireflix://events`.

One row per event, with what a model acts on: the event, when (ISO), the interview (get_interview has the
rest), the candidate (in fields named `candidate_*`: candidate-written, sanitised) and the position's name;
never a copy of the payload.

Where events come from is one rule (`event_source`), and both say it the same way. "received": Hireflix
POSTed them to this server's webhook receiver, which keeps them. A server without a receiver receives
nothing, so the resource stays empty and the tool reconstructs events by "polling" the interview lists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import ValidationError

from hireflix_mcp.hireflix import models as hx
from hireflix_mcp.sanitize import CandidateText
from hireflix_mcp.views.common import Compact, candidate_email, candidate_name, iso

if TYPE_CHECKING:
    from hireflix_mcp.events import EventStore, StoredEvent
    from hireflix_mcp.settings import Settings

EventSource = Literal["received", "polling"]

NO_RECEIVER = (
    "This server has no webhook receiver (it needs HTTP mode and HIREFLIX_WEBHOOK_SECRET), so it receives "
    "no events"
)
RECEIVED_NOTE = "Events Hireflix delivered to this server's webhook receiver (verified, de-duplicated)."
NONE_RECEIVED = "None to show: check with list_webhooks that a webhook points at this server and is active."
POLLING_NOTE = (
    f"{NO_RECEIVER}: these were reconstructed from the interview lists (invitations, recordings, current "
    "shortlist or discard marks). Polling cannot see deletions, score changes, or marks later cleared."
)
RESOURCE_POLLING_NOTE = (
    f"{NO_RECEIVER}; the list_webhook_events tool reconstructs recent ones from the interview lists."
)
STATUS_NOT_SENT = "Hireflix does not say a status-change's new status: get_interview has it."


def receiver_configured(settings: Settings) -> bool:
    """Whether this server can receive webhooks: it needs the secret to verify their signatures.

    Over HTTP the receiver route is served exactly then (see `hireflix_mcp.webhooks`); `serve --sandbox
    --transport http` fills the secret in from the embedded sandbox.
    """
    return settings.webhook_secret is not None


def event_source(settings: Settings, events: EventStore) -> EventSource:
    """Where this server's events come from: its receiver (or events it kept before), else polling."""
    return "received" if events.count() > 0 or receiver_configured(settings) else "polling"


class EventRow(Compact):
    event: str
    at: str | None = None
    interview_id: str | None = None
    candidate_name: CandidateText | None = None
    candidate_email: CandidateText | None = None
    position_name: str | None = None
    status: hx.InterviewStatus | None = None
    """The new review status, when known (polling sees shortlist and discard marks)."""

    @classmethod
    def of(
        cls, event: str, at_ms: float, interview: hx.Interview, status: hx.InterviewStatus | None = None
    ) -> EventRow:
        return cls(
            event=event,
            at=iso(at_ms),
            interview_id=interview.id,
            candidate_name=candidate_name(interview.candidate) or None,
            candidate_email=candidate_email(interview.candidate) or None,
            position_name=interview.position.name if interview.position else None,
            status=status,
        )


def received_row(stored: StoredEvent) -> EventRow:
    """A received event's row: its payload is the interview snapshot Hireflix sends, read as an interview."""
    try:
        interview = hx.Interview.model_validate(stored.data)
    except ValidationError:
        # Not the snapshot Hireflix documents: keep what can be trusted to mean something.
        raw_id: Any = stored.data.get("id")
        return EventRow(
            event=stored.event,
            at=iso(stored.date_ms),
            interview_id=raw_id if isinstance(raw_id, str) else None,
        )
    return EventRow.of(stored.event, stored.date_ms, interview)


def received_note(rows: list[EventRow]) -> str:
    """What a list of received events says about itself."""
    if not rows:
        return f"{RECEIVED_NOTE} {NONE_RECEIVED}"
    if any(r.event == "interview.status-change" for r in rows):
        return f"{RECEIVED_NOTE} {STATUS_NOT_SENT}"
    return RECEIVED_NOTE
