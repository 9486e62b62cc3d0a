"""Records as the objects of Hireflix's GraphQL schema: dicts keyed by field name.

graphql-core reads a field from a dict by its name, and resolves a union member through `__typename`.
A Position or an interview is a `PositionView` / `InterviewView`: the dict of its plain fields, carrying
the record and where its related records come from as attributes (never as fields), for the fields that
resolvers.py resolves on demand, so a query pays only for what it selects.
"""

from __future__ import annotations

import functools
from typing import Any

from . import ids
from .backend import DomainError
from .backend import DomainErrorName
from .backend import InterviewSnapshot
from .listing import Page
from .store import AnswerRecord
from .store import AuditRecord
from .store import CommentRecord
from .store import CompanyRecord
from .store import InterviewRecord
from .store import MemberRecord
from .store import MemberScoreRecord
from .store import PositionRecord
from .store import QuestionRecord
from .store import Store
from .store import WebhookRecord

View = dict[str, Any]

_DOMAIN_ERRORS: dict[DomainErrorName, tuple[int, str]] = {
    "PositionNotFoundError": (404, "Position not found"),
    "InterviewNotFoundError": (404, "Interview not found"),
    "ExceededInvitesThisPeriodError": (403, "You have exceeded the number of invites allowed this period"),
    "InterviewAlreadyExistsInPositionError": (
        409,
        "An interview for this email already exists in this position",
    ),
    "InterviewExternalIdAlreadyExistsInPositionError": (
        409,
        "An interview with this externalId already exists in this position",
    ),
    "PositionNotReadyToAcceptInvitesError": (400, "Position is not ready to accept invites"),
    "ValidationError": (400, "Validation error"),
}


def domain_error(error: DomainError) -> View:
    """The union member that reports `error` (`ValidationError` with its `fieldErrors`)."""
    code, message = _DOMAIN_ERRORS[error.name]
    view: View = {"__typename": error.name, "code": code, "name": error.name, "message": message}
    if error.field_errors is not None:
        view["fieldErrors"] = error.field_errors
    return view


# ---------------------------------------------------------------- positions


class PositionView(dict[str, Any]):
    """A Position's plain fields; `record` (and a deleted position's `questions`) serve its own resolvers."""

    def __init__(self, position: PositionRecord, *, questions: list[QuestionRecord] | None = None) -> None:
        super().__init__(
            {
                "__typename": "Position",
                "id": position.id,
                "name": position.name,
                "description": position.description,
                "location": position.location,
                "language": position.language,
                "archived": position.archived,
                "active": position.active,
                "tags": position.tags,
                "createdAt": position.created_at,
                "updatedAt": position.updated_at,
                "expires": position.expires,
                "retakes": position.retakes,
                "timeToAnswer": position.time_to_answer,
                "timeToThink": position.time_to_think,
            }
        )
        self.record = position
        self.questions = questions  # read before a delete; None: read from the store when selected


def position_questions(questions: list[QuestionRecord]) -> list[View]:
    return [
        {
            "id": q.id,
            "title": q.title,
            "description": q.description,
            "timeToAnswer": q.time_to_answer,
            "timeToThink": q.time_to_think,
            "retakes": q.retakes,
        }
        for q in questions
    ]


# ---------------------------------------------------------------- interviews


class StoredRelations:
    """An interview's related records, each read from the store the first time a field selects it."""

    def __init__(self, store: Store, interview: InterviewRecord) -> None:
        self._store = store
        self._interview = interview

    @functools.cached_property
    def position(self) -> PositionRecord | None:
        return self._store.position(self._interview.position_id)

    @functools.cached_property
    def questions(self) -> list[QuestionRecord]:
        return self._store.questions(self._interview.position_id)

    @functools.cached_property
    def answers(self) -> list[AnswerRecord]:
        return self._store.answers(self._interview.id)

    @functools.cached_property
    def comments(self) -> list[CommentRecord]:
        return self._store.comments(self._interview.id)

    @functools.cached_property
    def scores(self) -> list[MemberScoreRecord]:
        return self._store.member_scores(self._interview.id)


class InterviewView(dict[str, Any]):
    """An InterviewType's plain fields; `record` and `related` serve its own resolvers.

    `related` reads the store on demand, or for a deleted interview holds what was read before the delete.
    """

    def __init__(self, interview: InterviewRecord, related: StoredRelations | InterviewSnapshot) -> None:
        full_name = interview.full_name
        super().__init__(
            {
                "__typename": "InterviewType",
                "id": interview.id,
                "hash": interview.hash,
                "status": interview.status,
                "answered": interview.completed,
                "createdAt": interview.created_at,
                "updatedAt": interview.updated_at,
                "completedAt": interview.completed_at,
                "expires": interview.expires,
                "completed": interview.completed_at,
                "finalist": interview.finalist,
                "shortlistedAt": interview.finalist,
                "archived": interview.archived,
                "discardedAt": interview.archived,
                "externalId": interview.external_id,
                "disableNotifications": interview.disable_notifications,
                "inviteSource": interview.invite_source,
                "language": interview.language,
                "notes": interview.notes,
                "ipAddresses": interview.ip_addresses,
                "userAgents": interview.user_agents,
                "geolocation": interview.geolocation,
                "userMetadata": interview.metadata,
                "url": ids.interview_urls(interview.hash, interview.id),
                "externalLink": (
                    {"id": interview.share_id, "url": interview.share_url, "expires": interview.share_expires}
                    if interview.share_id
                    else None
                ),
                "candidate": {
                    "name": full_name,
                    "firstName": interview.first_name,
                    "lastName": interview.last_name,
                    "email": interview.email,
                    "phone": interview.phone,
                    "fullName": full_name,
                },
                "score": {"value": interview.score, "type": "manual"}
                if interview.score is not None
                else None,
            }
        )
        self.record = interview
        self.related = related


def interview_view(store: Store, interview: InterviewRecord) -> InterviewView:
    return InterviewView(interview, StoredRelations(store, interview))


def deleted_interview_view(snapshot: InterviewSnapshot) -> InterviewView:
    """The view of an interview that is gone from the store: everything comes from the snapshot."""
    return InterviewView(snapshot.record, snapshot)


def interview_page(store: Store, page: Page) -> View:
    return {
        "results": [interview_view(store, i) for i in page.results],
        "lastCursor": page.last_cursor,
        "count": page.count,
        "total": page.total,
    }


def interview_questions(questions: list[QuestionRecord], answers: list[AnswerRecord]) -> list[View]:
    """The legacy per-question list: each question with its recorded answer, if any."""
    by_question = {a.question_id: a for a in answers}
    views = []
    for question in questions:
        answer = by_question.get(question.id)
        views.append(
            {
                "id": question.id,
                "title": question.title,
                "description": question.description,
                "notes": None,
                "answered": answer is not None,
                "score": None,
                "media": (
                    {"id": answer.id, "type": "video", "url": answer.url, "thumbnail": answer.thumbnail}
                    if answer
                    else None
                ),
                "answer": _answer(answer) if answer else None,
            }
        )
    return views


def _answer(answer: AnswerRecord) -> View:
    return {
        "id": answer.id,
        "url": answer.url,
        "thumbnail": answer.thumbnail,
        "meta": {"duration": answer.duration},
        "transcription": {"languageCode": answer.language_code, "text": answer.text, "words": answer.words},
    }


def comment(entry: CommentRecord, author: MemberRecord | None) -> View:
    return {
        "id": entry.id,
        "value": entry.value,
        "createdAt": entry.created_at,
        "updatedAt": entry.updated_at,
        "author": member(author),
    }


def member_score(entry: MemberScoreRecord, scorer: MemberRecord | None) -> View:
    return {
        "id": entry.id,
        "computedScore": entry.value,
        "overridenScore": {
            "value": entry.value,
            "createdAt": entry.created_at,
            "updatedAt": entry.updated_at,
        },
        "scorer": member(scorer),
    }


# ---------------------------------------------------------------- the account


def info(company: CompanyRecord, user: MemberRecord, webhook_secret: str) -> View:
    first, _, last = (user.name or "").partition(" ")
    return {
        "company": {"id": company.id, "name": company.name, "logs": {}, "webhookSecretKey": webhook_secret},
        "user": {
            "id": user.id,
            "name": first or None,
            "lastname": last or None,
            "email": user.email,
            "createdAt": user.created_at,
        },
    }


def member(entry: MemberRecord | None) -> View | None:
    if entry is None:
        return None
    return {
        "id": entry.id,
        "name": entry.name,
        "email": entry.email,
        "deleted": entry.deleted,
        "type": entry.type,
    }


def audit_page(entries: list[AuditRecord], total: int) -> View:
    return {"count": len(entries), "total": total, "results": [_audit_entry(e) for e in entries]}


def _audit_entry(entry: AuditRecord) -> View:
    return {
        "actor": {"id": entry.actor_id, "email": entry.actor_email}
        if entry.actor_id or entry.actor_email
        else None,
        "timestamp": entry.timestamp,
        "object": entry.object,
        "ip": entry.ip,
        "action": entry.action,
        "host": entry.host,
        "referer": entry.referer,
        "medium": entry.medium,
    }


def webhook(hook: WebhookRecord) -> View:
    return {
        "id": hook.id,
        "url": hook.url,
        "events": hook.events,
        "active": hook.active,
        "external": hook.external,
    }
