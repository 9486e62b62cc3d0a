"""HTTP for the Hireflix client: one pooled connection, authentication, timeouts, retries and the
mapping of every failure onto `errors.py`. Everything about retrying lives in `GraphQLTransport.execute`.

When a request fails, two questions decide what happens:

1. Could the same request succeed later? (`HireflixError.retryable`: connection failures,
   timeouts, 408, 429, 5xx and unreadable bodies could; a refused key or a broken rule could not.)
2. Could it already have taken effect? It could not when the connection was never made, or when
   the server refused it outright (408, 429, 503 with Retry-After). Otherwise it may have.

Queries and idempotent mutations are retried whenever (1) holds. Other mutations are retried only
when (2) says it provably did not take effect; when it may have, `OutcomeUnknownError` is raised
and the caller decides (the client checks invites by e-mail before repeating them).

Waits between attempts: the server's Retry-After when it gives one no longer than
`retry_after_cap`, else exponential backoff with full jitter (base 0.2 s, cap 5 s).
`sleep` is injectable so tests never wait. No retry starts after `max_retries`, nor when its wait
would end past the `deadline` (a `time.monotonic()` value); `with_options` makes a view of the
transport with other values for both that shares the same connection pool.

Errors built from an answer carry its HTTP `status` and upstream `request_id` (see `errors.py`).

The API key goes out only in the `X-API-KEY` header. It is never logged, never put in an error
message or a repr, and removed from any response text before that text reaches an error.
"""

from __future__ import annotations

import copy
import itertools
import json
import logging
import random
import time
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from typing import Literal
from urllib.parse import urlsplit

import anyio
import httpx2

from hireflix_mcp.hireflix.config import ClientConfig
from hireflix_mcp.hireflix.errors import AuthenticationError
from hireflix_mcp.hireflix.errors import ConnectionFailed
from hireflix_mcp.hireflix.errors import GraphQLRequestError
from hireflix_mcp.hireflix.errors import HireflixError
from hireflix_mcp.hireflix.errors import MalformedResponseError
from hireflix_mcp.hireflix.errors import OutcomeUnknownError
from hireflix_mcp.hireflix.errors import PermissionDenied
from hireflix_mcp.hireflix.errors import RateLimitedError
from hireflix_mcp.hireflix.errors import ServerError
from hireflix_mcp.hireflix.errors import Timeout
from hireflix_mcp.hireflix.errors import from_graphql_errors
from hireflix_mcp.hireflix.observe import operation_sent
from hireflix_mcp.hireflix.operations import Operation

logger = logging.getLogger("hireflix_mcp.hireflix")

Sleep = Callable[[float], Awaitable[None]]

BACKOFF_BASE = 0.2
BACKOFF_CAP = 5.0
USER_AGENT = "hireflix-mcp/0.1 (+https://github.com/hireflix-mcp)"
REDACTED = "[redacted]"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
REQUEST_ID_HEADERS = ("x-request-id", "request-id")
"""Where an upstream request id would be: common conventions, since neither the sandbox nor the
documented Hireflix API sends one."""

Applied = Literal["no", "maybe"]


@dataclass
class _Failure(Exception):
    """One failed attempt: the error to raise, and whether the request may have taken effect."""

    error: HireflixError
    applied: Applied


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def request_id_of(response: httpx2.Response) -> str | None:
    for header in REQUEST_ID_HEADERS:
        value = response.headers.get(header)
        if value:
            return value
    return None


class _Pool:
    """The one `httpx2.AsyncClient` of a transport and its views, built on first use."""

    def __init__(self, build: Callable[[], httpx2.AsyncClient]) -> None:
        self._build = build
        # Built on the first request, not here: building one imports the HTTP stack and loads the CA
        # bundle (tens of ms), which a server would otherwise pay before answering its first request.
        self._client: httpx2.AsyncClient | None = None
        self._closed = False

    def client(self) -> httpx2.AsyncClient:
        if self._client is None:
            if self._closed:
                raise RuntimeError("Cannot send a request, as the client has been closed.")
            self._client = self._build()
        return self._client

    async def aclose(self) -> None:
        self._closed = True
        if self._client is not None:
            await self._client.aclose()


class GraphQLTransport:
    """Sends GraphQL operations to one Hireflix endpoint over one pooled `httpx2.AsyncClient`."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        transport: httpx2.AsyncBaseTransport | None,
        sleep: Sleep | None,
        backoff_base: float = BACKOFF_BASE,
        backoff_cap: float = BACKOFF_CAP,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        """`config`: where, with which key, how patiently. `transport` and `sleep` are the client's
        (`HireflixClient`, which says what None means)."""
        self._config = config
        self._url = config.api_url
        self._host = urlsplit(config.api_url).netloc or config.api_url
        self._key = config.api_key
        self.max_retries = config.max_retries
        self._sleep: Sleep = sleep or anyio.sleep
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._jitter = jitter
        self._transport = transport
        self.deadline: float | None = None
        """A `time.monotonic()` value after which no retry starts; None: no deadline."""
        self._pool = _Pool(self._build_client)
        self._owns_pool = True

    def __repr__(self) -> str:
        return f"GraphQLTransport(url={self._url!r}, max_retries={self.max_retries})"

    @property
    def url(self) -> str:
        return self._url

    def with_options(
        self, *, max_retries: int | None = None, deadline: float | None = None
    ) -> GraphQLTransport:
        """A view of this transport with other retry limits, sharing its connection pool.

        Closing the view leaves the pool open: it belongs to the transport that built it.
        """
        if max_retries is not None and max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        view = copy.copy(self)
        view._owns_pool = False
        if max_retries is not None:
            view.max_retries = max_retries
        if deadline is not None:
            view.deadline = deadline
        return view

    async def aclose(self) -> None:
        if self._owns_pool:
            await self._pool.aclose()

    def _http(self) -> httpx2.AsyncClient:
        """The pooled client, built on first use and then reused for every request."""
        return self._pool.client()

    def _build_client(self) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(
            transport=self._transport,
            # Proxy variables from the environment apply to the real API, never to a loopback sandbox.
            trust_env=urlsplit(self._url).hostname not in LOOPBACK_HOSTS,
            timeout=httpx2.Timeout(
                connect=self._config.connect_timeout,
                read=self._config.read_timeout,
                write=self._config.read_timeout,
                pool=self._config.connect_timeout,
            ),
            # Below common server keep-alive timeouts (uvicorn: 5 s), so a pooled connection is not
            # reused just as the server closes it, which would turn a harmless retry into an unknown outcome.
            limits=httpx2.Limits(max_connections=20, max_keepalive_connections=10, keepalive_expiry=4.0),
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "User-Agent": USER_AGENT,
            },
        )

    # ------------------------------------------------------------------------------ execute
    async def execute(
        self, operation: Operation, variables: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Send `operation` and return its `data`, retrying as its policy allows."""
        if self._key is None or not self._key.get_secret_value():
            raise AuthenticationError(operation.name, "No Hireflix API key is configured")
        body = json.dumps(
            {"query": operation.document, "variables": dict(variables or {}), "operationName": operation.name}
        )
        operation_sent(operation.name)
        for attempt in itertools.count(1):
            try:
                return await self._attempt(operation, body, variables)
            except _Failure as failure:
                error = failure.error
                careful = operation.retry in ("unsafe", "invite")
                if careful and failure.applied == "maybe":
                    logger.warning(
                        "Hireflix %s: outcome unknown after %s; not repeated",
                        operation.name,
                        type(error).__name__,
                    )
                    unknown = OutcomeUnknownError(operation.name, _cause(error))
                    unknown.status, unknown.request_id = error.status, error.request_id
                    raise unknown from error
                delay = self.next_retry(attempt, error.retry_after) if error.retryable else None
                if delay is None:
                    raise error from None
                logger.warning(
                    "Hireflix %s failed (%s); retry %d of %d in %.2f s",
                    operation.name,
                    type(error).__name__,
                    attempt,
                    self.max_retries,
                    delay,
                )
                await self.sleep(delay)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    async def sleep(self, seconds: float) -> None:
        await self._sleep(seconds)

    def next_retry(self, attempt: int, retry_after: float | None = None) -> float | None:
        """Seconds to wait before retry number `attempt` (1-based), or None when no retry may start:
        `max_retries` are used up, or the wait would end past the deadline."""
        if attempt > self.max_retries:
            return None
        delay = self.backoff_delay(attempt, retry_after)
        if self.deadline is not None and time.monotonic() + delay > self.deadline:
            return None
        return delay

    def backoff_delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number `attempt` (1-based)."""
        if retry_after is not None and retry_after <= self._config.retry_after_cap:
            return retry_after
        ceiling = min(self._backoff_cap, self._backoff_base * 2.0 ** (attempt - 1))
        return self._jitter() * ceiling

    def _redact(self, text: str) -> str:
        key = self._key.get_secret_value() if self._key is not None else ""
        return text.replace(key, REDACTED) if key else text

    async def _attempt(
        self, operation: Operation, body: str, variables: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        name = operation.name
        key = self._key.get_secret_value() if self._key is not None else ""
        logger.debug("Hireflix %s: sending", name)
        started = time.monotonic()
        try:
            response = await self._http().post(self._url, content=body, headers={"X-API-KEY": key})
        except (httpx2.ConnectTimeout, httpx2.PoolTimeout):
            raise _Failure(
                Timeout(name, self._config.connect_timeout, phase="accept the connection"), "no"
            ) from None
        except httpx2.ConnectError as exc:
            reason = self._redact(str(exc)) or type(exc).__name__
            raise _Failure(ConnectionFailed(name, self._host, reason), "no") from None
        except httpx2.TimeoutException:
            raise _Failure(Timeout(name, self._config.read_timeout), "maybe") from None
        except httpx2.TransportError as exc:
            reason = self._redact(str(exc)) or type(exc).__name__
            raise _Failure(
                ConnectionFailed(name, self._host, f"connection lost: {reason}", sent=True), "maybe"
            ) from None
        elapsed_ms = (time.monotonic() - started) * 1000
        logger.debug("Hireflix %s: HTTP %d in %.0f ms", name, response.status_code, elapsed_ms)
        try:
            return self._interpret(operation, response, variables)
        except _Failure as failure:
            failure.error.status = response.status_code
            failure.error.request_id = request_id_of(response)
            raise

    def _interpret(
        self, operation: Operation, response: httpx2.Response, variables: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        name = operation.name
        status = response.status_code
        text = self._redact(response.text)
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        payload = _json_or_none(text)
        if status == 401:
            raise _Failure(AuthenticationError(name), "no")
        if status == 403:
            raise _Failure(PermissionDenied(name, "Hireflix refused the request (HTTP 403)"), "no")
        if status == 408:
            raise _Failure(Timeout(name, None, phase="receive the whole request in time (HTTP 408)"), "no")
        if status == 429:
            raise _Failure(RateLimitedError(name, retry_after), "no")
        if status >= 500:
            refused = status == 503 and retry_after is not None
            raise _Failure(ServerError(name, status, retry_after), "no" if refused else "maybe")
        if status >= 400:
            errors = payload.get("errors") if isinstance(payload, dict) else None
            if isinstance(errors, list) and errors:
                raise _Failure(from_graphql_errors(errors, name, variables), "no")
            raise _Failure(GraphQLRequestError(name, [f"HTTP {status}: {text[:200]}"]), "no")
        if not isinstance(payload, dict) or ("data" not in payload and "errors" not in payload):
            detail = "not JSON" if payload is None else "JSON without data or errors"
            raise _Failure(MalformedResponseError(name, f"HTTP {status}, {detail}"), "maybe")
        errors = payload.get("errors")
        if isinstance(errors, list) and errors:
            error = from_graphql_errors(errors, name, variables)
            # A resolver that crashed may have crashed half-way through a mutation.
            raise _Failure(error, "maybe" if error.retryable else "no")
        data = payload.get("data")
        if not isinstance(data, dict):
            raise _Failure(MalformedResponseError(name, f"HTTP {status}, data is not an object"), "maybe")
        return data


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _cause(error: HireflixError) -> str:
    if isinstance(error, Timeout):
        return "no answer before the read timeout"
    if isinstance(error, ConnectionFailed):
        return "the connection dropped after the request was sent"
    if isinstance(error, ServerError):
        return f"HTTP {error.status}"
    if isinstance(error, MalformedResponseError):
        return "the answer was unreadable"
    return type(error).__name__
