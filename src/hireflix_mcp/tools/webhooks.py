"""Webhooks: subscriptions, and the interview events this server knows about.

`list_webhook_events` has two sources (`views.events.event_source`, the rule `hireflix://events` follows
too). "received": the events Hireflix POSTed to this server's webhook receiver, kept in the `EventStore`.
"polling": when nothing was received and no receiver is configured, events are reconstructed from
`interviewList` (creation, completion, shortlist/discard times), which cannot see deletions, score
changes or marks that were set and later cleared.
"""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal
from urllib.parse import urlsplit

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import AfterValidator, BaseModel, Field

from hireflix_mcp.hireflix import models as hx
from hireflix_mcp.hireflix.client import HireflixClient
from hireflix_mcp.hireflix.errors import NotFoundError
from hireflix_mcp.settings import Settings
from hireflix_mcp.state import Ctx, app_state, hireflix
from hireflix_mcp.tools.registry import Preview, tool
from hireflix_mcp.views.common import HEX_ID, iso
from hireflix_mcp.views.confirmation import ConfirmationFields
from hireflix_mcp.views.events import (
    POLLING_NOTE,
    EventRow,
    event_source,
    received_note,
    received_row,
    receiver_configured,
)

# --------------------------------------------------------------------------------------------- inputs


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _webhook_url(value: str) -> str:
    url = value.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("url must be an absolute http(s) URL, e.g. https://example.com/hireflix")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError(
            "url must use https: events carry candidates' personal data. Plain http is accepted only for "
            "loopback addresses (http://127.0.0.1:.../ or http://localhost:...) when testing locally"
        )
    return url


def _optional_webhook_url(value: str | None) -> str | None:
    return None if value is None else _webhook_url(value)


def _unique(events: list[hx.WebhookEvent]) -> list[hx.WebhookEvent]:
    return list(dict.fromkeys(events))


def _parse_time(value: str) -> datetime:
    """An ISO 8601 time as an aware datetime; one without a zone is taken as UTC."""
    parsed = datetime.fromisoformat(value.strip())
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _iso_time(value: str) -> str:
    try:
        _parse_time(value)
    except ValueError:
        raise ValueError("since must be an ISO 8601 time, e.g. 2025-06-01T09:00:00Z or 2025-06-01") from None
    return value.strip()


WebhookUrl = Annotated[
    str,
    Field(
        min_length=10,
        max_length=2048,
        description="Where Hireflix POSTs events: https (http only for loopback, for local testing).",
    ),
    AfterValidator(_webhook_url),
]
OptionalWebhookUrl = Annotated[
    str | None,
    Field(
        min_length=10,
        max_length=2048,
        description="Where Hireflix POSTs events: https (http only for loopback, for local testing). Omit "
        "to use this server's own receiver (when the server was started with its public URL).",
    ),
    AfterValidator(_optional_webhook_url),
]
WebhookEvents = Annotated[
    list[hx.WebhookEvent],
    Field(min_length=1, max_length=10, description="The events to send (repeats are ignored)."),
    AfterValidator(_unique),
]
IsoTime = Annotated[str, Field(max_length=40), AfterValidator(_iso_time)]
WebhookId = Annotated[str, Field(pattern=HEX_ID, description="From list_webhooks.")]

# --------------------------------------------------------------------------------------------- outputs


class WebhookOut(BaseModel):
    id: str
    url: str
    events: list[str]
    active: bool

    @classmethod
    def of(cls, hook: hx.Webhook) -> WebhookOut:
        return cls(id=hook.id, url=hook.url, events=list(hook.events), active=hook.active)


class WebhookList(BaseModel):
    webhooks: list[WebhookOut]
    total: int


class CreatedWebhook(WebhookOut):
    note: str


class WebhookChangeResult(ConfirmationFields):
    webhook: WebhookOut | None = None


class WebhookEventList(BaseModel):
    mode: Literal["received", "polling"] = Field(
        description="received: delivered to this server's webhook receiver. polling: reconstructed from "
        "the interview lists."
    )
    since: str
    events: list[EventRow]
    has_more: bool = Field(description="More events may match: raise limit, or narrow since or event.")
    note: str


# --------------------------------------------------------------------------------------------- tools


@tool(
    toolset="webhooks",
    kind="read",
    title="List webhooks",
    description="The URLs Hireflix sends interview events to, with their events.",
)
async def list_webhooks(ctx: Ctx) -> WebhookList:
    hooks = [WebhookOut.of(h) for h in await hireflix(ctx).list_webhooks()]
    return WebhookList(webhooks=hooks, total=len(hooks))


SIGNATURE_NOTE = (
    "Hireflix signs each POST with the header x-hireflix-signature: base64 HMAC-SHA256 of the raw body with "
    "the company's webhook secret (in the Hireflix dashboard). Verify it before trusting an event."
)
OWN_RECEIVER_NOTE = (
    "Events go to this server's own webhook receiver, which verifies their signatures: "
    "list_webhook_events and the hireflix://events resource show them as they arrive."
)


def own_receiver_url(settings: Settings) -> str:
    """This server's webhook receiver URL, or a `ToolError` saying why webhooks cannot point here."""
    if settings.webhook_receiver_url is None:
        raise ToolError(
            "url is required: this server does not know the address Hireflix can reach it at. Pass url, "
            "or restart the server with --public-url <its public https address> (HIREFLIX_MCP_PUBLIC_URL) "
            "to point webhooks at its own receiver."
        )
    if not receiver_configured(settings):
        raise ToolError(
            "url is required: this server's webhook receiver is off because HIREFLIX_WEBHOOK_SECRET is not "
            "set (it needs the company's webhook secret to verify events). Pass url, or restart the server "
            "with the secret."
        )
    try:
        return _webhook_url(settings.webhook_receiver_url)
    except ValueError as exc:
        raise ToolError(f"This server's public URL cannot receive webhooks: {exc}") from None


@tool(
    toolset="webhooks",
    kind="write",
    title="Create a webhook",
    description=("Has Hireflix POST interview events to a URL; omit url to use this server's own receiver."),
)
async def create_webhook(
    url: OptionalWebhookUrl = None, *, events: WebhookEvents, ctx: Ctx
) -> CreatedWebhook:
    settings = app_state(ctx).settings
    target = url if url is not None else own_receiver_url(settings)
    hook = await hireflix(ctx).create_webhook(target, events)
    own = receiver_configured(settings) and target == settings.webhook_receiver_url
    return CreatedWebhook(
        **WebhookOut.of(hook).model_dump(), note=OWN_RECEIVER_NOTE if own else SIGNATURE_NOTE
    )


async def _webhook(ctx: Ctx, webhook_id: str) -> hx.Webhook:
    hook = next((h for h in await hireflix(ctx).list_webhooks() if h.id == webhook_id), None)
    if hook is None:
        raise NotFoundError("webhook", webhook_id, operation="ListWebhooks")
    return hook


def _webhook_phrase(hook: hx.Webhook) -> str:
    return f"the webhook to {hook.url} (events: {', '.join(hook.events) or 'none'})"


async def preview_delete(ctx: Ctx, webhook_id: str) -> Preview:
    hook = await _webhook(ctx, webhook_id)
    return Preview(f"Delete {_webhook_phrase(hook)}? Hireflix stops sending these events there.")


@tool(
    toolset="webhooks",
    kind="destructive",
    title="Delete a webhook",
    description="Stops Hireflix sending events to a webhook. The user confirms first.",
    confirm=preview_delete,
)
async def delete_webhook(webhook_id: WebhookId, ctx: Ctx) -> WebhookChangeResult:
    hook = await _webhook(ctx, webhook_id)
    if not await hireflix(ctx).delete_webhook(webhook_id):
        raise NotFoundError("webhook", webhook_id, operation="DeleteWebhook")
    return WebhookChangeResult(
        status="done", message=f"Deleted {_webhook_phrase(hook)}.", webhook=WebhookOut.of(hook)
    )


# ---------------------------------------------------------------------------------- list_webhook_events

DEFAULT_LOOKBACK = timedelta(hours=24)
POLL_PAGE_SIZE = 50
POLL_MAX_PAGES = 40
"""Pages of interviewList one polling call may read in all, so a large account answers in bounded time."""
POLL_SORT = (hx.InterviewSort(field="updatedAt"), hx.InterviewSort(field="createdAt"))

UNPOLLABLE_EVENTS = frozenset({"interview.delete", "interview.score-updated"})


def _synthesise(i: hx.Interview, since_ms: float) -> list[tuple[float, EventRow]]:
    """The events an interview's timestamps show at or after `since_ms`."""
    marks: list[tuple[str, float | None, hx.InterviewStatus | None]] = [
        ("interview.create", i.created_at, None),
        ("interview.finish", i.completed_at or i.completed, None),
        ("interview.status-change", i.shortlisted_at or i.finalist, "shortlisted"),
        ("interview.status-change", i.discarded_at or i.archived, "discarded"),
    ]
    return [
        (at, EventRow.of(name, at, i, status))
        for name, at, status in marks
        if at is not None and at >= since_ms
    ]


def _last_change(i: hx.Interview) -> float:
    if i.updated_at is not None:
        return i.updated_at
    stamps = (
        i.created_at,
        i.completed_at,
        i.completed,
        i.finalist,
        i.shortlisted_at,
        i.archived,
        i.discarded_at,
    )
    return max((s for s in stamps if s is not None), default=0.0)


async def _poll(hf: HireflixClient, since_ms: float) -> tuple[list[tuple[float, EventRow]], bool]:
    """Every event found since `since_ms`, and whether the walk reached `since` in every position."""
    found: list[tuple[float, EventRow]] = []
    pages_left = POLL_MAX_PAGES
    for position in await hf.list_positions():
        cursor: str | None = None
        while True:
            if pages_left == 0:
                return found, False
            pages_left -= 1
            try:
                page = await hf.search_interviews(
                    position.id, None, limit=POLL_PAGE_SIZE, cursor=cursor, sort=POLL_SORT
                )
            except NotFoundError:
                break  # deleted since it was listed: its interviews went with it
            # Newest change first: the first interview untouched since `since` ends this position.
            reached_since = False
            for interview in page.results:
                if _last_change(interview) < since_ms:
                    reached_since = True
                    break
                found.extend(_synthesise(interview, since_ms))
            if reached_since or page.next_cursor is None:
                break
            cursor = page.next_cursor
    return found, True


@tool(
    toolset="webhooks",
    kind="read",
    title="List webhook events",
    description=(
        "Interview events, newest first, since a time (default: 24 h ago): received by this server, or "
        "found by polling with no receiver."
    ),
)
async def list_webhook_events(
    ctx: Ctx,
    since: Annotated[
        IsoTime | None,
        Field(description="ISO 8601 time (UTC if no zone): only events from then on. Default: 24 hours ago."),
    ] = None,
    event: Annotated[hx.WebhookEvent | None, Field(description="Only events of this type.")] = None,
    limit: Annotated[int, Field(ge=1, le=100, description="At most this many events, newest first.")] = 20,
) -> WebhookEventList:
    state = app_state(ctx)
    start = _parse_time(since) if since else datetime.now(UTC) - DEFAULT_LOOKBACK
    since_ms = start.timestamp() * 1000
    since_text = iso(since_ms) or ""
    if event_source(state.settings, state.events) == "received":
        stored = state.events.list(since_ms, event, limit + 1)
        rows = [received_row(s) for s in stored[:limit]]
        return WebhookEventList(
            mode="received",
            since=since_text,
            events=rows,
            has_more=len(stored) > limit,
            note=received_note(rows),
        )
    if event in UNPOLLABLE_EVENTS:
        return WebhookEventList(
            mode="polling", since=since_text, events=[], has_more=False, note=POLLING_NOTE
        )
    found, complete = await _poll(state.hireflix, since_ms)
    matching = sorted((f for f in found if event is None or f[1].event == event), key=lambda f: -f[0])
    note = POLLING_NOTE
    if not complete:
        note += (
            f" The scan stopped after {POLL_MAX_PAGES} pages of interviews, so some positions were not "
            "read: narrow since to see everything."
        )
    return WebhookEventList(
        mode="polling",
        since=since_text,
        events=[e for _, e in matching[:limit]],
        has_more=len(matching) > limit or not complete,
        note=note,
    )
