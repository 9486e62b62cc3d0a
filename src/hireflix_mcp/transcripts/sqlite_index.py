"""The transcript index in SQLite: FTS5 over the answers' normal forms, one column per language.

Each answer is one FTS5 row whose rowid is `interview number * 64 + question`, so matches group by
interview without a join. The text goes into the column of its language (`en`, `es`, `other`) as its
normal forms (`text.normals`: folded, accent-free, stemmed in Python since FTS5's own stemmer only knows
English); the tokenizer is `unicode61 remove_diacritics 2`. A fourth column, `scope`, holds the
position and review status as tokens, so filtering by them is part of the MATCH and `ORDER BY rank`
(bm25) stays the fast path. Equal ranks are ordered by `SqlIndex._recency` (most recently recorded first),
which needs the interview's row: FTS5 alone would give them in row-id order, the order they were indexed
in. The original text and its token times sit in `tx_answers`.

The same file as the other state (`HIREFLIX_MCP_STATE_DB`); `:memory:` lives as long as the process.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from collections.abc import Sequence
from contextlib import contextmanager
from typing import Any

from hireflix_mcp.transcripts.index import COUNT_CAP
from hireflix_mcp.transcripts.index import RANK_WINDOW
from hireflix_mcp.transcripts.index import RANKED_PER_HIT
from hireflix_mcp.transcripts.index import SLOTS
from hireflix_mcp.transcripts.index import AnswerDoc
from hireflix_mcp.transcripts.index import Filters
from hireflix_mcp.transcripts.index import InterviewDoc
from hireflix_mcp.transcripts.index import SearchResult
from hireflix_mcp.transcripts.index import SqlIndex
from hireflix_mcp.transcripts.query import Query
from hireflix_mcp.transcripts.query import fts5
from hireflix_mcp.transcripts.text import LANGUAGES
from hireflix_mcp.transcripts.text import normals

_DDL = """
CREATE TABLE IF NOT EXISTS tx_interviews (
    n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, position_id TEXT NOT NULL,
    position_name TEXT NOT NULL, candidate TEXT NOT NULL, status TEXT NOT NULL, recorded_at REAL,
    updated_at REAL, seen_at REAL NOT NULL, answers INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS tx_interviews_position ON tx_interviews (position_id, seen_at);
CREATE TABLE IF NOT EXISTS tx_answers (
    rowid INTEGER PRIMARY KEY, title TEXT NOT NULL, language TEXT NOT NULL, text TEXT NOT NULL,
    times BLOB, duration REAL
);
CREATE VIRTUAL TABLE IF NOT EXISTS tx_fts USING fts5(
    en, es, other, scope, tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TABLE IF NOT EXISTS tx_progress (
    position_id TEXT PRIMARY KEY, position_name TEXT NOT NULL, cursor TEXT, pass_started REAL,
    completed_at REAL
);
CREATE TABLE IF NOT EXISTS tx_meta (key TEXT PRIMARY KEY, value REAL);
"""


def scope_tokens(position_id: str, status: str) -> str:
    return f"p{position_id} s{status.replace('_', '')}"


def _scope_match(filters: Filters) -> str:
    parts = []
    if filters.position_id:
        parts.append(f'scope : "p{filters.position_id.lower()}"')
    if filters.status:
        parts.append(f'scope : "s{filters.status.replace("_", "").lower()}"')
    return "".join(f" AND {p}" for p in parts)


class SqliteIndex(SqlIndex):
    def __init__(self, path: str = ":memory:") -> None:
        self._memory = path == ":memory:"
        self.where = "memory (this process only)" if self._memory else path
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        if not self._memory:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_DDL)
        self._lock = threading.RLock()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _remove(self, db: sqlite3.Connection, n: int) -> None:
        bounds = (n * SLOTS, n * SLOTS + SLOTS - 1)
        db.execute("DELETE FROM tx_fts WHERE rowid BETWEEN ? AND ?", bounds)
        db.execute("DELETE FROM tx_answers WHERE rowid BETWEEN ? AND ?", bounds)

    def upsert(self, docs: Sequence[InterviewDoc], *, seen_at: float) -> None:
        prepared = [(doc, [self._fts_row(doc, a) for a in doc.answers if a.question < SLOTS]) for doc in docs]
        with self._tx() as db:
            for doc, fts_rows in prepared:
                n = self._put_interview(db, doc, seen_at=seen_at, answers=len(fts_rows))
                self._remove(db, n)
                for answer, columns in fts_rows:
                    rowid = n * SLOTS + answer.question
                    db.execute(
                        "INSERT INTO tx_answers (rowid, title, language, text, times, duration)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        (rowid, answer.title, answer.language, answer.text, answer.times, answer.duration_s),
                    )
                    db.execute(
                        "INSERT INTO tx_fts (rowid, en, es, other, scope) VALUES (?, ?, ?, ?, ?)",
                        (rowid, *columns),
                    )

    @staticmethod
    def _fts_row(doc: InterviewDoc, answer: AnswerDoc) -> tuple[AnswerDoc, tuple[str, str, str, str]]:
        forms = " ".join(normals(answer.text, answer.language))
        columns = {lang: forms if lang == answer.language else "" for lang in LANGUAGES}
        return answer, (
            columns["en"],
            columns["es"],
            columns["other"],
            scope_tokens(doc.position_id, doc.status),
        )

    def touch(self, interview_ids: Sequence[str], *, seen_at: float) -> None:
        with self._tx() as db:
            db.executemany(
                "UPDATE tx_interviews SET seen_at = ? WHERE id = ?", [(seen_at, i) for i in interview_ids]
            )

    def _restatus(self, db: sqlite3.Connection, n: int, position_id: str, status: str) -> None:
        """The answers' scope tokens are rewritten (their text is not fetched again)."""
        db.execute(
            "UPDATE tx_fts SET scope = ? WHERE rowid BETWEEN ? AND ?",
            (scope_tokens(position_id, status), n * SLOTS, n * SLOTS + SLOTS - 1),
        )

    def forget_unseen(self, position_id: str, before: float) -> int:
        with self._tx() as db:
            gone = db.execute(
                "SELECT n FROM tx_interviews WHERE position_id = ? AND seen_at < ?", (position_id, before)
            ).fetchall()
            for (n,) in gone:
                self._remove(db, int(n))
                db.execute("DELETE FROM tx_interviews WHERE n = ?", (n,))
            return len(gone)

    def search(self, query: Query, filters: Filters, limit: int) -> SearchResult:
        params: list[Any] = [fts5(query, LANGUAGES) + _scope_match(filters)]
        where = "tx_fts MATCH ?"
        if filters.recorded_since is not None:
            where += " AND i.recorded_at >= ?"
            params.append(filters.recorded_since)
        joined = f"tx_fts JOIN tx_interviews i ON i.n = tx_fts.rowid / {SLOTS} WHERE {where}"
        # Counting needs the interviews only to filter by recording time.
        source = joined if filters.recorded_since is not None else f"tx_fts WHERE {where}"
        count = (
            f"SELECT count(*), count(DISTINCT rowid / {SLOTS}) FROM"  # noqa: S608
            f" (SELECT tx_fts.rowid FROM {source} LIMIT {COUNT_CAP + 1})"
        )
        order = self._recency("tx_fts.rowid")
        counted = self._rows(count, params)
        if counted and counted[0][0] > RANK_WINDOW:
            # bm25 over every match of a very common query costs its time: rank only the newest matches
            # (row-id order, which FTS5 walks without sorting; choosing them by recording time instead sorts
            # every match, measured x2.4 on the p95 of 10,000 interviews). Their ties as everywhere else.
            newest = f"SELECT tx_fts.rowid AS n, rank AS r FROM {source} ORDER BY tx_fts.rowid DESC LIMIT ?"  # noqa: S608
            best = (
                f"SELECT w.n FROM ({newest}) w JOIN tx_interviews i ON i.n = w.n / {SLOTS}"  # noqa: S608
                f" ORDER BY w.r, {self._recency('w.n')} LIMIT ?"
            )
            ranked = self._rows(best, (*params, RANK_WINDOW, limit * RANKED_PER_HIT))
        else:
            best = f"SELECT tx_fts.rowid FROM {joined} ORDER BY rank, {order} LIMIT ?"  # noqa: S608
            ranked = self._rows(best, (*params, limit * RANKED_PER_HIT))
        hits = self._hits([rowid for (rowid,) in ranked], limit)
        total_answers, total_interviews = counted[0] if counted else (0, 0)
        capped = total_answers > COUNT_CAP
        return SearchResult(hits, int(total_interviews), min(int(total_answers), COUNT_CAP), capped)

    def _bytes(self) -> int:
        ((pages,),) = self._rows("PRAGMA page_count")
        ((page_size,),) = self._rows("PRAGMA page_size")
        return int(pages) * int(page_size)

    def purge(self) -> None:
        with self._tx() as db:
            for table in ("tx_fts", "tx_answers", "tx_interviews", "tx_progress", "tx_meta"):
                db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
        if not self._memory:
            with self._lock:
                self._db.execute("VACUUM")
