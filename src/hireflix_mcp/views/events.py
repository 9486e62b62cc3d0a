"""Interview events as the model sees them, the same in `list_webhook_events` and `hireflix://events`.

One row per event, with what a model acts on: the event, when (ISO), the interview (get_interview has the
rest), the candidate (in fields named `candidate_*`: candidate-written, sanitised) and the position's name;
never a copy of the payload. Every string in a row came from outside (a signed webhook says who sent it,
not what a candidate typed into it), so each is sanitised like candidate text, kept on one line and cut.

Where events come from is one rule (`event_source`), and both say it the same way. "received": Hireflix
POSTed them to this server's webhook receiver, which keeps them. A server without a receiver receives
nothing, so the resource stays empty and the tool reconstructs events by "polling" the interview lists.

A listing is a page: newest first, at most `PAGE_EVENTS` rows and about `PAGE_BYTES` of JSON, with a
cursor (`EventsCursor`) that continues it, carrying its source, since and event filter. A stored event
that cannot be shown is skipped and logged; the page goes on.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import math
import re
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import astuple
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Annotated
from typing import Any
from typing import Literal

from pydantic import AfterValidator
from pydantic import BeforeValidator
from pydantic import ValidationError

from hireflix_mcp.events import LATEST_EVENT_MS
from hireflix_mcp.events import EventKey
from hireflix_mcp.events import valid_event_date
from hireflix_mcp.events import valid_event_name
from hireflix_mcp.hireflix import models as hx
from hireflix_mcp.sanitize import CandidateText
from hireflix_mcp.sanitize import candidate_text
from hireflix_mcp.views.common import Compact
from hireflix_mcp.views.common import candidate_email
from hireflix_mcp.views.common import candidate_name
from hireflix_mcp.views.common import iso
from hireflix_mcp.views.render import compact_json

if TYPE_CHECKING:
    from hireflix_mcp.events import EventStore
    from hireflix_mcp.events import StoredEvent
    from hireflix_mcp.settings import Settings

logger = logging.getLogger("hireflix_mcp.events")

EventSource = Literal["received", "polling"]

PAGE_EVENTS = 50
"""Most events one listing returns."""
PAGE_BYTES = 100_000
"""About the most JSON one listing returns, whatever its events hold."""

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


# --------------------------------------------------------------------------------------------- rows


def _one_line(max_chars: int) -> BeforeValidator:
    """Sanitised like candidate text, on one line, at most `max_chars` (then "…")."""

    def clean(value: object) -> object:
        if not isinstance(value, str):
            return value
        return " ".join(candidate_text(value).split())[:max_chars] or None

    return BeforeValidator(clean)


def _cut(max_chars: int) -> AfterValidator:
    def cut(value: str | None) -> str | None:
        if value is None:
            return None
        flat = " ".join(value.split())
        return flat if len(flat) <= max_chars else flat[: max_chars - 1] + "…"

    return AfterValidator(cut)


class EventRow(Compact):
    event: Annotated[str, _one_line(100)]
    at: str | None = None
    interview_id: Annotated[str | None, _one_line(64)] = None
    candidate_name: Annotated[CandidateText | None, _cut(200)] = None
    candidate_email: Annotated[CandidateText | None, _cut(254)] = None
    position_name: Annotated[str | None, _one_line(200)] = None
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
            position_name=interview.position_name,
            status=status,
        )


def received_row(stored: StoredEvent) -> EventRow | None:
    """A received event's row, read from the interview snapshot Hireflix sends; None (logged) when the
    event cannot be shown (stored before its name and date were checked at the door, or by hand)."""
    if not valid_event_name(stored.event) or not valid_event_date(stored.date_ms):
        logger.warning("skipped stored event %s: its name or date is not an event's", stored.digest[:12])
        return None
    try:
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
    except (ValueError, TypeError, OverflowError, RecursionError):
        logger.warning("skipped stored event %s: it cannot be shown", stored.digest[:12], exc_info=True)
        return None


def received_note(rows: list[EventRow]) -> str:
    """What a list of received events says about itself."""
    if not rows:
        return f"{RECEIVED_NOTE} {NONE_RECEIVED}"
    if any(r.event == "interview.status-change" for r in rows):
        return f"{RECEIVED_NOTE} {STATUS_NOT_SENT}"
    return RECEIVED_NOTE


# --------------------------------------------------------------------------------------------- pages

PollingKey = tuple[float, str, str, str]
"""A polled event's place: (at ms, interview id, event, status), newest first then by the rest."""
Position = EventKey | PollingKey


def polling_order(key: PollingKey) -> tuple[float, str, str, str]:
    """Sort key putting polled events newest first, ties in a fixed order."""
    return (-key[0], key[1], key[2], key[3])


@dataclass(frozen=True)
class EventsCursor:
    """Where a listing stopped, and what it listed: the next call continues exactly it."""

    source: EventSource
    since_ms: float
    event: str | None
    after: Position

    def encode(self) -> str:
        after = list(astuple(self.after)) if isinstance(self.after, EventKey) else list(self.after)
        payload = {"s": self.source, "t": self.since_ms, "e": self.event, "k": after}
        raw = json.dumps(payload, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, text: str) -> EventsCursor:
        """The cursor a listing returned; ValueError when `text` is not one."""
        try:
            payload = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            source, since_ms, event, after = payload["s"], payload["t"], payload["e"], payload["k"]
        except (ValueError, TypeError, KeyError, binascii.Error):
            raise ValueError(BAD_CURSOR) from None
        if not (_finite(since_ms) and 0 <= since_ms <= LATEST_EVENT_MS) or not (
            event is None or valid_event_name(event)
        ):
            raise ValueError(BAD_CURSOR)
        match source, after:
            case "received", [float() | int() as date, float() | int() as received, str() as digest] if (
                _finite(date) and _finite(received) and _HEX64.fullmatch(digest)
            ):
                return cls(source, float(since_ms), event, EventKey(float(date), float(received), digest))
            case "polling", [float() | int() as at, str() as interview, str() as name, str() as status] if (
                _finite(at) and max(len(interview), len(name), len(status)) <= 100
            ):
                return cls(source, float(since_ms), event, (float(at), interview, name, status))
        raise ValueError(BAD_CURSOR)


BAD_CURSOR = "cursor is not one this tool returned: call again without it."
_HEX64 = re.compile(r"[0-9a-f]{64}")


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


MAX_PASSED_OVER = 500
"""Events that cannot be shown one page may pass over before it stops (with a cursor past them)."""


def page(
    rows: Iterable[tuple[Position, EventRow | None]], limit: int = PAGE_EVENTS
) -> tuple[list[EventRow], Position | None]:
    """The first rows of `rows` (newest first) that fit `limit` and `PAGE_BYTES`, and the position to
    continue after when more remain. A None row (one that cannot be shown) is passed over."""
    limit = min(limit, PAGE_EVENTS)
    shown: list[EventRow] = []
    size = passed_over = 0
    last: Position | None = None
    for position, row in rows:
        if row is None:
            passed_over += 1
            if passed_over > MAX_PASSED_OVER:
                return shown, last
        else:
            cost = len(compact_json(row)) + 1
            if len(shown) == limit or (shown and size + cost > PAGE_BYTES):
                return shown, last
            shown.append(row)
            size += cost
        last = position
    return shown, None


def stored_rows(
    events: EventStore, since_ms: float | None, event: str | None, after: EventKey | None
) -> Iterator[tuple[EventKey, EventRow | None]]:
    """Every stored event from `after` on, newest first, read from the store a page at a time."""
    while True:
        batch = events.list(since_ms, event, PAGE_EVENTS + 1, after)
        for stored in batch:
            yield stored.key, received_row(stored)
        if len(batch) <= PAGE_EVENTS:
            return
        after = batch[-1].key


def events_resource(settings: Settings, events: EventStore) -> dict[str, Any]:
    """The `hireflix://events` listing: the newest received events (one page), and a cursor that
    `list_webhook_events` continues."""
    if event_source(settings, events) == "polling":
        return {"events": [], "note": RESOURCE_POLLING_NOTE}
    rows, more = page(stored_rows(events, 0.0, None, None))
    note = received_note(rows)
    if rows:
        note += (
            f" Newest first, at most {PAGE_EVENTS} (or about {PAGE_BYTES // 1000} KB); list_webhook_events "
            "filters by date and type."
        )
    listing: dict[str, Any] = {"events": [r.model_dump(mode="json") for r in rows], "note": note}
    if more is not None:
        listing["next_cursor"] = EventsCursor("received", 0.0, None, more).encode()
        listing["note"] += " For older ones, call it with cursor set to next_cursor."
    return listing
