"""The transcript index in PostgreSQL: a `tsvector` per answer in its language's text search configuration
(`english`, `spanish`, else `simple`), under one GIN index per configuration.

Accents are removed before PostgreSQL sees the text (`text.fold`, the equivalent of the `unaccent`
extension, which a managed database may not allow), and the query goes through the same folding, so
"atencion" finds "atención". Stemming is PostgreSQL's own Snowball stemmer of each configuration. A query
is built per configuration with `phraseto_tsquery` (a word is a phrase of one), clauses joined by `&&`,
alternatives by `||`; each answer is matched with its own configuration's query and ranked by `ts_rank`.

One GIN index per configuration (partial: `WHERE config = ...`), and a search is one `UNION ALL` branch
per configuration (`config = X AND tsv @@ query_X`), so each branch is a bitmap scan of its own index and
no row's tsvector is read again to check the configuration (an `OR` of `config = X AND ...` over one
index had the planner scan the table in row-id order, testing the query row by row). Position and status
come from a B-tree (`tx_answers_scope`) combined with the GIN bitmap. The matches are gathered once and
give both the counts and the newest RANK_WINDOW to rank (see `search`). Equal ranks are
ordered as in SQLite (`SqlIndex._recency`), interview ids compared byte by byte whatever the collation.

The searched rows (`tx_answers`: tsvector, configuration, position, status) are kept apart from the texts
(`tx_texts`), so a search scans narrow rows and reads texts only for the hits it returns.

Same behaviour as the SQLite store (`sqlite_index`); used when HIREFLIX_MCP_STATE_DB is a
`postgresql://` URL.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from collections.abc import Sequence
from contextlib import contextmanager
from typing import Any

import psycopg

from hireflix_mcp.transcripts.index import COUNT_CAP
from hireflix_mcp.transcripts.index import RANK_WINDOW
from hireflix_mcp.transcripts.index import RANKED_PER_HIT
from hireflix_mcp.transcripts.index import SLOTS
from hireflix_mcp.transcripts.index import Filters
from hireflix_mcp.transcripts.index import InterviewDoc
from hireflix_mcp.transcripts.index import SearchResult
from hireflix_mcp.transcripts.index import SqlIndex
from hireflix_mcp.transcripts.query import Query
from hireflix_mcp.transcripts.text import Lang
from hireflix_mcp.transcripts.text import fold

CONFIGS: dict[Lang, str] = {"en": "english", "es": "spanish", "other": "simple"}
_SCHEMA_LOCK = 0x48_46_58_54  # "HFXT": the advisory lock replicas take to create the index's tables

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
DROP INDEX IF EXISTS tx_answers_tsv;
CREATE INDEX IF NOT EXISTS tx_answers_tsv_english ON tx_answers USING GIN (tsv) WHERE config = 'english';
CREATE INDEX IF NOT EXISTS tx_answers_tsv_spanish ON tx_answers USING GIN (tsv) WHERE config = 'spanish';
CREATE INDEX IF NOT EXISTS tx_answers_tsv_simple ON tx_answers USING GIN (tsv) WHERE config = 'simple';
CREATE INDEX IF NOT EXISTS tx_answers_interview ON tx_answers (n);
CREATE INDEX IF NOT EXISTS tx_answers_scope ON tx_answers (position_id, status);
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


class PostgresIndex(SqlIndex):
    _mark = "%s"
    _texts = "tx_texts"
    _bytewise = ' COLLATE "C"'

    def __init__(self, url: str) -> None:
        from hireflix_mcp.dsn import redact_url

        self.where = redact_url(url)
        self._db = psycopg.connect(url, autocommit=True)
        self._lock = threading.RLock()
        # Replicas starting together would race on CREATE TABLE IF NOT EXISTS (UniqueViolation on
        # pg_type): one at a time, under a transaction-level advisory lock.
        with self._lock, self._db.transaction():
            self._db.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            self._db.execute(_DDL)

    @contextmanager
    def _tx(self) -> Iterator[psycopg.Connection[Any]]:
        with self._lock, self._db.transaction():
            yield self._db

    def _remove(self, db: psycopg.Connection[Any], n: int) -> None:
        db.execute("DELETE FROM tx_answers WHERE n = %s", (n,))
        db.execute("DELETE FROM tx_texts WHERE n = %s", (n,))

    def upsert(self, docs: Sequence[InterviewDoc], *, seen_at: float) -> None:
        with self._tx() as db:
            for doc in docs:
                answers = [a for a in doc.answers if a.question < SLOTS]
                n = self._put_interview(db, doc, seen_at=seen_at, answers=len(answers))
                self._remove(db, n)
                for answer in answers:
                    config = CONFIGS[answer.language]
                    rowid = n * SLOTS + answer.question
                    db.execute(
                        "INSERT INTO tx_answers (rowid, n, config, position_id, status, tsv)"
                        " VALUES (%s, %s, %s, %s, %s, to_tsvector(%s::regconfig, %s))",
                        (rowid, n, config, doc.position_id, doc.status, config, fold(answer.text)),
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

    def _restatus(self, db: psycopg.Connection[Any], n: int, position_id: str, status: str) -> None:
        db.execute("UPDATE tx_answers SET status = %s WHERE n = %s", (status, n))

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

    @staticmethod
    def _matches(query: Query, filters: Filters) -> tuple[str, list[Any]]:
        """The matching answers' row ids: one branch per configuration, `UNION ALL`, and the parameters.

        Each branch's `tsv @@ tsquery` is its GIN index condition, with its own configuration's query; the
        configuration and the filters narrow the bitmap (`tx_answers_scope`) without re-reading a tsvector.
        """
        branches, params = [], []
        for config in CONFIGS.values():
            sql, tsquery_params = tsquery(query, config)
            where = f"a.config = '{config}' AND a.tsv @@ ({sql})"
            params += tsquery_params
            if filters.position_id:
                where += " AND a.position_id = %s"
                params.append(filters.position_id)
            if filters.status:
                where += " AND a.status = %s"
                params.append(filters.status)
            if filters.recorded_since is not None:
                where += " AND a.n IN (SELECT n FROM tx_interviews WHERE recorded_at >= %s)"
                params.append(filters.recorded_since)
            branches.append(f"SELECT a.rowid FROM tx_answers a WHERE {where}")  # noqa: S608
        return " UNION ALL ".join(branches), params

    @staticmethod
    def _rank(query: Query) -> tuple[str, list[Any]]:
        """`ts_rank` of an answer with its own configuration's query, and the parameters."""
        ranks, params = [], []
        for config in CONFIGS.values():
            sql, tsquery_params = tsquery(query, config)
            ranks.append(f"WHEN '{config}' THEN ts_rank(a.tsv, {sql})")
            params += tsquery_params
        return "CASE a.config " + " ".join(ranks) + " END", params

    def search(self, query: Query, filters: Filters, limit: int) -> SearchResult:
        # One pass over the matches (GIN bitmap scans, `_matches`) gives both their count (of the first
        # COUNT_CAP + 1) and the newest RANK_WINDOW, the only ones ranked (ts_rank reads each one's
        # tsvector); equal ranks in the tie-break's order (`_recency`). Two statements (count, then window)
        # read every match twice; the window alone, as `ORDER BY rowid DESC LIMIT` over the matches, can
        # lead the planner to walk the primary key.
        matches, match_params = self._matches(query, filters)
        rank, rank_params = self._rank(query)
        rows = self._rows(
            f"WITH m AS MATERIALIZED ({matches}),"  # noqa: S608
            " c AS (SELECT count(*) AS answers, count(DISTINCT rowid / %s) AS interviews"
            f" FROM (SELECT rowid FROM m LIMIT {COUNT_CAP + 1}) l)"
            " SELECT c.answers, c.interviews, r.rowid FROM c LEFT JOIN LATERAL"
            " (SELECT a.rowid FROM tx_answers a JOIN tx_interviews i ON i.n = a.n"
            " WHERE a.rowid = ANY(ARRAY(SELECT rowid FROM m ORDER BY rowid DESC LIMIT %s))"
            f" ORDER BY {rank} DESC, {self._recency('a.rowid')} LIMIT %s) r ON TRUE",
            [*match_params, SLOTS, RANK_WINDOW, *rank_params, limit * RANKED_PER_HIT],
        )
        answers, interviews = rows[0][0], rows[0][1]
        hits = self._hits([int(row[2]) for row in rows if row[2] is not None], limit)
        return SearchResult(hits, int(interviews), min(int(answers), COUNT_CAP), answers > COUNT_CAP)

    def _bytes(self) -> int:
        ((size,),) = self._rows(
            "SELECT coalesce(sum(pg_total_relation_size(c)), 0) FROM unnest(ARRAY["
            "'tx_interviews'::regclass, 'tx_answers'::regclass, 'tx_texts'::regclass,"
            " 'tx_progress'::regclass]) c"
        )
        return int(size)

    def purge(self) -> None:
        with self._tx() as db:
            db.execute("TRUNCATE tx_answers, tx_texts, tx_interviews, tx_progress, tx_meta")
