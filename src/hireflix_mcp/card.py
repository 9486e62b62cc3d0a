"""The interview card: `get_interview` shown as an interactive view in hosts with MCP Apps.

MCP Apps (the `io.modelcontextprotocol/ui` extension) lets a tool name a `ui://` resource, an HTML page
the host renders in a sandboxed iframe next to the tool's result. get_interview's `_meta.ui.resourceUri`
names `CARD_URI`; the page (built from ui/ by ui/build.mjs into `ui/interview-card.html`, package data)
shows the candidate, position and status, each answer's video beside its transcript, and review actions.
It reads and acts only through the catalogue's own tools, called through the host (get_interview_media,
get_interview_transcript, score_interview, comment_on_interview, set_interview_status), so every check
and confirmation of those tools applies to the card too. Hosts without MCP Apps see nothing new: the
same tools and results, plus the `_meta` entry on get_interview.

The resource's `_meta.ui.csp` declares the only origins the page may load from: where the answers'
videos and thumbnails are (`media_origins`); it makes no network requests of its own (no connect
domains).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from mcp.server.apps import Apps
from mcp.server.apps import ResourceCsp

from hireflix_mcp.settings import Settings

CARD_URI = "ui://hireflix/interview-card.html"
CARD_TOOL_META: dict[str, Any] = {"ui": {"resourceUri": CARD_URI}}
"""get_interview's `_meta`: the card that shows its result."""

HIREFLIX_MEDIA_ORIGINS = ("https://media.hireflix.com",)
"""Where Hireflix answer videos and thumbnails are served from (the sandbox's stored URLs have this shape)."""


@cache
def card_html() -> str:
    """The built card: one self-contained HTML file (scripts and styles inline)."""
    return resources.files("hireflix_mcp").joinpath("ui/interview-card.html").read_text("utf-8")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def media_origins(settings: Settings) -> list[str]:
    """The origins answer media come from: as configured (HIREFLIX_MCP_MEDIA_ORIGINS), else a local
    Hireflix (the sandbox) serves its own, from the API's origin, and the real one from its media host."""
    if settings.media_origins:
        return settings.media_origins.split(",")
    if settings.hireflix_is_local:
        return [_origin(settings.api_url)]
    return list(HIREFLIX_MEDIA_ORIGINS)


def interview_card(settings: Settings) -> Apps:
    """The MCP Apps extension serving the card (the server advertises the extension with it)."""
    apps = Apps()
    apps.add_html_resource(
        CARD_URI,
        card_html(),
        name="interview-card",
        title="Interview card",
        description="An interview with its videos, transcripts and review actions (MCP Apps view).",
        csp=ResourceCsp(resource_domains=media_origins(settings)),
        prefers_border=True,
    )
    return apps
