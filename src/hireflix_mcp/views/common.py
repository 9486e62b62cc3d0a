"""Facts every view states the same way: times, ids, a candidate's name, an interview's link, and how
text the server writes quotes a value that came from outside (`quoted`)."""

from __future__ import annotations

import json
from datetime import UTC
from datetime import date
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from pydantic import SerializerFunctionWrapHandler
from pydantic import model_serializer

from hireflix_mcp.hireflix import models as hx
from hireflix_mcp.sanitize import candidate_text

HEX_ID = r"^[0-9a-f]{24}$"
"""Hireflix object ids: 24 lowercase hex digits."""


def iso(epoch_ms: float | None) -> str | None:
    """Epoch milliseconds as an ISO 8601 UTC timestamp (seconds precision)."""
    if epoch_ms is None:
        return None
    return (
        datetime.fromtimestamp(epoch_ms / 1000, tz=UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    )


DAY_MS = 86_400_000


def time_bound(value: str, *, end: bool = False) -> float:
    """An ISO 8601 date or date-time as epoch ms (UTC unless it names a zone). As the end of a range a
    date means the end of that day, and a time without fractions the end of that second, so that an
    entry's `at` (shown to the second) given back as `until` includes that entry."""
    text = value.strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        ms = moment.timestamp() * 1000
        return ms + 999 if end and moment.microsecond == 0 else ms
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000
    return midnight + DAY_MS - 1 if end else midnight


class Compact(BaseModel):
    """A list item whose null fields are left out of the output (they add size, not information)."""

    @model_serializer(mode="wrap")
    def _omit_nulls(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        return {key: value for key, value in data.items() if value is not None}


def candidate_name(candidate: hx.Candidate | None) -> str:
    """The candidate's display name as Hireflix gives it (raw: callers sanitise, or type it CandidateText)."""
    if candidate is None:
        return ""
    joined = " ".join(part for part in (candidate.first_name, candidate.last_name) if part)
    return candidate.full_name or candidate.name or joined


def candidate_email(candidate: hx.Candidate | None) -> str:
    return (candidate.email if candidate else None) or ""


def candidate_line(candidate: hx.Candidate | None) -> str:
    """'Jane Doe <jane@x.com>' (raw)."""
    name, email = candidate_name(candidate), candidate_email(candidate)
    return f"{name} <{email}>" if email else name


def quoted(value: str | None, *, max_chars: int = 100) -> str:
    """A value that came from outside (a name, an e-mail, a title, a URL) as text the server writes shows
    it: in double quotes, on one line, sanitised and cut.

    Invisible, control and direction-changing characters go (`candidate_text`); newlines, line
    separators and every other run of white space become one space; past `max_chars` the value is cut
    with an ellipsis. The quotes are a JSON string's, so a `"` or `\\` inside is escaped: the value cannot
    close its own quotation and write a sentence of its own after it.
    """
    text = " ".join(candidate_text(value or "").split())
    if len(text) > max_chars:
        text = text[:max_chars].rstrip() + "…"
    return json.dumps(text, ensure_ascii=False)


def ascii_domain(domain: str) -> str | None:
    """`domain` as DNS carries it: a label outside ASCII in its IDNA `xn--` form (so a Cyrillic `а` in
    `аcme.com` shows as `xn--cme-5cd.com`, not as Acme); None when it cannot be encoded."""
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return None


def quoted_email(email: str | None) -> str:
    """An e-mail address as a preview shows it: `quoted`, its domain in ASCII (`ascii_domain`)."""
    local, at, domain = (email or "").rpartition("@")
    shown = ascii_domain(domain) if at else None
    return quoted(f"{local}@{shown}" if shown else email, max_chars=254)


def who(interview: hx.Interview) -> str:
    """'"Jane Doe" ("jane@x.com")' for a confirmation preview: each part `quoted`."""
    candidate = interview.candidate
    raw_name = candidate_name(candidate)
    name = quoted(raw_name, max_chars=80) if candidate_text(raw_name).strip() else "an unnamed candidate"
    email = candidate_email(candidate)
    return f"{name} ({quoted_email(email)})" if email else name


def position_label(interview: hx.Interview) -> str:
    """The interview's position as a preview names it: `quoted`, or 'its position'."""
    return quoted(interview.position_name) if interview.position_name else "its position"


def interview_url(interview: hx.Interview) -> str | None:
    """The link where the candidate records, the same in every tool and resource.

    The public app link, because it also works as an iframe's src: the short hflx.io link redirects to
    another origin, and the camera permission granted to an iframe does not follow a redirect. The short
    link only when it is all there is.
    """
    return (interview.url.public or interview.url.short) if interview.url else None


def recorded(interview: hx.Interview) -> bool:
    """Whether the candidate finished recording (whatever the review status says since)."""
    return interview.is_recorded
