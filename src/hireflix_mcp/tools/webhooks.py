"""Webhooks: subscriptions, and the interview events this server knows about.

A webhook sends candidate data (names, e-mail addresses, phone numbers, interview links) to a URL for as
long as it lives, so `create_webhook` is confirmed and its URL is checked first (`webhook_target`): https
to a public host, parsed once, and what Hireflix is sent is the parsed form the person approved.

`list_webhook_events` has two sources (`views.events.event_source`, the rule `hireflix://events` follows
too). "received": the events Hireflix POSTed to this server's webhook receiver, kept in the `EventStore`.
"polling": when nothing was received and no receiver is configured, events are reconstructed from
`interviewList` (creation, completion, shortlist/discard times), which cannot see deletions, score
changes or marks that were set and later cleared. Either way a call returns one page (`views.events.page`)
and a cursor for the rest.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Annotated
from typing import Literal
from urllib.parse import quote
from urllib.parse import urlsplit

import idna
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import AfterValidator
from pydantic import BaseModel
from pydantic import Field

from hireflix_mcp.events import LATEST_EVENT_MS
from hireflix_mcp.events import EventKey
from hireflix_mcp.hireflix import models as hx
from hireflix_mcp.hireflix.client import HireflixClient
from hireflix_mcp.hireflix.errors import NotFoundError
from hireflix_mcp.hireflix.search import InterviewSort
from hireflix_mcp.sanitize import candidate_text
from hireflix_mcp.settings import Settings
from hireflix_mcp.state import Ctx
from hireflix_mcp.state import app_state
from hireflix_mcp.state import hireflix
from hireflix_mcp.tools.inputs import TimeBound
from hireflix_mcp.tools.registry import Preview
from hireflix_mcp.tools.registry import tool
from hireflix_mcp.views.common import HEX_ID
from hireflix_mcp.views.common import iso
from hireflix_mcp.views.common import quoted
from hireflix_mcp.views.common import time_bound
from hireflix_mcp.views.confirmation import ConfirmationFields
from hireflix_mcp.views.events import PAGE_EVENTS
from hireflix_mcp.views.events import POLLING_NOTE
from hireflix_mcp.views.events import EventRow
from hireflix_mcp.views.events import EventsCursor
from hireflix_mcp.views.events import PollingKey
from hireflix_mcp.views.events import event_source
from hireflix_mcp.views.events import page
from hireflix_mcp.views.events import polling_order
from hireflix_mcp.views.events import received_note
from hireflix_mcp.views.events import receiver_configured
from hireflix_mcp.views.events import stored_rows

# ---------------------------------------------------------------------------------------- webhook URLs


@dataclass(frozen=True)
class WebhookTarget:
    """A webhook URL as parsed once: what Hireflix is sent, and the host it will contact."""

    url: str
    """The URL rebuilt from its checked parts (ASCII: an internationalised host in its xn-- form)."""
    host: str
    """The host exactly as it will be contacted (xn-- form, or an IP address)."""
    shown_host: str
    """The host as a person reads it: the Unicode form of an xn-- host, else `host`."""


_SPECIAL_NAMES = ("localhost", "local", "internal", "intranet", "lan", "home.arpa", "localdomain")
"""Names that mean this machine or a private network (RFC 6761, 6762, 8375, and common practice)."""
_HOST_CHARACTERS = re.compile(r"[a-z0-9._-]+")
_IPV4_PART = re.compile(r"0[xX][0-9a-fA-F]*|[0-9]+")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Kept as they are in a path or query: printable ASCII but what could end the URL, open a quote or be read
# differently by different parsers (those, and anything outside ASCII, are percent-encoded).
_URL_SAFE = "".join(chr(c) for c in range(33, 127) if chr(c) not in '"<>\\^`{|}')


def _whatwg_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The address a browser-style (WHATWG) parser reads in `host`, where `127.1`, `0x7f.0.0.1` and
    `2130706433` all mean 127.0.0.1; None when `host` is a name. Hireflix and many HTTP clients read
    hosts this way, so the check must too."""
    labels = host.split(".")
    if len(labels) > 1 and labels[-1] == "":
        labels.pop()
    if not _IPV4_PART.fullmatch(labels[-1]):
        return None  # a domain name (the last label is not a number)
    numbers: list[int] = []
    for label in labels:
        if not _IPV4_PART.fullmatch(label) or len(labels) > 4:
            raise ValueError(f"url's host {host} is neither a domain name nor an IPv4 address.")
        if label[:2].lower() == "0x":
            numbers.append(int(label[2:] or "0", 16))
        else:
            numbers.append(int(label, 8 if len(label) > 1 and label[0] == "0" else 10))
    if any(n > 255 for n in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        raise ValueError(f"url's host {host} is neither a domain name nor an IPv4 address.")
    value = numbers[-1] + sum(n << (8 * (3 - i)) for i, n in enumerate(numbers[:-1]))
    return ipaddress.IPv4Address(value)


def _not_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why a webhook must not go to `address`, or None for a public address."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return "an IPv4-mapped IPv6 address"
        embedded = address.sixtofour or (address.teredo[1] if address.teredo else None)
        if address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None and _not_public(embedded):
            return f"an IPv6 address wrapping the non-public address {embedded}"
        if address in ipaddress.ip_network("fc00::/7"):
            return "a unique local address (a private network)"
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_loopback:
        return "a loopback address (this machine)"
    if address.is_link_local:
        return "a link-local address (where cloud metadata services answer)"
    if address.is_private:
        return "a private address"
    if address.is_multicast:
        return "a multicast address"
    if not address.is_global or address.is_reserved:
        return "a reserved address, not a public one"
    return None


def _unicode_host(host: str) -> str:
    """An xn-- host as a person reads it; ValueError for an xn-- label that is not valid punycode."""
    if "xn--" not in host:
        return host
    try:
        return idna.decode(host)
    except idna.IDNAError:
        raise ValueError(f"url's host {host} is not a valid internationalised domain name.") from None


def _loopback_name(host: str) -> bool:
    return host == "localhost" or host.endswith(".localhost")


def webhook_target(value: str, *, allow_loopback: bool) -> WebhookTarget:
    """Check a webhook URL and rebuild it from its parts; ValueError says why it is refused.

    https to a public host. With `allow_loopback` (the server runs on a local Hireflix, whose webhooks
    stay on this machine) loopback hosts are accepted too, over http as well. Anything two URL parsers
    could read differently (user info, backslashes, spaces or invisible characters, percent-encoded or
    numeric-shorthand hosts) is refused or normalised, so the host checked is the host contacted.
    """
    text = value.strip()
    if any(c.isspace() or not c.isprintable() for c in text):
        raise ValueError("url must not contain spaces, line breaks or invisible characters.")
    if "\\" in text:
        raise ValueError("url must not contain a backslash: URL parsers disagree on where its host ends.")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise ValueError(
            "url is not a valid URL; give an https URL, e.g. https://hooks.example.com/x"
        ) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("url must be an absolute https URL, e.g. https://hooks.example.com/hireflix.")
    if "@" in parts.netloc:
        raise ValueError(
            "url must not contain user info (user:password@ before the host): parsers disagree on "
            "which host such a URL names, and the credentials would travel with every event."
        )
    if parts.fragment or text.endswith("#"):
        raise ValueError("url must not have a #fragment: it is never sent to the receiver.")
    if port == 0:
        raise ValueError("url's port must be from 1 to 65535.")
    raw_host = parts.hostname or ""
    if not raw_host:
        raise ValueError("url must name a host, e.g. https://hooks.example.com/hireflix.")
    if "%" in raw_host:
        raise ValueError("url's host must not be percent-encoded or carry an IPv6 zone.")
    bracketed = parts.netloc.startswith("[")
    address: ipaddress.IPv4Address | ipaddress.IPv6Address | None
    if bracketed:
        try:
            address = ipaddress.IPv6Address(raw_host)
        except ValueError:
            raise ValueError(f"url's host [{raw_host}] is not an IPv6 address.") from None
        host = shown = str(address)
    else:
        try:
            host = raw_host if raw_host.isascii() else idna.encode(raw_host, uts46=True).decode("ascii")
        except idna.IDNAError:
            raise ValueError(f"url's host {candidate_text(raw_host)} is not a valid domain name.") from None
        host = host.lower()
        if not _HOST_CHARACTERS.fullmatch(host) or len(host) > 253 or ".." in host or host[0] == ".":
            raise ValueError(f"url's host {host} is not a valid domain name.")
        address = _whatwg_ipv4(host)
        if address is not None:
            host = shown = str(address)
        else:
            shown = _unicode_host(host)
    loopback = _loopback_name(host) if address is None else address.is_loopback
    if not (loopback and allow_loopback):
        if address is not None and (problem := _not_public(address)):
            raise ValueError(f"url's host {address} is {problem}: webhooks may only go to public hosts.")
        name = host.rstrip(".")
        if address is None and any(name == n or name.endswith("." + n) for n in _SPECIAL_NAMES):
            raise ValueError(
                f"url's host {host} names this machine or a private network: webhooks may only go to "
                "public hosts."
            )
        if address is None and "." not in name:
            raise ValueError(f"url's host {host} is not a public domain name (it has no dot).")
        if scheme != "https":
            raise ValueError(
                "url must use https: events carry candidates' personal data (plain http only to loopback, "
                "on a local sandbox)."
            )
    netloc = f"[{host}]" if bracketed else host
    if port is not None and port != (443 if scheme == "https" else 80):
        netloc += f":{port}"
    path = quote(parts.path or "/", safe=_URL_SAFE)
    query = f"?{quote(parts.query, safe=_URL_SAFE)}" if parts.query else ""
    return WebhookTarget(url=f"{scheme}://{netloc}{path}{query}", host=host, shown_host=shown)


def _unique(events: list[hx.WebhookEvent]) -> list[hx.WebhookEvent]:
    return list(dict.fromkeys(events))


MAX_URL = 2048
OptionalWebhookUrl = Annotated[
    str | None,
    Field(
        max_length=MAX_URL,
        description="An https URL on a public host.",
    ),
]
WebhookEvents = Annotated[
    list[hx.WebhookEvent],
    Field(min_length=1, max_length=10, description="The events to send."),
    AfterValidator(_unique),
]
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


class WebhookChangeResult(ConfirmationFields):
    webhook: WebhookOut | None = None
    note: str | None = None


class WebhookEventList(BaseModel):
    mode: Literal["received", "polling"] = Field(
        description="received: delivered to this server's webhook receiver. polling: reconstructed from "
        "the interview lists."
    )
    since: str
    events: list[EventRow]
    next_cursor: str | None = Field(
        default=None, description="Pass back as cursor for older events; left out at the end."
    )
    note: str


# --------------------------------------------------------------------------------------------- tools


@tool(
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


def own_receiver(settings: Settings) -> WebhookTarget:
    """This server's webhook receiver, or a `ToolError` saying why webhooks cannot point here."""
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
        # The operator chose this address; loopback is fine for a server on the same machine as Hireflix.
        return webhook_target(settings.webhook_receiver_url, allow_loopback=True)
    except ValueError as exc:
        raise ToolError(f"This server's public URL cannot receive webhooks: {exc}") from None


def _event_list(events: Sequence[str]) -> str:
    return " and ".join(events) if len(events) < 3 else ", ".join(events[:-1]) + " and " + events[-1]


async def preview_create(ctx: Ctx, url: str | None, events: list[hx.WebhookEvent]) -> Preview:
    """The URL is parsed here, once: the preview names the host it contacts, the body sends this URL."""
    settings = app_state(ctx).settings
    if url is None:
        target = own_receiver(settings)
    else:
        try:
            target = webhook_target(url, allow_loopback=settings.hireflix_is_local)
        except ValueError as exc:
            raise ToolError(f"Nothing was sent: {exc}") from None
    host = quoted(target.shown_host, max_chars=253)
    if target.shown_host != target.host:
        host += f" ({target.host}, the name actually looked up)"
    whose = " (this server's own receiver)" if url is None else ""
    return Preview(
        f"Send candidate data to the host {host}{whose}? Hireflix will POST every {_event_list(events)} "
        f"event, with candidates' names, e-mail addresses, phone numbers and interview links, to "
        f"{quoted(target.url, max_chars=MAX_URL)} until the webhook is deleted.",
        subject=target,
        # Bound into the token: what is created is the URL the person read, whatever url said.
        binding={"target": target.url},
    )


@tool(
    kind="write",
    title="Create a webhook",
    description="Sends interview events, with candidate data, to a URL (omit url for this server's own "
    "receiver). The user confirms first.",
    open_world=True,
    confirm=preview_create,
)
async def create_webhook(
    events: WebhookEvents, ctx: Ctx, approved: Preview, url: OptionalWebhookUrl = None
) -> WebhookChangeResult:
    target: WebhookTarget = approved.subject
    hook = await hireflix(ctx).create_webhook(target.url, events)
    settings = app_state(ctx).settings
    own = receiver_configured(settings) and url is None
    where = quoted(hook.url, max_chars=MAX_URL)
    return WebhookChangeResult(
        status="done",
        message=f"Hireflix now sends {_event_list(hook.events)} events to {where}.",
        webhook=WebhookOut.of(hook),
        note=OWN_RECEIVER_NOTE if own else SIGNATURE_NOTE,
    )


async def _webhook(ctx: Ctx, webhook_id: str) -> hx.Webhook:
    hook = next((h for h in await hireflix(ctx).list_webhooks() if h.id == webhook_id), None)
    if hook is None:
        raise NotFoundError("webhook", webhook_id, operation="ListWebhooks")
    return hook


def _webhook_phrase(hook: hx.Webhook) -> str:
    events = quoted(", ".join(hook.events) or "none")
    return f"the webhook to {quoted(hook.url, max_chars=MAX_URL)} (events: {events})"


async def preview_delete(ctx: Ctx, webhook_id: str) -> Preview:
    hook = await _webhook(ctx, webhook_id)
    return Preview(f"Delete {_webhook_phrase(hook)}? Hireflix stops sending these events there.")


@tool(
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
POLL_SORT = (InterviewSort(field="updatedAt"), InterviewSort(field="createdAt"))

UNPOLLABLE_EVENTS = frozenset({"interview.delete", "interview.score-updated"})


def _synthesise(i: hx.Interview, since_ms: float) -> list[tuple[PollingKey, EventRow]]:
    """The events an interview's timestamps show at or after `since_ms`, each with its place."""
    marks: list[tuple[str, float | None, hx.InterviewStatus | None]] = [
        ("interview.create", i.created_at, None),
        ("interview.finish", i.recorded_at, None),
        ("interview.status-change", i.shortlisted_at or i.finalist, "shortlisted"),
        ("interview.status-change", i.discarded_at or i.archived, "discarded"),
    ]
    return [
        ((at, i.id, name, status or ""), EventRow.of(name, at, i, status))
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


async def _poll(hf: HireflixClient, since_ms: float) -> tuple[list[tuple[PollingKey, EventRow]], bool]:
    """Every event found since `since_ms`, and whether the walk reached `since` in every position."""
    found: list[tuple[PollingKey, EventRow]] = []
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


def _since_ms(since: str | None) -> float:
    """`since` (default: 24 hours ago) in epoch ms, within what an event's date can be and a cursor
    carries: "0001-01-01" means from the start."""
    start = time_bound(since) if since else (datetime.now(UTC) - DEFAULT_LOOKBACK).timestamp() * 1000
    return min(max(start, 0.0), LATEST_EVENT_MS)


def _continued(
    cursor: str, source: str, since: str | None, event: str | None
) -> tuple[float, str | None, EventKey | PollingKey]:
    """(since ms, event, position) of the listing `cursor` continues; a `ToolError` if it cannot."""
    try:
        listing = EventsCursor.decode(cursor)
    except ValueError as exc:
        raise ToolError(str(exc)) from None
    if listing.source != source:
        raise ToolError(f"cursor belongs to a {listing.source} listing, and events are now {source}: call "
                        "again without it.")  # fmt: skip
    if (since is not None and _since_ms(since) != listing.since_ms) or (
        event is not None and event != listing.event
    ):
        raise ToolError("cursor continues a listing with its own since and event: pass neither with it.")
    return listing.since_ms, listing.event, listing.after


@tool(
    kind="read",
    title="List webhook events",
    description=(
        "Interview events, newest first: received by this server, or found by polling without a receiver."
    ),
)
async def list_webhook_events(
    ctx: Ctx,
    since: Annotated[
        TimeBound | None,
        Field(description="Events from then on: ISO 8601, UTC if no zone. Default: 24 h ago."),
    ] = None,
    event: Annotated[hx.WebhookEvent | None, Field(description="Only events of this type.")] = None,
    limit: Annotated[int, Field(ge=1, le=PAGE_EVENTS)] = 20,
    cursor: Annotated[str | None, Field(max_length=1000, description="next_cursor of the last call.")] = None,
) -> WebhookEventList:
    state = app_state(ctx)
    source = event_source(state.settings, state.events)
    after: EventKey | PollingKey | None = None
    kind: str | None = event
    if cursor:
        since_ms, kind, after = _continued(cursor, source, since, event)
    else:
        since_ms = _since_ms(since)
    since_text = iso(since_ms) or ""

    def listed(rows: list[EventRow], more: EventKey | PollingKey | None, note: str) -> WebhookEventList:
        next_cursor = EventsCursor(source, since_ms, kind, more).encode() if more is not None else None
        return WebhookEventList(
            mode=source, since=since_text, events=rows, next_cursor=next_cursor, note=note
        )

    if source == "received":
        stored_after = after if isinstance(after, EventKey) else None  # a cursor's source matches its key
        rows, more = page(stored_rows(state.events, since_ms, kind, stored_after), limit)
        return listed(rows, more, received_note(rows))
    if kind in UNPOLLABLE_EVENTS:
        return listed([], None, POLLING_NOTE)
    found, complete = await _poll(state.hireflix, since_ms)
    matching = sorted(
        (f for f in found if kind is None or f[1].event == kind), key=lambda f: polling_order(f[0])
    )

    polled_after = after if isinstance(after, tuple) else None

    def remaining() -> Iterator[tuple[PollingKey, EventRow | None]]:
        for key, row in matching:
            if polled_after is None or polling_order(key) > polling_order(polled_after):
                yield key, row

    rows, more = page(remaining(), limit)
    note = POLLING_NOTE
    if not complete:
        note += (
            f" The scan stopped after {POLL_MAX_PAGES} pages of interviews, so some positions were not "
            "read: narrow since to see everything."
        )
    return listed(rows, more, note)
