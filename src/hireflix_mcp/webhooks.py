"""The webhook receiver: `POST /webhooks/hireflix`, where Hireflix delivers interview events.

Served next to `/mcp` in HTTP mode when `HIREFLIX_WEBHOOK_SECRET` is set. The MCP bearer token does not
apply here (Hireflix cannot send it); the signature does. Each POST goes through, in this order:

| check | answer |
|---|---|
| already `MAX_CONCURRENT_READS` bodies being read | 503 with Retry-After, connection closed |
| body over `MAX_BODY_BYTES` (declared or actually sent) | 413, nothing read further |
| body not all sent within `BODY_READ_SECONDS` | 408, connection closed |
| `x-hireflix-signature` missing, or not base64(HMAC-SHA256(secret, raw body)) | 401, nothing stored |
| body not an event (below) | 400, nothing stored |
| the same raw body accepted before (a retry or a replay) | 200 `{"accepted": true, "duplicate": true}` |
| otherwise: stored, subscribers notified | 200 `{"accepted": true, "duplicate": false}` |

An event is a JSON object, nested at most `MAX_JSON_DEPTH` deep, without NaN or Infinity, whose `event`
looks like an event name (`events.valid_event_name`), whose `date` is epoch milliseconds between 2000
and 2100, and whose `data` is an object. A signature only says who sent a body, not that an assistant
can safely read it: the rows shown are sanitised again (`views.events`).

The signature is compared in constant time and checked before the body is parsed, so unauthenticated
bytes never reach the JSON parser. Hireflix documents no timestamp or nonce, so a captured delivery can
be replayed: the store keeps one event per raw body, which makes a replay (or Hireflix retrying) harmless.
Event names outside today's five are stored too, so an event Hireflix adds later is not lost.
A store failure is a 5xx, which tells Hireflix to try again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable
from collections.abc import Callable
from typing import Any

import anyio
from starlette.requests import ClientDisconnect
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.responses import Response
from starlette.routing import Route

from hireflix_mcp.events import EventStore
from hireflix_mcp.events import valid_event_date
from hireflix_mcp.events import valid_event_name
from hireflix_mcp.settings import WEBHOOK_RECEIVER_PATH

logger = logging.getLogger("hireflix_mcp.webhooks")

SIGNATURE_HEADER = "x-hireflix-signature"
MAX_BODY_BYTES = 256 * 1024
"""Largest body accepted. An interview snapshot is a few KiB; this leaves room for long names and
metadata while keeping what an unauthenticated sender can make the server buffer small."""
BODY_READ_SECONDS = 10.0
"""How long a sender may take to send its body: Hireflix sends a few KiB at once."""
MAX_CONCURRENT_READS = 16
"""Bodies read at once. Past it a sender is told to retry (503): slow senders cannot hold more than
this many connections, nor more than this many bodies' worth of memory."""
MAX_JSON_DEPTH = 16
"""An interview snapshot nests three deep; deeper is not an event."""

Notify = Callable[[], Awaitable[None]]


def sign(secret: str, body: bytes) -> str:
    """base64(HMAC-SHA256(secret, body)): the `x-hireflix-signature` Hireflix sends with `body`."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode("ascii")


def signature_matches(secret: str, body: bytes, presented: str | None) -> bool:
    """Whether `presented` signs `body` under `secret`, compared in constant time."""
    if not presented:
        return False
    # surrogateescape: any header text maps to bytes, so odd input compares unequal instead of raising.
    return hmac.compare_digest(
        sign(secret, body).encode("ascii"), presented.encode("utf-8", "surrogateescape")
    )


class StoreUnavailable(RuntimeError):
    """The shared state store is not open (the server is starting or stopping): see `store.SharedState`."""


class BadEvent(ValueError):
    """A signed body that is not a Hireflix event."""


def _reject_constant(name: str) -> Any:
    raise BadEvent(f"body must not contain {name}: JSON has no such number")


def _depth(value: Any) -> int:
    """How deeply arrays and objects nest in `value` (walked without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        if depth <= MAX_JSON_DEPTH:
            stack.extend((child, depth + 1) for child in children)
    return deepest


def parse_event(body: bytes) -> tuple[str, float, dict[str, Any]]:
    """(event name, date in epoch ms, data) from a webhook body; `BadEvent` says what is wrong."""
    try:
        payload = json.loads(body, parse_constant=_reject_constant)
    except RecursionError:
        raise BadEvent(f"body nests deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError as exc:  # includes UnicodeDecodeError
        raise BadEvent(f"body is not JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise BadEvent("body must be a JSON object with event, date and data")
    if _depth(payload) > MAX_JSON_DEPTH:
        raise BadEvent(f"body nests deeper than {MAX_JSON_DEPTH} levels")
    event = payload.get("event")
    if not valid_event_name(event):
        raise BadEvent("event must be an event name such as interview.finish (lowercase, dotted)")
    date = payload.get("date")
    if not valid_event_date(date):
        raise BadEvent("date must be a finite number of epoch milliseconds between 2000 and 2100")
    data = payload.get("data", {})
    if not isinstance(data, dict):
        raise BadEvent("data must be a JSON object (the interview snapshot)")
    return event, float(date), data


def _error(status: int, code: str, message: str, *, close: bool = False) -> JSONResponse:
    """An error answer; with `close`, the connection is closed after it (the body was not read)."""
    headers = {"connection": "close"} if close else None
    return JSONResponse({"error": code, "message": message}, status_code=status, headers=headers)


def _too_large() -> JSONResponse:
    return _error(413, "body_too_large", f"body over {MAX_BODY_BYTES} bytes", close=True)


async def _read_body(request: Request) -> bytes | None:
    """The body, or None when it is larger than `MAX_BODY_BYTES` (stops reading at the limit)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return None
    return bytes(body)


def webhook_route(store: EventStore, secret: str, notify: Notify, path: str = WEBHOOK_RECEIVER_PATH) -> Route:
    """The receiver as a Starlette route (POST only) at `path`."""
    return Route(path, webhook_endpoint(store, secret, notify), methods=["POST"], name="hireflix_webhook")


def webhook_endpoint(
    store: EventStore,
    secret: str,
    notify: Notify,
    *,
    read_seconds: float | None = None,
    max_reads: int | None = None,
) -> Callable[[Request], Awaitable[Response]]:
    """The request handler that verifies, de-duplicates and stores webhook events, then calls `notify`.

    `notify` runs only for a newly stored event (not for a duplicate); it should be best-effort, since
    the event is already stored when it runs. `read_seconds` and `max_reads` default to
    `BODY_READ_SECONDS` and `MAX_CONCURRENT_READS`.
    """
    if not secret:
        raise ValueError("the webhook receiver needs a non-empty secret")
    time_limit = BODY_READ_SECONDS if read_seconds is None else read_seconds
    most_reads = MAX_CONCURRENT_READS if max_reads is None else max_reads
    reading = 0  # bodies being read now; one event loop, so no lock

    async def read_in_time(request: Request) -> bytes | Response:
        """The body, or the answer that refuses it (busy, too large, too slow)."""
        nonlocal reading
        if reading >= most_reads:
            logger.warning("webhook refused: %d bodies are being read already", reading)
            busy = _error(503, "busy", "too many deliveries at once; retry", close=True)
            busy.headers["retry-after"] = "1"
            return busy
        reading += 1
        try:
            with anyio.move_on_after(time_limit):
                body = await _read_body(request)
                return _too_large() if body is None else body
            logger.warning("webhook refused: body not sent within %.0f s", time_limit)
            return _error(408, "timeout", f"body not sent within {time_limit:g} s", close=True)
        finally:
            reading -= 1

    async def receive_webhook(request: Request) -> Response:
        try:
            body = await read_in_time(request)
        except ClientDisconnect:
            return Response(status_code=400)
        if isinstance(body, Response):
            return body
        if not signature_matches(secret, body, request.headers.get(SIGNATURE_HEADER)):
            present = SIGNATURE_HEADER in request.headers
            logger.warning("webhook rejected: %s signature", "wrong" if present else "missing")
            return _error(
                401,
                "invalid_signature",
                f"{SIGNATURE_HEADER} {'does not match the body' if present else 'is missing'}",
            )
        try:
            event, date_ms, data = parse_event(body)
        except BadEvent as exc:
            return _error(400, "bad_event", str(exc))
        try:
            stored = store.add(event, date_ms, data, body)
        except StoreUnavailable:
            return _error(503, "unavailable", "the server is starting or stopping; retry")
        if stored:
            logger.info("webhook event %s stored", event)
            await notify()
        else:
            logger.info("webhook event %s was a duplicate; ignored", event)
        return JSONResponse({"accepted": True, "duplicate": not stored})

    return receive_webhook
