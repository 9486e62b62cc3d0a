"""The sandbox's domain: what Hireflix does with its data, as operations on the store in plain Python.

An operation takes the `RequestContext` (the store; who acts and from where; the clock and random source)
and plain values, and returns records. resolvers.py turns GraphQL arguments into those values, views.py
turns the records into GraphQL objects. A failure is an exception with one GraphQL form each:

    RuleViolation (rules.py)  an argument breaks a rule                    error, code BAD_USER_INPUT
    NotFound                  an unknown id the field has no union for     error, code NOT_FOUND
    Forbidden                 an action nobody may take                    error, code FORBIDDEN
    DomainError               a failure the API reports as a member of the field's result union
                              (`PositionNotFoundError`, `ValidationError`, ...)

Every operation that changes state writes one audit entry and may queue webhook events on the context;
the HTTP layer emits them after the response data is computed.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Literal

from . import ids
from .records import new_interview_record
from .records import new_position_record
from .rules import DAY_MS
from .rules import InviteCandidate
from .rules import QuestionInput
from .rules import RuleViolation
from .rules import audit_window_start
from .rules import check_comment
from .rules import check_member_email
from .rules import check_position_name
from .rules import check_questions
from .rules import check_score
from .rules import check_share_days
from .rules import check_skip_limit
from .rules import check_webhook_events
from .rules import check_webhook_url
from .rules import invite_field_errors
from .rules import normalize_invite
from .rules import quota_period_start
from .store import AnswerRecord
from .store import AuditRecord
from .store import CommentRecord
from .store import InterviewRecord
from .store import MemberRecord
from .store import MemberScoreRecord
from .store import PositionRecord
from .store import QuestionRecord
from .store import Store
from .store import WebhookRecord
from .webhooks import webhook_snapshot

Event = tuple[str, dict[str, Any]]


# ---------------------------------------------------------------- failures

DomainErrorName = Literal[
    "PositionNotFoundError",
    "InterviewNotFoundError",
    "ExceededInvitesThisPeriodError",
    "InterviewAlreadyExistsInPositionError",
    "InterviewExternalIdAlreadyExistsInPositionError",
    "PositionNotReadyToAcceptInvitesError",
    "ValidationError",
]


class DomainError(Exception):
    """A failure the API reports as a member of the field's result union, e.g. `PositionNotFoundError`."""

    def __init__(self, name: DomainErrorName, field_errors: dict[str, str] | None = None) -> None:
        super().__init__(name)
        self.name: DomainErrorName = name
        self.field_errors = field_errors


class NotFound(LookupError):
    """No record with the id the caller named."""


class Forbidden(Exception):
    """An action nobody may take, e.g. removing the account owner."""


# ---------------------------------------------------------------- request context


@dataclass
class RequestContext:
    """Everything an operation needs, built once per request by the HTTP layer."""

    store: Store
    actor: MemberRecord
    webhook_secret: str
    invite_quota: int | None = None
    ip: str | None = None
    host: str | None = None
    referer: str | None = None
    media_base: str | None = None
    """The sandbox's own URL (ending in '/'): answer videos and thumbnails are handed out under it."""
    rng: random.Random = field(default_factory=random.SystemRandom)
    clock: Callable[[], float] | None = None
    events: list[Event] = field(default_factory=list)
    read_interviews: dict[str, list[InterviewRecord]] = field(default_factory=dict)
    """A query's reads of each position's interviews (`resolvers.position_interviews`)."""

    def now(self) -> float:
        return self.clock() if self.clock is not None else ids.epoch_ms()

    def audit(self, action: str, object_type: str, object_id: str, *, at: float) -> None:
        self.store.insert(
            AuditRecord(
                id=ids.object_id(self.rng),
                actor_id=self.actor.id,
                actor_email=self.actor.email,
                timestamp=at,
                object={"id": object_id, "type": object_type},
                ip=self.ip,
                action=action,
                host=self.host,
                referer=self.referer,
                medium="API_KEY",
            )
        )

    def emit(self, event: str, interview: InterviewRecord) -> None:
        self.events.append((event, webhook_snapshot(self.store, interview)))


# ---------------------------------------------------------------- reads with rules


def audit_log(ctx: RequestContext, *, skip: int | None, limit: int | None) -> tuple[list[AuditRecord], int]:
    """One page of the audit log of the last two months (newest first) and the window's total."""
    skip, limit = check_skip_limit(skip, limit)
    return ctx.store.audit_page(since=audit_window_start(ctx.now()), skip=skip, limit=limit)


# ---------------------------------------------------------------- invites


def invite_candidate(
    ctx: RequestContext, position_id: str, candidate: InviteCandidate, *, disable_notifications: bool
) -> InterviewRecord:
    """Invite a candidate to a position; the checks run in the order Hireflix reports them."""
    store = ctx.store
    with store.transaction():
        now = ctx.now()
        position = store.position(position_id)
        if position is None:
            raise DomainError("PositionNotFoundError")
        field_errors = invite_field_errors(candidate)
        if field_errors:
            raise DomainError("ValidationError", field_errors)
        candidate = normalize_invite(candidate)
        if position.archived is not None:
            raise DomainError("PositionNotReadyToAcceptInvitesError")
        if store.interview_by_email(position.id, candidate.email) is not None:
            raise DomainError("InterviewAlreadyExistsInPositionError")
        if candidate.external_id is not None and store.interview_by_external_id(
            position.id, candidate.external_id
        ):
            raise DomainError("InterviewExternalIdAlreadyExistsInPositionError")
        if ctx.invite_quota is not None and store.invites_since(quota_period_start(now)) >= ctx.invite_quota:
            raise DomainError("ExceededInvitesThisPeriodError")
        hash_ = ids.interview_hash(ctx.rng)
        while store.hash_taken(hash_):
            hash_ = ids.interview_hash(ctx.rng)
        interview = new_interview_record(
            position,
            candidate,
            interview_id=ids.object_id(ctx.rng),
            hash_=hash_,
            at=now,
            disable_notifications=disable_notifications,
        )
        store.insert(interview)
        store.record_invite(interview.id, now)
        ctx.audit("interview.create", "INTERVIEW", interview.id, at=now)
        ctx.emit("interview.create", interview)
    return interview


# ---------------------------------------------------------------- positions


def archive_position(ctx: RequestContext, position_id: str) -> PositionRecord:
    """Archive a position (already archived: unchanged)."""
    with ctx.store.transaction():
        position = ctx.store.position(position_id)
        if position is None:
            raise DomainError("PositionNotFoundError")
        if position.archived is None:
            now = ctx.now()
            position = dataclasses.replace(position, archived=now, updated_at=now)
            ctx.store.save(position)
            ctx.audit("position.archive", "POSITION", position.id, at=now)
    return position


def delete_position(ctx: RequestContext, position_id: str) -> tuple[PositionRecord, list[QuestionRecord]]:
    """Delete a position with its questions and interviews; the position and questions as they were."""
    with ctx.store.transaction():
        position = ctx.store.position(position_id)
        if position is None:
            raise DomainError("PositionNotFoundError")
        questions = ctx.store.questions(position.id)
        ctx.store.delete_position(position.id)
        ctx.audit("position.delete", "POSITION", position.id, at=ctx.now())
    return position, questions


def create_position(
    ctx: RequestContext,
    *,
    name: str | None,
    description: str | None,
    location: str | None,
    language: str | None,
    questions: list[QuestionInput],
) -> PositionRecord:
    checked_name = check_position_name(name)
    checked_questions = check_questions(questions)
    with ctx.store.transaction():
        now = ctx.now()
        position = new_position_record(
            ids.object_id(ctx.rng),
            checked_name,
            at=now,
            description=description,
            location=location,
            language=language or "en",
        )
        ctx.store.insert(position)
        for record in _question_records(ctx, position, checked_questions, []):
            ctx.store.insert(record)
        ctx.audit("position.create", "POSITION", position.id, at=now)
    return position


def update_position(
    ctx: RequestContext, position_id: str, changes: dict[str, Any], questions: list[QuestionInput] | None
) -> PositionRecord:
    """Change the given fields (`name`, `description`, `location`, `language`) and, unless None, the
    questions; only a real change is saved and audited."""
    with ctx.store.transaction():
        current = ctx.store.position(position_id)
        if current is None:
            raise NotFound("Position not found")
        now = ctx.now()
        if "name" in changes:
            changes = {**changes, "name": check_position_name(changes["name"])}
        updated = dataclasses.replace(current, **changes)
        questions_changed = False
        if questions is not None:
            checked = check_questions(questions)
            existing = ctx.store.questions(current.id)
            new_records = _question_records(ctx, updated, checked, existing)
            questions_changed = new_records != existing
            if questions_changed:
                ctx.store.replace_questions(current.id, new_records)
        if updated != current or questions_changed:
            updated = dataclasses.replace(updated, updated_at=now)
            ctx.store.save(updated)
            ctx.audit("position.update", "POSITION", current.id, at=now)
    return updated


def _question_records(
    ctx: RequestContext,
    position: PositionRecord,
    questions: list[QuestionInput],
    existing: list[QuestionRecord],
) -> list[QuestionRecord]:
    """Questions updated in place by position in the list (answers stay attached), extras added or dropped."""
    records = []
    for index, question in enumerate(questions):
        records.append(
            QuestionRecord(
                id=existing[index].id if index < len(existing) else ids.object_id(ctx.rng),
                position_id=position.id,
                idx=index,
                title=question.title,
                description=question.description,
                time_to_answer=question.time_to_answer or position.time_to_answer,
                time_to_think=question.time_to_think or position.time_to_think,
                retakes=question.retakes if question.retakes is not None else position.retakes,
            )
        )
    return records


# ---------------------------------------------------------------- interviews


@dataclass(frozen=True)
class InterviewSnapshot:
    """An interview with every record its fields show, read before the interview is deleted."""

    record: InterviewRecord
    position: PositionRecord | None
    questions: list[QuestionRecord]
    answers: list[AnswerRecord]
    comments: list[CommentRecord]
    scores: list[MemberScoreRecord]


def delete_interview(ctx: RequestContext, interview_id: str) -> InterviewSnapshot:
    """Delete an interview with its answers, comments and scores; what it showed before."""
    store = ctx.store
    with store.transaction():
        interview = store.interview(interview_id)
        if interview is None:
            raise DomainError("InterviewNotFoundError")
        snapshot = InterviewSnapshot(
            record=interview,
            position=store.position(interview.position_id),
            questions=store.questions(interview.position_id),
            answers=store.answers(interview.id),
            comments=store.comments(interview.id),
            scores=store.member_scores(interview.id),
        )
        event_data = webhook_snapshot(store, interview)
        store.delete_interview(interview.id)
        ctx.audit("interview.delete", "INTERVIEW", interview.id, at=ctx.now())
        ctx.events.append(("interview.delete", event_data))
    return snapshot


def _interview_or_raise(ctx: RequestContext, interview_id: str) -> InterviewRecord:
    interview = ctx.store.interview(interview_id)
    if interview is None:
        raise NotFound("Interview not found")
    return interview


ReviewMark = Literal["archived", "finalist"]
_MARK_ACTIONS: dict[ReviewMark, tuple[str, str]] = {
    "archived": ("interview.discard", "interview.restore"),
    "finalist": ("interview.shortlist", "interview.unshortlist"),
}


def set_review_mark(ctx: RequestContext, interview_id: str, mark: ReviewMark, *, on: bool) -> InterviewRecord:
    """Set or clear the `archived` (discarded) or `finalist` (shortlisted) timestamp; a real change is
    audited and emitted."""
    with ctx.store.transaction():
        interview = _interview_or_raise(ctx, interview_id)
        if on == (getattr(interview, mark) is not None):
            return interview
        now = ctx.now()
        stamp = now if on else None
        if mark == "archived":
            changed = dataclasses.replace(interview, archived=stamp, updated_at=now)
        else:
            changed = dataclasses.replace(interview, finalist=stamp, updated_at=now)
        ctx.store.save(changed)
        set_action, clear_action = _MARK_ACTIONS[mark]
        ctx.audit(set_action if on else clear_action, "INTERVIEW", interview.id, at=now)
        ctx.emit("interview.status-change", changed)
    return changed


def score_interview(ctx: RequestContext, interview_id: str, score: float | None) -> InterviewRecord:
    """Set (or with None clear) the interview's score, which is also the acting member's own score."""
    value = check_score(score)
    with ctx.store.transaction():
        interview = _interview_or_raise(ctx, interview_id)
        if interview.score == value:
            return interview
        now = ctx.now()
        changed = dataclasses.replace(interview, score=value, updated_at=now)
        ctx.store.save(changed)
        mine = ctx.store.member_score(interview.id, ctx.actor.id)
        if value is None:
            ctx.store.delete_member_score(interview.id, ctx.actor.id)
        elif mine is None:
            ctx.store.insert(
                MemberScoreRecord(
                    id=ids.object_id(ctx.rng),
                    interview_id=interview.id,
                    scorer_id=ctx.actor.id,
                    value=value,
                    created_at=now,
                    updated_at=now,
                )
            )
        else:
            ctx.store.save(dataclasses.replace(mine, value=value, updated_at=now))
        ctx.audit("interview.score", "INTERVIEW", interview.id, at=now)
        ctx.emit("interview.score-updated", changed)
    return changed


def comment_on_interview(ctx: RequestContext, interview_id: str, comment: str) -> InterviewRecord:
    text = check_comment(comment)
    with ctx.store.transaction():
        interview = _interview_or_raise(ctx, interview_id)
        now = ctx.now()
        ctx.store.insert(
            CommentRecord(
                id=ids.object_id(ctx.rng),
                interview_id=interview.id,
                author_id=ctx.actor.id,
                value=text,
                created_at=now,
                updated_at=now,
            )
        )
        changed = dataclasses.replace(interview, updated_at=now)
        ctx.store.save(changed)
        ctx.audit("interview.comment", "INTERVIEW", interview.id, at=now)
    return changed


def share_interview(ctx: RequestContext, interview_id: str, days: int | None) -> InterviewRecord:
    """Create a new public share link valid for `days` (the previous link is replaced)."""
    checked_days = check_share_days(days)
    with ctx.store.transaction():
        interview = _interview_or_raise(ctx, interview_id)
        now = ctx.now()
        link_id = ids.share_uuid(ctx.rng)
        changed = dataclasses.replace(
            interview,
            share_id=link_id,
            share_url=ids.share_url(link_id),
            share_expires=now + checked_days * DAY_MS,
            updated_at=now,
        )
        ctx.store.save(changed)
        ctx.audit("interview.share", "INTERVIEW", interview.id, at=now)
    return changed


# ---------------------------------------------------------------- team members


def add_member(ctx: RequestContext, email: str) -> bool:
    """True when the e-mail became a member; False when it already was one (nothing changes)."""
    address = check_member_email(email)
    with ctx.store.transaction():
        existing = ctx.store.member_by_email(address)
        now = ctx.now()
        if existing is not None and not existing.deleted:
            return False
        if existing is not None:
            member = dataclasses.replace(existing, deleted=False)
            ctx.store.save(member)
        else:
            member = MemberRecord(
                id=ids.object_id(ctx.rng),
                name=None,
                email=address,
                type="member",
                deleted=False,
                created_at=now,
            )
            ctx.store.insert(member)
        ctx.audit("member.add", "MEMBER", member.id, at=now)
    return True


def remove_member(ctx: RequestContext, member_id: str | None, email: str | None) -> bool:
    """True when a member was removed; False when none matches (or `id` and `email` name different ones)."""
    if not member_id and not email:
        raise RuleViolation("remove needs a member id or an email")
    with ctx.store.transaction():
        by_id = ctx.store.member(member_id) if member_id else None
        by_email = ctx.store.member_by_email(email) if email else None
        if member_id and email and (by_id is None or by_email is None or by_id.id != by_email.id):
            return False
        member = by_id or by_email
        if member is None or member.deleted:
            return False
        if member.id == ctx.store.company().owner_id:
            raise Forbidden("The account owner cannot be removed")
        ctx.store.save(dataclasses.replace(member, deleted=True))
        ctx.audit("member.remove", "MEMBER", member.id, at=ctx.now())
    return True


# ---------------------------------------------------------------- webhooks


def create_webhook(ctx: RequestContext, url: str, events: list[str], external: str | None) -> WebhookRecord:
    checked_url = check_webhook_url(url)
    checked_events = check_webhook_events(events)
    with ctx.store.transaction():
        now = ctx.now()
        hook = WebhookRecord(
            id=ids.object_id(ctx.rng),
            url=checked_url,
            events=checked_events,
            active=True,
            external=external,
            created_at=now,
            updated_at=now,
        )
        ctx.store.insert(hook)
        ctx.audit("webhook.create", "WEBHOOK", hook.id, at=now)
    return hook


def update_webhook(
    ctx: RequestContext, webhook_id: str, *, url: str | None, events: list[str] | None, active: bool | None
) -> WebhookRecord:
    """Change what is given (None: keep); only a real change is saved and audited."""
    changes: dict[str, Any] = {}
    if url is not None:
        changes["url"] = check_webhook_url(url)
    if events is not None:
        changes["events"] = check_webhook_events(events)
    if active is not None:
        changes["active"] = bool(active)
    with ctx.store.transaction():
        hook = ctx.store.webhook(webhook_id)
        if hook is None:
            raise NotFound("Webhook not found")
        updated = dataclasses.replace(hook, **changes)
        if updated != hook:
            now = ctx.now()
            updated = dataclasses.replace(updated, updated_at=now)
            ctx.store.save(updated)
            ctx.audit("webhook.update", "WEBHOOK", hook.id, at=now)
    return updated


def delete_webhook(ctx: RequestContext, webhook_id: str) -> bool:
    with ctx.store.transaction():
        deleted = ctx.store.delete_webhook(webhook_id)
        if deleted:
            ctx.audit("webhook.delete", "WEBHOOK", webhook_id, at=ctx.now())
    return deleted
