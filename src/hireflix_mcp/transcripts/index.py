"""What the transcript index keeps and answers, whichever store holds it.

One row per listed interview (`InterviewDoc`: who, which position, review status, when recorded) and one
per answer of a recorded interview (`AnswerDoc`: question, language, text, token times). Per position,
where the last sync pass got to (`Progress`), so a pass interrupted by a restart or an error resumes
from its cursor, and interviews not seen by a complete pass are forgotten (deleted upstream).

`open_index(state_db)` picks the store: PostgreSQL for a `postgresql://` URL, else SQLite (a file, or
`:memory:` for the life of the process).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Mapping
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from dataclasses import field
from typing import Any
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
    """Best first: by the store's rank (bm25 in SQLite, ts_rank in PostgreSQL), equal ranks in the same
    order in both stores (`SqlIndex._recency`: most recently recorded first, then by interview id, then by
    question), so the order depends on the data alone, never on the order the interviews were indexed in."""
    matched_interviews: int
    matched_answers: int
    capped: bool = False
    """More than `COUNT_CAP` answers match: the counts are of the first COUNT_CAP (at least that many)."""


COUNT_CAP = 5000
"""Matching answers counted at most (counting every match of a phrase of common words costs its time)."""
RANKED_PER_HIT = 6
"""Answers ranked per interview asked for: the best `limit` interviews are taken from the best
`limit * RANKED_PER_HIT` answers (several answers of one interview can match)."""
RANK_WINDOW = 2000
"""Past this many matching answers, the best are picked from the most recently indexed RANK_WINDOW (which
ones those are depends on the order interviews were indexed in; the hits among them are ordered as always)."""


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

    @property
    def complete(self) -> bool:
        """Every position in scope has been read in full at least once."""
        return self.positions > 0 and self.positions_synced == self.positions


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

    def summaries(self, interview_ids: Sequence[str]) -> dict[str, InterviewDoc]:
        """Interview id -> the interview without its answers, for those of `interview_ids` the index knows."""
        ...

    def stats(self) -> Stats: ...

    def purge(self) -> None:
        """Forget every transcript, interview and sync position."""
        ...

    def close(self) -> None: ...


SLOTS = 64
"""Answers an interview can have in the index: an answer's row id is `interview number * SLOTS + question`."""


class SqlIndex:
    """What the SQL stores do alike: reading interviews, answers, progress and coverage back, deleting an
    interview or changing its status, and the hits of ranked row ids. A store gives its connection (`_db`,
    used under `_lock`), `_tx`, the table holding the answers' texts (`_texts`), the size on disk, how it
    removes or re-labels an interview's answers (`_remove`, `_restatus`), and its own SQL for writing and
    matching. Shared SQL is written with `?` marks; `_mark` is the driver's."""

    where: str
    _db: Any
    _lock: threading.RLock
    _mark = "?"
    _texts = "tx_answers"
    _bytewise = ""
    """Makes `ORDER BY` compare texts byte by byte (SQLite's default; PostgreSQL's follows the database)."""

    def _tx(self) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def _bytes(self) -> int:
        raise NotImplementedError

    def _remove(self, db: Any, n: int) -> None:
        """Delete the answers of interview number `n` (its row stays)."""
        raise NotImplementedError

    def _restatus(self, db: Any, n: int, position_id: str, status: str) -> None:
        """Give the answers of interview number `n` (of `position_id`) the review status `status`."""
        raise NotImplementedError

    def _sql(self, sql: str) -> str:
        return sql.replace("?", self._mark)

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(self._sql(sql), params).fetchall()  # type: ignore[no-any-return]

    def _changed(self, db: Any) -> None:
        db.execute(
            self._sql(
                "INSERT INTO tx_meta (key, value) VALUES ('changed_at', ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
            ),
            (now_ms(),),
        )

    def _put_interview(self, db: Any, doc: InterviewDoc, *, seen_at: float, answers: int) -> int:
        """Insert or update the interview's row (not its answers); its number."""
        db.execute(
            self._sql(
                "INSERT INTO tx_interviews (id, position_id, position_name, candidate, status, recorded_at,"
                " updated_at, seen_at, answers) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET position_id = excluded.position_id,"
                " position_name = excluded.position_name, candidate = excluded.candidate,"
                " status = excluded.status, recorded_at = excluded.recorded_at,"
                " updated_at = excluded.updated_at, seen_at = excluded.seen_at, answers = excluded.answers"
            ),
            (
                doc.interview_id,
                doc.position_id,
                doc.position_name,
                doc.candidate,
                doc.status,
                doc.recorded_at,
                doc.updated_at,
                seen_at,
                answers,
            ),
        )
        found = db.execute(self._sql("SELECT n FROM tx_interviews WHERE id = ?"), (doc.interview_id,))
        return int(found.fetchone()[0])

    def _find(self, db: Any, interview_id: str) -> tuple[int, str] | None:
        """The interview's number and position id; None when the index does not know it."""
        row = db.execute(
            self._sql("SELECT n, position_id FROM tx_interviews WHERE id = ?"), (interview_id,)
        ).fetchone()
        return None if row is None else (int(row[0]), str(row[1]))

    def delete(self, interview_id: str) -> bool:
        with self._tx() as db:
            if (found := self._find(db, interview_id)) is None:
                return False
            n, _ = found
            self._remove(db, n)
            db.execute(self._sql("DELETE FROM tx_interviews WHERE n = ?"), (n,))
            self._changed(db)
            return True

    def set_status(self, interview_id: str, status: str, *, at: float) -> bool:
        with self._tx() as db:
            if (found := self._find(db, interview_id)) is None:
                return False
            n, position_id = found
            db.execute(
                self._sql("UPDATE tx_interviews SET status = ?, updated_at = ? WHERE n = ?"), (status, at, n)
            )
            self._restatus(db, n, position_id, status)
            self._changed(db)
            return True

    def known(self, position_id: str) -> dict[str, tuple[float | None, str, int]]:
        rows = self._rows(
            "SELECT id, updated_at, status, answers FROM tx_interviews WHERE position_id = ?", (position_id,)
        )
        return {r[0]: (r[1], r[2], r[3]) for r in rows}

    def untimed(self, position_id: str) -> int:
        ((count,),) = self._rows(
            f"SELECT count(*) FROM {self._texts} t JOIN tx_interviews i ON i.n = t.rowid / {SLOTS}"  # noqa: S608
            " WHERE i.position_id = ? AND t.times IS NULL",
            (position_id,),
        )
        return int(count)

    def set_times(self, interview_id: str, times: Mapping[int, bytes]) -> None:
        with self._tx() as db:
            if (found := self._find(db, interview_id)) is not None:
                n, _ = found
                for question, blob in times.items():
                    if question < SLOTS:
                        db.execute(
                            self._sql(f"UPDATE {self._texts} SET times = ? WHERE rowid = ?"),  # noqa: S608
                            (blob, n * SLOTS + question),
                        )

    def progress(self, position_id: str) -> Progress | None:
        rows = self._rows(
            "SELECT position_id, position_name, cursor, pass_started, completed_at FROM tx_progress"
            " WHERE position_id = ?",
            (position_id,),
        )
        return Progress(*rows[0]) if rows else None

    def save_progress(self, progress: Progress) -> None:
        with self._tx() as db:
            db.execute(
                self._sql(
                    "INSERT INTO tx_progress (position_id, position_name, cursor, pass_started, completed_at)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (position_id) DO UPDATE SET"
                    " position_name = excluded.position_name, cursor = excluded.cursor,"
                    " pass_started = excluded.pass_started, completed_at = excluded.completed_at"
                ),
                (
                    progress.position_id,
                    progress.position_name,
                    progress.cursor,
                    progress.pass_started,
                    progress.completed_at,
                ),
            )

    def _recency(self, rowid: str) -> str:
        """SQL ordering answers (row id `rowid`, their interview joined as `i`): most recently recorded first
        (what a recruiter reviews first, as every listing of interviews is newest first; no recording time:
        last), then by interview id (a total order, the same in both stores), then by question (`rowid`:
        within an interview, the row id is the question's place). Orders equal ranks."""
        return f"i.recorded_at DESC NULLS LAST, i.id{self._bytewise}, {rowid}"

    def _hits(self, ranked: Sequence[int], limit: int) -> list[Hit]:
        """The best `limit` interviews of answer row ids in rank order, each with its best answer."""
        order: dict[int, list[int]] = {}
        for rowid in ranked:
            order.setdefault(rowid // SLOTS, []).append(rowid % SLOTS)
        chosen = list(order.items())[:limit]
        docs = self._interviews([n for n, _ in chosen])
        texts = self._answers([n * SLOTS + questions[0] for n, questions in chosen])
        return [
            Hit(docs[n], texts[n * SLOTS + questions[0]], tuple(sorted(questions[1:])))
            for n, questions in chosen
            if n in docs and n * SLOTS + questions[0] in texts
        ]

    def _interview_rows(self, column: str, values: Sequence[Any]) -> list[tuple[int, InterviewDoc]]:
        """(number, interview without its answers) of the interviews whose `column` is one of `values`."""
        if not values:
            return []
        rows = self._rows(
            "SELECT n, id, position_id, position_name, candidate, status, recorded_at, updated_at"  # noqa: S608
            f" FROM tx_interviews WHERE {column} IN ({', '.join('?' * len(values))})",
            list(values),
        )
        return [(int(r[0]), InterviewDoc(*r[1:])) for r in rows]

    def _interviews(self, numbers: Sequence[int]) -> dict[int, InterviewDoc]:
        return dict(self._interview_rows("n", numbers))

    def summaries(self, interview_ids: Sequence[str]) -> dict[str, InterviewDoc]:
        return {doc.interview_id: doc for _, doc in self._interview_rows("id", interview_ids)}

    def _answers(self, rowids: Sequence[int]) -> dict[int, AnswerDoc]:
        if not rowids:
            return {}
        rows = self._rows(
            f"SELECT rowid, title, language, text, times, duration FROM {self._texts}"  # noqa: S608
            f" WHERE rowid IN ({', '.join('?' * len(rowids))})",
            list(rowids),
        )
        return {int(r[0]): _answer(r) for r in rows}

    def interview(self, interview_id: str) -> InterviewDoc | None:
        rows = self._rows("SELECT n FROM tx_interviews WHERE id = ?", (interview_id,))
        if not rows:
            return None
        n = int(rows[0][0])
        doc = self._interviews([n])[n]
        answers = self._rows(
            f"SELECT rowid, title, language, text, times, duration FROM {self._texts}"  # noqa: S608
            " WHERE rowid BETWEEN ? AND ? ORDER BY rowid",
            (n * SLOTS, n * SLOTS + SLOTS - 1),
        )
        return dataclasses.replace(doc, answers=tuple(_answer(r) for r in answers))

    def _changed_at(self) -> float | None:
        changed = self._rows("SELECT value FROM tx_meta WHERE key = 'changed_at'")
        return changed[0][0] if changed else None

    def coverage(self, filters: Filters) -> Coverage:
        where: list[str] = ["1 = 1"]
        params: list[Any] = []
        if filters.position_id:
            where.append("position_id = ?")
            params.append(filters.position_id)
        if filters.status:
            where.append("status = ?")
            params.append(filters.status)
        if filters.recorded_since is not None:
            where.append("recorded_at >= ?")
            params.append(filters.recorded_since)
        ((listed, recorded),) = self._rows(
            "SELECT count(*), count(CASE WHEN answers > 0 THEN 1 END) FROM tx_interviews"  # noqa: S608
            f" WHERE {' AND '.join(where)}",
            params,
        )
        position_where = "WHERE position_id = ?" if filters.position_id else ""
        ((positions, synced, oldest),) = self._rows(
            f"SELECT count(*), count(completed_at), min(completed_at) FROM tx_progress {position_where}",  # noqa: S608
            [filters.position_id] if filters.position_id else [],
        )
        return Coverage(
            interviews=int(listed),
            recorded=int(recorded),
            positions=int(positions),
            positions_synced=int(synced),
            synced_at=oldest if positions and synced == positions else None,
            changed_at=self._changed_at(),
        )

    def stats(self) -> Stats:
        ((interviews, recorded),) = self._rows(
            "SELECT count(*), count(CASE WHEN answers > 0 THEN 1 END) FROM tx_interviews"
        )
        ((answers,),) = self._rows(f"SELECT count(*) FROM {self._texts}")  # noqa: S608
        progress = self._rows(
            "SELECT position_id, position_name, cursor, pass_started, completed_at FROM tx_progress"
            " ORDER BY position_name"
        )
        return Stats(
            interviews=int(interviews),
            recorded=int(recorded),
            answers=int(answers),
            bytes=self._bytes(),
            positions=[Progress(*row) for row in progress],
            changed_at=self._changed_at(),
            where=self.where,
        )

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _answer(row: Sequence[Any]) -> AnswerDoc:
    """An answer from (rowid, title, language, text, times, duration)."""
    lang: Lang = row[2] if row[2] in ("en", "es") else "other"
    times = bytes(row[4]) if row[4] is not None else None
    return AnswerDoc(int(row[0]) % SLOTS, row[1], lang, row[3], times, row[5])


def open_index(state_db: str) -> TranscriptIndex:
    if state_db.startswith(("postgresql://", "postgres://")):
        from hireflix_mcp.transcripts.pg_index import PostgresIndex

        return PostgresIndex(state_db)
    from hireflix_mcp.transcripts.sqlite_index import SqliteIndex

    return SqliteIndex(state_db)
