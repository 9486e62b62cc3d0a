"""The transcript index in PostgreSQL: a `tsvector` per answer in its language's text search configuration
(`english`, `spanish`, else `simple`), under a GIN index.

Accents are removed before PostgreSQL sees the text (`text.fold`, the equivalent of the `unaccent`
extension, which a managed database may not allow), and the query goes through the same folding, so
"atencion" finds "atención". Stemming is PostgreSQL's own Snowball stemmer of each configuration. A query
is built per configuration with `phraseto_tsquery` (a word is a phrase of one), clauses joined by `&&`,
alternatives by `||`; each answer is matched with its own configuration's query and ranked by `ts_rank`.

The searched rows (`tx_answers`: tsvector, configuration, position, status) are kept apart from the texts
(`tx_texts`), so a search scans narrow rows and reads texts only for the hits it returns.

Same behaviour as the SQLite store (`sqlite_index`); used when HIREFLIX_MCP_STATE_DB is a
`postgresql://` URL.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg

from hireflix_mcp.transcripts.index import (
    COUNT_CAP,
    RANK_WINDOW,
    AnswerDoc,
    Coverage,
    Filters,
    Hit,
    InterviewDoc,
    Progress,
    SearchResult,
    Stats,
    now_ms,
)
from hireflix_mcp.transcripts.query import Query
from hireflix_mcp.transcripts.text import Lang, fold

CONFIGS: dict[Lang, str] = {"en": "english", "es": "spanish", "other": "simple"}
SLOTS = 64

_DDL = """
CREATE TABLE IF NOT EXISTS tx_interviews (
    n BIGSERIAL PRIMARY KEY, id TEXT NOT NULL UNIQUE, position_id TEXT NOT NULL,
    position_name TEXT NOT NULL, candidate TEXT NOT NULL, status TEXT NOT NULL,
    recorded_at DOUBLE PRECISION, updated_at DOUBLE PRECISION, seen_at DOUBLE PRECISION NOT NULL,
    answers INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS tx_interviews_position ON tx_interviews (position_id, seen_at);
CREATE TABLE IF NOT EXISTS tx_answers (
    rowid BIGINT PRIMARY KEY, n BIGINT NOT NULL, config TEXT NOT NULL, position_id TEXT NOT NULL,
    status TEXT NOT NULL, tsv TSVECTOR NOT NULL
);
CREATE INDEX IF NOT EXISTS tx_answers_tsv ON tx_answers USING GIN (tsv);
CREATE INDEX IF NOT EXISTS tx_answers_interview ON tx_answers (n);
CREATE TABLE IF NOT EXISTS tx_texts (
    rowid BIGINT PRIMARY KEY, n BIGINT NOT NULL, title TEXT NOT NULL, language TEXT NOT NULL,
    text TEXT NOT NULL, times BYTEA, duration DOUBLE PRECISION
);
CREATE INDEX IF NOT EXISTS tx_texts_interview ON tx_texts (n);
CREATE TABLE IF NOT EXISTS tx_progress (
    position_id TEXT PRIMARY KEY, position_name TEXT NOT NULL, cursor TEXT,
    pass_started DOUBLE PRECISION, completed_at DOUBLE PRECISION
);
CREATE TABLE IF NOT EXISTS tx_meta (key TEXT PRIMARY KEY, value DOUBLE PRECISION);
"""


def folded(text: str) -> str:
    """`text` lower-cased without accents, punctuation kept (the tsvector's input)."""
    return fold(text)


def tsquery(query: Query, config: str) -> tuple[str, list[Any]]:
    """The SQL of `query` as a tsquery in `config`, and its parameters."""
    clauses, params = [], []
    for clause in query.clauses:
        options = []
        for phrase in clause:
            options.append(f"phraseto_tsquery('{config}', %s)")
            params.append(" ".join(fold(word) for word in phrase.words))
        clauses.append("(" + " || ".join(options) + ")")
    return " && ".join(clauses), params


class PostgresIndex:
    def __init__(self, url: str) -> None:
        from hireflix_mcp.dsn import redact_url

        self.where = redact_url(url)
        self._db = psycopg.connect(url, autocommit=True)
        self._lock = threading.RLock()
        with self._lock:
            self._db.execute(_DDL)

    @contextmanager
    def _tx(self) -> Iterator[psycopg.Connection[Any]]:
        with self._lock, self._db.transaction():
            yield self._db

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    # ------------------------------------------------------------------------------------ writing

    def _remove(self, db: psycopg.Connection[Any], n: int) -> None:
        db.execute("DELETE FROM tx_answers WHERE n = %s", (n,))
        db.execute("DELETE FROM tx_texts WHERE n = %s", (n,))

    def upsert(self, docs: Sequence[InterviewDoc], *, seen_at: float) -> None:
        with self._tx() as db:
            for doc in docs:
                answers = [a for a in doc.answers if a.question < SLOTS]
                row = db.execute(
                    "INSERT INTO tx_interviews (id, position_id, position_name, candidate, status,"
                    " recorded_at,"
                    " updated_at, seen_at, answers) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
                    " ON CONFLICT (id) DO UPDATE SET position_id = excluded.position_id,"
                    " position_name = excluded.position_name, candidate = excluded.candidate,"
                    " status = excluded.status, recorded_at = excluded.recorded_at,"
                    " updated_at = excluded.updated_at, seen_at = excluded.seen_at,"
                    " answers = excluded.answers"
                    " RETURNING n",
                    (
                        doc.interview_id,
                        doc.position_id,
                        doc.position_name,
                        doc.candidate,
                        doc.status,
                        doc.recorded_at,
                        doc.updated_at,
                        seen_at,
                        len(answers),
                    ),
                ).fetchone()
                assert row is not None
                n = int(row[0])
                self._remove(db, n)
                for answer in answers:
                    config = CONFIGS[answer.language]
                    rowid = n * SLOTS + answer.question
                    db.execute(
                        "INSERT INTO tx_answers (rowid, n, config, position_id, status, tsv)"
                        " VALUES (%s, %s, %s, %s, %s, to_tsvector(%s::regconfig, %s))",
                        (rowid, n, config, doc.position_id, doc.status, config, folded(answer.text)),
                    )
                    db.execute(
                        "INSERT INTO tx_texts (rowid, n, title, language, text, times, duration)"
                        " VALUES (%s, %s, %s, %s, %s, %s, %s)",
                        (
                            rowid,
                            n,
                            answer.title,
                            answer.language,
                            answer.text,
                            answer.times,
                            answer.duration_s,
                        ),
                    )

    def touch(self, interview_ids: Sequence[str], *, seen_at: float) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE tx_interviews SET seen_at = %s WHERE id = ANY(%s)", (seen_at, list(interview_ids))
            )

    def known(self, position_id: str) -> dict[str, tuple[float | None, str, int]]:
        rows = self._rows(
            "SELECT id, updated_at, status, answers FROM tx_interviews WHERE position_id = %s", (position_id,)
        )
        return {r[0]: (r[1], r[2], r[3]) for r in rows}

    def _changed(self, db: psycopg.Connection[Any]) -> None:
        db.execute(
            "INSERT INTO tx_meta (key, value) VALUES ('changed_at', %s)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (now_ms(),),
        )

    def delete(self, interview_id: str) -> bool:
        with self._tx() as db:
            row = db.execute(
                "DELETE FROM tx_interviews WHERE id = %s RETURNING n", (interview_id,)
            ).fetchone()
            if row is None:
                return False
            self._remove(db, int(row[0]))
            self._changed(db)
            return True

    def set_status(self, interview_id: str, status: str, *, at: float) -> bool:
        with self._tx() as db:
            row = db.execute(
                "UPDATE tx_interviews SET status = %s, updated_at = %s WHERE id = %s RETURNING n",
                (status, at, interview_id),
            ).fetchone()
            if row is None:
                return False
            db.execute("UPDATE tx_answers SET status = %s WHERE n = %s", (status, row[0]))
            self._changed(db)
            return True

    def untimed(self, position_id: str) -> int:
        ((count,),) = self._rows(
            "SELECT count(*) FROM tx_texts t JOIN tx_interviews i ON i.n = t.n"
            " WHERE i.position_id = %s AND t.times IS NULL",
            (position_id,),
        )
        return int(count)

    def set_times(self, interview_id: str, times: Mapping[int, bytes]) -> None:
        with self._tx() as db:
            row = db.execute("SELECT n FROM tx_interviews WHERE id = %s", (interview_id,)).fetchone()
            if row is not None:
                for question, blob in times.items():
                    db.execute(
                        "UPDATE tx_texts SET times = %s WHERE rowid = %s",
                        (blob, int(row[0]) * SLOTS + question),
                    )

    def forget_unseen(self, position_id: str, before: float) -> int:
        with self._tx() as db:
            gone = db.execute(
                "DELETE FROM tx_interviews WHERE position_id = %s AND seen_at < %s RETURNING n",
                (position_id, before),
            ).fetchall()
            if gone:
                numbers = [int(n) for (n,) in gone]
                db.execute("DELETE FROM tx_answers WHERE n = ANY(%s)", (numbers,))
                db.execute("DELETE FROM tx_texts WHERE n = ANY(%s)", (numbers,))
            return len(gone)

    def progress(self, position_id: str) -> Progress | None:
        rows = self._rows(
            "SELECT position_id, position_name, cursor, pass_started, completed_at FROM tx_progress"
            " WHERE position_id = %s",
            (position_id,),
        )
        return Progress(*rows[0]) if rows else None

    def save_progress(self, progress: Progress) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO tx_progress (position_id, position_name, cursor, pass_started, completed_at)"
                " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (position_id) DO UPDATE SET"
                " position_name = excluded.position_name, cursor = excluded.cursor,"
                " pass_started = excluded.pass_started, completed_at = excluded.completed_at",
                (
                    progress.position_id,
                    progress.position_name,
                    progress.cursor,
                    progress.pass_started,
                    progress.completed_at,
                ),
            )

    # ------------------------------------------------------------------------------------ reading

    def _match(self, query: Query, filters: Filters) -> tuple[str, str, list[Any], list[Any]]:
        """(WHERE clause, rank expression, their parameters) of a search."""
        matches, ranks, match_params, rank_params = [], [], [], []
        for config in CONFIGS.values():
            sql, params = tsquery(query, config)
            matches.append(f"(a.config = '{config}' AND a.tsv @@ ({sql}))")
            match_params += params
            ranks.append(f"WHEN '{config}' THEN ts_rank(a.tsv, {sql})")
            rank_params += params
        where = "(" + " OR ".join(matches) + ")"
        if filters.position_id:
            where += " AND a.position_id = %s"
            match_params.append(filters.position_id)
        if filters.status:
            where += " AND a.status = %s"
            match_params.append(filters.status)
        if filters.recorded_since is not None:
            where += " AND a.n IN (SELECT n FROM tx_interviews WHERE recorded_at >= %s)"
            match_params.append(filters.recorded_since)
        return where, "CASE a.config " + " ".join(ranks) + " END", match_params, rank_params

    def search(self, query: Query, filters: Filters, limit: int) -> SearchResult:
        where, rank, match_params, rank_params = self._match(query, filters)
        ((answers, interviews),) = self._rows(
            "SELECT count(*), count(DISTINCT a.n) FROM"  # noqa: S608
            f" (SELECT a.n FROM tx_answers a WHERE {where} LIMIT {COUNT_CAP + 1}) a",
            match_params,
        )
        # ts_rank reads each match's tsvector: past RANK_WINDOW matches, rank the newest RANK_WINDOW.
        ranked = self._rows(
            f"SELECT a.rowid FROM (SELECT * FROM tx_answers a WHERE {where} ORDER BY a.rowid DESC LIMIT %s) a"  # noqa: S608
            f" ORDER BY {rank} DESC, a.rowid LIMIT %s",
            [*match_params, RANK_WINDOW, *rank_params, limit * 6],
        )
        order: dict[int, list[int]] = {}
        for (rowid,) in ranked:
            order.setdefault(rowid // SLOTS, []).append(rowid % SLOTS)
        chosen = list(order.items())[:limit]
        docs = self._interviews([n for n, _ in chosen])
        texts = self._answers([n * SLOTS + questions[0] for n, questions in chosen])
        hits = [
            Hit(docs[n], texts[n * SLOTS + questions[0]], tuple(sorted(questions[1:])))
            for n, questions in chosen
            if n in docs and n * SLOTS + questions[0] in texts
        ]
        return SearchResult(hits, int(interviews), min(int(answers), COUNT_CAP), answers > COUNT_CAP)

    def _interviews(self, numbers: Sequence[int]) -> dict[int, InterviewDoc]:
        rows = self._rows(
            "SELECT n, id, position_id, position_name, candidate, status, recorded_at, updated_at"
            " FROM tx_interviews WHERE n = ANY(%s)",
            (list(numbers),),
        )
        return {int(r[0]): InterviewDoc(*r[1:]) for r in rows}

    def _answers(self, rowids: Sequence[int]) -> dict[int, AnswerDoc]:
        rows = self._rows(
            "SELECT rowid, title, language, text, times, duration FROM tx_texts WHERE rowid = ANY(%s)",
            (list(rowids),),
        )
        return {int(r[0]): _answer(r) for r in rows}

    def interview(self, interview_id: str) -> InterviewDoc | None:
        rows = self._rows("SELECT n FROM tx_interviews WHERE id = %s", (interview_id,))
        if not rows:
            return None
        n = int(rows[0][0])
        doc = self._interviews([n])[n]
        answers = self._rows(
            "SELECT rowid, title, language, text, times, duration FROM tx_texts WHERE n = %s ORDER BY rowid",
            (n,),
        )
        return InterviewDoc(**{**doc.__dict__, "answers": tuple(_answer(r) for r in answers)})

    def coverage(self, filters: Filters) -> Coverage:
        where: list[str] = ["TRUE"]
        params: list[Any] = []
        if filters.position_id:
            where.append("position_id = %s")
            params.append(filters.position_id)
        if filters.status:
            where.append("status = %s")
            params.append(filters.status)
        if filters.recorded_since is not None:
            where.append("recorded_at >= %s")
            params.append(filters.recorded_since)
        ((listed, recorded),) = self._rows(
            "SELECT count(*), count(*) FILTER (WHERE answers > 0) FROM tx_interviews"  # noqa: S608
            f" WHERE {' AND '.join(where)}",
            params,
        )
        position_where = "WHERE position_id = %s" if filters.position_id else ""
        ((positions, synced, oldest),) = self._rows(
            f"SELECT count(*), count(completed_at), min(completed_at) FROM tx_progress {position_where}",  # noqa: S608
            [filters.position_id] if filters.position_id else [],
        )
        changed = self._rows("SELECT value FROM tx_meta WHERE key = 'changed_at'")
        return Coverage(
            interviews=int(listed),
            recorded=int(recorded),
            positions=int(positions),
            positions_synced=int(synced),
            synced_at=oldest if positions and synced == positions else None,
            changed_at=changed[0][0] if changed else None,
        )

    def stats(self) -> Stats:
        ((interviews, recorded),) = self._rows(
            "SELECT count(*), count(*) FILTER (WHERE answers > 0) FROM tx_interviews"
        )
        ((answers,),) = self._rows("SELECT count(*) FROM tx_texts")
        ((size,),) = self._rows(
            "SELECT coalesce(sum(pg_total_relation_size(c)), 0) FROM unnest(ARRAY["
            "'tx_interviews'::regclass, 'tx_answers'::regclass, 'tx_texts'::regclass,"
            " 'tx_progress'::regclass]) c"
        )
        progress = self._rows(
            "SELECT position_id, position_name, cursor, pass_started, completed_at FROM tx_progress"
            " ORDER BY position_name"
        )
        changed = self._rows("SELECT value FROM tx_meta WHERE key = 'changed_at'")
        return Stats(
            interviews=int(interviews),
            recorded=int(recorded),
            answers=int(answers),
            bytes=int(size),
            positions=[Progress(*row) for row in progress],
            changed_at=changed[0][0] if changed else None,
            where=self.where,
        )

    def purge(self) -> None:
        with self._tx() as db:
            db.execute("TRUNCATE tx_answers, tx_texts, tx_interviews, tx_progress, tx_meta")

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _answer(row: tuple[Any, ...]) -> AnswerDoc:
    lang: Lang = row[2] if row[2] in ("en", "es") else "other"
    times = bytes(row[4]) if row[4] is not None else None
    return AnswerDoc(int(row[0]) % SLOTS, row[1], lang, row[3], times, row[5])
