"""Search hits come in one documented order in both stores (SQLite FTS5 and PostgreSQL), whatever order the
interviews were indexed in: best rank first; equal ranks most recently recorded first, then by interview id,
then by question. Past RANK_WINDOW matching answers, the ranked ones are the most recently indexed
RANK_WINDOW, ordered the same way."""

from __future__ import annotations

import random

import pytest

from hireflix_mcp.transcripts import pg_index
from hireflix_mcp.transcripts import sqlite_index
from hireflix_mcp.transcripts.index import AnswerDoc
from hireflix_mcp.transcripts.index import Filters
from hireflix_mcp.transcripts.index import InterviewDoc
from hireflix_mcp.transcripts.index import TranscriptIndex
from hireflix_mcp.transcripts.query import parse

POSITION = "cccccccccccccccccccccccc"
PLAIN = "I ran Kubernetes clusters for a logistics company."
KEEN = "Kubernetes every day: I upgrade Kubernetes, I debug Kubernetes, I teach Kubernetes to the team."
DAY_MS = 86_400_000.0


def interview(interview_id: str, recorded_day: int | None, answers: dict[int, str]) -> InterviewDoc:
    """An English interview recorded `recorded_day` days after a fixed date (None: no recording time)."""
    return InterviewDoc(
        interview_id,
        POSITION,
        "Platform engineer",
        f"Candidate {interview_id[-2:]}",
        "to_evaluate",
        None if recorded_day is None else 1_700_000_000_000.0 + recorded_day * DAY_MS,
        1.0,
        tuple(AnswerDoc(q, f"Question {q}", "en", text) for q, text in answers.items()),
    )


# Every answer but KEEN has the same text, so the same rank; ids are hex like Hireflix's.
INTERVIEWS = [
    interview("0000000000000000000000a1", 1, {1: PLAIN}),
    interview("ff00000000000000000000b2", 3, {1: PLAIN}),
    interview("0a00000000000000000000c3", 3, {2: PLAIN}),  # recorded with b2: the lower id first
    interview("5000000000000000000000d4", 5, {3: PLAIN, 1: PLAIN}),  # question 1 is the hit, 3 also matches
    interview("9000000000000000000000e5", 2, {4: KEEN}),  # says it most: first, though recorded early
    interview("1000000000000000000000f6", None, {1: PLAIN}),  # no recording time: last of its rank
]

IN_ORDER = [
    ("9000000000000000000000e5", 4, ()),
    ("5000000000000000000000d4", 1, (3,)),
    ("0a00000000000000000000c3", 2, ()),
    ("ff00000000000000000000b2", 1, ()),
    ("0000000000000000000000a1", 1, ()),
    ("1000000000000000000000f6", 1, ()),
]


def indexing_orders() -> list[list[InterviewDoc]]:
    """The interviews as given, reversed, and shuffled (a fixed seed)."""
    shuffled = list(INTERVIEWS)
    random.Random(9).shuffle(shuffled)
    assert shuffled not in (INTERVIEWS, INTERVIEWS[::-1])
    return [list(INTERVIEWS), INTERVIEWS[::-1], shuffled]


def hits_after_indexing(
    index: TranscriptIndex, docs: list[InterviewDoc], filters: Filters
) -> list[tuple[str, int, tuple[int, ...]]]:
    """Index `docs` one at a time (as separate sync pages would) into an emptied index, then search."""
    index.purge()
    for doc in docs:
        index.upsert([doc], seen_at=1.0)
    result = index.search(parse("kubernetes"), filters, 10)
    return [(hit.interview.interview_id, hit.answer.question, hit.also) for hit in result.hits]


def test_equal_ranks_come_most_recently_recorded_first_then_by_interview_id_whatever_the_indexing_order(
    empty_index: TranscriptIndex,
) -> None:
    for docs in indexing_orders():
        assert hits_after_indexing(empty_index, docs, Filters()) == IN_ORDER, [d.interview_id for d in docs]


@pytest.mark.parametrize("recorded_since", [None, 1_700_000_000_000.0 + 2 * DAY_MS])
def test_past_the_rank_window_the_most_recently_indexed_matches_are_ranked_in_the_same_order(
    empty_index: TranscriptIndex, monkeypatch: pytest.MonkeyPatch, recorded_since: float | None
) -> None:
    # Three answers stand for 2000: the last three indexed that match (d4's two, then f6's; with
    # recorded_since, which leaves out f6 and a1: c3's, then d4's two). KEEN (e5), indexed first, is left
    # out though it ranks best.
    for store in (sqlite_index, pg_index):
        monkeypatch.setattr(store, "RANK_WINDOW", 3)
    docs = [INTERVIEWS[4], INTERVIEWS[0], INTERVIEWS[1], INTERVIEWS[2], INTERVIEWS[3], INTERVIEWS[5]]
    hits = hits_after_indexing(empty_index, docs, Filters(recorded_since=recorded_since))
    window = IN_ORDER[1:3] if recorded_since else [IN_ORDER[1], IN_ORDER[5]]
    assert hits == window
