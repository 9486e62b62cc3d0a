"""Hireflix's business rules as pure functions (no state, no I/O), each one as Hireflix documents it.

Invite rules return field errors (`{"candidate.phone": "..."}`), which backend.py reports as a
`ValidationError` union member; rules on arguments whose field type is not a union raise `RuleViolation`,
which becomes a top-level GraphQL error with `extensions.code = "BAD_USER_INPUT"`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import Any
from typing import Literal
from urllib.parse import urlsplit

PHONE_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
FIRST_NAME_MAX = 50
LAST_NAME_MAX = 50
EXTERNAL_ID_MAX = 255
METADATA_MAX_KEYS = 25
METADATA_MAX_DEPTH = 3
SCORE_MIN = 0.5
SCORE_MAX = 5.0
SHARE_DEFAULT_DAYS = 75
SHARE_MIN_DAYS = 1
SHARE_MAX_DAYS = 365
POSITION_NAME_MAX = 100
QUESTION_TITLE_MAX = 500
COMMENT_MAX = 5000
AUDIT_WINDOW_DAYS = 60
DAY_MS = 86_400_000.0
WEBHOOK_EVENTS = (
    "interview.create",
    "interview.finish",
    "interview.status-change",
    "interview.delete",
    "interview.score-updated",
)

FilterStatus = Literal["pending", "to_evaluate", "shortlisted", "discarded"]
FILTER_STATUSES: tuple[FilterStatus, ...] = ("pending", "to_evaluate", "shortlisted", "discarded")


class RuleViolation(ValueError):
    """An argument breaks a rule and the field has no union to report it in."""


# ---------------------------------------------------------------- invites


@dataclass(frozen=True, slots=True)
class InviteCandidate:
    """The candidate part of an invite plus the invite options that carry rules."""

    email: str
    first_name: str
    last_name: str | None = None
    phone: str | None = None
    external_id: str | None = None
    metadata: Any = None


def normalize_invite(candidate: InviteCandidate) -> InviteCandidate:
    """Trim names (Hireflix counts name length after trimming); an all-blank last name means none."""
    last = candidate.last_name.strip() if candidate.last_name is not None else None
    return InviteCandidate(
        email=candidate.email.strip(),
        first_name=candidate.first_name.strip(),
        last_name=last or None,
        phone=candidate.phone,
        external_id=candidate.external_id,
        metadata=candidate.metadata,
    )


def invite_field_errors(candidate: InviteCandidate) -> dict[str, str]:
    """Every rule an invite breaks, keyed by the input path; empty when the invite is valid."""
    errors: dict[str, str] = {}
    first = candidate.first_name.strip()
    if not first:
        errors["candidate.firstName"] = "First name is required"
    elif len(first) > FIRST_NAME_MAX:
        errors["candidate.firstName"] = f"First name must be at most {FIRST_NAME_MAX} characters"
    if candidate.last_name is not None and len(candidate.last_name.strip()) > LAST_NAME_MAX:
        errors["candidate.lastName"] = f"Last name must be at most {LAST_NAME_MAX} characters"
    if not is_valid_email(candidate.email.strip()):
        errors["candidate.email"] = "Email address is not valid"
    if candidate.phone is not None and not PHONE_E164.fullmatch(candidate.phone):
        errors["candidate.phone"] = "Phone number must be in E.164 format, e.g. +14155550123"
    if candidate.external_id is not None and len(candidate.external_id) > EXTERNAL_ID_MAX:
        errors["externalId"] = f"externalId must be at most {EXTERNAL_ID_MAX} characters"
    metadata_error = metadata_problem(candidate.metadata)
    if metadata_error is not None:
        errors["metadata"] = metadata_error
    return errors


def is_valid_email(value: str) -> bool:
    return bool(EMAIL_SHAPE.fullmatch(value))


def metadata_problem(metadata: Any) -> str | None:
    """Why `metadata` is refused (not an object, over 25 keys, deeper than 3 levels), or None."""
    if metadata is None:
        return None
    if not isinstance(metadata, dict):
        return "metadata must be a JSON object"
    if len(metadata) > METADATA_MAX_KEYS:
        return f"metadata must have at most {METADATA_MAX_KEYS} keys"
    if json_depth(metadata) > METADATA_MAX_DEPTH:
        return f"metadata must be at most {METADATA_MAX_DEPTH} levels deep"
    return None


def json_depth(value: Any) -> int:
    """Nesting levels of objects and arrays: a flat object is 1, a scalar 0."""
    if isinstance(value, dict):
        return 1 + max((json_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((json_depth(v) for v in value), default=0)
    return 0


def quota_period_start(now_ms: float) -> float:
    """Invite quotas run per calendar month (UTC); the epoch ms at which the current one began."""
    now = datetime.fromtimestamp(now_ms / 1000, tz=UTC)
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return start.timestamp() * 1000


# ---------------------------------------------------------------- review


def filter_status(*, archived: float | None, finalist: float | None, completed: bool) -> FilterStatus:
    """The status `interviewList` filters on: discarded wins, then shortlisted, then pending."""
    if archived is not None:
        return "discarded"
    if finalist is not None:
        return "shortlisted"
    if not completed:
        return "pending"
    return "to_evaluate"


def check_score(score: float | None) -> float | None:
    """A score from 0.5 to 5 in steps of 0.5, or None (which clears the score)."""
    if score is None:
        return None
    if (
        not math.isfinite(score)
        or not SCORE_MIN <= score <= SCORE_MAX
        or not math.isclose(score * 2, round(score * 2), abs_tol=1e-9)
    ):
        raise RuleViolation(
            f"Score must be between {SCORE_MIN} and {SCORE_MAX:g} in steps of 0.5, "
            f"or null to clear it; got {score}"
        )
    return round(score * 2) / 2


def check_share_days(days: int | None) -> int:
    if days is None:
        return SHARE_DEFAULT_DAYS
    if not SHARE_MIN_DAYS <= days <= SHARE_MAX_DAYS:
        raise RuleViolation(
            f"durationInDays must be between {SHARE_MIN_DAYS} and {SHARE_MAX_DAYS}; got {days}"
        )
    return days


def check_comment(comment: str) -> str:
    text = comment.strip()
    if not text:
        raise RuleViolation("comment must not be empty")
    if len(text) > COMMENT_MAX:
        raise RuleViolation(f"comment must be at most {COMMENT_MAX} characters")
    return text


# ---------------------------------------------------------------- positions


@dataclass(frozen=True, slots=True)
class QuestionInput:
    title: str
    description: str | None = None
    time_to_answer: int | None = None
    time_to_think: int | None = None
    retakes: int | None = None


def check_position_name(name: str | None) -> str:
    text = (name or "").strip()
    if not 1 <= len(text) <= POSITION_NAME_MAX:
        raise RuleViolation(f"Position name must be 1 to {POSITION_NAME_MAX} characters")
    return text


def check_questions(questions: list[QuestionInput] | None) -> list[QuestionInput]:
    """A question list for a position: at least one, each with a title and positive timings."""
    if not questions:
        raise RuleViolation("A position needs at least one question")
    checked: list[QuestionInput] = []
    for index, question in enumerate(questions):
        title = question.title.strip()
        if not 1 <= len(title) <= QUESTION_TITLE_MAX:
            raise RuleViolation(f"questions[{index}].title must be 1 to {QUESTION_TITLE_MAX} characters")
        for label, value in (
            ("timeToAnswer", question.time_to_answer),
            ("timeToThink", question.time_to_think),
        ):
            if value is not None and value <= 0:
                raise RuleViolation(f"questions[{index}].{label} must be positive")
        if question.retakes is not None and question.retakes < 0:
            raise RuleViolation(f"questions[{index}].retakes must not be negative")
        checked.append(
            QuestionInput(
                title=title,
                description=question.description,
                time_to_answer=question.time_to_answer,
                time_to_think=question.time_to_think,
                retakes=question.retakes,
            )
        )
    return checked


# ---------------------------------------------------------------- members, webhooks, audit


def check_member_email(email: str) -> str:
    text = email.strip()
    if not is_valid_email(text):
        raise RuleViolation(f"Not a valid e-mail address: {email!r}")
    return text


def check_webhook_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RuleViolation(f"Webhook url must be an http(s) URL; got {url!r}")
    return url.strip()


def check_webhook_events(events: list[str]) -> list[str]:
    """Known event names, de-duplicated in the order given; at least one."""
    unknown = [event for event in events if event not in WEBHOOK_EVENTS]
    if unknown:
        raise RuleViolation(f"Unknown webhook event(s) {unknown}; expected any of {list(WEBHOOK_EVENTS)}")
    if not events:
        raise RuleViolation("A webhook needs at least one event")
    return list(dict.fromkeys(events))


def audit_window_start(now_ms: float) -> float:
    """Account logs cover the last two months (60 days)."""
    return now_ms - AUDIT_WINDOW_DAYS * DAY_MS


def check_skip_limit(
    skip: int | None, limit: int | None, *, default: int = 20, cap: int = 100
) -> tuple[int, int]:
    skip = 0 if skip is None else skip
    limit = default if limit is None else limit
    if skip < 0:
        raise RuleViolation("skip must not be negative")
    if limit < 1:
        raise RuleViolation("limit must be at least 1")
    return skip, min(limit, cap)
