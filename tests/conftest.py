"""Fixtures shared by the whole suite; subfolders add their own conftest.py next to their tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hireflix_sandbox.testing import RunningSandbox, running_sandbox


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    """A fresh sandbox on loopback: in-memory state, demo data from seed 1."""
    with running_sandbox() as running:
        yield running
