"""What a record looks like when it is just made: the fresh position and the just-invited interview.

The domain operations (backend.py) and the demo data (demo_data.py, large_demo.py) build their records
here, so a field added to a record is given its starting value in one place.
"""

from __future__ import annotations

from collections.abc import Sequence

from .rules import DAY_MS
from .rules import InviteCandidate
from .store import InterviewRecord
from .store import PositionRecord

INTERVIEW_LIFETIME_DAYS = 30


def new_position_record(
    position_id: str,
    name: str,
    *,
    at: float,
    description: str | None = None,
    location: str | None = None,
    language: str | None = "en",
    tags: Sequence[str] = (),
    retakes: int | None = 2,
    time_to_answer: int | None = 120,
    time_to_think: int | None = 30,
) -> PositionRecord:
    """A just-created position: open (not archived, active), never expiring, with Hireflix's defaults for
    retakes and answer/think times unless given."""
    return PositionRecord(
        id=position_id,
        name=name,
        description=description,
        location=location,
        language=language,
        archived=None,
        active=True,
        tags=list(tags),
        created_at=at,
        updated_at=at,
        expires=None,
        retakes=retakes,
        time_to_answer=time_to_answer,
        time_to_think=time_to_think,
    )


def new_interview_record(
    position: PositionRecord,
    candidate: InviteCandidate,
    *,
    interview_id: str,
    hash_: str,
    at: float,
    disable_notifications: bool = False,
    invite_source: str = "API",
) -> InterviewRecord:
    """A just-invited interview: pending, not answered or reviewed, expiring INTERVIEW_LIFETIME_DAYS later."""
    return InterviewRecord(
        id=interview_id,
        position_id=position.id,
        hash=hash_,
        email=candidate.email,
        first_name=candidate.first_name,
        last_name=candidate.last_name,
        phone=candidate.phone,
        external_id=candidate.external_id,
        disable_notifications=disable_notifications,
        metadata=candidate.metadata,
        status="pending",
        created_at=at,
        updated_at=at,
        completed_at=None,
        expires=at + INTERVIEW_LIFETIME_DAYS * DAY_MS,
        finalist=None,
        archived=None,
        score=None,
        language=position.language,
        invite_source=invite_source,
        notes=None,
        ip_addresses=[],
        user_agents=[],
        geolocation=[],
        share_id=None,
        share_url=None,
        share_expires=None,
    )
