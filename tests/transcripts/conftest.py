"""Fixtures of the transcript index tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hireflix_mcp.transcripts.index import TranscriptIndex
from hireflix_mcp.transcripts.index import open_index


@pytest.fixture(params=["sqlite", "postgres"])
def empty_index(request: pytest.FixtureRequest) -> Iterator[TranscriptIndex]:
    """An empty index in each store: SQLite in memory, then a fresh PostgreSQL database."""
    url = request.getfixturevalue("fresh_postgres_url") if request.param == "postgres" else ":memory:"
    store = open_index(url)
    yield store
    store.close()
