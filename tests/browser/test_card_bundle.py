"""The committed interview card is exactly what its sources build, self-contained and small."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hireflix_mcp.card import card_html

COMMITTED = Path(__file__).resolve().parents[2] / "src" / "hireflix_mcp" / "ui" / "interview-card.html"
SIZE_TARGET = 150_000
"""Bytes: the card issue's target. Not met (219,044 measured): the official MCP Apps client (`App`: the MCP
SDK's `Protocol`, its zod wire schemas for both protocol eras, zod) is ~205 KB of it minified, even with
ui/slim.mjs keeping out what the card never runs; the card itself ~11 KB."""


def test_committed_card_is_what_its_sources_build(built: tuple[Path, Path]) -> None:
    card, _host = built
    assert card.read_bytes() == COMMITTED.read_bytes(), (
        "src/hireflix_mcp/ui/interview-card.html is stale: rebuild it with `node ui/build.mjs` "
        "(Node 22 from .tools/node) and commit the result"
    )


def test_the_server_serves_the_committed_card() -> None:
    assert card_html() == COMMITTED.read_text("utf-8")


@pytest.mark.xfail(strict=True, reason="219,044 bytes: the official App client alone is ~205 KB")
def test_card_fits_its_size_target() -> None:
    assert len(COMMITTED.read_bytes()) <= SIZE_TARGET


def test_card_is_one_self_contained_file() -> None:
    html = COMMITTED.read_text("utf-8")
    # Nothing loaded from elsewhere: no external scripts, styles, fonts or images in the markup.
    assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)=", html, re.IGNORECASE)
    assert html.count("<script") == 1
    assert html.count("</script>") == 1
    assert html.count("</style>") == 1
    # The page never turns text into markup.
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write"):
        assert sink not in _card_source(), sink


def _card_source() -> str:
    return (Path(__file__).resolve().parents[2] / "ui" / "card" / "card.js").read_text("utf-8")
