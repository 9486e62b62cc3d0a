"""Reading one interview: the interview, its transcript, its media, where it was recorded from."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated
from typing import TypeVar

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel
from pydantic import Field

from hireflix_mcp.card import CARD_TOOL_META
from hireflix_mcp.hireflix import models as hx
from hireflix_mcp.sanitize import CandidateText
from hireflix_mcp.sanitize import candidate_text
from hireflix_mcp.state import Ctx
from hireflix_mcp.state import hireflix
from hireflix_mcp.tools.inputs import InterviewId
from hireflix_mcp.tools.interviews.inputs import TRANSCRIPT_PAGE_BUDGET
from hireflix_mcp.tools.interviews.inputs import decode_cursor
from hireflix_mcp.tools.interviews.inputs import encode_cursor
from hireflix_mcp.tools.registry import tool
from hireflix_mcp.views.common import Compact
from hireflix_mcp.views.interviews import InterviewDetailOut
from hireflix_mcp.views.interviews import answer_duration
from hireflix_mcp.views.interviews import interview_detail
from hireflix_mcp.views.interviews import transcript_text

logger = logging.getLogger("hireflix_mcp.tools.interviews")

T = TypeVar("T")


class TranscriptAnswer(Compact):
    question: int = Field(description="Question number, from 1.")
    title: str | None = None
    language: str | None = None
    duration_s: float | None = None
    part: int | None = Field(
        default=None, description="Set when one long answer is split over pages: part number."
    )
    parts: int | None = None
    text: CandidateText | None = None
    words: CandidateText | None = Field(
        default=None, description="Word timings, one per line: '<start s>-<end s> <word>'."
    )


class TranscriptPage(BaseModel):
    interview_id: str
    questions_total: int
    answers: list[TranscriptAnswer]
    next_cursor: str | None = Field(description="Pass back as cursor for the rest; null when all was shown.")


class MediaAnswer(Compact):
    question: int
    title: str | None = None
    answered: bool | None = Field(default=None, description="Set (false) only when there is no video.")
    video_url: str | None = None
    thumbnail_url: str | None = None
    duration_s: float | None = None


class MediaResult(BaseModel):
    interview_id: str
    thumbnail_url: str | None = Field(
        default=None, description="The interview's cover image, when it is not one of the answers'."
    )
    answers: list[MediaAnswer]


class IpLocation(Compact):
    ip: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None


ACCESS_CAVEAT = (
    "Locations are IP lookups: behind a VPN, proxy or mobile network they show the network, not the "
    "candidate."
)


class AccessInfo(BaseModel):
    interview_id: str
    ip_addresses: list[CandidateText]
    user_agents: list[CandidateText]
    locations: list[IpLocation]
    caveat: str


# --------------------------------------------------------------------------------------------- read


@tool(
    kind="read",
    title="Get an interview",
    description="An interview: candidate, status, score, comments, links and answers.",
    meta=CARD_TOOL_META,  # hosts with MCP Apps show the interview card (hireflix_mcp.card)
)
async def get_interview(interview_id: InterviewId, ctx: Ctx) -> InterviewDetailOut:
    return interview_detail(await hireflix(ctx).get_interview(interview_id))


def _word_lines(question: hx.InterviewQuestion) -> str | None:
    answer = question.answer
    words = answer.transcription.words if answer and answer.transcription else None
    if not words:
        return None
    lines = []
    for word in words:
        token = candidate_text(word.text or "").replace("\n", " ").strip()
        start = f"{word.start:.2f}" if word.start is not None else "?"
        end = f"{word.end:.2f}" if word.end is not None else "?"
        lines.append(f"{start}-{end} {token}")
    return "\n".join(lines)


def _split(text: str, budget: int, *, at_lines: bool = False) -> list[str]:
    """`text` in consecutive chunks of at most `budget` characters, cut at a line (or a space) when one is
    near the end, so rejoining the chunks gives `text` back."""
    chunks: list[str] = []
    start = 0
    while len(text) - start > budget:
        window = text[start : start + budget]
        cut = window.rfind("\n") if at_lines else max(window.rfind(" "), window.rfind("\n"))
        end = start + (cut + 1 if cut >= budget // 2 else budget)
        chunks.append(text[start:end])
        start = end
    chunks.append(text[start:])
    return chunks


@dataclass(frozen=True)
class _Part:
    text: str | None
    words: str | None

    @property
    def size(self) -> int:
        return len(self.text or "") + len(self.words or "")


def _parts(text: str | None, words: str | None) -> list[_Part]:
    """One answer as pages-sized parts: whole when it fits, else its text then its word timings in pieces."""
    if len(text or "") + len(words or "") <= TRANSCRIPT_PAGE_BUDGET:
        return [_Part(text, words)]
    parts = [_Part(chunk, None) for chunk in _split(text, TRANSCRIPT_PAGE_BUDGET)] if text else []
    if words:
        parts += [_Part(None, chunk) for chunk in _split(words, TRANSCRIPT_PAGE_BUDGET, at_lines=True)]
    return parts


@tool(
    kind="read",
    title="Read a transcript",
    description=("A candidate's transcribed answers per question (candidate-written), paginated."),
)
async def get_interview_transcript(
    interview_id: InterviewId,
    ctx: Ctx,
    include_word_timings: Annotated[bool, Field(description="Adds word timings (long).")] = False,
    cursor: Annotated[str | None, Field(max_length=500, description="From the last page.")] = None,
) -> TranscriptPage:
    question_at, part_at = 0, 0
    if cursor is not None:
        state = decode_cursor(cursor)
        if state.get("i") != interview_id or state.get("w") != include_word_timings:
            raise ToolError(
                "cursor belongs to another interview or another include_word_timings: call again with the "
                "same arguments as the call that returned it, or without cursor."
            )
        q, p = state.get("q"), state.get("p")
        if not isinstance(q, int) or not isinstance(p, int) or min(q, p) < 0:
            raise ToolError(
                "cursor is not one this tool returned: pass next_cursor back unchanged, or omit it."
            )
        question_at, part_at = q, p
    transcript = await hireflix(ctx).get_interview_transcript(interview_id, with_words=include_word_timings)
    answers: list[TranscriptAnswer] = []
    used = 0
    next_cursor: str | None = None
    for q_index in range(question_at, len(transcript.questions)):
        question = transcript.questions[q_index]
        # Parts are cut from the raw text and sanitised one by one (by CandidateText) when shown: sanitising
        # only removes characters, so a part never grows past the budget, and a page of a very long answer
        # does not pay for sanitising the whole of it.
        words = _word_lines(question) if include_word_timings else None
        parts = _parts(transcript_text(question), words)
        first = part_at if q_index == question_at else 0
        for p_index in range(first, len(parts)):
            part = parts[p_index]
            size = part.size + len(question.title or "") + 100
            if answers and used + size > TRANSCRIPT_PAGE_BUDGET:
                next_cursor = encode_cursor(
                    {"i": interview_id, "w": include_word_timings, "q": q_index, "p": p_index}
                )
                break
            used += size
            answer = question.answer
            answers.append(
                TranscriptAnswer(
                    question=q_index + 1,
                    title=question.title,
                    language=answer.transcription.language_code if answer and answer.transcription else None,
                    duration_s=answer_duration(question),
                    part=p_index + 1 if len(parts) > 1 else None,
                    parts=len(parts) if len(parts) > 1 else None,
                    text=part.text,
                    words=part.words,
                )
            )
        if next_cursor is not None:
            break
    return TranscriptPage(
        interview_id=interview_id,
        questions_total=len(transcript.questions),
        answers=answers,
        next_cursor=next_cursor,
    )


@tool(
    kind="read",
    title="Get interview videos",
    description="Video and thumbnail URLs of an interview's answers.",
)
async def get_interview_media(interview_id: InterviewId, ctx: Ctx) -> MediaResult:
    media = await hireflix(ctx).get_interview_media(interview_id)
    answers = []
    for index, question in enumerate(media.questions):
        answer = question.answer
        answers.append(
            MediaAnswer(
                question=index + 1,
                title=question.title,
                answered=None if answer and answer.url else False,
                video_url=answer.url if answer else None,
                thumbnail_url=answer.thumbnail if answer else None,
                duration_s=answer_duration(question),
            )
        )
    # `thumbnails` is the answers' thumbnails again, and the cover is usually the first of them.
    shown = {a.thumbnail_url for a in answers}
    return MediaResult(
        interview_id=media.id,
        thumbnail_url=media.thumbnail if media.thumbnail not in shown else None,
        answers=answers,
    )


@tool(
    kind="read",
    title="Get interview access info",
    description="IPs, browsers and locations of the recording (wrong behind a VPN).",
)
async def get_interview_access_info(interview_id: InterviewId, ctx: Ctx) -> AccessInfo:
    info = await hireflix(ctx).get_interview_access_info(interview_id)
    return AccessInfo(
        interview_id=info.id,
        ip_addresses=list(info.ip_addresses),
        user_agents=list(info.user_agents),
        locations=[
            IpLocation(ip=g.ip, city=g.city, region=g.region, country=g.country or g.country_code)
            for g in info.geolocation
        ],
        caveat=ACCESS_CAVEAT,
    )
