"""Filling the transcript index from Hireflix and keeping it current.

A pass over one position walks its interviews in cursor pages (`ListInterviewTranscripts`, 50 a page).
The first complete pass asks for every answer's transcription inline, so a page of 50 interviews is one
request. Word timings (three fields for every word spoken, most of a transcript's bytes) are not read
with the pages unless `inline_words`: `fill_times` reads them, one request per interview, for the hits a
search shows, and the index keeps them. Later passes list summaries only and fetch the transcript of an
interview only when it is new or changed since it was indexed. After each page the cursor is saved: a pass cut
short (a restart, an error past the client's retries) resumes where it stopped. A pass that reaches the
end forgets the interviews it did not see: they were deleted upstream.

Politeness: positions are walked `concurrency` at a time (4 by default), pages one after another within
a position, and the client's transport already waits out a 429's Retry-After (up to
HIREFLIX_RETRY_AFTER_CAP) before retrying. A position that still fails is reported and left for the next
pass, its cursor kept.

Webhook events (`apply_event`) update the index at once: `interview.delete` removes the interview,
`interview.finish` indexes it (one request), `interview.status-change` re-reads its review status.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import anyio
from pydantic import Field

from hireflix_mcp.hireflix import models as hx
from hireflix_mcp.hireflix.client import HireflixClient
from hireflix_mcp.hireflix.errors import HireflixError
from hireflix_mcp.hireflix.search import InterviewCondition
from hireflix_mcp.hireflix.search import interview_list_input
from hireflix_mcp.sanitize import candidate_text
from hireflix_mcp.transcripts.index import AnswerDoc
from hireflix_mcp.transcripts.index import InterviewDoc
from hireflix_mcp.transcripts.index import Progress
from hireflix_mcp.transcripts.index import TranscriptIndex
from hireflix_mcp.transcripts.index import now_ms
from hireflix_mcp.transcripts.text import language_of
from hireflix_mcp.transcripts.text import pack_times
from hireflix_mcp.transcripts.text import token_times
from hireflix_mcp.views.common import candidate_name

logger = logging.getLogger("hireflix_mcp.transcripts")

PAGE_SIZE = 50
CONCURRENCY = 4
CHECK_BATCH = 10
"""Ids per `CheckInterviewsExist` request (the document has ten slots)."""


class _Listed(hx.Interview):
    questions: list[hx.InterviewQuestion] | None = None


class _Page(hx.HireflixModel):
    results: list[_Listed] = Field(default_factory=list)
    last_cursor: str | None = None
    total: int | None = None


def interview_doc(interview: hx.Interview, questions: Sequence[hx.InterviewQuestion] | None) -> InterviewDoc:
    """An interview as the index keeps it; its answers from `questions` (sanitised on the way in)."""
    answers: list[AnswerDoc] = []
    for number, question in enumerate(questions or (), start=1):
        answer = question.answer
        transcription = answer.transcription if answer else None
        text = candidate_text(transcription.text or "") if transcription else ""
        if not text.strip() or transcription is None:
            continue
        # None: word timings not read yet (fetched when a hit needs them); b"": Hireflix has none.
        words = transcription.words
        times = None if words is None else (pack_times(token_times(text, words)) or b"")
        answers.append(
            AnswerDoc(
                question=number,
                title=question.title or f"Question {number}",
                language=language_of(transcription.language_code),
                text=text,
                times=times,
                duration_s=answer.meta.duration if answer and answer.meta else None,
            )
        )
    position = interview.position
    return InterviewDoc(
        interview_id=interview.id,
        position_id=position.id if position and position.id else "",
        position_name=candidate_text(position.name or "") if position else "",
        candidate=candidate_text(candidate_name(interview.candidate)),
        status=interview.review_status,
        recorded_at=interview.recorded_at,
        updated_at=interview.updated_at,
        answers=tuple(answers),
    )


@dataclass
class SyncReport:
    positions: int = 0
    interviews: int = 0
    """Interviews listed."""
    indexed: int = 0
    """Interviews (re)indexed with their answers."""
    forgotten: int = 0
    requests: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    """Position id -> what went wrong (its cursor is kept for the next pass)."""


Progressed = Callable[[str, int, int | None], None]
"""Called after each page: position name, interviews done in this pass, the position's total if known."""


class TranscriptSync:
    """Passes over positions, single-interview refreshes, and the upstream existence check."""

    def __init__(
        self,
        index: TranscriptIndex,
        client: HireflixClient,
        *,
        concurrency: int = CONCURRENCY,
        page_size: int = PAGE_SIZE,
        inline_words: bool = False,
    ) -> None:
        self.index = index
        self.client = client
        self.concurrency = concurrency
        self.page_size = page_size
        self.inline_words = inline_words
        """Read word timings with the pages (three fields a spoken word); else when a hit needs them."""

    async def _run(
        self, report: SyncReport | None, name: str, variables: Mapping[str, Any]
    ) -> dict[str, Any]:
        if report is not None:
            report.requests += 1
        # The client's plumbing (retries, 429 Retry-After, error mapping); these two documents are
        # the index's own, so they are sent from here rather than given methods on the client.
        return await self.client._run(name, variables)

    async def _page(
        self,
        report: SyncReport | None,
        position_id: str,
        *,
        cursor: str | None,
        transcripts: bool,
        limit: int,
        interview_id: str | None = None,
        words: bool = False,
    ) -> tuple[str, _Page] | None:
        only = InterviewCondition(id=interview_id).to_filter() if interview_id is not None else None
        variables = {
            "positionId": position_id,
            "input": interview_list_input(only, limit, cursor, None),
            "withTranscripts": transcripts,
            "withWords": transcripts and (words or self.inline_words),
        }
        data = await self._run(report, "ListInterviewTranscripts", variables)
        position = data.get("position")
        if position is None:
            return None
        page = _Page.model_validate(position.get("interviewList") or {})
        return str(position.get("name") or ""), page

    # ------------------------------------------------------------------------------------ passes

    async def run(
        self, position_ids: Iterable[str] | None = None, progressed: Progressed | None = None
    ) -> SyncReport:
        """One pass over the given positions (default: every position, archived ones too)."""
        report = SyncReport()
        if position_ids is None:
            report.requests += 1
            positions = [(p.id, p.name or "") for p in await self.client.list_positions()]
        else:
            positions = [(pid, "") for pid in position_ids]
        report.positions = len(positions)
        limiter = anyio.CapacityLimiter(self.concurrency)

        async def one(position_id: str, name: str) -> None:
            async with limiter:
                try:
                    await self.sync_position(position_id, name, report, progressed)
                except HireflixError as exc:
                    report.failed[position_id] = f"{type(exc).__name__}: {exc}"
                    logger.warning("transcript sync of position %s stopped: %s", position_id, exc)

        async with anyio.create_task_group() as group:
            for position_id, name in positions:
                group.start_soon(one, position_id, name)
        return report

    async def sync_position(
        self,
        position_id: str,
        name: str = "",
        report: SyncReport | None = None,
        progressed: Progressed | None = None,
    ) -> None:
        report = report if report is not None else SyncReport()
        saved = await anyio.to_thread.run_sync(self.index.progress, position_id)
        first_pass = saved is None or saved.completed_at is None
        if saved is not None and saved.pass_started is not None:
            started, cursor = saved.pass_started, saved.cursor
        else:
            started, cursor = now_ms(), None
        completed_at = saved.completed_at if saved else None
        known = await anyio.to_thread.run_sync(self.index.known, position_id)
        done = 0
        while True:
            got = await self._page(
                report, position_id, cursor=cursor, transcripts=first_pass, limit=self.page_size
            )
            if got is None:  # the position is gone
                forgotten = await anyio.to_thread.run_sync(
                    self.index.forget_unseen, position_id, float("inf")
                )
                report.forgotten += forgotten
                return
            upstream_name, page = got
            name = upstream_name or name
            await self._index_page(report, page, known, first_pass)
            done += len(page.results)
            report.interviews += len(page.results)
            more = len(page.results) >= self.page_size and page.last_cursor is not None
            cursor = page.last_cursor if more else None
            progress = Progress(position_id, name, cursor, started if more else None, completed_at)
            if not more:
                forgotten = await anyio.to_thread.run_sync(self.index.forget_unseen, position_id, started)
                report.forgotten += forgotten
                progress = Progress(position_id, name, None, None, now_ms())
            await anyio.to_thread.run_sync(self.index.save_progress, progress)
            if progressed is not None:
                progressed(name, done, page.total)
            if not more:
                return

    async def _index_page(
        self,
        report: SyncReport,
        page: _Page,
        known: Mapping[str, tuple[float | None, str, int]],
        inline: bool,
    ) -> None:
        seen_at = now_ms()
        docs: list[InterviewDoc] = []
        unchanged: list[str] = []
        stale: list[_Listed] = []
        for interview in page.results:
            before = known.get(interview.id)
            if inline or not interview.is_recorded:
                docs.append(interview_doc(interview, interview.questions))
            elif (
                before is not None
                and before[0] == interview.updated_at
                and before[1] == interview.review_status
            ):
                unchanged.append(interview.id)
            else:
                stale.append(interview)
        if stale:
            limiter = anyio.CapacityLimiter(self.concurrency)

            async def fetch(interview: _Listed) -> None:
                async with limiter:
                    report.requests += 1
                    transcript = await self.client.get_interview_transcript(
                        interview.id, with_words=self.inline_words
                    )
                    docs.append(interview_doc(interview, transcript.questions))

            async with anyio.create_task_group() as group:
                for interview in stale:
                    group.start_soon(fetch, interview)
        report.indexed += sum(1 for doc in docs if doc.answers)
        await anyio.to_thread.run_sync(lambda: self.index.upsert(docs, seen_at=seen_at))
        if unchanged:
            await anyio.to_thread.run_sync(lambda: self.index.touch(unchanged, seen_at=seen_at))

    # ------------------------------------------------------------------------------------ one interview

    async def refresh(self, interview_id: str, position_id: str, *, transcripts: bool = True) -> bool:
        """Index one interview again (one request); False when it no longer exists (then forgotten)."""
        got = await self._page(
            None,
            position_id,
            cursor=None,
            transcripts=transcripts,
            limit=1,
            interview_id=interview_id,
            words=True,
        )
        found = [i for i in got[1].results if i.id == interview_id] if got else []
        if not found:
            await anyio.to_thread.run_sync(self.index.delete, interview_id)
            return False
        interview = found[0]
        if transcripts:
            doc = interview_doc(interview, interview.questions)
            await anyio.to_thread.run_sync(lambda: self.index.upsert([doc], seen_at=now_ms()))
        else:
            await anyio.to_thread.run_sync(
                lambda: self.index.set_status(
                    interview_id, interview.review_status, at=interview.updated_at or now_ms()
                )
            )
        return True

    async def apply_event(self, event: str, data: Mapping[str, Any]) -> None:
        """Bring the index up to date with one webhook event (best effort: errors are logged)."""
        interview_id = data.get("id")
        position = data.get("position")
        position_id = position.get("id") if isinstance(position, Mapping) else None
        if not isinstance(interview_id, str):
            return
        try:
            if event == "interview.delete":
                await anyio.to_thread.run_sync(self.index.delete, interview_id)
            elif isinstance(position_id, str) and event == "interview.finish":
                await self.refresh(interview_id, position_id)
            elif isinstance(position_id, str) and event == "interview.status-change":
                indexed = await anyio.to_thread.run_sync(self.index.interview, interview_id)
                await self.refresh(interview_id, position_id, transcripts=indexed is None)
        except HireflixError as exc:
            logger.warning("transcript index: %s of %s not applied: %s", event, interview_id, exc)

    async def fill_position_times(self, position_id: str) -> int:
        """Read the word timings of a position's interviews in pages (one request per 50 interviews) into
        the index, after a text pass; returns the interviews given timings."""
        cursor: str | None = None
        filled = 0
        while True:
            got = await self._page(
                None, position_id, cursor=cursor, transcripts=True, limit=self.page_size, words=True
            )
            if got is None:
                return filled
            page = got[1]
            for interview in page.results:
                times = {a.question: a.times for a in interview_doc(interview, interview.questions).answers}
                if times:
                    kept = {q: t for q, t in times.items() if t is not None}
                    await anyio.to_thread.run_sync(self.index.set_times, interview.id, kept)
                    filled += 1
            if len(page.results) < self.page_size or page.last_cursor is None:
                return filled
            cursor = page.last_cursor

    async def fill_times(self, interview_ids: Iterable[str]) -> None:
        """Read the word timings of these interviews (one request each, a few at a time) into the index."""
        limiter = anyio.CapacityLimiter(self.concurrency)

        async def one(interview_id: str) -> None:
            async with limiter:
                try:
                    transcript = await self.client.get_interview_transcript(interview_id, with_words=True)
                except HireflixError as exc:
                    logger.info("word timings of %s not read: %s", interview_id, exc)
                    return
            times: dict[int, bytes] = {}
            for number, question in enumerate(transcript.questions, start=1):
                transcription = question.answer.transcription if question.answer else None
                if transcription is not None:
                    text = candidate_text(transcription.text or "")
                    times[number] = pack_times(token_times(text, transcription.words)) or b""
            await anyio.to_thread.run_sync(self.index.set_times, interview_id, times)

        async with anyio.create_task_group() as group:
            for interview_id in dict.fromkeys(interview_ids):
                group.start_soon(one, interview_id)

    async def existing(self, interview_ids: Sequence[str]) -> set[str]:
        """Which of these interviews still exist upstream (one request per ten)."""
        found: set[str] = set()
        for start in range(0, len(interview_ids), CHECK_BATCH):
            batch = list(interview_ids[start : start + CHECK_BATCH])
            slots = batch + [batch[0]] * (CHECK_BATCH - len(batch))
            data = await self._run(None, "CheckInterviewsExist", {f"i{n}": v for n, v in enumerate(slots)})
            for value in data.values():
                if isinstance(value, Mapping) and isinstance(value.get("id"), str):
                    found.add(value["id"])
        return found
