"""Interviews as the model sees them: list items, the one-interview view, per-question facts.

One vocabulary everywhere (tools, resources, prompts): `interview_id`, `invited_at` (when the interview
was created, that is when the candidate was invited), `completed_at` (when they finished recording),
`status` (the review status), `interview_url` (`views.common.interview_url`).

Everything a candidate wrote leaves here in fields typed `CandidateText` (sanitised, labelled untrusted)
or documented as untrusted candidate content.
"""

from __future__ import annotations

from typing import Any
from typing import Literal
from typing import TypedDict

from pydantic import BaseModel
from pydantic import Field

from hireflix_mcp.hireflix import models as hx
from hireflix_mcp.sanitize import CANDIDATE_CONTENT_NOTE
from hireflix_mcp.sanitize import CandidateText
from hireflix_mcp.sanitize import candidate_text
from hireflix_mcp.sanitize import candidate_value
from hireflix_mcp.views.common import Compact
from hireflix_mcp.views.common import candidate_email
from hireflix_mcp.views.common import candidate_name
from hireflix_mcp.views.common import interview_url
from hireflix_mcp.views.common import iso

ReviewStatus = Literal["pending", "to_evaluate", "shortlisted", "discarded"]
STATUS_HELP = "to_evaluate: recorded, unreviewed; discarded: recorded or not."


class InterviewBrief(BaseModel):
    interview_id: str
    candidate_name: CandidateText
    candidate_email: CandidateText
    position_id: str | None = None
    position_name: str | None = None
    status: ReviewStatus
    interview_url: str | None = Field(default=None, description="The link where the candidate records.")
    invited_at: str | None = None

    @classmethod
    def of(cls, interview: hx.Interview) -> InterviewBrief:
        return cls(
            interview_id=interview.id,
            candidate_name=candidate_name(interview.candidate),
            candidate_email=candidate_email(interview.candidate),
            position_id=interview.position_id,
            position_name=interview.position_name,
            status=interview.review_status,
            interview_url=interview_url(interview),
            invited_at=iso(interview.created_at),
        )


class InterviewSummary(Compact):
    interview_id: str
    name: CandidateText
    email: CandidateText
    status: ReviewStatus
    score: float | None = None
    invited_at: str | None = None
    completed_at: str | None = None

    @classmethod
    def of(cls, interview: hx.Interview) -> InterviewSummary:
        return cls(
            interview_id=interview.id,
            name=candidate_name(interview.candidate),
            email=candidate_email(interview.candidate),
            status=interview.review_status,
            score=interview.score_value,
            invited_at=iso(interview.created_at),
            completed_at=iso(interview.recorded_at),
        )


class CandidateInfo(BaseModel):
    name: CandidateText
    email: CandidateText
    phone: CandidateText | None = None


class Comment(BaseModel):
    author: str | None = None
    text: str = Field(description="Written by the hiring team (sanitised).")
    created_at: str | None = None

    @classmethod
    def of(cls, c: hx.InterviewComment) -> Comment:
        return cls(
            author=candidate_text((c.author.name or c.author.email) or "") if c.author else None,
            text=candidate_text(c.value or ""),
            created_at=iso(c.created_at),
        )


class QuestionSummary(Compact):
    question: int = Field(description="Question number, from 1.")
    title: str | None = None
    answered: bool
    duration_s: float | None = None
    transcript_language: str | None = Field(
        default=None,
        description="Set when the answer has a transcript: read it with get_interview_transcript.",
    )
    score: float | None = None


class ShareLinkOut(BaseModel):
    url: str | None = None
    expires_at: str | None = None


class InterviewDetailOut(BaseModel):
    interview_id: str
    candidate: CandidateInfo
    position_id: str | None = None
    position_name: str | None = None
    status: ReviewStatus
    score: float | None = None
    invited_at: str | None = None
    completed_at: str | None = None
    expires_at: str | None = Field(default=None, description="When the invitation lapses; unrecorded only.")
    external_id: str | None = None
    language: str | None = None
    interview_url: str | None = Field(default=None, description="The link where the candidate records.")
    review_url: str | None = Field(default=None, description="The hiring team's page for this interview.")
    share_link: ShareLinkOut | None = None
    comments: list[Comment]
    questions: list[QuestionSummary]
    metadata: dict[str, Any] | None = Field(default=None, description=CANDIDATE_CONTENT_NOTE)


def share_link(detail: hx.InterviewDetail) -> ShareLinkOut | None:
    """The public link to the recording, when the interview was shared."""
    link = detail.external_link
    return ShareLinkOut(url=link.url, expires_at=iso(link.expires)) if link and link.url else None


def invitation_expiry(interview: hx.Interview) -> str | None:
    """When the invitation lapses; once the candidate recorded, it no longer matters to anyone."""
    return None if interview.is_recorded else iso(interview.expires)


def answer_duration(question: hx.InterviewQuestion) -> float | None:
    answer = question.answer
    return answer.meta.duration if answer and answer.meta else None


def transcript_language(question: hx.InterviewQuestion) -> str | None:
    transcription = question.answer.transcription if question.answer else None
    return (transcription.language_code or "unknown") if transcription else None


def transcript_text(question: hx.InterviewQuestion) -> str | None:
    answer = question.answer
    transcription = answer.transcription if answer else None
    return transcription.text if transcription else None


class InterviewFacts(TypedDict):
    """What every one-interview view (get_interview, the interview resource) states, computed once."""

    interview_id: str
    position_id: str | None
    position_name: str | None
    status: ReviewStatus
    score: float | None
    invited_at: str | None
    completed_at: str | None
    expires_at: str | None
    interview_url: str | None
    review_url: str | None
    share_link: ShareLinkOut | None


def interview_facts(detail: hx.InterviewDetail) -> InterviewFacts:
    return InterviewFacts(
        interview_id=detail.id,
        position_id=detail.position_id,
        position_name=detail.position_name,
        status=detail.review_status,
        score=detail.score_value,
        invited_at=iso(detail.created_at),
        completed_at=iso(detail.recorded_at),
        expires_at=invitation_expiry(detail),
        interview_url=interview_url(detail),
        review_url=detail.url.private if detail.url else None,
        share_link=share_link(detail),
    )


def interview_detail(detail: hx.InterviewDetail) -> InterviewDetailOut:
    """get_interview's answer."""
    candidate = detail.candidate or hx.Candidate()
    return InterviewDetailOut(
        **interview_facts(detail),
        candidate=CandidateInfo(
            name=candidate_name(candidate),
            email=candidate.email or "",
            phone=candidate.phone,
        ),
        external_id=candidate_text(detail.external_id) if detail.external_id else None,
        language=detail.language,
        comments=[Comment.of(c) for c in detail.comments],
        questions=[
            QuestionSummary(
                question=index + 1,
                title=question.title,
                answered=bool(question.answered),
                duration_s=answer_duration(question),
                transcript_language=transcript_language(question),
                score=question.score,
            )
            for index, question in enumerate(detail.questions)
        ],
        metadata=candidate_value(detail.user_metadata) if detail.user_metadata else None,
    )
