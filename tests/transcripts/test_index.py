"""The transcript index on its own: the query language, accent- and case-insensitive phrases in English and
Spanish with stemming, snippets and times, status changes and deletion, in both stores (SQLite FTS5 and
PostgreSQL full-text search)."""

from __future__ import annotations

import dataclasses
import threading

import pytest

from hireflix_mcp.hireflix.models import TranscriptWord
from hireflix_mcp.transcripts.index import AnswerDoc
from hireflix_mcp.transcripts.index import Filters
from hireflix_mcp.transcripts.index import InterviewDoc
from hireflix_mcp.transcripts.index import TranscriptIndex
from hireflix_mcp.transcripts.index import open_index
from hireflix_mcp.transcripts.query import Matcher
from hireflix_mcp.transcripts.query import QueryError
from hireflix_mcp.transcripts.query import parse
from hireflix_mcp.transcripts.text import Lang
from hireflix_mcp.transcripts.text import citation
from hireflix_mcp.transcripts.text import normals
from hireflix_mcp.transcripts.text import pack_times
from hireflix_mcp.transcripts.text import sentences
from hireflix_mcp.transcripts.text import snippet
from hireflix_mcp.transcripts.text import token_times
from hireflix_mcp.transcripts.text import unpack_times
from tests.support import run_in_threads

POSITION = "aaaaaaaaaaaaaaaaaaaaaaaa"
OTHER_POSITION = "bbbbbbbbbbbbbbbbbbbbbbbb"

SPANISH = (
    "Trabajé tres años en atención al cliente. Reduje el tiempo de respuesta a la mitad con turnos de noche."
)
ENGLISH = "I managed Kubernetes clusters for two years. Our customers told us the night shifts felt calmer."


def timed(text: str, start: float = 1.0) -> bytes | None:
    words = [
        TranscriptWord(text=w, start=start + i * 0.5, end=start + i * 0.5 + 0.4)
        for i, w in enumerate(text.split())
    ]
    return pack_times(token_times(text, words))


def doc(interview_id: str, candidate: str, text: str, lang: Lang) -> InterviewDoc:
    """An interview to evaluate for POSITION, with one answer of `text`."""
    answer = AnswerDoc(
        question=2, title="Tell us about your experience", language=lang, text=text, times=timed(text)
    )
    return InterviewDoc(
        interview_id, POSITION, "Barista", candidate, "to_evaluate", 1_700_000_000_000.0, 1.0, (answer,)
    )


@pytest.fixture
def index(empty_index: TranscriptIndex) -> TranscriptIndex:
    empty_index.upsert(
        [
            doc("000000000000000000000001", "Lucía Pérez", SPANISH, "es"),
            doc("000000000000000000000002", "John Smith", ENGLISH, "en"),
            dataclasses.replace(
                doc("000000000000000000000003", "Other Person", ENGLISH, "en"),
                position_id=OTHER_POSITION,
                status="shortlisted",
            ),
        ],
        seen_at=1.0,
    )
    return empty_index


def found(index: TranscriptIndex, query: str, **filters: str) -> list[str]:
    result = index.search(parse(query), Filters(**filters), 10)  # type: ignore[arg-type]
    return sorted(hit.interview.candidate for hit in result.hits)


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ('"TIEMPO DE RESPUESTA"', ["Lucía Pérez"]),
        ('"atencion al CLIENTE"', ["Lucía Pérez"]),  # accents and case
        ("trabaje", ["Lucía Pérez"]),  # "Trabajé", accent typed or not
        ("trabajando", ["Lucía Pérez"]),  # Spanish stem: trabaj-
        ('"customers TOLD"', ["John Smith", "Other Person"]),
        ('"customer told"', ["John Smith", "Other Person"]),  # English stem inside a phrase
        ("kubernetes managing", ["John Smith", "Other Person"]),  # all words, stemmed
        ('"told customers"', []),  # a phrase keeps its order
        ("kubernetes noche", []),
        ("kubernetes OR noche", ["John Smith", "Lucía Pérez", "Other Person"]),
    ],
)
def test_phrases_and_words_match_whatever_the_case_accents_and_endings_in_english_and_spanish(
    index: TranscriptIndex, query: str, who: list[str]
) -> None:
    assert found(index, query) == who


def test_position_and_status_narrow_the_search(index: TranscriptIndex) -> None:
    assert found(index, "customers", position_id=POSITION) == ["John Smith"]
    assert found(index, "customers", status="shortlisted") == ["Other Person"]
    coverage = index.coverage(Filters(position_id=POSITION))
    assert (coverage.interviews, coverage.recorded) == (2, 2)


def test_a_status_change_and_a_deletion_show_in_the_next_search(index: TranscriptIndex) -> None:
    assert index.set_status("000000000000000000000002", "discarded", at=2.0)
    assert found(index, "customers", status="discarded") == ["John Smith"]
    summaries = index.summaries(["000000000000000000000002", "f" * 24])
    assert {i: (d.candidate, d.status) for i, d in summaries.items()} == {
        "000000000000000000000002": ("John Smith", "discarded")
    }
    assert index.delete("000000000000000000000002")
    assert found(index, "customers") == ["Other Person"]
    assert index.interview("000000000000000000000002") is None
    assert index.coverage(Filters()).changed_at is not None


def test_a_complete_pass_forgets_what_it_did_not_see(index: TranscriptIndex) -> None:
    index.touch(["000000000000000000000001"], seen_at=5.0)
    assert index.forget_unseen(POSITION, 5.0) == 1  # John Smith was not seen by the pass
    assert found(index, "customers OR respuesta") == ["Lucía Pérez", "Other Person"]


def test_purge_forgets_every_transcript(index: TranscriptIndex) -> None:
    index.purge()
    stats = index.stats()
    assert (stats.interviews, stats.answers) == (0, 0)
    assert found(index, "customers") == []


def test_a_hit_marks_the_phrase_and_says_when_it_was_said() -> None:
    query = parse('"tiempo de respuesta"')
    forms = normals(SPANISH, "es")
    marked, centre = Matcher(query, "es").find(forms)
    text = snippet(SPANISH, marked, centre=centre)
    assert "[[tiempo de respuesta]]" in text
    times = unpack_times(timed(SPANISH))
    assert times is not None
    assert times[centre] == 1.0 + SPANISH.split().index("tiempo") * 0.5
    assert citation("Lucía [Pérez]", 2, 83.4) == "[Lucía (Pérez), Q2 01:23]"
    first, second = sentences(SPANISH, times)
    assert (first.start_s, second.start_s) == (1.0, 1.0 + 7 * 0.5)


@pytest.mark.parametrize(
    ("query", "problem"),
    [('"" OR', "no word"), ("x" * 400, "at most"), (" ".join(["w"] * 30), "at most 24")],
)
def test_a_query_without_words_or_too_long_is_refused_saying_why(query: str, problem: str) -> None:
    with pytest.raises(QueryError, match=problem):
        parse(query)


def test_or_joins_neighbours_and_an_unclosed_quote_runs_to_the_end() -> None:
    assert parse('barista OR camarero "night shift').describe() == '(barista OR camarero) "night shift"'


def test_word_timings_read_later_are_kept(index: TranscriptIndex) -> None:
    untimed = doc("000000000000000000000009", "Later Timed", ENGLISH, "en")
    untimed = dataclasses.replace(untimed, answers=(dataclasses.replace(untimed.answers[0], times=None),))
    index.upsert([untimed], seen_at=1.0)
    assert index.untimed(POSITION) == 1
    index.set_times("000000000000000000000009", {2: timed(ENGLISH) or b""})
    assert index.untimed(POSITION) == 0
    stored = index.interview("000000000000000000000009")
    assert stored is not None
    assert stored.answers[0].times == timed(ENGLISH)


def test_several_postgres_indexes_opening_a_fresh_database_at_once_all_succeed(
    fresh_postgres_url: str,
) -> None:
    """Replicas starting together each create the tables: none fails on the race (UniqueViolation)."""
    count = 6
    start = threading.Barrier(count)
    opened: list[TranscriptIndex] = []

    def open_one(_: int) -> None:
        start.wait(timeout=30)
        opened.append(open_index(fresh_postgres_url))

    try:
        run_in_threads(open_one, count, timeout_s=60)
        assert len(opened) == count
        opened[0].upsert([doc("000000000000000000000001", "Lucía Pérez", SPANISH, "es")], seen_at=1.0)
        assert found(opened[-1], "respuesta") == ["Lucía Pérez"]
    finally:
        for store in opened:
            store.close()


def test_the_answer_that_says_it_most_ranks_first(index: TranscriptIndex) -> None:
    keen = "Kubernetes every day: I upgrade Kubernetes, I debug Kubernetes, I teach Kubernetes to the team."
    index.upsert([doc("000000000000000000000007", "Kube Fan", keen, "en")], seen_at=1.0)
    result = index.search(parse("kubernetes"), Filters(), 10)
    assert [hit.interview.candidate for hit in result.hits[:1]] == ["Kube Fan"]
    assert (result.matched_interviews, result.matched_answers, result.capped) == (3, 3, False)
