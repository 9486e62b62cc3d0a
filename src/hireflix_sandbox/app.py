"""The sandbox as an ASGI app: `POST /me` (Hireflix's company API) plus a sandbox-only admin API.

Routes (all under the same API key, sent as `X-API-KEY: <key>` or `Authorization: Bearer <key>`, checked
before any body is read; and only for a `Host` this sandbox is reached by, like the MCP server: a web
page cannot reach it by DNS rebinding):
    POST   /me                                   GraphQL, executed over schema.graphql
    POST   /_sandbox/interviews/{id}/complete    the candidate finishes (answers, transcripts, webhook)
    GET    /_sandbox/requests                    POST /me counts by operationName and root field
    POST   /_sandbox/requests/reset              zero those counts
    GET    /_sandbox/health                      liveness (no key needed)
    GET|POST|DELETE /_sandbox/faults[/{id}]      fault rules (faults.py)
    GET|DELETE /_sandbox/webhooks/deliveries, POST /_sandbox/webhooks/drain   (webhooks.py)
    GET    /media/interviews/{id}/answers/{answer}.webm|.jpg   an answer's video and thumbnail (media.py;
                                                 no key needed, like a CDN link)

Transport behaves like Hireflix: HTTP 200 with a top-level `errors` array for bad keys, invalid documents
and resolver faults; HTTP 400 only for a body that is not a GraphQL request at all.
"""

from __future__ import annotations

import argparse
import copy
import functools
import hmac
import json
import logging
import os
import random
import secrets
import sys
from collections.abc import AsyncIterator
from collections.abc import Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from urllib.parse import urlsplit

from graphql import DocumentNode
from graphql import GraphQLError
from graphql import execute_sync
from graphql import parse
from graphql import validate
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.routing import Route
from starlette.types import ASGIApp
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

from .backend import NotFound
from .backend import RequestContext
from .candidate import InterviewStateError
from .candidate import complete_interview
from .counting import RequestCounter
from .counting import describe_request
from .demo_data import bootstrap
from .faults import FaultInjector
from .faults import FaultMiddleware
from .faults import fault_admin_routes
from .faults import read_body
from .faults import replaying
from .ids import epoch_ms
from .media import MEDIA_PATH
from .media import media_routes
from .resolvers import implemented_fields
from .resolvers import sandbox_schema
from .store import MemberRecord
from .store import Store
from .webhooks import WebhookDispatcher
from .webhooks import is_loopback_host
from .webhooks import webhook_admin_routes
from .webhooks import webhook_snapshot

logger = logging.getLogger("hireflix_sandbox")

SCHEMA = sandbox_schema()  # built once, at import
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
DOCUMENTED_API_KEY = "sandbox-api-key"
"""The key `hireflix-mcp sandbox` serves on loopback when given none: easy to type, and reachable only
from this machine. Off loopback, or embedded in `serve --sandbox`, a sandbox makes a random one."""


@dataclass(frozen=True)
class SandboxConfig:
    """Everything that makes one sandbox differ from another, fixed at start."""

    db_path: str = ":memory:"
    api_key: str | None = None  # None: a random key, made at start (nobody types it: see `main`)
    seed: int = 1
    invite_quota: int | None = None
    webhook_secret: str | None = None  # None: the company's, made at random with its database
    faults: str | None = None  # a fault spec (see faults.py), applied from the start
    demo_data: bool = True
    demo_size: int = 0  # recorded interviews of a large account added to a new database (large_demo.py)
    allowed_hosts: tuple[str, ...] = ()  # Host names served besides the loopback ones (LOOPBACK_HOSTS)


# ---------------------------------------------------------------- request counting


class RequestCountingMiddleware:
    """Counts every `POST /me` (including ones a fault then swallows), replaying the body it read. A request
    without the right key is counted as anonymous, its body never read (`ApiKeyMiddleware` refuses it)."""

    def __init__(self, app: ASGIApp, counter: RequestCounter, api_key: str) -> None:
        self.app = app
        self.counter = counter
        self.api_key = api_key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != "/me":
            await self.app(scope, receive, send)
            return
        if not key_matches(presented_key(Headers(scope=scope)), self.api_key):
            self.counter.record(None, ())
            await self.app(scope, receive, send)
            return
        body = await read_body(receive)
        if body is None:
            return
        self.counter.record(*describe_request(body))
        await self.app(scope, replaying(body, receive), send)


# ---------------------------------------------------------------- auth


def presented_key(headers: Headers) -> str | None:
    """The key in `X-API-KEY` (any case) or `Authorization: Bearer <key>`, if any."""
    key = headers.get("x-api-key")
    if key and key.strip():
        return key.strip()
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def key_matches(presented: str | None, expected: str) -> bool:
    if presented is None:
        return False
    return hmac.compare_digest(presented.encode("utf-8"), expected.encode("utf-8"))


class ApiKeyMiddleware:
    """Every route but health needs the API key, checked before anything reads the request's body: a
    stranger cannot make the sandbox read (and hold) a body. `POST /me` answers as Hireflix does (200 with
    an UNAUTHENTICATED error); the admin API, which can change any state, with a 401."""

    def __init__(self, app: ASGIApp, api_key: str) -> None:
        self.app = app
        self.api_key = api_key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        guarded = path == "/me" or (path.startswith("/_sandbox/") and path != "/_sandbox/health")
        if (
            scope["type"] == "http"
            and guarded
            and not key_matches(presented_key(Headers(scope=scope)), self.api_key)
        ):
            if path == "/me":
                message = "Invalid or missing API key (send it as X-API-KEY)"
                response = JSONResponse({"data": None, "errors": [_error(message, "UNAUTHENTICATED")]})
            else:
                response = JSONResponse(
                    {"error": "unauthenticated", "message": "The sandbox admin API needs the API key"},
                    status_code=401,
                )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
"""The Host names a client on this machine reaches the sandbox by (any port)."""


def _host_name(host: str) -> str:
    """'127.0.0.1:8765' -> '127.0.0.1', '[::1]:8765' -> '[::1]', lowercased."""
    host = host.strip().lower()
    if host.startswith("["):
        return host.partition("]")[0] + "]"
    return host.rpartition(":")[0] if host.count(":") == 1 else host


class HostCheckMiddleware:
    """Serves only requests whose `Host` names this sandbox (loopback names and `allowed_hosts`), and whose
    `Origin`, when a browser sends one, is such a name too: a web page that rebinds its own domain to
    127.0.0.1 gets 421, a page from another origin 403 (as the MCP server answers). Answer media
    (`/media/`, read-only files like a CDN's) are for any page's <video>: their Origin is not checked
    (a sandboxed view sends `Origin: null`)."""

    def __init__(self, app: ASGIApp, allowed_hosts: tuple[str, ...]) -> None:
        self.app = app
        self.names = frozenset(_host_name(h) for h in (*LOOPBACK_HOSTS, *allowed_hosts))

    def _refusal(self, headers: Headers, path: str) -> Response | None:
        origin = None if path.startswith(MEDIA_PATH) else headers.get("origin")
        if _host_name(headers.get("host", "")) not in self.names:
            message, status = "This Host is not served here; use 127.0.0.1", 421
        elif origin is not None and _host_name(urlsplit(origin).netloc) not in self.names:
            message, status = "Requests from this Origin are not served", 403
        else:
            return None
        return JSONResponse({"error": "refused", "message": message}, status_code=status)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        refusal = (
            self._refusal(Headers(scope=scope), scope.get("path", "")) if scope["type"] == "http" else None
        )
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)


# ---------------------------------------------------------------- runtime and GraphQL endpoint


@dataclass
class SandboxRuntime:
    """The live parts of one sandbox app, reachable from tests as `runtime_of(app)`."""

    config: SandboxConfig
    store: Store
    owner: MemberRecord
    api_key: str
    webhook_secret: str
    counter: RequestCounter
    injector: FaultInjector
    dispatcher: WebhookDispatcher
    rng: random.Random = field(default_factory=random.SystemRandom)


def runtime_of(app: Starlette) -> SandboxRuntime:
    runtime = getattr(app.state, "sandbox", None)
    if not isinstance(runtime, SandboxRuntime):
        raise TypeError("not an app made by hireflix_sandbox.app.create_app")
    return runtime


def _error(message: str, code: str) -> dict[str, Any]:
    return {"message": message, "extensions": {"code": code}}


def _format_error(error: GraphQLError, default_code: str) -> dict[str, Any]:
    formatted: dict[str, Any] = {**error.formatted}
    extensions = dict(formatted.get("extensions") or {})
    if "code" not in extensions:
        original = error.original_error
        if error.path is not None and original is not None and not isinstance(original, GraphQLError):
            logger.error("resolver fault at %s", error.path, exc_info=original)
            extensions["code"] = "INTERNAL_SERVER_ERROR"
        else:
            extensions["code"] = default_code
    formatted["extensions"] = extensions
    return formatted


@functools.lru_cache(maxsize=256)
def _checked_document(query: str) -> tuple[DocumentNode | None, dict[str, Any] | None]:
    """The parsed and validated document, or the error body: cached, as clients send the same few texts."""
    try:
        document = parse(query)
    except GraphQLError as error:
        return None, {"errors": [_format_error(error, "GRAPHQL_PARSE_FAILED")]}
    validation_errors = validate(SCHEMA, document)
    if validation_errors:
        return None, {"errors": [_format_error(e, "GRAPHQL_VALIDATION_FAILED") for e in validation_errors]}
    return document, None


def execute_request(
    query: str, variables: dict[str, Any] | None, operation_name: str | None, ctx: RequestContext
) -> dict[str, Any]:
    """Parse, validate and run one GraphQL request; the JSON response body."""
    document, early = _checked_document(query)
    if document is None:
        return copy.deepcopy(early) if early else {}
    result = execute_sync(
        SCHEMA, document, context_value=ctx, variable_values=variables, operation_name=operation_name
    )
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        # Errors without a path come before execution (bad variables, no such operation): the caller's input.
        body["errors"] = [
            _format_error(e, "BAD_USER_INPUT" if e.path is None else "INTERNAL_SERVER_ERROR")
            for e in result.errors
        ]
    return body


def _bad_request(message: str) -> JSONResponse:
    return JSONResponse({"errors": [_error(message, "BAD_REQUEST")]}, status_code=400)


def _client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


async def _graphql_endpoint(runtime: SandboxRuntime, request: Request) -> Response:
    # The key was checked before the body was read (ApiKeyMiddleware).
    raw = await request.body()
    try:
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return _bad_request(
            'The request body must be JSON: {"query": ..., "variables": ..., "operationName": ...}'
        )
    if not isinstance(payload, dict):
        return _bad_request("The request body must be a JSON object (batches are not supported)")
    query = payload.get("query")
    if not isinstance(query, str) or not query.strip():
        return _bad_request("The request has no GraphQL query (the `query` string)")
    variables = payload.get("variables")
    if variables is not None and not isinstance(variables, dict):
        return _bad_request("`variables` must be a JSON object")
    operation_name = payload.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        return _bad_request("`operationName` must be a string")
    ctx = RequestContext(
        store=runtime.store,
        actor=runtime.owner,
        webhook_secret=runtime.webhook_secret,
        invite_quota=runtime.config.invite_quota,
        ip=_client_ip(request),
        host=request.headers.get("host"),
        referer=request.headers.get("referer"),
        media_base=str(request.base_url),
        rng=runtime.rng,
    )
    # Executed on the event loop thread: resolvers are short SQLite calls under the store's lock, so a
    # worker thread would only add a hop; requests still interleave between their awaits.
    body = execute_request(query, variables, operation_name, ctx)
    for event, data in ctx.events:
        await runtime.dispatcher.emit(event, data)
    return JSONResponse(body)


# ---------------------------------------------------------------- admin endpoints


async def _complete_endpoint(runtime: SandboxRuntime, request: Request) -> Response:
    interview_id = request.path_params["interview_id"]
    options: Any = {}
    raw = await request.body()
    if raw.strip():
        try:
            options = json.loads(raw)
        except ValueError:
            options = None
        if not isinstance(options, dict):
            return JSONResponse(
                {"error": "bad_request", "message": "body must be a JSON object"}, status_code=400
            )
    ip = options.get("ip") or _client_ip(request)
    user_agent = options.get("userAgent") or request.headers.get("user-agent")
    try:
        interview = complete_interview(
            runtime.store,
            interview_id,
            now=epoch_ms(),
            ip=str(ip) if ip else None,
            user_agent=str(user_agent) if user_agent else None,
        )
    except NotFound as exc:
        return JSONResponse({"error": "not_found", "message": str(exc)}, status_code=404)
    except InterviewStateError as exc:
        return JSONResponse({"error": "conflict", "message": str(exc)}, status_code=409)
    await runtime.dispatcher.emit("interview.finish", webhook_snapshot(runtime.store, interview))
    return JSONResponse(
        {"id": interview.id, "status": interview.status, "completedAt": interview.completed_at}
    )


def _admin_routes(runtime: SandboxRuntime) -> list[BaseRoute]:
    async def graphql(request: Request) -> Response:
        return await _graphql_endpoint(runtime, request)

    async def complete(request: Request) -> Response:
        return await _complete_endpoint(runtime, request)

    async def requests(_request: Request) -> Response:
        return JSONResponse(runtime.counter.snapshot())

    async def reset_requests(_request: Request) -> Response:
        runtime.counter.reset()
        return JSONResponse(runtime.counter.snapshot())

    async def health(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return [
        Route("/me", graphql, methods=["POST"]),
        Route("/_sandbox/interviews/{interview_id}/complete", complete, methods=["POST"]),
        Route("/_sandbox/requests", requests, methods=["GET"]),
        Route("/_sandbox/requests/reset", reset_requests, methods=["POST"]),
        Route("/_sandbox/health", health, methods=["GET"]),
    ]


def _compose(runtime: SandboxRuntime) -> tuple[list[Middleware], list[BaseRoute]]:
    """The one place where the parts meet. Middleware runs outermost first: the Host check; the request
    counter (which reads no body without the key); the key check, before anything else can read a body;
    then fault injection (faulted requests were counted)."""
    middleware = [
        Middleware(HostCheckMiddleware, runtime.config.allowed_hosts),
        Middleware(RequestCountingMiddleware, runtime.counter, runtime.api_key),
        Middleware(ApiKeyMiddleware, runtime.api_key),
        Middleware(FaultMiddleware, runtime.injector),
    ]
    routes = [
        *_admin_routes(runtime),
        *fault_admin_routes(runtime.injector),
        *webhook_admin_routes(runtime.dispatcher),
        *media_routes(runtime.store),
    ]
    return middleware, routes


def create_app(config: SandboxConfig | None = None) -> Starlette:
    """A ready sandbox: the store opened (and seeded if empty); the lifespan closes store and dispatcher."""
    config = config or SandboxConfig()
    store = Store(config.db_path)
    if store.is_empty():
        bootstrap(store, seed=config.seed, demo=config.demo_data, now_ms=epoch_ms())
        if config.demo_size:
            from .large_demo import add_large_account

            add_large_account(store, config.demo_size, seed=config.seed, now_ms=epoch_ms())
    secret = config.webhook_secret or store.company().webhook_secret
    runtime = SandboxRuntime(
        config=config,
        store=store,
        owner=store.owner(),
        api_key=config.api_key or "sbx_" + secrets.token_urlsafe(24),
        webhook_secret=secret,
        counter=RequestCounter(),
        injector=FaultInjector.from_spec(config.faults, seed=config.seed),
        dispatcher=WebhookDispatcher(subscriptions=store.subscribed_urls, secret=lambda: secret),
    )

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            try:
                await runtime.dispatcher.aclose()
            finally:
                runtime.store.close()

    middleware, routes = _compose(runtime)
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.sandbox = runtime
    return app


# ---------------------------------------------------------------- serving and the CLI


def run(
    config: SandboxConfig, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, log_level: str = "info"
) -> None:
    """Serve the sandbox with uvicorn until interrupted, logging to stderr."""
    import uvicorn

    logging.basicConfig(
        level=log_level.upper(), stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    app = create_app(config)
    key = runtime_of(app).api_key
    shown_host = f"[{host}]" if ":" in host else host
    print(f"Hireflix sandbox: http://{shown_host}:{port}/me", file=sys.stderr)
    print(f"  API key: {key}   database: {config.db_path}   seed: {config.seed}", file=sys.stderr)
    print(f"  use it: HIREFLIX_API_URL=http://{shown_host}:{port}/me HIREFLIX_API_KEY={key}", file=sys.stderr)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)


def on_loopback(host: str) -> bool:
    """Whether a server bound to `host` is reachable from this machine only."""
    return is_loopback_host(host.strip("[]"))


def api_key_for(host: str, given: str | None) -> str | None:
    """The key a standalone sandbox bound to `host` serves: the one given; else the documented key on
    loopback; else None (a random key), since anyone on the network could type the documented one."""
    if given:
        return given
    return DOCUMENTED_API_KEY if on_loopback(host) else None


def allowed_hosts_for(host: str, listed: str) -> tuple[str, ...]:
    """The Host names a standalone sandbox bound to `host` serves besides the loopback ones: those listed,
    and the address it is bound to when that is one address (not a wildcard such as 0.0.0.0)."""
    names = [name.strip() for name in listed.split(",") if name.strip()]
    if host not in ("0.0.0.0", "::", "") and not on_loopback(host):  # noqa: S104 - comparing, not binding
        names.append(f"[{host}]" if ":" in host else host)
    return tuple(names)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hireflix-mcp sandbox",
        description="Run a local Hireflix (company API at POST /me) with demo data.",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help="interface to listen on (default %(default)s)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (default %(default)s)")
    parser.add_argument(
        "--db",
        default=os.environ.get("HIREFLIX_SANDBOX_DB") or ":memory:",
        help="SQLite file that keeps state across restarts (env HIREFLIX_SANDBOX_DB; default in memory)",
    )
    parser.add_argument(
        "--api-key",
        default=os.environ.get("HIREFLIX_SANDBOX_API_KEY") or None,
        help=f"the key clients must send (env HIREFLIX_SANDBOX_API_KEY; default {DOCUMENTED_API_KEY} on "
        "loopback, else a random key shown at start)",
    )
    parser.add_argument(
        "--allowed-hosts",
        default=os.environ.get("HIREFLIX_SANDBOX_ALLOWED_HOSTS") or "",
        help="Host header names served besides 127.0.0.1, localhost and [::1] (and the --host bound to), "
        "comma-separated (env HIREFLIX_SANDBOX_ALLOWED_HOSTS)",
    )
    parser.add_argument("--seed", type=int, default=1, help="demo data seed (default %(default)s)")
    parser.add_argument("--invite-quota", type=int, default=None, help="invites allowed per calendar month")
    parser.add_argument(
        "--faults",
        default=os.environ.get("HIREFLIX_SANDBOX_FAULTS") or None,
        help="fault rules, e.g. 'rate_limit:rate=0.1;latency:ms=40' (env HIREFLIX_SANDBOX_FAULTS)",
    )
    parser.add_argument(
        "--no-demo-data", action="store_true", help="start an empty company (new databases only)"
    )
    parser.add_argument(
        "--demo-size",
        type=int,
        default=0,
        metavar="N",
        help="add a large account: N recorded interviews, six answers each, English and Spanish "
        "(new databases only; 10000 takes about 20 s)",
    )
    parser.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    parser.add_argument(
        "--list-fields", action="store_true", help="print the schema fields the sandbox implements, then exit"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """`hireflix-mcp sandbox [...]`: parse flags (env fallbacks) and serve until interrupted."""
    args = build_parser().parse_args(argv)
    if args.list_fields:
        print("\n".join(implemented_fields()))
        return 0
    if args.invite_quota is not None and args.invite_quota < 0:
        print("--invite-quota must not be negative", file=sys.stderr)
        return 2
    try:
        FaultInjector.from_spec(args.faults)
    except ValueError as exc:
        print(f"--faults: {exc}", file=sys.stderr)
        return 2
    config = SandboxConfig(
        db_path=args.db,
        api_key=api_key_for(args.host, args.api_key),
        seed=args.seed,
        invite_quota=args.invite_quota,
        faults=args.faults,
        demo_data=not args.no_demo_data,
        demo_size=max(args.demo_size, 0),
        allowed_hosts=allowed_hosts_for(args.host, args.allowed_hosts),
    )
    run(config, host=args.host, port=args.port, log_level=args.log_level)
    return 0
