"""The sandbox's state: one SQLite database (a file that survives restarts, or ":memory:").

One connection shared by the server thread and test code (`check_same_thread=False`), every access under
one re-entrant lock. `transaction()` groups a read-check-write sequence (an invite checks duplicates and
quota, then inserts) so concurrent requests cannot interleave inside it. Records are frozen dataclasses
whose field names are the column names; JSON-valued fields are stored as text.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import fields
from typing import Any
from typing import ClassVar
from typing import TypeVar

SCHEMA_VERSION = 1

_DDL = """
CREATE TABLE IF NOT EXISTS company (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, owner_id TEXT NOT NULL, webhook_secret TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS members (
    id TEXT PRIMARY KEY, name TEXT, email TEXT NOT NULL, type TEXT NOT NULL, deleted INTEGER NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS positions (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT, location TEXT, language TEXT,
    archived REAL, active INTEGER NOT NULL, tags TEXT NOT NULL, created_at REAL NOT NULL,
    updated_at REAL NOT NULL, expires REAL, retakes INTEGER, time_to_answer INTEGER, time_to_think INTEGER
);
CREATE TABLE IF NOT EXISTS questions (
    id TEXT PRIMARY KEY, position_id TEXT NOT NULL REFERENCES positions(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL, title TEXT NOT NULL, description TEXT, time_to_answer INTEGER,
    time_to_think INTEGER, retakes INTEGER
);
CREATE INDEX IF NOT EXISTS questions_by_position ON questions(position_id, idx);
CREATE TABLE IF NOT EXISTS interviews (
    id TEXT PRIMARY KEY, position_id TEXT NOT NULL REFERENCES positions(id) ON DELETE CASCADE,
    hash TEXT NOT NULL UNIQUE, email TEXT NOT NULL, first_name TEXT NOT NULL, last_name TEXT, phone TEXT,
    external_id TEXT, disable_notifications INTEGER NOT NULL, metadata TEXT NOT NULL, status TEXT NOT NULL,
    created_at REAL NOT NULL, updated_at REAL NOT NULL, completed_at REAL, expires REAL, finalist REAL,
    archived REAL, score REAL, language TEXT, invite_source TEXT, notes TEXT, ip_addresses TEXT NOT NULL,
    user_agents TEXT NOT NULL, geolocation TEXT NOT NULL, share_id TEXT, share_url TEXT, share_expires REAL
);
CREATE INDEX IF NOT EXISTS interviews_by_position ON interviews(position_id, created_at);
CREATE TABLE IF NOT EXISTS answers (
    id TEXT PRIMARY KEY, interview_id TEXT NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
    question_id TEXT NOT NULL, url TEXT NOT NULL, thumbnail TEXT NOT NULL, duration REAL NOT NULL,
    language_code TEXT, text TEXT, words TEXT NOT NULL, created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS answers_by_interview ON answers(interview_id);
CREATE TABLE IF NOT EXISTS comments (
    id TEXT PRIMARY KEY, interview_id TEXT NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
    author_id TEXT NOT NULL, value TEXT NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS comments_by_interview ON comments(interview_id, created_at);
CREATE TABLE IF NOT EXISTS member_scores (
    id TEXT PRIMARY KEY, interview_id TEXT NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
    scorer_id TEXT NOT NULL, value REAL NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL,
    UNIQUE (interview_id, scorer_id)
);
CREATE TABLE IF NOT EXISTS audit_log (
    id TEXT PRIMARY KEY, actor_id TEXT, actor_email TEXT, timestamp REAL NOT NULL, object TEXT NOT NULL,
    ip TEXT, action TEXT NOT NULL, host TEXT, referer TEXT, medium TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_by_time ON audit_log(timestamp);
CREATE TABLE IF NOT EXISTS webhooks (
    id TEXT PRIMARY KEY, url TEXT NOT NULL, events TEXT NOT NULL, active INTEGER NOT NULL, external TEXT,
    created_at REAL NOT NULL, updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS invite_events (
    interview_id TEXT NOT NULL, created_at REAL NOT NULL
);
"""


class Record:
    """Base of the stored records: the table they live in and which columns need decoding."""

    __slots__ = ()
    TABLE: ClassVar[str]
    JSON_FIELDS: ClassVar[frozenset[str]] = frozenset()
    BOOL_FIELDS: ClassVar[frozenset[str]] = frozenset()


@dataclass(frozen=True, slots=True)
class CompanyRecord(Record):
    TABLE: ClassVar[str] = "company"
    id: str
    name: str
    owner_id: str
    webhook_secret: str
    created_at: float


@dataclass(frozen=True, slots=True)
class MemberRecord(Record):
    TABLE: ClassVar[str] = "members"
    BOOL_FIELDS: ClassVar[frozenset[str]] = frozenset({"deleted"})
    id: str
    name: str | None
    email: str
    type: str
    deleted: bool
    created_at: float


@dataclass(frozen=True, slots=True)
class PositionRecord(Record):
    TABLE: ClassVar[str] = "positions"
    JSON_FIELDS: ClassVar[frozenset[str]] = frozenset({"tags"})
    BOOL_FIELDS: ClassVar[frozenset[str]] = frozenset({"active"})
    id: str
    name: str
    description: str | None
    location: str | None
    language: str | None
    archived: float | None
    active: bool
    tags: list[str]
    created_at: float
    updated_at: float
    expires: float | None
    retakes: int | None
    time_to_answer: int | None
    time_to_think: int | None


@dataclass(frozen=True, slots=True)
class QuestionRecord(Record):
    TABLE: ClassVar[str] = "questions"
    id: str
    position_id: str
    idx: int
    title: str
    description: str | None
    time_to_answer: int | None
    time_to_think: int | None
    retakes: int | None


@dataclass(frozen=True, slots=True)
class InterviewRecord(Record):
    TABLE: ClassVar[str] = "interviews"
    JSON_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"metadata", "ip_addresses", "user_agents", "geolocation"}
    )
    BOOL_FIELDS: ClassVar[frozenset[str]] = frozenset({"disable_notifications"})
    id: str
    position_id: str
    hash: str
    email: str
    first_name: str
    last_name: str | None
    phone: str | None
    external_id: str | None
    disable_notifications: bool
    metadata: Any
    status: str  # "pending" | "completed"
    created_at: float
    updated_at: float
    completed_at: float | None
    expires: float | None
    finalist: float | None
    archived: float | None
    score: float | None
    language: str | None
    invite_source: str | None
    notes: str | None
    ip_addresses: list[str]
    user_agents: list[str]
    geolocation: list[dict[str, Any]]
    share_id: str | None
    share_url: str | None
    share_expires: float | None

    @property
    def completed(self) -> bool:
        return self.status == "completed"

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


@dataclass(frozen=True, slots=True)
class AnswerRecord(Record):
    TABLE: ClassVar[str] = "answers"
    JSON_FIELDS: ClassVar[frozenset[str]] = frozenset({"words"})
    id: str
    interview_id: str
    question_id: str
    url: str
    thumbnail: str
    duration: float
    language_code: str | None
    text: str | None
    words: list[dict[str, Any]]
    created_at: float


@dataclass(frozen=True, slots=True)
class CommentRecord(Record):
    TABLE: ClassVar[str] = "comments"
    id: str
    interview_id: str
    author_id: str
    value: str
    created_at: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class MemberScoreRecord(Record):
    TABLE: ClassVar[str] = "member_scores"
    id: str
    interview_id: str
    scorer_id: str
    value: float
    created_at: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class AuditRecord(Record):
    TABLE: ClassVar[str] = "audit_log"
    JSON_FIELDS: ClassVar[frozenset[str]] = frozenset({"object"})
    id: str
    actor_id: str | None
    actor_email: str | None
    timestamp: float
    object: dict[str, Any]
    ip: str | None
    action: str
    host: str | None
    referer: str | None
    medium: str


@dataclass(frozen=True, slots=True)
class WebhookRecord(Record):
    TABLE: ClassVar[str] = "webhooks"
    JSON_FIELDS: ClassVar[frozenset[str]] = frozenset({"events"})
    BOOL_FIELDS: ClassVar[frozenset[str]] = frozenset({"active"})
    id: str
    url: str
    events: list[str]
    active: bool
    external: str | None
    created_at: float
    updated_at: float


R = TypeVar("R", bound=Record)


def _encode(record: Record) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in fields(record):  # type: ignore[arg-type]  # every Record subclass is a dataclass
        value = getattr(record, field.name)
        values[field.name] = (
            json.dumps(value, ensure_ascii=False) if field.name in record.JSON_FIELDS else value
        )
    return values


def _decode(cls: type[R], row: sqlite3.Row) -> R:
    values: dict[str, Any] = {}
    for key in row.keys():  # noqa: SIM118  # sqlite3.Row is not iterable by key
        value = row[key]
        if key in cls.JSON_FIELDS:
            value = json.loads(value)
        elif key in cls.BOOL_FIELDS:
            value = bool(value)
        values[key] = value
    factory: Callable[..., R] = cls
    return factory(**values)


class Store:
    """Typed access to every table; safe to share between threads."""

    def __init__(self, path: str = ":memory:") -> None:
        self.path = path
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self._depth = 0
        self._closed = False
        with self._lock:
            self._conn.execute("PRAGMA foreign_keys = ON")
            if path != ":memory:":
                self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.executescript(_DDL)
            self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # ------------------------------------------------------------ plumbing

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._conn.close()

    @property
    def closed(self) -> bool:
        return self._closed

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All statements inside commit together or not at all; nested uses join the outer one."""
        with self._lock:
            if self._depth == 0:
                self._conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if self._depth == 0:
                    self._conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            if self._depth == 0:
                self._conn.execute("COMMIT")

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def _one(self, cls: type[R], sql: str, params: tuple[Any, ...] = ()) -> R | None:
        rows = self._rows(sql, params)
        return _decode(cls, rows[0]) if rows else None

    def _all(self, cls: type[R], sql: str, params: tuple[Any, ...] = ()) -> list[R]:
        return [_decode(cls, row) for row in self._rows(sql, params)]

    def _scalar(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        rows = self._rows(sql, params)
        return rows[0][0] if rows else None

    def _execute(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        with self._lock:
            return self._conn.execute(sql, params).rowcount

    def _get(self, cls: type[R], record_id: str) -> R | None:
        """The row of `cls`'s table with this id."""
        return self._one(cls, f"SELECT * FROM {cls.TABLE} WHERE id = ?", (record_id,))  # noqa: S608

    def _delete(self, cls: type[Record], record_id: str) -> bool:
        """Delete the row of `cls`'s table with this id (its dependents cascade); False when none was."""
        return self._execute(f"DELETE FROM {cls.TABLE} WHERE id = ?", (record_id,)) > 0  # noqa: S608

    def _of_interview(self, cls: type[R], interview_id: str) -> list[R]:
        """An interview's rows of `cls`'s table (answers, comments, scores), oldest first."""
        return self._all(
            cls,
            f"SELECT * FROM {cls.TABLE} WHERE interview_id = ? ORDER BY created_at, rowid",  # noqa: S608
            (interview_id,),
        )

    def insert(self, record: Record) -> None:
        values = _encode(record)
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        self._execute(f"INSERT INTO {record.TABLE} ({columns}) VALUES ({marks})", tuple(values.values()))  # noqa: S608

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Insert many rows at once, values already encoded (bulk demo data)."""
        marks = ", ".join("?" for _ in columns)
        with self._lock:
            self._conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)  # noqa: S608

    def save(self, record: Record) -> None:
        """Replace the stored row with the same id (the record must exist)."""
        values = _encode(record)
        assignments = ", ".join(f"{name} = ?" for name in values if name != "id")
        params = (*(v for k, v in values.items() if k != "id"), values["id"])
        self._execute(f"UPDATE {record.TABLE} SET {assignments} WHERE id = ?", params)  # noqa: S608

    def is_empty(self) -> bool:
        """True before bootstrap: the company row is the first thing ever written."""
        return int(self._scalar("SELECT COUNT(*) FROM company")) == 0

    # ------------------------------------------------------------ company and members

    def company(self) -> CompanyRecord:
        company = self._one(CompanyRecord, "SELECT * FROM company LIMIT 1")
        if company is None:
            raise LookupError("the sandbox store has no company yet")
        return company

    def owner(self) -> MemberRecord:
        """The user the API key belongs to: the actor of every API mutation."""
        owner = self.member(self.company().owner_id)
        if owner is None:
            raise LookupError("the company owner is missing from the members table")
        return owner

    def member(self, member_id: str) -> MemberRecord | None:
        return self._get(MemberRecord, member_id)

    def member_by_email(self, email: str) -> MemberRecord | None:
        wanted = email.casefold()
        for member in self._all(MemberRecord, "SELECT * FROM members ORDER BY created_at, rowid"):
            if member.email.casefold() == wanted:
                return member
        return None

    def members(self, *, include_deleted: bool = False) -> list[MemberRecord]:
        members = self._all(MemberRecord, "SELECT * FROM members ORDER BY created_at, rowid")
        return [m for m in members if include_deleted or not m.deleted]

    # ------------------------------------------------------------ positions and questions

    def position(self, position_id: str) -> PositionRecord | None:
        return self._get(PositionRecord, position_id)

    def positions(self) -> list[PositionRecord]:
        return self._all(PositionRecord, "SELECT * FROM positions ORDER BY created_at DESC, rowid DESC")

    def questions(self, position_id: str) -> list[QuestionRecord]:
        return self._all(
            QuestionRecord, "SELECT * FROM questions WHERE position_id = ? ORDER BY idx", (position_id,)
        )

    def replace_questions(self, position_id: str, questions: list[QuestionRecord]) -> None:
        with self.transaction():
            keep = [q.id for q in questions]
            marks = ", ".join("?" for _ in keep)
            self._execute(
                f"DELETE FROM questions WHERE position_id = ? AND id NOT IN ({marks})",  # noqa: S608
                (position_id, *keep),
            )
            for question in questions:
                if self._scalar("SELECT 1 FROM questions WHERE id = ?", (question.id,)):
                    self.save(question)
                else:
                    self.insert(question)

    def delete_position(self, position_id: str) -> bool:
        """Delete a position with its questions and interviews (and their answers, comments, scores)."""
        return self._delete(PositionRecord, position_id)

    # ------------------------------------------------------------ interviews

    def interview(self, interview_id: str) -> InterviewRecord | None:
        return self._get(InterviewRecord, interview_id)

    def interviews(self, position_id: str) -> list[InterviewRecord]:
        return self._all(
            InterviewRecord,
            "SELECT * FROM interviews WHERE position_id = ? ORDER BY created_at DESC, id",
            (position_id,),
        )

    def all_interviews(self) -> list[InterviewRecord]:
        return self._all(InterviewRecord, "SELECT * FROM interviews ORDER BY created_at DESC, id")

    def interview_by_email(self, position_id: str, email: str) -> InterviewRecord | None:
        """Hireflix allows one interview per e-mail per position; e-mails compare case-insensitively."""
        wanted = email.casefold()
        rows = self._rows("SELECT id, email FROM interviews WHERE position_id = ?", (position_id,))
        for row in rows:
            if str(row["email"]).casefold() == wanted:
                return self.interview(str(row["id"]))
        return None

    def interview_by_external_id(self, position_id: str, external_id: str) -> InterviewRecord | None:
        return self._one(
            InterviewRecord,
            "SELECT * FROM interviews WHERE position_id = ? AND external_id = ?",
            (position_id, external_id),
        )

    def hash_taken(self, hash_: str) -> bool:
        return bool(self._scalar("SELECT 1 FROM interviews WHERE hash = ?", (hash_,)))

    def delete_interview(self, interview_id: str) -> bool:
        return self._delete(InterviewRecord, interview_id)

    def record_invite(self, interview_id: str, at: float) -> None:
        """Count an invite against the quota (deleting the interview later does not refund it)."""
        self._execute(
            "INSERT INTO invite_events (interview_id, created_at) VALUES (?, ?)", (interview_id, at)
        )

    def invites_since(self, since: float) -> int:
        return int(self._scalar("SELECT COUNT(*) FROM invite_events WHERE created_at >= ?", (since,)))

    def count_interviews(self) -> int:
        return int(self._scalar("SELECT COUNT(*) FROM interviews"))

    # ------------------------------------------------------------ answers, comments, scores

    def answers(self, interview_id: str) -> list[AnswerRecord]:
        return self._of_interview(AnswerRecord, interview_id)

    def has_answer(self, interview_id: str, answer_id: str) -> bool:
        """Whether the interview has this answer (without reading its transcript)."""
        return bool(
            self._scalar("SELECT 1 FROM answers WHERE id = ? AND interview_id = ?", (answer_id, interview_id))
        )

    def comments(self, interview_id: str) -> list[CommentRecord]:
        return self._of_interview(CommentRecord, interview_id)

    def member_scores(self, interview_id: str) -> list[MemberScoreRecord]:
        return self._of_interview(MemberScoreRecord, interview_id)

    def member_score(self, interview_id: str, scorer_id: str) -> MemberScoreRecord | None:
        return self._one(
            MemberScoreRecord,
            "SELECT * FROM member_scores WHERE interview_id = ? AND scorer_id = ?",
            (interview_id, scorer_id),
        )

    def delete_member_score(self, interview_id: str, scorer_id: str) -> None:
        self._execute(
            "DELETE FROM member_scores WHERE interview_id = ? AND scorer_id = ?", (interview_id, scorer_id)
        )

    # ------------------------------------------------------------ audit log

    def audit_page(self, *, since: float, skip: int, limit: int) -> tuple[list[AuditRecord], int]:
        """Entries at or after `since`, newest first, and how many there are in all."""
        total = int(self._scalar("SELECT COUNT(*) FROM audit_log WHERE timestamp >= ?", (since,)))
        page = self._all(
            AuditRecord,
            "SELECT * FROM audit_log WHERE timestamp >= ? "
            "ORDER BY timestamp DESC, rowid DESC LIMIT ? OFFSET ?",
            (since, limit, skip),
        )
        return page, total

    def audit_entries(self) -> list[AuditRecord]:
        """Every entry, including those older than the API's window (for tests and debugging)."""
        return self._all(AuditRecord, "SELECT * FROM audit_log ORDER BY timestamp DESC, rowid DESC")

    # ------------------------------------------------------------ webhooks

    def webhook(self, webhook_id: str) -> WebhookRecord | None:
        return self._get(WebhookRecord, webhook_id)

    def webhooks(self) -> list[WebhookRecord]:
        return self._all(WebhookRecord, "SELECT * FROM webhooks ORDER BY created_at, rowid")

    def delete_webhook(self, webhook_id: str) -> bool:
        return self._delete(WebhookRecord, webhook_id)

    def subscribed_urls(self, event: str) -> list[str]:
        """URLs of active webhooks listening to `event` (the dispatcher's `subscriptions` callable)."""
        return [hook.url for hook in self.webhooks() if hook.active and event in hook.events]
