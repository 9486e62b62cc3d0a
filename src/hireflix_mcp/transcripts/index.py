"""What the transcript index keeps and answers, whichever store holds it.

One row per listed interview (`InterviewDoc`: who, which position, review status, when recorded) and one
per answer of a recorded interview (`AnswerDoc`: question, language, text, token times). Per position,
where the last sync pass got to (`Progress`), so a pass interrupted by a restart or an error resumes
from its cursor, and interviews not seen by a complete pass are forgotten (deleted upstream).

`open_index(state_db)` picks the store: PostgreSQL for a `postgresql://` URL, else SQLite (a file, or
`:memory:` for the life of the process).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from hireflix_mcp.transcripts.query import Query
from hireflix_mcp.transcripts.text import Lang


def now_ms() -> float:
    return time.time() * 1000


@dataclass(frozen=True)
class AnswerDoc:
    question: int
    """From 1, in the position's question order."""
    title: str
    language: Lang
    text: str
    times: bytes | None = None
    """`text.pack_times` of the text's tokens; None: not read yet; b"": Hireflix has no word timings."""
    duration_s: float | None = None


@dataclass(frozen=True)
class InterviewDoc:
    interview_id: str
    position_id: str
    position_name: str
    candidate: str
    status: str
    recorded_at: float | None
    """Epoch ms when the candidate finished; None while pending."""
    updated_at: float | None
    answers: tuple[AnswerDoc, ...] = ()


@dataclass(frozen=True)
class Hit:
    interview: InterviewDoc
    """Without its answers (`answers` is empty)."""
    answer: AnswerDoc
    also: tuple[int, ...] = ()
    """Other questions of the same interview that match too."""


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    matched_interviews: int
    matched_answers: int
    capped: bool = False
    """More than `COUNT_CAP` answers match: the counts are of the first COUNT_CAP (at least that many)."""


COUNT_CAP = 5000
"""Matching answers counted at most (counting every match of a phrase of common words costs its time)."""
RANK_WINDOW = 2000
"""Past this many matching answers, the best are picked from the most recently indexed RANK_WINDOW."""


@dataclass(frozen=True)
class Progress:
    position_id: str
    position_name: str = ""
    cursor: str | None = None
    """Where the running pass continues; None at the start of one."""
    pass_started: float | None = None
    """Epoch ms the running pass began; None when none is running."""
    completed_at: float | None = None
    """Epoch ms the last complete pass ended (None: never completed)."""


@dataclass(frozen=True)
class Coverage:
    interviews: int
    """Listed interviews in scope that the index knows."""
    recorded: int
    """Of those, recorded ones whose answers are indexed."""
    positions: int
    positions_synced: int
    """Positions in scope whose sync pass has completed at least once."""
    synced_at: float | None
    """Oldest completed pass among the scope's positions (None when one has never completed)."""
    changed_at: float | None
    """Last update from a webhook (epoch ms), if any."""


@dataclass(frozen=True)
class Filters:
    position_id: str | None = None
    status: str | None = None
    recorded_since: float | None = None


@dataclass
class Stats:
    interviews: int = 0
    recorded: int = 0
    answers: int = 0
    bytes: int = 0
    positions: list[Progress] = field(default_factory=list)
    changed_at: float | None = None
    where: str = ""


class TranscriptIndex(Protocol):
    """The index's store (SQLite FTS5 or PostgreSQL full-text search); safe to call from threads."""

    where: str
    """Where transcripts are kept, for `index status` (a path, `memory`, or the URL without password)."""

    def upsert(self, docs: Sequence[InterviewDoc], *, seen_at: float) -> None:
        """Add or replace interviews and their answers, in one transaction."""
        ...

    def touch(self, interview_ids: Sequence[str], *, seen_at: float) -> None:
        """Mark interviews as seen by a pass without changing them."""
        ...

    def known(self, position_id: str) -> dict[str, tuple[float | None, str, int]]:
        """Interview id -> (updated_at, status, answers indexed) for a position."""
        ...

    def delete(self, interview_id: str) -> bool: ...

    def set_status(self, interview_id: str, status: str, *, at: float) -> bool: ...

    def untimed(self, position_id: str) -> int:
        """Answers of a position whose word timings were not read yet."""
        ...

    def set_times(self, interview_id: str, times: Mapping[int, bytes]) -> None:
        """Store word timings read after the text (question -> `text.pack_times`, b"" for none)."""
        ...

    def forget_unseen(self, position_id: str, before: float) -> int:
        """Remove the position's interviews a complete pass started at `before` did not see."""
        ...

    def progress(self, position_id: str) -> Progress | None: ...

    def save_progress(self, progress: Progress) -> None: ...

    def search(self, query: Query, filters: Filters, limit: int) -> SearchResult: ...

    def coverage(self, filters: Filters) -> Coverage: ...

    def interview(self, interview_id: str) -> InterviewDoc | None:
        """With its answers."""
        ...

    def stats(self) -> Stats: ...

    def purge(self) -> None:
        """Forget every transcript, interview and sync position."""
        ...

    def close(self) -> None: ...


def open_index(state_db: str) -> TranscriptIndex:
    if state_db.startswith(("postgresql://", "postgres://")):
        from hireflix_mcp.transcripts.pg_index import PostgresIndex

        return PostgresIndex(state_db)
    from hireflix_mcp.transcripts.sqlite_index import SqliteIndex

    return SqliteIndex(state_db)
