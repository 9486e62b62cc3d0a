"""Webhook delivery: every event POSTed, signed, to each active webhook subscribed to it, as Hireflix does.

Contract used by the resolvers and app.py:
    dispatcher = WebhookDispatcher(subscriptions=callable(event) -> list[url], secret=callable() -> str)
    await dispatcher.emit("interview.finish", snapshot_dict)  # schedules signed POSTs, returns at once
    await dispatcher.drain(timeout=5.0)                       # wait until every scheduled delivery ended
    dispatcher.deliveries                                     # log of attempts (url, event, status, ...)
    await dispatcher.aclose()
    routes = webhook_admin_routes(dispatcher)                 # /_sandbox/webhooks/deliveries, /drain

Delivery goes to loopback only (127.0.0.0/8, ::1, localhost): the sandbox is a local test service, so
nothing a tool call registers can make it send candidate data off this machine. A webhook to any other
host is recorded as failed, without a connection. The URL is parsed once, and that parsed form is both
checked and contacted; redirects are not followed.

Wire format: body `{"event": ..., "date": <epoch ms>, "data": webhook_snapshot(...)}` serialised compactly
(Hireflix's own verifier re-serialises compactly, so the bytes must match), header
`x-hireflix-signature: base64(HMAC-SHA256(secret, body))`, `content-type: application/json`.

Lifecycle: no start() is needed. Deliveries are asyncio tasks on the loop that first calls emit() (the
sandbox's uvicorn loop), kept in a set so none is lost. Call aclose() (or leave `async with dispatcher:`)
in the app's lifespan shutdown: it lets running deliveries finish for a short grace, cancels the rest
(recorded as failed) and closes the HTTP client it made. drain(), emit() and aclose() may be awaited from
another thread's loop (a test's): the work is handed to the owning loop.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import ipaddress
import itertools
import json
import logging
import re
import threading
import time
from collections.abc import Callable
from collections.abc import Coroutine
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import replace
from types import TracebackType
from typing import Any
from typing import Final
from typing import Literal
from typing import TypeVar
from typing import get_args

import httpx2
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from . import ids
from .store import InterviewRecord
from .store import Store

logger = logging.getLogger(__name__)

WebhookEvent = Literal[
    "interview.create",
    "interview.finish",
    "interview.status-change",
    "interview.delete",
    "interview.score-updated",
]
EVENTS: Final[tuple[str, ...]] = get_args(WebhookEvent)
SIGNATURE_HEADER: Final = "x-hireflix-signature"
USER_AGENT: Final = "hireflix-sandbox-webhooks/1"

DeliveryState = Literal["pending", "delivered", "failed"]
# A Python str can hold lone surrogates (json.loads turns "\\ud800" into one); they cannot be encoded as
# UTF-8, so they are written as JSON escapes, which is also what JavaScript's JSON.stringify does.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_T = TypeVar("_T")


LOOPBACK_ONLY: Final = (
    "not sent: the sandbox delivers webhooks to loopback addresses only (127.0.0.1, ::1, localhost)"
)


def is_loopback_host(host: str) -> bool:
    """Whether `host` (as an HTTP client connects to it) is this machine: a literal loopback address or
    `localhost`. Names that merely resolve to loopback do not count: their answer can change."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_event(event: str) -> None:
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}; expected one of: {', '.join(EVENTS)}")


def encode_event(event: str, data: Mapping[str, Any], date_ms: int) -> bytes:
    """The exact body Hireflix sends: compact JSON, UTF-8, keys in the order event, date, data."""
    check_event(event)
    payload = {"event": event, "date": date_ms, "data": data}
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return _LONE_SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text).encode("utf-8")


def webhook_snapshot(store: Store, interview: InterviewRecord) -> dict[str, Any]:
    """The `data` of a webhook event: exactly the fields Hireflix sends, no more."""
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
            "name": interview.full_name,
            "firstName": interview.first_name,
            "lastName": interview.last_name,
            "email": interview.email,
            "phone": interview.phone,
        },
        "url": ids.interview_urls(interview.hash, interview.id),
    }


def sign(secret: str, body: bytes) -> str:
    """base64(HMAC-SHA256(secret, body)), the value of `x-hireflix-signature`."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify(secret: str, body: bytes, signature: str) -> bool:
    """Whether `signature` is the signature of `body` under `secret`, compared in constant time."""
    return hmac.compare_digest(sign(secret, body).encode("ascii"), signature.encode("utf-8", "replace"))


@dataclass(frozen=True)
class Delivery:
    """One event to one URL: what was sent and, so far, what came of it."""

    id: str
    url: str
    event: str
    body: bytes
    signature: str
    state: DeliveryState = "pending"
    attempts: int = 0
    status_code: int | None = None
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, the body as text."""
        record = asdict(self)
        record["body"] = self.body.decode("utf-8")
        return record


class WebhookDispatcher:
    """Schedules signed POSTs for events and keeps a log of every delivery.

    Each delivery is tried up to `max_attempts` times, `retry_backoff` seconds doubling between tries, on
    connection errors, timeouts and 5xx answers; any other answer (2xx done, 3xx/4xx failed) is final.
    The log keeps the newest `log_limit` deliveries.
    """

    def __init__(
        self,
        subscriptions: Callable[[str], Sequence[str]],
        secret: Callable[[], str],
        *,
        timeout: float = 5.0,
        max_attempts: int = 3,
        client: httpx2.AsyncClient | None = None,
        retry_backoff: float = 0.1,
        clock: Callable[[], float] = time.time,
        log_limit: int = 10_000,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self._subscriptions = subscriptions
        self._secret = secret
        self._timeout = timeout
        self._max_attempts = max_attempts
        self._client = client
        self._owns_client = client is None
        self._retry_backoff = retry_backoff
        self._clock = clock
        self._log_limit = log_limit
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._records: dict[str, Delivery] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False

    # ------------------------------------------------------------------------------------ public side

    @property
    def deliveries(self) -> list[Delivery]:
        """Every delivery scheduled since the last clear, in the order they were scheduled."""
        with self._lock:
            return list(self._records.values())

    @property
    def pending(self) -> int:
        """Deliveries still running (including their retries)."""
        return len(self._tasks)

    def clear_deliveries(self) -> None:
        """Forget finished deliveries (running ones stay in the log)."""
        with self._lock:
            self._records = {
                key: record for key, record in self._records.items() if record.state == "pending"
            }

    async def emit(self, event: str, data: Mapping[str, Any]) -> None:
        """Schedule one signed delivery per subscribed webhook and return without waiting for them."""
        check_event(event)
        if self._closed:
            raise RuntimeError("the webhook dispatcher is closed")
        urls = list(self._subscriptions(event))
        if not urls:
            return
        body = encode_event(event, data, int(self._clock() * 1000))
        signature = sign(self._secret(), body)
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        await self._in_owner_loop(lambda: self._schedule(event, urls, body, signature))

    async def drain(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109 - the documented interface
        """Wait until every scheduled delivery has ended; TimeoutError if any still runs after `timeout`."""
        await self._in_owner_loop(lambda: self._drain_here(timeout))

    async def aclose(self, grace: float = 1.0) -> None:
        """Refuse new events, give running deliveries `grace` seconds, cancel the rest, close the client."""
        self._closed = True
        await self._in_owner_loop(lambda: self._close_here(grace))

    async def __aenter__(self) -> WebhookDispatcher:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    # ---------------------------------------------------------------------------- inside the owner loop

    async def _in_owner_loop(self, work: Callable[[], Coroutine[Any, Any, _T]]) -> _T:
        owner = self._loop
        if owner is None or owner is asyncio.get_running_loop():
            return await work()
        if owner.is_closed() or not owner.is_running():
            raise RuntimeError("the event loop running the webhook dispatcher has stopped")
        # Cancelling the caller cancels the work in the owner loop too (run_coroutine_threadsafe does that).
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work(), owner))

    async def _schedule(self, event: str, urls: Sequence[str], body: bytes, signature: str) -> None:
        for url in urls:
            record = Delivery(f"wh{next(self._ids)}", url, event, body, signature)
            with self._lock:
                self._records[record.id] = record
                if len(self._records) > self._log_limit:
                    self._trim_log()
            task = asyncio.get_running_loop().create_task(self._deliver(record), name=f"webhook {record.id}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _drain_here(self, seconds: float) -> None:
        async with asyncio.timeout(seconds):
            # Loop, because a delivery may finish while another event schedules more.
            while running := {task for task in self._tasks if not task.done()}:
                await asyncio.wait(running)

    async def _close_here(self, grace: float) -> None:
        try:
            await self._drain_here(grace)
        except TimeoutError:
            remaining = set(self._tasks)
            for task in remaining:
                task.cancel()
            await asyncio.gather(*remaining, return_exceptions=True)
        if self._owns_client and self._client is not None:
            await self._client.aclose()
            self._client = None

    def _trim_log(self) -> None:
        """Drop the oldest finished deliveries down to 90% of the limit (a long benchmark stays bounded)."""
        excess = len(self._records) - self._log_limit * 9 // 10
        finished = [key for key, record in self._records.items() if record.state != "pending"][:excess]
        for key in finished:
            del self._records[key]

    def _update(self, record: Delivery, **changes: Any) -> Delivery:
        record = replace(record, **changes)
        with self._lock:
            if record.id in self._records:
                self._records[record.id] = record
        return record

    def _http(self) -> httpx2.AsyncClient:
        if self._client is None:
            # trust_env=False: a proxy configured for the machine must not intercept loopback receivers.
            self._client = httpx2.AsyncClient(timeout=self._timeout, follow_redirects=False, trust_env=False)
        return self._client

    async def _deliver(self, record: Delivery) -> None:
        try:
            target = httpx2.URL(record.url)
        except httpx2.InvalidURL as error:
            self._update(record, attempts=0, state="failed", error=_describe(error))
            return
        if not is_loopback_host(target.host):
            logger.info("webhook %s to a non-loopback host not sent", record.id)
            self._update(record, attempts=0, state="failed", error=LOOPBACK_ONLY)
            return
        headers = {
            "content-type": "application/json",
            SIGNATURE_HEADER: record.signature,
            "user-agent": USER_AGENT,
        }
        try:
            for attempt in range(1, self._max_attempts + 1):
                retry = False
                try:
                    response = await self._http().post(target, content=record.body, headers=headers)
                except httpx2.UnsupportedProtocol as error:
                    record = self._update(record, attempts=attempt, state="failed", error=_describe(error))
                    return
                except httpx2.TransportError as error:
                    record = self._update(record, attempts=attempt, error=_describe(error), status_code=None)
                    retry = True
                except httpx2.InvalidURL as error:
                    record = self._update(record, attempts=attempt, state="failed", error=_describe(error))
                    return
                else:
                    status = response.status_code
                    record = self._update(record, attempts=attempt, status_code=status, error=None)
                    if 200 <= status < 300:
                        record = self._update(record, state="delivered")
                        return
                    retry = status >= 500
                if not retry or attempt == self._max_attempts:
                    record = self._update(record, state="failed")
                    return
                await asyncio.sleep(self._retry_backoff * 2 ** (attempt - 1))
        except asyncio.CancelledError:
            self._update(record, state="failed", error="cancelled: the dispatcher closed")
            raise
        except Exception:
            # Top of a background task: nobody awaits it, so an unexpected fault is logged and recorded
            # here instead of vanishing as "Task exception was never retrieved".
            logger.exception("webhook delivery %s to %s failed unexpectedly", record.id, record.url)
            self._update(record, state="failed", error="internal error in the sandbox")


def _describe(error: Exception) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def webhook_admin_routes(dispatcher: WebhookDispatcher) -> list[Route]:
    """`GET /_sandbox/webhooks/deliveries` (the log, `?event=` filters), `DELETE` the same path clears
    finished ones, `POST /_sandbox/webhooks/drain` (`?timeout=` seconds, default 5) waits for running ones."""

    async def list_deliveries(request: Request) -> JSONResponse:
        event = request.query_params.get("event")
        records = [record.as_dict() for record in dispatcher.deliveries if event in (None, record.event)]
        return JSONResponse({"deliveries": records, "pending": dispatcher.pending})

    async def clear_deliveries(request: Request) -> JSONResponse:
        dispatcher.clear_deliveries()
        return JSONResponse({"cleared": True})

    async def drain(request: Request) -> JSONResponse:
        raw = request.query_params.get("timeout", "5")
        try:
            timeout = float(raw)
        except ValueError:
            timeout = -1.0
        if not 0 < timeout <= 60:
            return JSONResponse(
                {"error": "invalid_timeout", "message": "timeout: must be a number of seconds in (0, 60]"},
                status_code=422,
            )
        try:
            await dispatcher.drain(timeout)
        except TimeoutError:
            return JSONResponse(
                {
                    "drained": False,
                    "pending": dispatcher.pending,
                    "message": f"still running after {timeout} s",
                },
                status_code=504,
            )
        return JSONResponse({"drained": True, "pending": 0})

    return [
        Route("/_sandbox/webhooks/deliveries", list_deliveries, methods=["GET"]),
        Route("/_sandbox/webhooks/deliveries", clear_deliveries, methods=["DELETE"]),
        Route("/_sandbox/webhooks/drain", drain, methods=["POST"]),
    ]
