"""Typed results of the Hireflix operations, and the typed inputs the client accepts.

Result models mirror the selections in `operations/*.graphql`: camelCase on the wire, snake_case in
Python (`alias_generator=to_camel`), unknown fields ignored, every field optional unless the schema
makes it non-null, so a sparse answer still parses. Times stay epoch milliseconds (floats), as
Hireflix sends them; the layers above decide how to show them.

Input side: `InviteRequest` (one invite). The `interviewList` input (`InterviewCondition`,
`build_interview_filter`, `InterviewSort`) lives in `search.py`, beside how a condition is searched
when Hireflix refuses part of its filter; how a name matches is `names.py`'s.
"""

from __future__ import annotations

from typing import Annotated
from typing import Any
from typing import Literal
from typing import TypeVar

from pydantic import BaseModel
from pydantic import BeforeValidator
from pydantic import ConfigDict
from pydantic import Field
from pydantic.alias_generators import to_camel


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, list):
        return [item for item in value if item is not None]
    if value is None:
        return []
    return value


def _empty_if_null(value: Any) -> Any:
    return {} if value is None else value


T = TypeVar("T")

NullsDropped = Annotated[list[T], BeforeValidator(_drop_nulls)]
"""A list as Hireflix sends it: a null list reads as empty, null items are left out."""


class HireflixModel(BaseModel):
    # defer_build: a model's validator is built on its first use, not at import (start-up answers
    # tools/list before any response is parsed).
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True, defer_build=True
    )


InterviewStatus = Literal["pending", "to_evaluate", "shortlisted", "discarded"]
"""The four stages `interviewList` filters on (`filter.status.equal`)."""

INTERVIEW_STATUSES: tuple[InterviewStatus, ...] = ("pending", "to_evaluate", "shortlisted", "discarded")


# ---------------------------------------------------------------------------------- positions
class Position(HireflixModel):
    id: str
    name: str | None = None
    description: str | None = None
    location: str | None = None
    language: str | None = None
    archived: float | None = None
    """Epoch ms when the position was archived, else None."""
    active: bool | None = None
    tags: NullsDropped[str] = Field(default_factory=list)
    created_at: float | None = None
    updated_at: float | None = None
    expires: float | None = None
    retakes: int | None = None
    time_to_answer: int | None = None
    time_to_think: int | None = None

    @property
    def is_archived(self) -> bool:
        return self.archived is not None


class PositionQuestion(HireflixModel):
    id: str | None = None
    title: str | None = None
    description: str | None = None
    time_to_answer: int | None = None
    time_to_think: int | None = None
    retakes: int | None = None


class InterviewCounts(HireflixModel):
    """How many interviews a position has in each status, and how many were recorded."""

    pending: int = 0
    to_evaluate: int = 0
    shortlisted: int = 0
    discarded: int = 0
    recorded: int = 0
    """Interviews the candidate finished recording, whatever their status: every one to evaluate, and
    those shortlisted or discarded after recording (`Interview.is_recorded`)."""

    @property
    def total(self) -> int:
        return self.pending + self.to_evaluate + self.shortlisted + self.discarded


class PositionWithCounts(Position):
    """A position with its interview counts (`ListPositionsWithCounts`)."""

    interview_counts: InterviewCounts | None = None
    """None when they could not be read (see `HireflixClient.list_positions_with_counts`)."""


class PositionDetail(Position):
    questions: NullsDropped[PositionQuestion] = Field(default_factory=list)
    interview_counts: InterviewCounts = Field(default_factory=InterviewCounts)


class PositionQuestionInput(HireflixModel):
    """One question of a position being created (`PositionQuestionInput`)."""

    title: str
    description: str | None = None
    time_to_answer: int | None = None
    time_to_think: int | None = None
    retakes: int | None = None

    def to_graphql(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True)


# ---------------------------------------------------------------------------------- interviews
class Candidate(HireflixModel):
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    full_name: str | None = None
    email: str | None = None
    phone: str | None = None


class PositionRef(HireflixModel):
    id: str | None = None
    name: str | None = None


class InterviewUrl(HireflixModel):
    public: str | None = None
    private: str | None = None
    short: str | None = None


class InterviewScore(HireflixModel):
    value: float | None = None
    type: str | None = None


class Interview(HireflixModel):
    """One interview as listed (`InterviewSummaryFields`)."""

    id: str
    hash: str | None = None
    status: str | None = None
    """Hireflix's raw status (pending | completed); see `review_status` for the four stages."""
    answered: bool | None = None
    created_at: float | None = None
    updated_at: float | None = None
    completed_at: float | None = None
    completed: float | None = None
    expires: float | None = None
    finalist: float | None = None
    shortlisted_at: float | None = None
    archived: float | None = None
    discarded_at: float | None = None
    external_id: str | None = None
    disable_notifications: bool | None = None
    candidate: Candidate | None = None
    position: PositionRef | None = None
    url: InterviewUrl | None = None
    score: InterviewScore | None = None

    @property
    def is_recorded(self) -> bool:
        """The candidate has finished recording (an interview discarded or shortlisted may not have)."""
        return self.completed is not None or self.completed_at is not None or self.status == "completed"

    @property
    def review_status(self) -> InterviewStatus:
        """The stage `interviewList` filters on, derived from the timestamps Hireflix returns."""
        if self.archived is not None or self.discarded_at is not None:
            return "discarded"
        if self.finalist is not None or self.shortlisted_at is not None:
            return "shortlisted"
        if self.is_recorded:
            return "to_evaluate"
        return "pending"

    @property
    def recorded_at(self) -> float | None:
        """When the candidate finished recording (epoch ms), if Hireflix gave the time."""
        return self.completed_at or self.completed

    @property
    def position_id(self) -> str | None:
        return self.position.id if self.position else None

    @property
    def position_name(self) -> str | None:
        return self.position.name if self.position else None

    @property
    def score_value(self) -> float | None:
        return self.score.value if self.score else None


class ShareLink(HireflixModel):
    """A public link to watch an interview without logging in (`externalLink`)."""

    id: str | None = None
    url: str | None = None
    expires: float | None = None


class TeamMember(HireflixModel):
    id: str | None = None
    name: str | None = None
    email: str | None = None
    deleted: bool | None = None
    type: str | None = None


class InterviewComment(HireflixModel):
    id: str | None = None
    value: str | None = None
    created_at: float | None = None
    updated_at: float | None = None
    author: TeamMember | None = None


class OverriddenScore(HireflixModel):
    value: float | None = None
    created_at: float | None = None
    updated_at: float | None = None


class TeamMemberScore(HireflixModel):
    id: str | None = None
    computed_score: float | None = None
    overriden_score: OverriddenScore | None = None
    scorer: TeamMember | None = None


class TranscriptWord(HireflixModel):
    text: str | None = None
    start: float | None = None
    end: float | None = None


class Transcription(HireflixModel):
    language_code: str | None = None
    text: str | None = None
    words: NullsDropped[TranscriptWord] | None = None
    """None when word timings were not requested."""


class AnswerMeta(HireflixModel):
    duration: float | None = None
    """Seconds."""


class Answer(HireflixModel):
    id: str | None = None
    url: str | None = None
    thumbnail: str | None = None
    meta: AnswerMeta | None = None
    transcription: Transcription | None = None


class Media(HireflixModel):
    id: str | None = None
    type: str | None = None
    url: str | None = None
    thumbnail: str | None = None


class InterviewQuestion(HireflixModel):
    id: str | None = None
    title: str | None = None
    description: str | None = None
    answered: bool | None = None
    score: float | None = None
    media: Media | None = None
    answer: Answer | None = None


class InterviewDetail(Interview):
    """One interview in full (`GetInterview`)."""

    invite_source: str | None = None
    language: str | None = None
    notes: str | None = None
    thumbnail: str | None = None
    user_metadata: dict[str, Any] | None = None
    external_link: ShareLink | None = None
    questions: NullsDropped[InterviewQuestion] = Field(default_factory=list)
    comments: NullsDropped[InterviewComment] = Field(default_factory=list)
    scores: NullsDropped[TeamMemberScore] = Field(default_factory=list)


class InterviewTranscript(HireflixModel):
    """Per question, the answer's transcription (`GetInterviewTranscript`)."""

    id: str
    questions: NullsDropped[InterviewQuestion] = Field(default_factory=list)


class InterviewMedia(HireflixModel):
    """Video and thumbnail URLs per question (`GetInterviewMedia`)."""

    id: str
    thumbnail: str | None = None
    thumbnails: NullsDropped[str] = Field(default_factory=list)
    questions: NullsDropped[InterviewQuestion] = Field(default_factory=list)


class IpGeolocation(HireflixModel):
    """Where an IP address is, by IP lookup: a VPN or proxy shows its own location."""

    ip: str | None = None
    country: str | None = None
    country_code: str | None = None
    region: str | None = None
    city: str | None = None
    latitude: float | None = None
    longitude: float | None = None


class InterviewAccessInfo(HireflixModel):
    """Who opened an interview from where (`GetInterviewAccessInfo`)."""

    id: str
    ip_addresses: NullsDropped[str] = Field(default_factory=list)
    user_agents: NullsDropped[str] = Field(default_factory=list)
    thumbnails: NullsDropped[str] = Field(default_factory=list)
    geolocation: NullsDropped[IpGeolocation] = Field(default_factory=list)


class InterviewPage(HireflixModel):
    """One page of `interviewList`. An empty page means the listing has ended."""

    results: NullsDropped[Interview] = Field(default_factory=list)
    last_cursor: str | None = None
    count: int | None = None
    total: int | None = None

    next_cursor: str | None = None
    """Not on the wire: set by the client to `last_cursor` when another page may follow, else None."""


class PositionMatches(HireflixModel):
    """One position's page of matches from `FindCandidate` (every position searched in one request)."""

    id: str
    name: str | None = None
    archived: float | None = None
    """Epoch ms when the position was archived, else None."""
    interview_list: Annotated[InterviewPage, BeforeValidator(_empty_if_null)] = Field(
        default_factory=InterviewPage
    )
    """This position's matches; null on the wire (as SearchInterviews also allows) reads as none."""


class InviteResult(HireflixModel):
    """The interview an invite created. `recovered` is True when the invite's answer was lost and
    the interview was found afterwards by e-mail (see `HireflixClient.invite_candidate`)."""

    interview: Interview
    recovered: bool = False


# ---------------------------------------------------------------------------------- account
class AuditActor(HireflixModel):
    id: str | None = None
    email: str | None = None


class AuditLogEntry(HireflixModel):
    actor: AuditActor | None = None
    timestamp: float | None = None
    object: dict[str, Any] | None = None
    """What the action touched, e.g. {"id": "...", "type": "INTERVIEW"}."""
    ip: str | None = None
    action: str | None = None
    host: str | None = None
    referer: str | None = None
    medium: str | None = None
    """ADMIN | API_KEY | WEBAPP_INTERVIEW_SHAREABLE_LINK."""

    @property
    def object_type(self) -> str | None:
        """The kind of thing touched (INTERVIEW, POSITION, MEMBER, WEBHOOK, ...), if Hireflix says."""
        return self._object_field("type")

    @property
    def object_id(self) -> str | None:
        return self._object_field("id")

    def _object_field(self, key: str) -> str | None:
        value = (self.object or {}).get(key)
        return str(value) if value is not None else None


class AuditLogPage(HireflixModel):
    count: int | None = None
    total: int | None = None
    results: NullsDropped[AuditLogEntry] = Field(default_factory=list)


class AuditLogWindow(HireflixModel):
    """Audit entries within a time range, newest first (`HireflixClient.read_account_logs`)."""

    entries: list[AuditLogEntry] = Field(default_factory=list)
    next_skip: int | None = None
    """Offset in the whole log to read on from, with the same range; None: no more entries in range."""
    total: int | None = None
    """Entries in the whole log (the last two months), as Hireflix counts them."""
    scanned: int = 0
    """Entries read from Hireflix to find `entries`."""
    stopped_early: bool = False
    """The read hit its request budget before finishing the page; `next_skip` reads on."""


class Webhook(HireflixModel):
    id: str
    url: str
    events: NullsDropped[str] = Field(default_factory=list)
    active: bool = True
    external: str | None = None


WebhookEvent = Literal[
    "interview.create",
    "interview.finish",
    "interview.status-change",
    "interview.delete",
    "interview.score-updated",
]


class CompanyRef(HireflixModel):
    id: str | None = None
    name: str | None = None


class UserRef(HireflixModel):
    id: str | None = None
    email: str | None = None


class Identity(HireflixModel):
    """Whose key this is (`WhoAmI`)."""

    company: CompanyRef | None = None
    user: UserRef | None = None


# ---------------------------------------------------------------------------------- invite input
class InviteRequest(BaseModel):
    """One candidate to invite to one position (`InviteCandidateToInterviewInput`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    position_id: str
    email: str
    first_name: str
    last_name: str | None = None
    phone: str | None = None
    """E.164 (+32491505050), or Hireflix refuses the invite."""
    external_id: str | None = None
    disable_notifications: bool | None = None
    """True: Hireflix sends the candidate no e-mail."""
    metadata: dict[str, Any] | None = None

    def to_graphql_input(self) -> dict[str, Any]:
        candidate: dict[str, Any] = {"email": self.email, "firstName": self.first_name}
        if self.last_name is not None:
            candidate["lastName"] = self.last_name
        if self.phone is not None:
            candidate["phone"] = self.phone
        result: dict[str, Any] = {"positionId": self.position_id, "candidate": candidate}
        if self.external_id is not None:
            result["externalId"] = self.external_id
        if self.disable_notifications is not None:
            result["disableNotifications"] = self.disable_notifications
        if self.metadata is not None:
            result["metadata"] = self.metadata
        return result
