"""The GraphQL engine: Hireflix's schema (`hireflix_mcp/hireflix/schema.graphql`) bound to resolvers.

A resolver turns GraphQL arguments into one backend.py call and its result into views.py objects. The
`resolver` decorator registers it under its `Type.field` coordinates and gives backend failures their
GraphQL form: a `DomainError` becomes the union member that reports it; rule violations, unknown ids and
forbidden actions become top-level errors with `extensions.code` BAD_USER_INPUT, NOT_FOUND, FORBIDDEN.
Fields of a Position or an interview that need more data have resolvers of their own, reading the record
their view carries, so a query pays only for what it selects.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any
from typing import TypeVar

from graphql import GraphQLError
from graphql import GraphQLObjectType
from graphql import GraphQLResolveInfo
from graphql import GraphQLScalarType
from graphql import GraphQLSchema
from graphql import OperationType
from graphql import StringValueNode
from graphql import ValueNode
from graphql import build_schema
from graphql.utilities import value_from_ast_untyped

from . import backend
from . import media
from . import views
from .backend import DomainError
from .backend import Forbidden
from .backend import NotFound
from .backend import RequestContext
from .listing import list_interviews
from .rules import InviteCandidate
from .rules import QuestionInput
from .rules import RuleViolation
from .rules import is_valid_email
from .store import AnswerRecord
from .store import InterviewRecord
from .views import InterviewView
from .views import PositionView
from .views import View

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "hireflix_mcp" / "hireflix" / "schema.graphql"

# Mutation fields returning these are namespaces (`Interview(id) { score(...) }`), not data.
NAMESPACE_TYPES = ("PositionMutations", "InterviewMutations", "CompanyMutations", "CompanyMemberMutations")
# The types whose every field must have a resolver of its own (the entry points of the API).
ROOT_TYPES = ("Query", "Mutation", *NAMESPACE_TYPES)

Info = GraphQLResolveInfo[Any]


def _ctx(info: Info) -> RequestContext:
    context = info.context
    if not isinstance(context, RequestContext):
        raise TypeError("the sandbox schema must be executed with a RequestContext")
    return context


# ---------------------------------------------------------------- resolver registry

F = TypeVar("F", bound=Callable[..., Any])
_RESOLVERS: dict[str, Callable[..., Any]] = {}


def resolver(*coordinates: str) -> Callable[[F], F]:
    """Register a function as the resolver of `Type.field`; backend failures take their GraphQL form.

    Only operations behind fields whose type is a result union raise `DomainError`.
    """

    def register(fn: F) -> F:
        @functools.wraps(fn)
        def wrapped(obj: Any, info: Info, **kwargs: Any) -> Any:
            try:
                return fn(obj, info, **kwargs)
            except DomainError as exc:
                return views.domain_error(exc)
            except RuleViolation as exc:
                raise _error(exc, "BAD_USER_INPUT") from exc
            except NotFound as exc:
                raise _error(exc, "NOT_FOUND") from exc
            except Forbidden as exc:
                raise _error(exc, "FORBIDDEN") from exc

        for coordinate in coordinates:
            _RESOLVERS[coordinate] = wrapped
        return fn

    return register


def _error(exc: Exception, code: str) -> GraphQLError:
    return GraphQLError(str(exc), extensions={"code": code})


def implemented_fields() -> list[str]:
    """`Type.field` for every field with a resolver of its own (sorted): what the sandbox implements."""
    return sorted(_RESOLVERS)


V = TypeVar("V", PositionView, InterviewView)


def _source(obj: object, kind: type[V]) -> V:
    if not isinstance(obj, kind):
        raise TypeError(f"expected a {kind.__name__}")
    return obj


# ---------------------------------------------------------------- queries


@resolver("Query.positions")
def resolve_positions(_obj: Any, info: Info) -> list[PositionView]:
    return [PositionView(p) for p in _ctx(info).store.positions()]


@resolver("Query.position")
def resolve_position(_obj: Any, info: Info, id: str) -> PositionView | None:
    position = _ctx(info).store.position(id)
    return PositionView(position) if position else None


@resolver("Query.interview")
def resolve_interview(_obj: Any, info: Info, id: str) -> InterviewView | None:
    store = _ctx(info).store
    interview = store.interview(id)
    return views.interview_view(store, interview) if interview else None


@resolver("Query.info")
def resolve_info(_obj: Any, info: Info) -> View:
    ctx = _ctx(info)
    return views.info(ctx.store.company(), ctx.actor, ctx.webhook_secret)


@resolver("Company.members")
def resolve_members(_obj: Any, info: Info) -> list[View | None]:
    return [views.member(m) for m in _ctx(info).store.members()]


@resolver("Company.webhooks")
def resolve_webhooks(_obj: Any, info: Info) -> list[View]:
    return [views.webhook(h) for h in _ctx(info).store.webhooks()]


@resolver("CompanyLogs.audit")
def resolve_audit(_obj: Any, info: Info, pagination: dict[str, Any] | None = None) -> View:
    pagination = pagination or {}
    entries, total = backend.audit_log(_ctx(info), skip=pagination.get("skip"), limit=pagination.get("limit"))
    return views.audit_page(entries, total)


# ---------------------------------------------------------------- position fields needing more data


@resolver("Position.questions")
def resolve_position_questions(obj: object, info: Info) -> list[View]:
    position = _source(obj, PositionView)
    questions = position.questions
    if questions is None:
        questions = _ctx(info).store.questions(position.record.id)
    return views.position_questions(questions)


@resolver("Position.interviews")
def resolve_position_interviews(obj: object, info: Info) -> list[InterviewView]:
    """Read from the store; a deleted position's interviews went with it, so it lists none."""
    store = _ctx(info).store
    return [views.interview_view(store, i) for i in store.interviews(_source(obj, PositionView).record.id)]


def position_interviews(info: Info, position_id: str) -> list[InterviewRecord]:
    """A position's interviews. A query reads them once however many `interviewList`s it selects (one
    snapshot, as a database read within one request would give); a mutation reads them afresh, since
    its other fields may change them."""
    ctx = _ctx(info)
    if info.operation.operation != OperationType.QUERY:
        return ctx.store.interviews(position_id)
    if position_id not in ctx.read_interviews:
        ctx.read_interviews[position_id] = ctx.store.interviews(position_id)
    return ctx.read_interviews[position_id]


@resolver("Position.interviewList")
def resolve_interview_list(obj: object, info: Info, input: dict[str, Any]) -> View:
    store = _ctx(info).store
    page = list_interviews(
        position_interviews(info, _source(obj, PositionView).record.id),
        filter_spec=input.get("filter"),
        sort_spec=input.get("sort"),
        pagination=input.get("pagination"),
    )
    return views.interview_page(store, page)


# ---------------------------------------------------------------- interview fields needing more data


@resolver("InterviewType.position")
def resolve_interview_position(obj: object, _info: Info) -> PositionView | None:
    position = _source(obj, InterviewView).related.position
    return PositionView(position) if position else None


@resolver("InterviewType.retakes", "InterviewType.timeToAnswer", "InterviewType.timeToThink")
def resolve_interview_setting(obj: object, info: Info) -> int | None:
    position = _source(obj, InterviewView).related.position
    if position is None:
        return None
    settings = {
        "retakes": position.retakes,
        "timeToAnswer": position.time_to_answer,
        "timeToThink": position.time_to_think,
    }
    return settings[info.field_name]


@resolver("InterviewType.questions")
def resolve_interview_questions(obj: object, info: Info) -> list[View]:
    related = _source(obj, InterviewView).related
    return views.interview_questions(related.questions, _served_answers(obj, info))


def _served_answers(obj: object, info: Info) -> list[AnswerRecord]:
    """An interview's answers with their media URLs on this sandbox (`media.local_url`)."""
    return media.served(_source(obj, InterviewView).related.answers, _ctx(info).media_base)


@resolver("InterviewType.thumbnail")
def resolve_thumbnail(obj: object, info: Info) -> str | None:
    answers = _served_answers(obj, info)
    return answers[0].thumbnail if answers else None


@resolver("InterviewType.thumbnails")
def resolve_thumbnails(obj: object, info: Info) -> list[str]:
    return [a.thumbnail for a in _served_answers(obj, info)]


@resolver("InterviewType.comments")
def resolve_comments(obj: object, info: Info) -> list[View]:
    store = _ctx(info).store
    comments = _source(obj, InterviewView).related.comments
    return [views.comment(c, store.member(c.author_id)) for c in comments]


@resolver("InterviewType.scores")
def resolve_scores(obj: object, info: Info) -> list[View]:
    store = _ctx(info).store
    scores = _source(obj, InterviewView).related.scores
    return [views.member_score(s, store.member(s.scorer_id)) for s in scores]


# ---------------------------------------------------------------- mutations: invites and deletes


@resolver("Mutation.inviteCandidateToInterview")
def resolve_invite(_obj: Any, info: Info, input: dict[str, Any]) -> View:
    ctx = _ctx(info)
    given = input["candidate"]
    candidate = InviteCandidate(
        email=given["email"],
        first_name=given["firstName"],
        last_name=given.get("lastName"),
        phone=given.get("phone"),
        external_id=input.get("externalId"),
        metadata=input.get("metadata"),
    )
    interview = backend.invite_candidate(
        ctx, input["positionId"], candidate, disable_notifications=bool(input.get("disableNotifications"))
    )
    return views.interview_view(ctx.store, interview)


@resolver("Mutation.archivePosition")
def resolve_archive_position(_obj: Any, info: Info, input: dict[str, Any]) -> View:
    position = backend.archive_position(_ctx(info), input["id"])
    return {"__typename": "MutationArchivePositionSuccess", "data": PositionView(position)}


@resolver("Mutation.deletePosition")
def resolve_delete_position(_obj: Any, info: Info, input: dict[str, Any]) -> View:
    position, questions = backend.delete_position(_ctx(info), input["id"])
    return {
        "__typename": "MutationDeletePositionSuccess",
        "data": PositionView(position, questions=questions),
    }


@resolver("Mutation.deleteInterview")
def resolve_delete_interview(_obj: Any, info: Info, input: dict[str, Any]) -> View:
    snapshot = backend.delete_interview(_ctx(info), input["id"])
    return {"__typename": "MutationDeleteInterviewSuccess", "data": views.deleted_interview_view(snapshot)}


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
def resolve_save_position(obj: View, info: Info, position: dict[str, Any]) -> PositionView:
    """Without an id, create a position; with one, update the fields the input names."""
    ctx = _ctx(info)
    raw_questions = position.get("questions")
    questions = _question_inputs(raw_questions) if raw_questions is not None else None
    if obj.get("id") is None:
        created = backend.create_position(
            ctx,
            name=position.get("name"),
            description=position.get("description"),
            location=position.get("location"),
            language=position.get("language"),
            questions=questions or [],
        )
        return PositionView(created)
    changes: dict[str, Any] = {
        key: position[key] for key in ("name", "description", "location", "language") if key in position
    }
    return PositionView(backend.update_position(ctx, obj["id"], changes, questions))


# ---------------------------------------------------------------- mutations: Interview(id) { ... }


@resolver("Mutation.Interview")
def resolve_interview_namespace(_obj: Any, _info: Info, id: str) -> View:
    return {"id": id}


@resolver("InterviewMutations.archive")
def resolve_archive_interview(obj: View, info: Info, archive: bool) -> InterviewView:
    ctx = _ctx(info)
    return views.interview_view(ctx.store, backend.set_review_mark(ctx, obj["id"], "archived", on=archive))


@resolver("InterviewMutations.finalist")
def resolve_finalist(obj: View, info: Info, finalist: bool) -> InterviewView:
    ctx = _ctx(info)
    return views.interview_view(ctx.store, backend.set_review_mark(ctx, obj["id"], "finalist", on=finalist))


@resolver("InterviewMutations.score")
def resolve_score(obj: View, info: Info, score: float | None = None) -> InterviewView:
    ctx = _ctx(info)
    return views.interview_view(ctx.store, backend.score_interview(ctx, obj["id"], score))


@resolver("InterviewMutations.comment")
def resolve_comment(obj: View, info: Info, comment: str) -> InterviewView:
    ctx = _ctx(info)
    return views.interview_view(ctx.store, backend.comment_on_interview(ctx, obj["id"], comment))


@resolver("InterviewMutations.share")
def resolve_share(obj: View, info: Info, durationInDays: int | None = None) -> InterviewView:
    ctx = _ctx(info)
    return views.interview_view(ctx.store, backend.share_interview(ctx, obj["id"], durationInDays))


# ---------------------------------------------------------------- mutations: Company { Member { ... } }


@resolver("Mutation.Company")
def resolve_company_namespace(_obj: Any, _info: Info) -> View:
    return {}


@resolver("CompanyMutations.Member")
def resolve_member_namespace(_obj: Any, _info: Info) -> View:
    return {}


@resolver("CompanyMemberMutations.add")
def resolve_add_member(_obj: Any, info: Info, email: str) -> bool:
    return backend.add_member(_ctx(info), email)


@resolver("CompanyMemberMutations.remove")
def resolve_remove_member(_obj: Any, info: Info, id: str | None = None, email: str | None = None) -> bool:
    return backend.remove_member(_ctx(info), id, email)


# ---------------------------------------------------------------- mutations: webhooks


@resolver("Mutation.createWebhook")
def resolve_create_webhook(_obj: Any, info: Info, input: dict[str, Any]) -> View:
    return views.webhook(
        backend.create_webhook(_ctx(info), input["url"], input["events"], input.get("external"))
    )


@resolver("Mutation.updateWebhook")
def resolve_update_webhook(_obj: Any, info: Info, input: dict[str, Any]) -> View:
    hook = backend.update_webhook(
        _ctx(info), input["id"], url=input.get("url"), events=input.get("events"), active=input.get("active")
    )
    return views.webhook(hook)


@resolver("Mutation.deleteWebhook")
def resolve_delete_webhook(_obj: Any, info: Info, input: dict[str, Any]) -> bool:
    return backend.delete_webhook(_ctx(info), input["id"])


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
