"""`@tool`: one declaration beside each tool function, and the SDK tool built from it.

A tool is declared once, where it lives:

    @tool(kind="destructive", title="Delete an interview", description="...",
          confirm=preview_delete_interview)
    async def delete_interview(interview_id: InterviewId, ctx: Ctx) -> DeleteResult: ...

The decorator turns the function into a `ToolSpec` (name from the function, annotations from the kind,
toolset from `tools.catalog.CATALOG`, the one place a toolset is written) and wraps it once:
- Hireflix failures (`HireflixError`) become a `ToolError` written for the model (`views.errors`).
- `confirm=` gates the tool (policy in `hireflix_mcp.confirm`): the wrapper adds the
  `confirmation_token` argument and the SDK resolvers that ask the human, applies the policy to the
  declared name and the validated arguments, and runs the body only when approved. The body cannot
  forget to gate, and never types its own name.

The preview function takes the context and any of the tool's arguments (by name) and returns a
`Preview`: the sentence the human approves and, optionally, what it found (`subject`) and the facts
that identify it (`binding`). A preview function declared to return `Preview | None` makes the
confirmation conditional: None means this call needs none (invite_candidates asks only above 10 rows), so
its preview is always computed first. Every outside value in a preview's text goes through
`views.common.quoted` (double quotes, one line, sanitised, cut).

A body that declares an `approved: Preview` parameter acts on exactly what was previewed: in the
elicitation path the same `Preview` object the human saw, in the token path the token is bound to
`binding` as well as to the arguments, so a token approved for one interview cannot delete another.
"""

from __future__ import annotations

import functools
import inspect
import logging
import typing
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Annotated
from typing import Any
from typing import Literal

from mcp.server.mcpserver import Elicit
from mcp.server.mcpserver import Resolve
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool
from mcp.types import CallToolResult
from mcp.types import TextContent
from mcp.types import ToolAnnotations
from pydantic import BaseModel
from pydantic import ValidationError

from hireflix_mcp import audit
from hireflix_mcp import sdk_compat
from hireflix_mcp.confirm import Approval
from hireflix_mcp.confirm import ConfirmationUnavailable
from hireflix_mcp.confirm import ConfirmForm
from hireflix_mcp.confirm import InvalidConfirmationToken
from hireflix_mcp.confirm import NotAsked
from hireflix_mcp.confirm import confirmation_session
from hireflix_mcp.hireflix.errors import HireflixError
from hireflix_mcp.schema_compact import compact_schema
from hireflix_mcp.state import Ctx
from hireflix_mcp.state import app_state
from hireflix_mcp.tools.inputs import ConfirmationToken
from hireflix_mcp.views.confirmation import ConfirmationFields
from hireflix_mcp.views.errors import describe_invalid_arguments
from hireflix_mcp.views.errors import describe_upstream_error
from hireflix_mcp.views.render import compact_json

logger = logging.getLogger("hireflix_mcp.tools")

Toolset = Literal["positions", "interviews", "review", "links", "account", "webhooks"]
Kind = Literal["read", "write", "destructive"]


@dataclass(frozen=True)
class Preview:
    """What a confirmed tool will do, as the human approves it."""

    text: str
    """One paragraph naming exactly what will happen (outside values sanitised and cut)."""
    subject: Any = None
    """What the preview found (e.g. the interview to delete); the body acts on this, not a new lookup."""
    binding: Mapping[str, Any] = field(default_factory=dict)
    """Facts a confirmation token is bound to besides the arguments (e.g. the interview id it deletes)."""


PreviewFn = Callable[..., Awaitable[Preview]] | Callable[..., Awaitable[Preview | None]]


@dataclass(frozen=True)
class ToolSpec:
    """One catalogue entry: the wrapped function and what assistants are told about it."""

    fn: Callable[..., Awaitable[Any]]
    name: str
    title: str
    description: str
    toolset: Toolset
    kind: Kind
    idempotent: bool = False
    open_world: bool = False
    confirm: bool = False
    """Gated by the confirmation policy (destructive or privacy-sensitive)."""
    output_model: type[BaseModel] | None = None
    """What the body returns, rendered as the result's text; its schema marks candidate-written fields."""
    meta: Mapping[str, Any] | None = None
    """The tool's `_meta` (get_interview's names its MCP Apps view: `hireflix_mcp.card`)."""

    @property
    def read_only(self) -> bool:
        return self.kind == "read"

    @property
    def annotations(self) -> ToolAnnotations:
        """Every hint that means something for this tool, and none that cannot.

        readOnlyHint and openWorldHint are always stated (their protocol defaults, false and true, are
        wrong for most of these tools). destructiveHint and idempotentHint only mean something for a tool
        that writes, so a read tool leaves them out; idempotentHint is stated only when true (false is its
        default).
        """
        if self.kind == "read":
            return ToolAnnotations(read_only_hint=True, open_world_hint=self.open_world)
        return ToolAnnotations(
            read_only_hint=False,
            destructive_hint=self.kind == "destructive",
            idempotent_hint=True if self.idempotent else None,
            open_world_hint=self.open_world,
        )

    def sdk_tool(self) -> Tool:
        """The SDK's tool for this entry: unknown arguments refused, compact published schemas."""
        built = CatalogTool.from_function(
            self.fn,
            name=self.name,
            # Not published: for a model a title repeats the name. It titles the docs' tool table.
            description=self.description,
            annotations=self.annotations,
            # No output schema: models read the text block, not the schema (hosts do not show it to
            # them), so each one only cost tokens in tools/list and a validation on every call.
            structured_output=False,
            meta=dict(self.meta) if self.meta else None,
        )
        # Unknown argument names are an error naming them (a misspelt confirmation_token must not vanish).
        sdk_compat.forbid_unknown_arguments(built)
        built.parameters = compact_schema(built.parameters)
        return built


_EMPTY_MEANS_OMITTED = frozenset({"confirmation_token", "cursor", "url"})


class CatalogTool(Tool):
    """The SDK's `Tool`, with invalid arguments reported one sentence per argument (`views.errors`), and
    optional arguments sent as null (or as "" for ids, tokens, cursors and urls) read as left out.

    The SDK reports a failed argument validation as pydantic's own text (model names, regexes, links to
    pydantic's docs). Nothing has been sent at that point; the model gets a sentence per argument saying
    what was wrong and what is allowed.

    Strict tool-calling (OpenAI's strict schemas, some agent frameworks) makes a model send every optional
    parameter, as null when it means "not given"; such a call must behave exactly like the same call with
    those parameters left out. A required argument keeps its null (score_interview's null clears a score).
    """

    def omitting_empty(self, arguments: dict[str, Any]) -> dict[str, Any]:
        required = set(self.parameters.get("required", ()))

        def left_out(name: str, value: Any) -> bool:
            if name in required:
                return False
            return value is None or (value == "" and (name.endswith("_id") or name in _EMPTY_MEANS_OMITTED))

        return {name: value for name, value in arguments.items() if not left_out(name, value)}

    async def run(self, arguments: dict[str, Any], context: Any, convert_result: bool = False) -> Any:
        # Every call, valid or not, is one entry in the audit trail (`hireflix_mcp.audit`).
        return await audit.audited_call(
            self.name, arguments, context, lambda: self._validated_run(arguments, context, convert_result)
        )

    async def _validated_run(self, arguments: dict[str, Any], context: Any, convert_result: bool) -> Any:
        try:
            return await super().run(self.omitting_empty(arguments), context, convert_result)
        except ToolError as exc:
            cause = exc.__cause__
            if not isinstance(cause, ValidationError):
                raise
            known = list(self.parameters.get("properties", {}))
            text = describe_invalid_arguments(self.name, cause.errors(include_url=False), known)
            raise ToolError(text) from cause


def tool(
    *,
    kind: Kind,
    title: str,
    description: str,
    idempotent: bool = False,
    open_world: bool = False,
    confirm: PreviewFn | None = None,
    meta: Mapping[str, Any] | None = None,
) -> Callable[[Callable[..., Awaitable[Any]]], ToolSpec]:
    """Declare the decorated async function as a tool (see the module docstring)."""

    def declare(fn: Callable[..., Awaitable[Any]]) -> ToolSpec:
        name = fn.__name__
        toolset = _toolset_of(name)
        wrapped = _map_upstream_errors(fn) if confirm is None else _gated(name, fn, confirm)
        return ToolSpec(
            fn=wrapped,
            name=name,
            title=title,
            description=description,
            toolset=toolset,
            kind=kind,
            idempotent=idempotent,
            open_world=open_world,
            confirm=confirm is not None,
            output_model=_output_model(fn),
            meta=meta,
        )

    return declare


def _toolset_of(name: str) -> Toolset:
    """The toolset the catalogue lists the tool under: it must say so without importing the tool modules
    (opt-in toolsets that are off are never imported), so it is where a toolset is written."""
    from hireflix_mcp.tools.catalog import tool_names  # the catalogue imports this module

    toolset = tool_names().get(name)
    if toolset is None:  # pragma: no cover - a declaration bug
        raise TypeError(f"{name} is not in tools.catalog.CATALOG: list it there, under its toolset")
    return toolset


def _output_model(fn: Callable[..., Awaitable[Any]]) -> type[BaseModel] | None:
    returns = typing.get_type_hints(fn).get("return")
    return returns if isinstance(returns, type) and issubclass(returns, BaseModel) else None


def upstream_error(exc: HireflixError, where: str) -> ToolError:
    logger.info("%s failed upstream: %s", where, type(exc).__name__)
    return ToolError(describe_upstream_error(exc))


def rendered(result: Any) -> CallToolResult:
    """A tool's output model as the model reads it: one compact JSON text block (`views.render`)."""
    if isinstance(result, CallToolResult):
        return result
    return CallToolResult(content=[TextContent(type="text", text=compact_json(result))])


def _map_upstream_errors(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """`fn` with its result rendered and `HireflixError` translated into a `ToolError` the model can act
    on (signature kept)."""

    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> CallToolResult:
        try:
            return rendered(await fn(*args, **kwargs))
        except HireflixError as exc:
            raise upstream_error(exc, fn.__name__) from exc

    return wrapper


class LazyPreview:
    """A tool call's preview, computed at most once and only when something needs it.

    A call that presents a token and whose body does not act on the preview needs none: the token
    alone decides, so a replayed token is refused as reused even when its target is gone. A conditional
    preview (None: this call needs no confirmation) is always needed, to know whether to ask at all.
    """

    def __init__(self, compute: Callable[[], Awaitable[Preview | None]]) -> None:
        self._compute = compute
        self._done = False
        self._value: Preview | None = None

    async def get(self) -> Preview | None:
        if not self._done:
            self._value = await self._compute()
            self._done = True
        return self._value

    async def required(self) -> Preview:
        """The preview of a call that needs confirmation (never None there)."""
        value = await self.get()
        assert value is not None, "a tool that needs no confirmation has no preview"
        return value


_CONFIRM_PARAMS = ("confirmation_token", "preview", "approval", "approved")


def _gated(
    name: str, fn: Callable[..., Awaitable[Any]], preview_fn: PreviewFn
) -> Callable[..., Awaitable[Any]]:
    """`fn` behind the confirmation policy, with the parameters and resolvers that takes."""
    hints = typing.get_type_hints(fn, include_extras=True)
    signature = inspect.signature(fn)
    acts_on_preview = "approved" in signature.parameters
    clash = [p for p in signature.parameters if p in _CONFIRM_PARAMS[:3]]
    if clash:  # pragma: no cover - a declaration bug
        raise TypeError(f"{name}: gated tools may not declare {clash}; the decorator adds them")
    out_model = hints["return"]
    # A stopped call's result: the tool's own model when it carries the confirmation fields, else just those.
    stopped_model = out_model if issubclass(out_model, ConfirmationFields) else ConfirmationFields

    preview_hints = typing.get_type_hints(preview_fn, include_extras=True)
    preview_signature = inspect.signature(preview_fn)
    conditional = type(None) in typing.get_args(preview_hints.get("return"))

    async def make_preview(**kwargs: Any) -> LazyPreview:
        async def compute() -> Preview | None:
            try:
                return await preview_fn(**kwargs)
            except HireflixError as exc:
                raise upstream_error(exc, f"{name} preview") from exc

        return LazyPreview(compute)

    _set_signature(
        make_preview,
        f"{name}.preview",
        list(preview_signature.parameters.values()),
        {p: preview_hints[p] for p in preview_signature.parameters},
        LazyPreview,
    )

    async def ask(
        ctx: Ctx, confirmation_token: str | None, preview: LazyPreview
    ) -> Elicit[ConfirmForm] | NotAsked:
        if conditional and await preview.get() is None:
            return NotAsked()

        async def text() -> str:
            return (await preview.required()).text

        return await app_state(ctx).confirmation.ask(ctx, text, confirmation_token or None)

    ask_params = list(inspect.signature(ask).parameters.values())
    _set_signature(
        ask,
        f"{name}.confirm",
        ask_params,
        {
            "ctx": Ctx,
            "confirmation_token": str | None,
            "preview": Annotated[LazyPreview, Resolve(make_preview)],
        },
        Elicit[ConfirmForm] | NotAsked,
    )

    async def gated(**kwargs: Any) -> Any:
        ctx: Ctx = kwargs[context_name]
        token: str | None = kwargs.pop("confirmation_token", None) or None
        lazy: LazyPreview = kwargs.pop("preview")
        approval: Approval = kwargs.pop("approval")
        arguments = {k: v for k, v in kwargs.items() if k != context_name}
        try:
            if conditional and await lazy.get() is None:
                return rendered(await fn(**kwargs))
            approved = await lazy.required() if acts_on_preview else None
            bound = {**arguments, **approved.binding} if approved is not None else arguments
            try:
                decision = app_state(ctx).confirmation.decide(
                    name, bound, token, approval, session=confirmation_session(ctx)
                )
            except (InvalidConfirmationToken, ConfirmationUnavailable) as exc:
                audit.mark("refused")
                raise ToolError(str(exc)) from exc
            if not decision.proceed:
                audit.mark("confirmation_asked" if decision.status == "confirmation_required" else "declined")
                stopped = stopped_model(
                    **ConfirmationFields.stopped(decision), **_stopped_extras(stopped_model, arguments)
                )
                return rendered(stopped)
            if acts_on_preview:
                kwargs["approved"] = approved
            return rendered(await fn(**kwargs))
        except HireflixError as exc:
            raise upstream_error(exc, name) from exc

    context_name = next(p for p, h in hints.items() if h is Ctx or _is_context(h))
    params = [p for p in signature.parameters.values() if p.name != "approved"]
    # The token comes right after the tool's own arguments; the resolvers are hidden from the schema.
    keyword_start = next((i for i, p in enumerate(params) if p.kind is p.KEYWORD_ONLY), len(params))
    token_param = inspect.Parameter(
        "confirmation_token", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None
    )
    params = [p.replace(kind=inspect.Parameter.POSITIONAL_OR_KEYWORD) for p in params[:keyword_start]]
    params.append(token_param)
    params += [
        inspect.Parameter("preview", inspect.Parameter.KEYWORD_ONLY),
        inspect.Parameter("approval", inspect.Parameter.KEYWORD_ONLY),
    ]
    annotations = {p.name: hints[p.name] for p in params if p.name in hints}
    annotations.update(
        confirmation_token=ConfirmationToken,
        preview=Annotated[LazyPreview, Resolve(make_preview)],
        approval=Annotated[Approval, Resolve(ask)],
    )
    _set_signature(gated, name, params, annotations, out_model)
    gated.__doc__ = fn.__doc__
    return gated


def _stopped_extras(out_model: type[Any], arguments: Mapping[str, Any]) -> dict[str, Any]:
    """Required fields of a stopped result that echo the call's arguments (e.g. share_interview's id)."""
    fields: Mapping[str, Any] = getattr(out_model, "model_fields", {})
    return {
        key: value
        for key, value in arguments.items()
        if key in fields and key not in ConfirmationFields.model_fields
    }


def _is_context(annotation: Any) -> bool:
    from mcp.server.mcpserver import Context

    origin = typing.get_origin(annotation) or annotation
    return isinstance(origin, type) and issubclass(origin, Context)


def _set_signature(
    fn: Callable[..., Any],
    qualname: str,
    params: list[inspect.Parameter],
    annotations: dict[str, Any],
    returns: Any,
) -> None:
    """Give a generated function the signature and resolved annotations the SDK inspects."""
    fn.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [p.replace(annotation=annotations.get(p.name, p.annotation)) for p in params],
        return_annotation=returns,
    )
    fn.__annotations__ = {**annotations, "return": returns}
    fn.__name__ = qualname.rsplit(".", 1)[-1]
    fn.__qualname__ = qualname
