"""Typed results of the Hireflix operations, and the typed inputs the client accepts.

Result models mirror the selections in `operations/*.graphql`: camelCase on the wire, snake_case in
Python (`alias_generator=to_camel`), unknown fields ignored, every field optional unless the schema
makes it non-null, so a sparse answer still parses. Times stay epoch milliseconds (floats), as
Hireflix sends them; the layers above decide how to show them.

Input side: `InviteRequest` (one invite), `InterviewCondition` + `build_interview_filter` (the
`InterviewListFilter` of `interviewList`), `InterviewSort`. The names the schema marks [I] that the
client must put into variables (the filter combinators, the extra sort fields and directions)
are spelled in this module only. How a condition is searched when Hireflix refuses part of its
filter is `search.py`'s business; how a name matches is `names.py`'s.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel

from hireflix_mcp.hireflix.names import fold, name_words, word_pattern, words_match


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, list):
        return [item for item in value if item is not None]
    if value is None:
        return []
    return value


def _empty_if_null(value: Any) -> Any:
    return {} if value is None else value


NonNullList = Annotated[list[Any], BeforeValidator(_drop_nulls)]
StrList = Annotated[list[str], BeforeValidator(_drop_nulls)]


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
    tags: StrList = Field(default_factory=list)
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
    questions: Annotated[list[PositionQuestion], BeforeValidator(_drop_nulls)] = Field(default_factory=list)
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
    words: Annotated[list[TranscriptWord], BeforeValidator(_drop_nulls)] | None = None
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


_QuestionList = Annotated[list[InterviewQuestion], BeforeValidator(_drop_nulls)]


class InterviewDetail(Interview):
    """One interview in full (`GetInterview`)."""

    invite_source: str | None = None
    language: str | None = None
    notes: str | None = None
    thumbnail: str | None = None
    user_metadata: dict[str, Any] | None = None
    external_link: ShareLink | None = None
    questions: _QuestionList = Field(default_factory=list)
    comments: Annotated[list[InterviewComment], BeforeValidator(_drop_nulls)] = Field(default_factory=list)
    scores: Annotated[list[TeamMemberScore], BeforeValidator(_drop_nulls)] = Field(default_factory=list)


class InterviewTranscript(HireflixModel):
    """Per question, the answer's transcription (`GetInterviewTranscript`)."""

    id: str
    questions: _QuestionList = Field(default_factory=list)


class InterviewMedia(HireflixModel):
    """Video and thumbnail URLs per question (`GetInterviewMedia`)."""

    id: str
    thumbnail: str | None = None
    thumbnails: StrList = Field(default_factory=list)
    questions: _QuestionList = Field(default_factory=list)


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
    ip_addresses: StrList = Field(default_factory=list)
    user_agents: StrList = Field(default_factory=list)
    thumbnails: StrList = Field(default_factory=list)
    geolocation: Annotated[list[IpGeolocation], BeforeValidator(_drop_nulls)] = Field(default_factory=list)


class InterviewPage(HireflixModel):
    """One page of `interviewList`. An empty page means the listing has ended."""

    results: Annotated[list[Interview], BeforeValidator(_drop_nulls)] = Field(default_factory=list)
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
        value = (self.object or {}).get("type")
        return str(value) if value is not None else None

    @property
    def object_id(self) -> str | None:
        value = (self.object or {}).get("id")
        return str(value) if value is not None else None


class AuditLogPage(HireflixModel):
    count: int | None = None
    total: int | None = None
    results: Annotated[list[AuditLogEntry], BeforeValidator(_drop_nulls)] = Field(default_factory=list)


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
    events: StrList = Field(default_factory=list)
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


# ---------------------------------------------------------------------------------- interviewList input
# [I] The schema guesses these names; they are spelled here and nowhere else in the project.
FILTER_AND = "and"
FILTER_OR = "or"
InterviewSortField = Literal["createdAt", "updatedAt", "completedAt", "score"]
SortDirection = Literal["ASC", "DESC"]


class InterviewSort(BaseModel):
    model_config = ConfigDict(frozen=True)

    field: InterviewSortField = "createdAt"
    direction: SortDirection = "DESC"

    def to_graphql(self) -> dict[str, str]:
        return {"field": self.field, "direction": self.direction}


def case_insensitive_pattern(text: str) -> str:
    """A regex matching `text` anywhere, ignoring case, in any regex dialect (no flags needed)."""
    parts: list[str] = []
    for char in text:
        if char.lower() != char.upper():
            parts.append(f"[{re.escape(char.lower())}{re.escape(char.upper())}]")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


class InterviewCondition(BaseModel):
    """Conditions on one interview, all of which must hold (AND).

    `to_filter` says it to Hireflix (all but `recorded`, which no filter field expresses); `matches`
    applies the exact meaning to an interview already read, for results filtered client-side.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str | None = None
    email: str | None = None
    """Exact e-mail, any case."""
    email_contains: str | None = None
    """Part of the e-mail, any case."""
    name: str | None = None
    """A name as typed: every word of it (split at spaces and commas) is part of the first or the last
    name, ignoring case and accents (`names.py`): "Costa, Liam" and "liam costa" find Liam Costa."""
    first_name: str | None = None
    """Exact first name."""
    last_name: str | None = None
    """Exact last name."""
    status: InterviewStatus | None = None
    min_score: float | None = None
    """Lowest score; an unscored interview never matches."""
    max_score: float | None = None
    """Highest score; an unscored interview never matches."""
    recorded: bool | None = None
    """True: the candidate has finished recording (`Interview.is_recorded`); False: not yet. No
    `interviewList` filter field says this (status `pending` leaves out discarded and shortlisted
    interviews that were never recorded), so it is applied client-side only: see `search.py`."""

    @property
    def filters_server_side(self) -> bool:
        """Whether Hireflix can apply all of this condition (everything but `recorded` can)."""
        return self.recorded is None

    def matches(self, interview: Interview) -> bool:
        """Whether `interview` meets every condition, as Hireflix filters them (and `recorded`)."""
        candidate = interview.candidate or Candidate()
        email = candidate.email or ""
        score = interview.score_value
        checks = (
            self.id is None or interview.id == self.id,
            self.email is None or email.casefold() == self.email.casefold(),
            self.email_contains is None or fold(self.email_contains) in fold(email),
            self.first_name is None or candidate.first_name == self.first_name,
            self.last_name is None or candidate.last_name == self.last_name,
            self.name is None
            or words_match(name_words(self.name), (candidate.first_name, candidate.last_name)),
            self.status is None or interview.review_status == self.status,
            self.min_score is None or (score is not None and score >= self.min_score),
            self.max_score is None or (score is not None and score <= self.max_score),
            self.recorded is None or interview.is_recorded == self.recorded,
        )
        return all(checks)

    def to_filter(self) -> dict[str, Any]:
        """This condition as an `InterviewListFilter` (`recorded` left out: no field expresses it)."""
        result: dict[str, Any] = {}
        if self.id is not None:
            result["id"] = {"equal": self.id}
        if self.email is not None:
            result["email"] = {"equal": self.email}
        if self.email_contains is not None:
            result.setdefault("email", {})["regex"] = word_pattern(self.email_contains)
        if self.first_name is not None:
            result["firstName"] = {"equal": self.first_name}
        if self.last_name is not None:
            result["lastName"] = {"equal": self.last_name}
        if self.status is not None:
            result["status"] = {"equal": self.status}
        score: dict[str, float] = {}
        if self.min_score is not None:
            score["greaterThanOrEqual"] = self.min_score
        if self.max_score is not None:
            score["lessThanOrEqual"] = self.max_score
        if score:
            result["score"] = score
        if self.name is not None:
            # Each word in the first or the last name: OR per word, the words ANDed.
            per_word = [
                [{"firstName": {"regex": pattern}}, {"lastName": {"regex": pattern}}]
                for pattern in map(word_pattern, name_words(self.name))
            ]
            if len(per_word) == 1:
                result[FILTER_OR] = per_word[0]
            elif per_word:
                result[FILTER_AND] = [{FILTER_OR: either} for either in per_word]
        return result


def build_interview_filter(
    all_of: InterviewCondition | None = None, any_of: Sequence[InterviewCondition] = ()
) -> dict[str, Any] | None:
    """The `InterviewListFilter` for: every condition in `all_of`, and at least one of `any_of`."""
    result = all_of.to_filter() if all_of is not None else {}
    alternatives = [condition.to_filter() for condition in any_of]
    alternatives = [a for a in alternatives if a]
    if alternatives:
        if FILTER_OR in result:
            result = {FILTER_AND: [result, {FILTER_OR: alternatives}]}
        else:
            result[FILTER_OR] = alternatives
    return result or None


def interview_list_input(
    filter: Mapping[str, Any] | None, limit: int, cursor: str | None, sort: Sequence[InterviewSort] | None
) -> dict[str, Any]:
    """The `InterviewListInput` variable of SearchInterviews."""
    pagination: dict[str, Any] = {"limit": limit}
    if cursor is not None:
        pagination["lastCursor"] = cursor
    result: dict[str, Any] = {"pagination": pagination}
    if filter:
        result["filter"] = dict(filter)
    if sort:
        result["sort"] = [s.to_graphql() for s in sort]
    return result
