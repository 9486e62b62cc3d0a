"""The interview card's build and browser tests: the card and the test host are built once per run, and
one headless Chromium serves every test of a module (each test gets a fresh browser context)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser

from tests.browser.host import build_ui
from tests.browser.host import launched


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the card's HTML, the test host's script), built from ui/ by ui/build.mjs."""
    return build_ui(tmp_path_factory.mktemp("ui"))


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with launched() as running:
        yield running
