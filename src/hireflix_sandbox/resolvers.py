"""The GraphQL engine: Hireflix's schema (`hireflix_mcp/hireflix/schema.graphql`) bound to resolvers.

Resolvers return plain dicts keyed by GraphQL field names; unions resolve through a `__typename` key.
Fields that need more queries (a position's questions, an interview's answers, comments, ...) have their
own resolvers reading the record carried under the private `_record` key, so a query pays only for what
it selects. Domain failures are union members (`domain_error`); rule violations on fields without a union
are top-level errors with `extensions.code` BAD_USER_INPUT, unknown ids there NOT_FOUND.

Every mutation that changes state writes one audit entry and may queue webhook events on the request
context; the HTTP layer emits them after the response data is computed.
"""

from __future__ import annotations

import dataclasses
import functools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from graphql import (
    GraphQLError,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    StringValueNode,
    ValueNode,
    build_schema,
)
from graphql.utilities import value_from_ast_untyped

from . import ids
from .demo_data import INTERVIEW_LIFETIME_DAYS, geolocate, make_answers
from .listing import list_interviews
from .rules import (
    DAY_MS,
    InviteCandidate,
    QuestionInput,
    RuleViolation,
    audit_window_start,
    check_comment,
    check_member_email,
    check_position_name,
    check_questions,
    check_score,
    check_share_days,
    check_skip_limit,
    check_webhook_events,
    check_webhook_url,
    invite_field_errors,
    is_valid_email,
    normalize_invite,
    quota_period_start,
)
from .store import (
    AnswerRecord,
    AuditRecord,
    CommentRecord,
    InterviewRecord,
    MemberRecord,
    MemberScoreRecord,
    PositionRecord,
    QuestionRecord,
    Store,
    WebhookRecord,
)

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "hireflix_mcp" / "hireflix" / "schema.graphql"

# Mutation fields returning these are namespaces (`Interview(id) { score(...) }`), not data.
NAMESPACE_TYPES = ("PositionMutations", "InterviewMutations", "CompanyMutations", "CompanyMemberMutations")
# The types whose every field must have a resolver of its own (the entry points of the API).
ROOT_TYPES = ("Query", "Mutation", *NAMESPACE_TYPES)

View = dict[str, Any]
Info = GraphQLResolveInfo[Any]
Event = tuple[str, dict[str, Any]]


# ---------------------------------------------------------------- request context


@dataclass
class RequestContext:
    """Everything a resolver needs, built once per request by the HTTP layer."""

    store: Store
    actor: MemberRecord
    webhook_secret: str
    invite_quota: int | None = None
    ip: str | None = None
    host: str | None = None
    referer: str | None = None
    rng: random.Random = field(default_factory=random.SystemRandom)
    clock: Callable[[], float] | None = None
    events: list[Event] = field(default_factory=list)

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


def _ctx(info: Info) -> RequestContext:
    context = info.context
    if not isinstance(context, RequestContext):
        raise TypeError("the sandbox schema must be executed with a RequestContext")
    return context


def bad_input(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})


def not_found(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "NOT_FOUND"})


# ---------------------------------------------------------------- resolver registry

F = TypeVar("F", bound=Callable[..., Any])
_RESOLVERS: dict[str, Callable[..., Any]] = {}


def resolver(*coordinates: str) -> Callable[[F], F]:
    """Register a function as the resolver of `Type.field`; rule violations become BAD_USER_INPUT."""

    def register(fn: F) -> F:
        @functools.wraps(fn)
        def wrapped(obj: Any, info: Info, **kwargs: Any) -> Any:
            try:
                return fn(obj, info, **kwargs)
            except RuleViolation as exc:
                raise bad_input(str(exc)) from exc

        for coordinate in coordinates:
            _RESOLVERS[coordinate] = wrapped
        return fn

    return register


def implemented_fields() -> list[str]:
    """`Type.field` for every field with a resolver of its own (sorted): what the sandbox implements."""
    return sorted(_RESOLVERS)


# ---------------------------------------------------------------- domain errors (union members)

_DOMAIN_ERRORS: dict[str, tuple[int, str]] = {
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


def domain_error(name: str, **extra: Any) -> View:
    code, message = _DOMAIN_ERRORS[name]
    return {"__typename": name, "code": code, "name": name, "message": message, **extra}


# ---------------------------------------------------------------- views


def member_view(member: MemberRecord | None) -> View | None:
    if member is None:
        return None
    return {
        "id": member.id,
        "name": member.name,
        "email": member.email,
        "deleted": member.deleted,
        "type": member.type,
    }


def position_view(position: PositionRecord, *, questions: list[QuestionRecord] | None = None) -> View:
    view: View = {
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
        "_record": position,
    }
    if questions is not None:
        view["_questions"] = questions
    return view


def _full_name(interview: InterviewRecord) -> str:
    return " ".join(part for part in (interview.first_name, interview.last_name) if part)


def interview_view(interview: InterviewRecord) -> View:
    full_name = _full_name(interview)
    return {
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
        "url": _url_view(interview),
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
        "score": {"value": interview.score, "type": "manual"} if interview.score is not None else None,
        "_record": interview,
    }


def _url_view(interview: InterviewRecord) -> dict[str, str]:
    return {
        "short": ids.short_url(interview.hash),
        "public": ids.public_url(interview.hash),
        "private": ids.private_url(interview.id),
    }


def preloaded_interview_view(store: Store, interview: InterviewRecord) -> View:
    """A view that no longer needs the store: for an interview about to be deleted."""
    view = interview_view(interview)
    position = store.position(interview.position_id)
    view["_position"] = position
    view["_questions"] = store.questions(interview.position_id)
    view["_answers"] = store.answers(interview.id)
    view["_comments"] = store.comments(interview.id)
    view["_scores"] = store.member_scores(interview.id)
    return view


def webhook_snapshot(store: Store, interview: InterviewRecord) -> dict[str, Any]:
    """The `data` of a webhook event, exactly the fields API.md lists."""
    position = store.position(interview.position_id)
    return {
        "id": interview.id,
        "hash": interview.hash,
        "status": interview.status,
        "externalId": interview.external_id,
        "createdAt": interview.created_at,
        "completed": interview.completed_at,
        "position": {"id": interview.position_id, "name": position.name if position else None},
        "candidate": {
            "name": _full_name(interview),
            "firstName": interview.first_name,
            "lastName": interview.last_name,
            "email": interview.email,
            "phone": interview.phone,
        },
        "url": _url_view(interview),
    }


def audit_view(entry: AuditRecord) -> View:
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


def webhook_view(hook: WebhookRecord) -> View:
    return {
        "id": hook.id,
        "url": hook.url,
        "events": hook.events,
        "active": hook.active,
        "external": hook.external,
    }


def _record(obj: View, kind: type[Any]) -> Any:
    record = obj.get("_record")
    if not isinstance(record, kind):
        raise TypeError(f"expected a {kind.__name__} view")
    return record


# ---------------------------------------------------------------- queries


@resolver("Query.positions")
def resolve_positions(_obj: Any, info: Info) -> list[View]:
    return [position_view(p) for p in _ctx(info).store.positions()]


@resolver("Query.position")
def resolve_position(_obj: Any, info: Info, id: str) -> View | None:
    position = _ctx(info).store.position(id)
    return position_view(position) if position else None


@resolver("Query.interview")
def resolve_interview(_obj: Any, info: Info, id: str) -> View | None:
    interview = _ctx(info).store.interview(id)
    return interview_view(interview) if interview else None


@resolver("Query.info")
def resolve_info(_obj: Any, info: Info) -> View:
    ctx = _ctx(info)
    company = ctx.store.company()
    owner = ctx.actor
    first, _, last = (owner.name or "").partition(" ")
    return {
        "company": {
            "id": company.id,
            "name": company.name,
            "logs": {},
            "webhookSecretKey": ctx.webhook_secret,
        },
        "user": {
            "id": owner.id,
            "name": first or None,
            "lastname": last or None,
            "email": owner.email,
            "createdAt": owner.created_at,
        },
    }


@resolver("Company.members")
def resolve_members(_obj: Any, info: Info) -> list[View | None]:
    return [member_view(m) for m in _ctx(info).store.members()]


@resolver("Company.webhooks")
def resolve_webhooks(_obj: Any, info: Info) -> list[View]:
    return [webhook_view(h) for h in _ctx(info).store.webhooks()]


@resolver("CompanyLogs.audit")
def resolve_audit(_obj: Any, info: Info, pagination: dict[str, Any] | None = None) -> View:
    ctx = _ctx(info)
    pagination = pagination or {}
    skip, limit = check_skip_limit(pagination.get("skip"), pagination.get("limit"))
    entries, total = ctx.store.audit_page(since=audit_window_start(ctx.now()), skip=skip, limit=limit)
    return {"count": len(entries), "total": total, "results": [audit_view(e) for e in entries]}


@resolver("Position.questions")
def resolve_position_questions(obj: View, info: Info) -> list[View]:
    questions = obj.get("_questions")
    if questions is None:
        questions = _ctx(info).store.questions(_record(obj, PositionRecord).id)
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


@resolver("Position.interviews")
def resolve_position_interviews(obj: View, info: Info) -> list[View]:
    if obj.get("_deleted"):  # its interviews went with it
        return []
    return [interview_view(i) for i in _ctx(info).store.interviews(_record(obj, PositionRecord).id)]


@resolver("Position.interviewList")
def resolve_interview_list(obj: View, info: Info, input: dict[str, Any]) -> View:
    records = [] if obj.get("_deleted") else _ctx(info).store.interviews(_record(obj, PositionRecord).id)
    page = list_interviews(
        records,
        filter_spec=input.get("filter"),
        sort_spec=input.get("sort"),
        pagination=input.get("pagination"),
    )
    return {
        "results": [interview_view(i) for i in page.results],
        "lastCursor": page.last_cursor,
        "count": page.count,
        "total": page.total,
    }


# ---------------------------------------------------------------- interview fields needing more data


def _position_of(obj: View, info: Info) -> PositionRecord | None:
    if "_position" in obj:
        position: PositionRecord | None = obj["_position"]
        return position
    return _ctx(info).store.position(_record(obj, InterviewRecord).position_id)


def _answers_of(obj: View, info: Info) -> list[AnswerRecord]:
    if "_answers" in obj:
        answers: list[AnswerRecord] = obj["_answers"]
        return answers
    return _ctx(info).store.answers(_record(obj, InterviewRecord).id)


@resolver("InterviewType.position")
def resolve_interview_position(obj: View, info: Info) -> View | None:
    position = _position_of(obj, info)
    return position_view(position) if position else None


@resolver("InterviewType.retakes", "InterviewType.timeToAnswer", "InterviewType.timeToThink")
def resolve_interview_setting(obj: View, info: Info) -> int | None:
    position = _position_of(obj, info)
    if position is None:
        return None
    settings = {
        "retakes": position.retakes,
        "timeToAnswer": position.time_to_answer,
        "timeToThink": position.time_to_think,
    }
    return settings[info.field_name]


@resolver("InterviewType.questions")
def resolve_interview_questions(obj: View, info: Info) -> list[View]:
    questions: list[QuestionRecord] | None = obj.get("_questions")
    if questions is None:
        questions = _ctx(info).store.questions(_record(obj, InterviewRecord).position_id)
    by_question = {a.question_id: a for a in _answers_of(obj, info)}
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
                "answer": _answer_view(answer) if answer else None,
            }
        )
    return views


def _answer_view(answer: AnswerRecord) -> View:
    return {
        "id": answer.id,
        "url": answer.url,
        "thumbnail": answer.thumbnail,
        "meta": {"duration": answer.duration},
        "transcription": {"languageCode": answer.language_code, "text": answer.text, "words": answer.words},
    }


@resolver("InterviewType.thumbnail")
def resolve_thumbnail(obj: View, info: Info) -> str | None:
    answers = _answers_of(obj, info)
    return answers[0].thumbnail if answers else None


@resolver("InterviewType.thumbnails")
def resolve_thumbnails(obj: View, info: Info) -> list[str]:
    return [a.thumbnail for a in _answers_of(obj, info)]


@resolver("InterviewType.comments")
def resolve_comments(obj: View, info: Info) -> list[View]:
    store = _ctx(info).store
    comments: list[CommentRecord] | None = obj.get("_comments")
    if comments is None:
        comments = store.comments(_record(obj, InterviewRecord).id)
    return [
        {
            "id": c.id,
            "value": c.value,
            "createdAt": c.created_at,
            "updatedAt": c.updated_at,
            "author": member_view(store.member(c.author_id)),
        }
        for c in comments
    ]


@resolver("InterviewType.scores")
def resolve_scores(obj: View, info: Info) -> list[View]:
    store = _ctx(info).store
    scores: list[MemberScoreRecord] | None = obj.get("_scores")
    if scores is None:
        scores = store.member_scores(_record(obj, InterviewRecord).id)
    return [
        {
            "id": s.id,
            "computedScore": s.value,
            "overridenScore": {"value": s.value, "createdAt": s.created_at, "updatedAt": s.updated_at},
            "scorer": member_view(store.member(s.scorer_id)),
        }
        for s in scores
    ]


# ---------------------------------------------------------------- mutations: invites and deletes


@resolver("Mutation.inviteCandidateToInterview")
def resolve_invite(_obj: Any, info: Info, input: dict[str, Any]) -> View:
    ctx = _ctx(info)
    store = ctx.store
    given = input["candidate"]
    candidate = InviteCandidate(
        email=given["email"],
        first_name=given["firstName"],
        last_name=given.get("lastName"),
        phone=given.get("phone"),
        external_id=input.get("externalId"),
        metadata=input.get("metadata"),
    )
    with store.transaction():
        now = ctx.now()
        position = store.position(input["positionId"])
        if position is None:
            return domain_error("PositionNotFoundError")
        field_errors = invite_field_errors(candidate)
        if field_errors:
            return domain_error("ValidationError", fieldErrors=field_errors)
        candidate = normalize_invite(candidate)
        if position.archived is not None:
            return domain_error("PositionNotReadyToAcceptInvitesError")
        if store.interview_by_email(position.id, candidate.email) is not None:
            return domain_error("InterviewAlreadyExistsInPositionError")
        if candidate.external_id is not None and store.interview_by_external_id(
            position.id, candidate.external_id
        ):
            return domain_error("InterviewExternalIdAlreadyExistsInPositionError")
        if ctx.invite_quota is not None and store.invites_since(quota_period_start(now)) >= ctx.invite_quota:
            return domain_error("ExceededInvitesThisPeriodError")
        hash_ = ids.interview_hash(ctx.rng)
        while store.hash_taken(hash_):
            hash_ = ids.interview_hash(ctx.rng)
        interview = InterviewRecord(
            id=ids.object_id(ctx.rng),
            position_id=position.id,
            hash=hash_,
            email=candidate.email,
            first_name=candidate.first_name,
            last_name=candidate.last_name,
            phone=candidate.phone,
            external_id=candidate.external_id,
            disable_notifications=bool(input.get("disableNotifications")),
            metadata=candidate.metadata,
            status="pending",
            created_at=now,
            updated_at=now,
            completed_at=None,
            expires=now + INTERVIEW_LIFETIME_DAYS * DAY_MS,
            finalist=None,
            archived=None,
            score=None,
            language=position.language,
            invite_source="API",
            notes=None,
            ip_addresses=[],
            user_agents=[],
            geolocation=[],
            share_id=None,
            share_url=None,
            share_expires=None,
        )
        store.insert(interview)
        store.record_invite(interview.id, now)
        ctx.audit("interview.create", "INTERVIEW", interview.id, at=now)
        ctx.emit("interview.create", interview)
    return interview_view(interview)


@resolver("Mutation.archivePosition")
def resolve_archive_position(_obj: Any, info: Info, input: dict[str, Any]) -> View:
    ctx = _ctx(info)
    with ctx.store.transaction():
        position = ctx.store.position(input["id"])
        if position is None:
            return domain_error("PositionNotFoundError")
        if position.archived is None:
            now = ctx.now()
            position = dataclasses.replace(position, archived=now, updated_at=now)
            ctx.store.save(position)
            ctx.audit("position.archive", "POSITION", position.id, at=now)
    return {"__typename": "MutationArchivePositionSuccess", "data": position_view(position)}


@resolver("Mutation.deletePosition")
def resolve_delete_position(_obj: Any, info: Info, input: dict[str, Any]) -> View:
    ctx = _ctx(info)
    with ctx.store.transaction():
        position = ctx.store.position(input["id"])
        if position is None:
            return domain_error("PositionNotFoundError")
        view = position_view(position, questions=ctx.store.questions(position.id))
        view["_deleted"] = True
        ctx.store.delete_position(position.id)
        ctx.audit("position.delete", "POSITION", position.id, at=ctx.now())
    return {"__typename": "MutationDeletePositionSuccess", "data": view}


@resolver("Mutation.deleteInterview")
def resolve_delete_interview(_obj: Any, info: Info, input: dict[str, Any]) -> View:
    ctx = _ctx(info)
    with ctx.store.transaction():
        interview = ctx.store.interview(input["id"])
        if interview is None:
            return domain_error("InterviewNotFoundError")
        view = preloaded_interview_view(ctx.store, interview)
        snapshot = webhook_snapshot(ctx.store, interview)
        ctx.store.delete_interview(interview.id)
        ctx.audit("interview.delete", "INTERVIEW", interview.id, at=ctx.now())
        ctx.events.append(("interview.delete", snapshot))
    return {"__typename": "MutationDeleteInterviewSuccess", "data": view}


# ---------------------------------------------------------------- mutations: Position(id) { save }


@resolver("Mutation.Position")
def resolve_position_namespace(_obj: Any, _info: Info, id: str | None = None) -> View:
    return {"id": id}


def _question_inputs(raw: list[dict[str, Any]]) -> list[QuestionInput]:
    return [
        QuestionInput(
            title=q["title"],
            description=q.get("description"),
            time_to_answer=q.get("timeToAnswer"),
            time_to_think=q.get("timeToThink"),
            retakes=q.get("retakes"),
        )
        for q in raw
    ]


@resolver("PositionMutations.save")
def resolve_save_position(obj: View, info: Info, position: dict[str, Any]) -> View:
    ctx = _ctx(info)
    if obj.get("id") is None:
        return _create_position(ctx, position)
    with ctx.store.transaction():
        current = ctx.store.position(obj["id"])
        if current is None:
            raise not_found("Position not found")
        now = ctx.now()
        changes: dict[str, Any] = {}
        if "name" in position:
            changes["name"] = check_position_name(position["name"])
        for key in ("description", "location", "language"):
            if key in position:
                changes[key] = position[key]
        updated = dataclasses.replace(current, **changes)
        questions_changed = False
        if position.get("questions") is not None:
            questions = check_questions(_question_inputs(position["questions"]))
            existing = ctx.store.questions(current.id)
            new_records = _question_records(ctx, updated, questions, existing)
            questions_changed = new_records != existing
            if questions_changed:
                ctx.store.replace_questions(current.id, new_records)
        if updated != current or questions_changed:
            updated = dataclasses.replace(updated, updated_at=now)
            ctx.store.save(updated)
            ctx.audit("position.update", "POSITION", current.id, at=now)
    return position_view(updated)


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


def _create_position(ctx: RequestContext, given: dict[str, Any]) -> View:
    name = check_position_name(given.get("name"))
    questions = check_questions(_question_inputs(given.get("questions") or []))
    with ctx.store.transaction():
        now = ctx.now()
        position = PositionRecord(
            id=ids.object_id(ctx.rng),
            name=name,
            description=given.get("description"),
            location=given.get("location"),
            language=given.get("language") or "en",
            archived=None,
            active=True,
            tags=[],
            created_at=now,
            updated_at=now,
            expires=None,
            retakes=2,
            time_to_answer=120,
            time_to_think=30,
        )
        ctx.store.insert(position)
        for record in _question_records(ctx, position, questions, []):
            ctx.store.insert(record)
        ctx.audit("position.create", "POSITION", position.id, at=now)
    return position_view(position)


# ---------------------------------------------------------------- mutations: Interview(id) { ... }


@resolver("Mutation.Interview")
def resolve_interview_namespace(_obj: Any, _info: Info, id: str) -> View:
    return {"id": id}


def _interview_or_raise(ctx: RequestContext, obj: View) -> InterviewRecord:
    interview = ctx.store.interview(obj["id"])
    if interview is None:
        raise not_found("Interview not found")
    return interview


def _set_review_mark(
    info: Info, obj: View, *, mark: Literal["archived", "finalist"], on: bool, actions: tuple[str, str]
) -> View:
    """Set or clear the `finalist` or `archived` timestamp; a real change is audited and emitted."""
    ctx = _ctx(info)
    with ctx.store.transaction():
        interview = _interview_or_raise(ctx, obj)
        current = getattr(interview, mark)
        if on == (current is not None):
            return interview_view(interview)
        now = ctx.now()
        stamp = now if on else None
        if mark == "archived":
            changed = dataclasses.replace(interview, archived=stamp, updated_at=now)
        else:
            changed = dataclasses.replace(interview, finalist=stamp, updated_at=now)
        ctx.store.save(changed)
        ctx.audit(actions[0] if on else actions[1], "INTERVIEW", interview.id, at=now)
        ctx.emit("interview.status-change", changed)
    return interview_view(changed)


@resolver("InterviewMutations.archive")
def resolve_archive_interview(obj: View, info: Info, archive: bool) -> View:
    return _set_review_mark(
        info, obj, mark="archived", on=archive, actions=("interview.discard", "interview.restore")
    )


@resolver("InterviewMutations.finalist")
def resolve_finalist(obj: View, info: Info, finalist: bool) -> View:
    return _set_review_mark(
        info, obj, mark="finalist", on=finalist, actions=("interview.shortlist", "interview.unshortlist")
    )


@resolver("InterviewMutations.score")
def resolve_score(obj: View, info: Info, score: float | None = None) -> View:
    ctx = _ctx(info)
    value = check_score(score)
    with ctx.store.transaction():
        interview = _interview_or_raise(ctx, obj)
        if interview.score == value:
            return interview_view(interview)
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
    return interview_view(changed)


@resolver("InterviewMutations.comment")
def resolve_comment(obj: View, info: Info, comment: str) -> View:
    ctx = _ctx(info)
    text = check_comment(comment)
    with ctx.store.transaction():
        interview = _interview_or_raise(ctx, obj)
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
    return interview_view(changed)


@resolver("InterviewMutations.share")
def resolve_share(obj: View, info: Info, durationInDays: int | None = None) -> View:
    ctx = _ctx(info)
    days = check_share_days(durationInDays)
    with ctx.store.transaction():
        interview = _interview_or_raise(ctx, obj)
        now = ctx.now()
        link_id = ids.share_uuid(ctx.rng)
        changed = dataclasses.replace(
            interview,
            share_id=link_id,
            share_url=ids.share_url(link_id),
            share_expires=now + days * DAY_MS,
            updated_at=now,
        )
        ctx.store.save(changed)
        ctx.audit("interview.share", "INTERVIEW", interview.id, at=now)
    return interview_view(changed)


# ---------------------------------------------------------------- mutations: Company { Member { ... } }


@resolver("Mutation.Company")
def resolve_company_namespace(_obj: Any, _info: Info) -> View:
    return {}


@resolver("CompanyMutations.Member")
def resolve_member_namespace(_obj: Any, _info: Info) -> View:
    return {}


@resolver("CompanyMemberMutations.add")
def resolve_add_member(_obj: Any, info: Info, email: str) -> bool:
    """True when the e-mail became a member; False when it already was one (nothing changes)."""
    ctx = _ctx(info)
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


@resolver("CompanyMemberMutations.remove")
def resolve_remove_member(_obj: Any, info: Info, id: str | None = None, email: str | None = None) -> bool:
    """True when a member was removed; False when none matches (or `id` and `email` name different ones)."""
    ctx = _ctx(info)
    if not id and not email:
        raise bad_input("remove needs a member id or an email")
    with ctx.store.transaction():
        by_id = ctx.store.member(id) if id else None
        by_email = ctx.store.member_by_email(email) if email else None
        if id and email and (by_id is None or by_email is None or by_id.id != by_email.id):
            return False
        member = by_id or by_email
        if member is None or member.deleted:
            return False
        if member.id == ctx.store.company().owner_id:
            raise GraphQLError("The account owner cannot be removed", extensions={"code": "FORBIDDEN"})
        ctx.store.save(dataclasses.replace(member, deleted=True))
        ctx.audit("member.remove", "MEMBER", member.id, at=ctx.now())
    return True


# ---------------------------------------------------------------- mutations: webhooks


@resolver("Mutation.createWebhook")
def resolve_create_webhook(_obj: Any, info: Info, input: dict[str, Any]) -> View:
    ctx = _ctx(info)
    url = check_webhook_url(input["url"])
    events = check_webhook_events(input["events"])
    with ctx.store.transaction():
        now = ctx.now()
        hook = WebhookRecord(
            id=ids.object_id(ctx.rng),
            url=url,
            events=events,
            active=True,
            external=input.get("external"),
            created_at=now,
            updated_at=now,
        )
        ctx.store.insert(hook)
        ctx.audit("webhook.create", "WEBHOOK", hook.id, at=now)
    return webhook_view(hook)


@resolver("Mutation.updateWebhook")
def resolve_update_webhook(_obj: Any, info: Info, input: dict[str, Any]) -> View:
    ctx = _ctx(info)
    changes: dict[str, Any] = {}
    if input.get("url") is not None:
        changes["url"] = check_webhook_url(input["url"])
    if input.get("events") is not None:
        changes["events"] = check_webhook_events(input["events"])
    if input.get("active") is not None:
        changes["active"] = bool(input["active"])
    with ctx.store.transaction():
        hook = ctx.store.webhook(input["id"])
        if hook is None:
            raise not_found("Webhook not found")
        updated = dataclasses.replace(hook, **changes)
        if updated != hook:
            now = ctx.now()
            updated = dataclasses.replace(updated, updated_at=now)
            ctx.store.save(updated)
            ctx.audit("webhook.update", "WEBHOOK", hook.id, at=now)
    return webhook_view(updated)


@resolver("Mutation.deleteWebhook")
def resolve_delete_webhook(_obj: Any, info: Info, input: dict[str, Any]) -> bool:
    ctx = _ctx(info)
    with ctx.store.transaction():
        deleted = ctx.store.delete_webhook(input["id"])
        if deleted:
            ctx.audit("webhook.delete", "WEBHOOK", input["id"], at=ctx.now())
    return deleted


# ---------------------------------------------------------------- the candidate side (sandbox only)


class InterviewStateError(Exception):
    """An admin action that does not fit the interview's state (e.g. completing it twice)."""


def complete_interview(
    store: Store,
    interview_id: str,
    *,
    now: float,
    ip: str | None = None,
    user_agent: str | None = None,
) -> InterviewRecord:
    """Simulate the candidate recording every answer: the interview becomes completed, with transcripts."""
    with store.transaction():
        interview = store.interview(interview_id)
        if interview is None:
            raise LookupError(f"Interview {interview_id} not found")
        if interview.completed:
            raise InterviewStateError(f"Interview {interview_id} is already completed")
        questions = store.questions(interview.position_id)
        # Answers are reproducible per interview, so a completed sandbox interview reads the same every time.
        answer_rng = random.Random(interview.id)
        for answer in make_answers(interview.id, questions, interview.language, answer_rng, now):
            store.insert(answer)
        ips = list(dict.fromkeys([*interview.ip_addresses, *([ip] if ip else [])]))
        agents = list(dict.fromkeys([*interview.user_agents, *([user_agent] if user_agent else [])]))
        completed = dataclasses.replace(
            interview,
            status="completed",
            completed_at=now,
            updated_at=now,
            ip_addresses=ips,
            user_agents=agents,
            geolocation=[geolocate(address) for address in ips],
        )
        store.save(completed)
    return completed


# ---------------------------------------------------------------- the schema


def load_schema_sdl() -> str:
    """The project's copy of Hireflix's schema, read by path (the sandbox imports no hireflix_mcp code)."""
    return SCHEMA_PATH.read_text(encoding="utf-8")


def _json_output(value: Any) -> Any:
    return value


def _json_literal(node: ValueNode) -> Any:
    return value_from_ast_untyped(node)


def _email_input(value: Any) -> str:
    if not isinstance(value, str) or not is_valid_email(value.strip()):
        raise ValueError(f"Not a valid e-mail address: {value!r}")
    return value


def _email_literal(node: ValueNode) -> str:
    if not isinstance(node, StringValueNode):
        raise TypeError("EmailAddress must be a string")
    return _email_input(node.value)


def _email_output(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"EmailAddress cannot represent {value!r}")
    return value


@functools.cache
def sandbox_schema() -> GraphQLSchema:
    """Build the executable schema once per process: SDL, custom scalars, resolvers."""
    schema = build_schema(load_schema_sdl())
    for name, output, parse_value, parse_literal in (
        ("JSON", _json_output, _json_output, _json_literal),
        ("EmailAddress", _email_output, _email_input, _email_literal),
    ):
        scalar = schema.get_type(name)
        if not isinstance(scalar, GraphQLScalarType):
            raise TypeError(f"schema.graphql must declare scalar {name}")
        scalar.coerce_output_value = output
        scalar.coerce_input_value = parse_value
        scalar.coerce_input_literal = parse_literal
    for coordinate, fn in _RESOLVERS.items():
        type_name, field_name = coordinate.split(".")
        object_type = schema.get_type(type_name)
        if not isinstance(object_type, GraphQLObjectType) or field_name not in object_type.fields:
            raise TypeError(f"a resolver is registered for {coordinate}, which schema.graphql does not have")
        object_type.fields[field_name].resolve = fn
    return schema
