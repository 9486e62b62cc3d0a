"""Fault injection: make the sandbox misbehave the ways a real deployment can, per operation or globally.

Contract used by app.py:
    injector = FaultInjector.from_spec(spec_string_or_None, seed=...)
    app = FaultMiddleware(inner_asgi_app, injector)      # wraps POST /me only
    routes = fault_admin_routes(injector)                # GET/POST/DELETE /_sandbox/faults

Kinds (`FaultRule.kind`):
    latency       wait `latency_ms`, then serve normally (always before the request; several add up)
    rate_limit    HTTP 429, `Retry-After: <retry_after>` and a small JSON error body
    server_error  HTTP `status` (500, 502, 503 or 504) with a small JSON error body
    hang          send nothing for `hang_seconds`, so the client times out; then 504 if it is still there
    malformed     HTTP 200 whose body is truncated JSON
    drop          headers and part of the body, then the connection closes: a transport error for the client

`phase="after"` runs the request first and replaces its response with the fault, so the change is made
but the client never hears of it (the "outcome unknown" case). Rules are tried in the order they were
added; every firing latency rule adds its delay, and the first other rule that fires is the fault.

Spec syntax (`--faults` flag or environment): rules separated by `;`, each `kind[:key=value,...]`, e.g.
    rate_limit:rate=0.1,retry_after=1;latency:ms=40;server_error:status=503,count=2,op=inviteCandidateToInterview
Keys: ms (latency_ms), retry_after, status, seconds (hang_seconds), rate, count, op (operation), phase.
"""

from __future__ import annotations

import functools
import http
import itertools
import json
import random
import threading
from collections.abc import Collection
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from typing import Final
from typing import Literal
from typing import Self
from typing import get_args

import anyio
from graphql import FieldNode
from graphql import FragmentDefinitionNode
from graphql import FragmentSpreadNode
from graphql import GraphQLError
from graphql import InlineFragmentNode
from graphql import OperationDefinitionNode
from graphql import SelectionSetNode
from graphql import parse
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import ValidationError
from pydantic import ValidationInfo
from pydantic import field_validator
from pydantic import model_validator
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp
from starlette.types import Message
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

FaultKind = Literal["latency", "rate_limit", "server_error", "hang", "malformed", "drop"]
FAULT_KINDS: Final[tuple[str, ...]] = get_args(FaultKind)
SERVER_ERROR_STATUSES: Final = frozenset({500, 502, 503, 504})

# Which optional parameters mean something for which kind: setting one that does not is a mistake
# (usually a typo in a spec), so it is rejected rather than ignored.
_KIND_PARAMETERS: Final[dict[str, frozenset[str]]] = {
    "latency": frozenset({"latency_ms"}),
    "rate_limit": frozenset({"retry_after"}),
    "server_error": frozenset({"status", "retry_after"}),
    "hang": frozenset({"hang_seconds"}),
    "malformed": frozenset(),
    "drop": frozenset(),
}
_ALL_PARAMETERS: Final = frozenset().union(*_KIND_PARAMETERS.values())

_SPEC_KEYS: Final[dict[str, str]] = {
    "ms": "latency_ms",
    "latency_ms": "latency_ms",
    "retry_after": "retry_after",
    "status": "status",
    "seconds": "hang_seconds",
    "hang_seconds": "hang_seconds",
    "rate": "rate",
    "count": "count",
    "op": "operation",
    "operation": "operation",
    "phase": "phase",
}

FAULT_HEADER: Final = b"x-sandbox-fault"
_DROP_DECLARED_LENGTH: Final = 4096
_FALLBACK_TRUNCATED_BODY: Final = b'{"data":{"'


class FaultRule(BaseModel):
    """One way to misbehave, for which requests, how often."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: FaultKind
    operation: str | None = Field(
        default=None, description="operationName or a root field name; None targets every request"
    )
    rate: float | None = Field(default=None, ge=0, le=1, description="probability per matching request")
    count: int | None = Field(default=None, ge=1, description="fire on this many requests, then expire")
    phase: Literal["before", "after"] = "before"
    latency_ms: int = Field(default=100, ge=0, le=600_000)
    retry_after: int = Field(default=1, ge=0, le=86_400, description="seconds, sent as Retry-After")
    status: int = 500
    hang_seconds: float = Field(default=30.0, gt=0, le=3600)

    @field_validator("operation")
    @classmethod
    def _operation_is_a_name(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must be a non-empty operation or field name")
        return value.strip() if value is not None else None

    @field_validator("status")
    @classmethod
    def _status_is_a_server_error(cls, value: int) -> int:
        if value not in SERVER_ERROR_STATUSES:
            raise ValueError(f"must be one of {sorted(SERVER_ERROR_STATUSES)}")
        return value

    @field_validator("phase")
    @classmethod
    def _latency_is_before(cls, value: str, info: ValidationInfo) -> str:
        if value == "after" and info.data.get("kind") == "latency":
            raise ValueError("latency always applies before the request")
        return value

    @model_validator(mode="after")
    def _parameters_fit_kind(self) -> Self:
        misplaced = sorted((self.model_fields_set & _ALL_PARAMETERS) - _KIND_PARAMETERS[self.kind])
        if misplaced:
            raise ValueError(f"{misplaced[0]}: does not apply to kind {self.kind!r}")
        return self


@dataclass(frozen=True)
class RuleStatus:
    """A rule as the injector holds it: its id, how many firings remain (None: unlimited), how many so far."""

    id: str
    rule: FaultRule
    remaining: int | None
    injected: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            **self.rule.model_dump(),
            "remaining": self.remaining,
            "injected": self.injected,
        }


@dataclass(frozen=True)
class FaultDecision:
    """What to do with one request: delay it by `latency_ms`, then serve it or answer with `fault`."""

    latency_ms: int = 0
    fault: FaultRule | None = None


_NO_FAULT: Final = FaultDecision()


@dataclass
class _ActiveRule:
    id: str
    rule: FaultRule
    remaining: int | None
    injected: int = 0

    def status(self) -> RuleStatus:
        return RuleStatus(self.id, self.rule, self.remaining, self.injected)


def _format_validation_error(error: ValidationError) -> str:
    parts = []
    for detail in error.errors(include_url=False):
        field = ".".join(str(part) for part in detail["loc"])
        message = str(detail["msg"]).removeprefix("Value error, ")
        parts.append(f"{field}: {message}" if field else message)
    return "; ".join(parts)


def parse_spec(spec: str | None) -> list[FaultRule]:
    """Rules from the compact syntax (module docstring); ValueError names the part that is wrong."""
    rules: list[FaultRule] = []
    for part in (spec or "").split(";"):
        part = part.strip()
        if not part:
            continue
        kind, _, parameters = part.partition(":")
        fields: dict[str, str] = {"kind": kind.strip()}
        for item in filter(None, (item.strip() for item in parameters.split(","))):
            key, equals, value = item.partition("=")
            key = key.strip()
            if not equals or not value.strip():
                raise ValueError(f"bad fault spec part {part!r}: {item!r} is not key=value")
            if key not in _SPEC_KEYS:
                known = ", ".join(sorted(_SPEC_KEYS))
                raise ValueError(f"bad fault spec part {part!r}: unknown key {key!r} (known: {known})")
            fields[_SPEC_KEYS[key]] = value.strip()
        try:
            rules.append(FaultRule.model_validate(fields))
        except ValidationError as error:
            raise ValueError(f"bad fault spec part {part!r}: {_format_validation_error(error)}") from None
    return rules


class FaultInjector:
    """The active fault rules and what they did; safe to change from any thread while requests run."""

    def __init__(self, rules: Iterable[FaultRule] = (), *, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._injected = threading.Condition(self._lock)
        self._random = random.Random(seed)
        self._ids = itertools.count(1)
        self._rules: list[_ActiveRule] = []
        self._counters: dict[str, int] = dict.fromkeys(FAULT_KINDS, 0)
        # Read without the lock on every request: (any rule at all, any rule targeting an operation).
        self._flags: tuple[bool, bool] = (False, False)
        for rule in rules:
            self.add(rule)

    @classmethod
    def from_spec(cls, spec: str | None, seed: int = 0) -> FaultInjector:
        return cls(parse_spec(spec), seed=seed)

    @property
    def active(self) -> bool:
        return self._flags[0]

    @property
    def targets_operations(self) -> bool:
        """True when some rule needs the request's operation names (so the body must be parsed)."""
        return self._flags[1]

    def add(self, rule: FaultRule) -> str:
        with self._lock:
            rule_id = f"f{next(self._ids)}"
            self._rules.append(_ActiveRule(rule_id, rule, rule.count))
            self._update_flags()
            return rule_id

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            before = len(self._rules)
            self._rules = [active for active in self._rules if active.id != rule_id]
            self._update_flags()
            return len(self._rules) != before

    def clear(self) -> None:
        """Remove every rule and reset the counters."""
        with self._lock:
            self._rules.clear()
            self._counters = dict.fromkeys(FAULT_KINDS, 0)
            self._update_flags()

    def reseed(self, seed: int) -> None:
        """Restart the random sequence behind `rate`, so a run can be repeated exactly."""
        with self._lock:
            self._random.seed(seed)

    def rules(self) -> list[RuleStatus]:
        with self._lock:
            return [active.status() for active in self._rules]

    def counters(self) -> dict[str, int]:
        """Injected faults by kind since the last clear()."""
        with self._lock:
            return dict(self._counters)

    def wait_injected(self, kind: FaultKind, at_least: int, timeout: float) -> bool:
        """Block this thread until `kind` has fired `at_least` times (False on timeout); for tests."""
        with self._injected:
            return self._injected.wait_for(lambda: self._counters[kind] >= at_least, timeout)

    def decide(self, operation_names: Collection[str] | None) -> FaultDecision:
        """Pick what happens to one request; `operation_names` is None when the body was not parsed."""
        if not self._flags[0]:
            return _NO_FAULT
        latency_ms = 0
        fault: FaultRule | None = None
        with self._lock:
            for active in list(self._rules):
                rule = active.rule
                if fault is not None and rule.kind != "latency":
                    continue
                if rule.operation is not None and (
                    operation_names is None or rule.operation not in operation_names
                ):
                    continue
                if rule.rate is not None and self._random.random() >= rule.rate:
                    continue
                active.injected += 1
                self._counters[rule.kind] += 1
                if active.remaining is not None:
                    active.remaining -= 1
                    if active.remaining <= 0:
                        self._rules.remove(active)
                if rule.kind == "latency":
                    latency_ms += rule.latency_ms
                else:
                    fault = rule
            self._update_flags()
            self._injected.notify_all()
        if latency_ms == 0 and fault is None:
            return _NO_FAULT
        return FaultDecision(latency_ms, fault)

    def _update_flags(self) -> None:
        self._flags = (bool(self._rules), any(active.rule.operation is not None for active in self._rules))


# ----------------------------------------------------------------------------------------- request side


@functools.lru_cache(maxsize=512)
def _root_field_names(query: str, operation_name: str | None) -> frozenset[str]:
    try:
        document = parse(query, no_location=True)
    except GraphQLError:
        return frozenset()
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [op for op in operations if op.name is not None and op.name.value == operation_name]
    names: set[str] = set()

    def collect(selection_set: SelectionSetNode, seen: frozenset[str]) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                names.add(selection.name.value)
            elif isinstance(selection, InlineFragmentNode):
                collect(selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is not None and fragment.name.value not in seen:
                    collect(fragment.selection_set, seen | {fragment.name.value})

    for operation in operations:
        collect(operation.selection_set, frozenset())
    return frozenset(names)


def operation_names(body: bytes) -> frozenset[str]:
    """The `operationName` and every root field name of a GraphQL request body (or batch of them)."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return frozenset()
    requests = payload if isinstance(payload, list) else [payload]
    names: set[str] = set()
    for request in requests:
        if not isinstance(request, dict):
            continue
        operation_name = request.get("operationName")
        if not isinstance(operation_name, str):
            operation_name = None
        else:
            names.add(operation_name)
        query = request.get("query")
        if isinstance(query, str):
            names |= _root_field_names(query, operation_name)
    return frozenset(names)


async def read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None if the client went away first."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the already-read body to the inner app, then defers to the real one."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


class _CapturedResponse:
    """A `send` that keeps the inner app's response instead of sending it (phase "after")."""

    def __init__(self) -> None:
        self.body = bytearray()

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.body":
            self.body += message.get("body", b"")


# ---------------------------------------------------------------------------------------- response side


def _json_error(code: str, message: str, **extensions: Any) -> bytes:
    error = {"message": message, "extensions": {"code": code, **extensions}}
    return json.dumps({"errors": [error]}, separators=(",", ":")).encode()


async def _respond(
    send: Send, kind: str, status: int, body: bytes, extra: Iterable[tuple[bytes, bytes]] = ()
) -> None:
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (FAULT_HEADER, kind.encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


def _truncated(body: bytes) -> bytes:
    """A strict prefix of a JSON body that no JSON parser accepts."""
    body = body.rstrip()
    prefix = body[: len(body) // 2]
    try:
        json.loads(prefix)
    except (ValueError, UnicodeDecodeError):
        return prefix
    return _FALLBACK_TRUNCATED_BODY


async def _wait_for_disconnect(receive: Receive, seconds: float) -> bool:
    """Wait up to `seconds` without blocking the loop; True if the client hung up meanwhile."""
    with anyio.move_on_after(seconds):
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return True
    return False


async def _emit_fault(rule: FaultRule, receive: Receive, send: Send, inner_body: bytes | None) -> None:
    if rule.kind == "rate_limit":
        body = _json_error(
            "RATE_LIMITED",
            f"Too many requests, retry after {rule.retry_after} s",
            retryAfter=rule.retry_after,
        )
        await _respond(send, rule.kind, 429, body, [(b"retry-after", str(rule.retry_after).encode())])
    elif rule.kind == "server_error":
        phrase = http.HTTPStatus(rule.status).phrase
        body = _json_error(phrase.upper().replace(" ", "_"), phrase)
        extra = (
            [(b"retry-after", str(rule.retry_after).encode())]
            if "retry_after" in rule.model_fields_set
            else []
        )
        await _respond(send, rule.kind, rule.status, body, extra)
    elif rule.kind == "hang":
        if not await _wait_for_disconnect(receive, rule.hang_seconds):
            # Whoever waited this long gets what a load balancer in front of a stuck server sends.
            await _respond(send, rule.kind, 504, _json_error("GATEWAY_TIMEOUT", "Gateway timeout"))
    elif rule.kind == "malformed":
        await _respond(send, rule.kind, 200, _truncated(inner_body or _FALLBACK_TRUNCATED_BODY))
    elif rule.kind == "drop":
        # Promise more body than is ever sent, then return: uvicorn closes the connection on an unfinished
        # response, and the client sees a protocol error (peer closed before the complete message body).
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(_DROP_DECLARED_LENGTH).encode()),
            (FAULT_HEADER, b"drop"),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        partial = _truncated(inner_body or _FALLBACK_TRUNCATED_BODY)[: _DROP_DECLARED_LENGTH // 2]
        await send({"type": "http.response.body", "body": partial, "more_body": True})
    else:  # pragma: no cover - latency never becomes the fault, FaultInjector.decide sees to that
        raise AssertionError(f"not a terminal fault: {rule.kind}")


class FaultMiddleware:
    """Pure ASGI middleware applying the injector's rules to `POST /me` (other requests pass untouched).

    Nothing outside it may buffer responses (BaseHTTPMiddleware, GZip): that would turn a dropped
    connection into a complete response. Pure ASGI middleware like the request counter is fine.
    """

    def __init__(self, app: ASGIApp, injector: FaultInjector, *, paths: Collection[str] = ("/me",)) -> None:
        self.app = app
        self.injector = injector
        self.paths = frozenset(paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            not self.injector.active
            or scope["type"] != "http"
            or scope["method"] != "POST"
            or scope["path"] not in self.paths
        ):
            await self.app(scope, receive, send)
            return
        body: bytes | None = None
        names: frozenset[str] | None = None
        if self.injector.targets_operations:
            body = await read_body(receive)
            if body is None:
                return
            names = operation_names(body)
        decision = self.injector.decide(names)
        if decision.latency_ms:
            await anyio.sleep(decision.latency_ms / 1000)
        inner_receive = receive if body is None else replaying(body, receive)
        fault = decision.fault
        if fault is None:
            await self.app(scope, inner_receive, send)
            return
        inner_body: bytes | None = None
        if fault.phase == "after":
            captured = _CapturedResponse()
            await self.app(scope, inner_receive, captured.send)
            inner_body = bytes(captured.body)
        elif body is None and await read_body(receive) is None:
            # The body is read even though it is not used, so the connection stays in a clean state.
            return
        await _emit_fault(fault, receive, send, inner_body)


# ------------------------------------------------------------------------------------------------ admin


def fault_admin_routes(injector: FaultInjector) -> list[Route]:
    """`GET /_sandbox/faults` rules and counters; `POST` adds a rule (or `{"spec": "..."}` several);
    `DELETE` clears them all; `DELETE /_sandbox/faults/{id}` removes one."""

    async def list_faults(request: Request) -> JSONResponse:
        rules = [status.as_dict() for status in injector.rules()]
        return JSONResponse({"rules": rules, "counters": injector.counters()})

    async def add_fault(request: Request) -> JSONResponse:
        try:
            payload = await request.json()
        except ValueError:
            return JSONResponse({"error": "invalid_fault", "message": "body must be JSON"}, status_code=422)
        if not isinstance(payload, dict):
            return JSONResponse(
                {"error": "invalid_fault", "message": "body must be a JSON object"}, status_code=422
            )
        if set(payload) == {"spec"} and isinstance(payload["spec"], str):
            try:
                rules = parse_spec(payload["spec"])
            except ValueError as error:
                return JSONResponse({"error": "invalid_fault", "message": str(error)}, status_code=422)
            return JSONResponse({"ids": [injector.add(rule) for rule in rules]}, status_code=201)
        try:
            rule = FaultRule.model_validate(payload)
        except ValidationError as error:
            return JSONResponse(
                {"error": "invalid_fault", "message": _format_validation_error(error)}, status_code=422
            )
        rule_id = injector.add(rule)
        return JSONResponse({"id": rule_id, "rule": rule.model_dump()}, status_code=201)

    async def clear_faults(request: Request) -> JSONResponse:
        injector.clear()
        return JSONResponse({"cleared": True})

    async def remove_fault(request: Request) -> JSONResponse:
        rule_id = request.path_params["rule_id"]
        if not injector.remove(rule_id):
            return JSONResponse(
                {"error": "not_found", "message": f"no fault rule {rule_id!r}"}, status_code=404
            )
        return JSONResponse({"removed": rule_id})

    return [
        Route("/_sandbox/faults", list_faults, methods=["GET"]),
        Route("/_sandbox/faults", add_fault, methods=["POST"]),
        Route("/_sandbox/faults", clear_faults, methods=["DELETE"]),
        Route("/_sandbox/faults/{rule_id}", remove_fault, methods=["DELETE"]),
    ]
