"""`HireflixClient`: one typed async method per Hireflix operation.

    async with HireflixClient(ClientConfig(api_url=..., api_key=...)) as hf:
        positions = await hf.list_positions()
        result = await hf.invite_candidate(InviteRequest(position_id=..., email=..., first_name=...))
        patient = hf.with_options(max_retries=8, deadline=time.monotonic() + 60)

Each method sends one document from `operations/` (see `OPERATIONS`), through the transport
(auth, timeouts, retries, error mapping), and parses the answer into a model from `models.py`.
Failures arrive as the exception tree in `errors.py`; a missing object is a `NotFoundError`,
never a None. Searching by conditions, with its fallbacks when Hireflix refuses a filter, is
`match_interviews` and `find_interviews` (the knowledge lives in `search.py`).
"""

from __future__ import annotations

import copy
import itertools
import logging
import time
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any
from typing import TypeVar

import httpx2
from pydantic import BaseModel
from pydantic import ValidationError

from hireflix_mcp.hireflix import audit
from hireflix_mcp.hireflix import counts
from hireflix_mcp.hireflix.config import ClientConfig
from hireflix_mcp.hireflix.errors import HireflixError
from hireflix_mcp.hireflix.errors import InterviewAlreadyExistsError
from hireflix_mcp.hireflix.errors import MalformedResponseError
from hireflix_mcp.hireflix.errors import NotFoundError
from hireflix_mcp.hireflix.errors import OutcomeUnknownError
from hireflix_mcp.hireflix.errors import from_union_member
from hireflix_mcp.hireflix.errors import is_error_member
from hireflix_mcp.hireflix.models import AuditLogPage
from hireflix_mcp.hireflix.models import AuditLogWindow
from hireflix_mcp.hireflix.models import Identity
from hireflix_mcp.hireflix.models import Interview
from hireflix_mcp.hireflix.models import InterviewAccessInfo
from hireflix_mcp.hireflix.models import InterviewCounts
from hireflix_mcp.hireflix.models import InterviewDetail
from hireflix_mcp.hireflix.models import InterviewMedia
from hireflix_mcp.hireflix.models import InterviewPage
from hireflix_mcp.hireflix.models import InterviewTranscript
from hireflix_mcp.hireflix.models import InviteRequest
from hireflix_mcp.hireflix.models import InviteResult
from hireflix_mcp.hireflix.models import Position
from hireflix_mcp.hireflix.models import PositionDetail
from hireflix_mcp.hireflix.models import PositionMatches
from hireflix_mcp.hireflix.models import PositionQuestionInput
from hireflix_mcp.hireflix.models import PositionWithCounts
from hireflix_mcp.hireflix.models import ShareLink
from hireflix_mcp.hireflix.models import TeamMember
from hireflix_mcp.hireflix.models import Webhook
from hireflix_mcp.hireflix.operations import OPERATIONS
from hireflix_mcp.hireflix.operations import Operation
from hireflix_mcp.hireflix.search import FoundPage
from hireflix_mcp.hireflix.search import InterviewCondition
from hireflix_mcp.hireflix.search import InterviewSearch
from hireflix_mcp.hireflix.search import InterviewSort
from hireflix_mcp.hireflix.search import SearchPage
from hireflix_mcp.hireflix.search import ServerAbilities
from hireflix_mcp.hireflix.search import build_interview_filter
from hireflix_mcp.hireflix.search import interview_list_input
from hireflix_mcp.hireflix.transport import GraphQLTransport
from hireflix_mcp.hireflix.transport import Sleep

__all__ = ["OPERATIONS", "HireflixClient"]

logger = logging.getLogger("hireflix_mcp.hireflix")

M = TypeVar("M", bound=BaseModel)

RECOVERY_CLOCK_SKEW_MS = 120_000.0
"""An interview found after an invite's answer was lost counts as that invite's result only if it
was created after the invite started, less this allowance for clock differences; an older one was
there before, so the invite itself would have been refused as a duplicate."""


class HireflixClient:
    """Typed access to the Hireflix company API (`POST /me`), or to the sandbox that mimics it."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        """`transport` replaces the HTTP transport (tests: `httpx2.MockTransport`); `sleep` replaces
        the wait between retries (tests record the delays instead of waiting)."""
        self.config = config
        self._transport = GraphQLTransport(config, transport=transport, sleep=sleep)
        self._search = InterviewSearch(self, ServerAbilities())

    def __repr__(self) -> str:
        return f"HireflixClient(url={self._transport.url!r})"

    def with_options(
        self, *, max_retries: int | None = None, deadline: float | None = None
    ) -> HireflixClient:
        """This client with other retry limits, sharing its connection pool and what it has learnt
        about the server (which filters it refuses). Options left None stay as they are.

        `max_retries`: retries after the first attempt of each request. `deadline`: a `time.monotonic()`
        value after which no retry starts (`time.monotonic() + 60` gives a 60-second budget); the error
        then raised still says when a retry could help (`retry_after`). Closing a view leaves the pool
        open: it belongs to the client that made the view.
        """
        view = copy.copy(self)
        view._transport = self._transport.with_options(max_retries=max_retries, deadline=deadline)
        view._search = InterviewSearch(view, self._search.abilities)
        return view

    async def __aenter__(self) -> HireflixClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._transport.aclose()

    # ------------------------------------------------------------------------------ plumbing
    async def _run(self, name: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return await self._transport.execute(OPERATIONS[name], variables)

    @staticmethod
    def _parse(model: type[M], value: Any, operation: str) -> M:
        try:
            return model.model_validate(value)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:3]
            )
            raise MalformedResponseError(operation, problems, retryable=False) from None

    @staticmethod
    def _dig(data: Mapping[str, Any], operation: str, *path: str) -> Any:
        value: Any = data
        for step in path:
            if not isinstance(value, Mapping) or value.get(step) is None:
                where = ".".join(path[: path.index(step) + 1])
                raise MalformedResponseError(operation, f"{where} is missing", retryable=False)
            value = value[step]
        return value

    @staticmethod
    def _union_success(result: Any, operation: str, variables: Mapping[str, Any]) -> Mapping[str, Any]:
        """The success member of a union result; an error member is raised as its `HireflixError`."""
        if not isinstance(result, Mapping):
            raise MalformedResponseError(operation, "the union result is missing", retryable=False)
        if is_error_member(result):
            raise from_union_member(result, operation, variables)
        return result

    async def _interview_mutation(self, name: str, field: str, variables: dict[str, Any]) -> Any:
        """Run one `Interview(id) { <field> }` mutation and return that field's value."""
        data = await self._run(name, variables)
        namespace = data.get("Interview")
        result = namespace.get(field) if isinstance(namespace, Mapping) else None
        if result is None:
            raise NotFoundError("interview", variables["id"], operation=name)
        return result

    # ------------------------------------------------------------------------------ positions
    async def list_positions(self) -> list[Position]:
        """Every position of the company, archived ones included (`Position.archived` is set)."""
        data = await self._run("ListPositions")
        return [
            self._parse(Position, p, "ListPositions") for p in data.get("positions") or [] if p is not None
        ]

    async def get_position(self, id: str) -> PositionDetail:
        """One position with its questions and its interview counts (by status, and recorded)."""
        data = await self._run("GetPosition", {"id": id, **counts.COUNT_VARIABLES})
        raw = data.get("position")
        if raw is None:
            raise NotFoundError("position", id, operation="GetPosition")
        counted = await self.interview_counts(id, raw, "GetPosition")
        return self._parse(PositionDetail, {**raw, "interviewCounts": counted.model_dump()}, "GetPosition")

    async def get_position_summary(self, id: str) -> Position:
        """One position's own fields (no questions, no counts): the cheapest read of a position."""
        data = await self._run("GetPositionSummary", {"id": id})
        raw = data.get("position")
        if raw is None:
            raise NotFoundError("position", id, operation="GetPositionSummary")
        return self._parse(Position, raw, "GetPositionSummary")

    async def list_positions_with_counts(self) -> list[PositionWithCounts]:
        """Every position (archived ones included) with its interview counts, recorded ones among them
        (see `counts.py`: one request when Hireflix allows it)."""
        return await counts.positions_with_counts(self)

    async def interview_counts(
        self, position_id: str, raw: Mapping[str, Any], operation: str
    ) -> InterviewCounts:
        """The counts of a position selected with `InterviewCountFields` (see `counts.py`)."""
        return await counts.interview_counts(self, position_id, raw, operation)

    async def create_position(
        self,
        name: str,
        description: str | None = None,
        questions: Sequence[PositionQuestionInput | str] = (),
    ) -> Position:
        """Create a position with its questions (Hireflix recommends its dashboard for real use)."""
        position: dict[str, Any] = {"name": name}
        if description is not None:
            position["description"] = description
        position["questions"] = [
            (q if isinstance(q, PositionQuestionInput) else PositionQuestionInput(title=q)).to_graphql()
            for q in questions
        ]
        data = await self._run("CreatePosition", {"position": position})
        return self._parse(Position, self._dig(data, "CreatePosition", "Position", "save"), "CreatePosition")

    async def update_position(
        self, id: str, name: str | None = None, description: str | None = None
    ) -> Position:
        """Rename and/or re-describe a position; fields left None stay as they are."""
        position: dict[str, Any] = {}
        if name is not None:
            position["name"] = name
        if description is not None:
            position["description"] = description
        if not position:
            raise ValueError("update_position needs a name or a description to change")
        data = await self._run("UpdatePosition", {"id": id, "position": position})
        saved = (data.get("Position") or {}).get("save")
        if saved is None:
            raise NotFoundError("position", id, operation="UpdatePosition")
        return self._parse(Position, saved, "UpdatePosition")

    async def archive_position(self, id: str) -> Position:
        """Archive a position: it stops accepting invites; its interviews stay."""
        variables = {"id": id}
        data = await self._run("ArchivePosition", variables)
        success = self._union_success(data.get("archivePosition"), "ArchivePosition", variables)
        return self._parse(Position, success.get("data"), "ArchivePosition")

    async def delete_position(self, id: str) -> Position:
        """Delete a position and its interviews, permanently. Returns the position as it was."""
        variables = {"id": id}
        data = await self._run("DeletePosition", variables)
        success = self._union_success(data.get("deletePosition"), "DeletePosition", variables)
        return self._parse(Position, success.get("data"), "DeletePosition")

    # ------------------------------------------------------------------------------ invites
    async def invite_candidate(self, request: InviteRequest) -> InviteResult:
        """Invite one candidate; never creates a duplicate and never loses an invite.

        When the answer to an invite is lost (timeout after sending, dropped connection, 5xx,
        unreadable body), the position's interviews are searched for the e-mail first: found, it is
        returned with `recovered=True`; not found, the invite is sent again. Hireflix accepts one
        invite per e-mail and position, so a first attempt that lands late makes the repeat come
        back as "already exists", which is then resolved to that interview (also `recovered`).
        Union errors are raised as `HireflixError`s (e.g. `InterviewAlreadyExistsError`, carrying
        the existing interview's id when it can be found).
        """
        variables = {"input": request.to_graphql_input()}
        started_ms = time.time() * 1000
        may_have_landed = False
        for attempt in itertools.count(1):
            try:
                data = await self._run("InviteCandidate", variables)
            except OutcomeUnknownError as lost:
                may_have_landed = True
                found = await self._recover_invite(request, started_ms, lost)
                if found is not None:
                    logger.info("Hireflix InviteCandidate: answer lost, interview found by e-mail")
                    return InviteResult(interview=found, recovered=True)
                delay = self._transport.next_retry(attempt)
                if delay is None:
                    raise
                logger.warning(
                    "Hireflix InviteCandidate: answer lost, not found by e-mail; resending in %.2f s", delay
                )
                await self._transport.sleep(delay)
                continue
            result = data.get("inviteCandidateToInterview")
            if isinstance(result, Mapping) and is_error_member(result):
                error = from_union_member(result, "InviteCandidate", variables)
                if isinstance(error, InterviewAlreadyExistsError):
                    existing = await self._find_quietly(request.position_id, request.email)
                    if may_have_landed and existing is not None:
                        return InviteResult(interview=existing, recovered=True)
                    raise InterviewAlreadyExistsError(
                        request.email,
                        request.position_id,
                        existing_interview_id=existing.id if existing else None,
                        operation="InviteCandidate",
                    )
                raise error
            return InviteResult(interview=self._parse(Interview, result, "InviteCandidate"))
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    async def _recover_invite(
        self, request: InviteRequest, started_ms: float, lost: OutcomeUnknownError
    ) -> Interview | None:
        try:
            found = await self.find_interview_by_email(request.position_id, request.email)
        except HireflixError as lookup_error:
            raise OutcomeUnknownError(
                "InviteCandidate",
                f"{lost.cause}; checking by e-mail failed too: {type(lookup_error).__name__}",
            ) from lookup_error
        if found is None:
            return None
        if found.created_at is not None and found.created_at < started_ms - RECOVERY_CLOCK_SKEW_MS:
            raise InterviewAlreadyExistsError(
                request.email,
                request.position_id,
                existing_interview_id=found.id,
                operation="InviteCandidate",
            )
        return found

    async def _find_quietly(self, position_id: str, email: str) -> Interview | None:
        """The existing interview for an e-mail, or None if it cannot be looked up right now."""
        try:
            return await self.find_interview_by_email(position_id, email)
        except HireflixError as exc:
            logger.info("Hireflix: could not look up the existing interview (%s)", type(exc).__name__)
            return None

    async def find_interview_by_email(self, position_id: str, email: str) -> Interview | None:
        """The most recent interview of `email` in a position, or None."""
        candidates = [email] if email == email.lower() else [email, email.lower()]
        for address in candidates:
            page = await self.search_interviews(position_id, InterviewCondition(email=address), limit=5)
            matches = [
                i for i in page.results if i.candidate and (i.candidate.email or "").lower() == email.lower()
            ]
            if matches:
                return max(matches, key=lambda i: i.created_at or 0.0)
        return None

    # ------------------------------------------------------------------------------ interviews
    async def match_interviews(
        self,
        position_id: str,
        where: InterviewCondition | None = None,
        any_of: Sequence[InterviewCondition] = (),
        *,
        limit: int = 20,
        cursor: str | None = None,
    ) -> SearchPage:
        """One page (newest first) of a position's interviews meeting every condition of `where` and
        at least one of `any_of`, whatever filters this Hireflix accepts: server-side when it can,
        else read and filtered client-side with cursors of the client's own (see `search.py`).
        Pass `next_cursor` back, with the same conditions, for the next page."""
        return await self._search.search(position_id, where, any_of, limit=limit, cursor=cursor)

    async def find_interviews(self, where: InterviewCondition, *, limit: int = 50) -> FoundPage:
        """The newest `limit` interviews meeting `where` in every position (archived ones included),
        in one request when Hireflix allows it, else position by position (see `search.py`)."""
        return await self._search.find(where, limit=limit)

    async def search_interviews(
        self,
        position_id: str,
        filter: Mapping[str, Any] | InterviewCondition | None = None,
        limit: int = 20,
        cursor: str | None = None,
        sort: Sequence[InterviewSort] | None = None,
    ) -> InterviewPage:
        """One page of `interviewList` as Hireflix answers it, for `filter` (an `InterviewCondition`,
        or an `InterviewListFilter` dict from `build_interview_filter`); no fallback when Hireflix refuses
        the filter (`match_interviews` has one). `next_cursor` continues it."""
        as_filter = build_interview_filter(filter) if isinstance(filter, InterviewCondition) else filter
        variables = {"positionId": position_id, "input": interview_list_input(as_filter, limit, cursor, sort)}
        data = await self._run("SearchInterviews", variables)
        position = data.get("position")
        if position is None:
            raise NotFoundError("position", position_id, operation="SearchInterviews")
        page = self._parse(InterviewPage, position.get("interviewList") or {}, "SearchInterviews")
        more = len(page.results) >= limit and page.last_cursor is not None
        return page.model_copy(update={"next_cursor": page.last_cursor if more else None})

    async def find_candidate_everywhere(
        self,
        filter: Mapping[str, Any] | InterviewCondition | None = None,
        limit_per_position: int = 20,
    ) -> list[PositionMatches]:
        """Every position (archived ones included), each with the first page (up to
        `limit_per_position`) of its interviews matching `filter`, in ONE request (`FindCandidate`).
        A position's `interview_list.next_cursor` is set, as in `search_interviews`, when more of its
        interviews match than are listed; continue with `search_interviews`."""
        as_filter = build_interview_filter(filter) if isinstance(filter, InterviewCondition) else filter
        variables = {"input": interview_list_input(as_filter, limit_per_position, None, None)}
        data = await self._run("FindCandidate", variables)
        found: list[PositionMatches] = []
        for raw in data.get("positions") or []:
            if raw is None:
                continue
            position = self._parse(PositionMatches, raw, "FindCandidate")
            page = position.interview_list
            more = len(page.results) >= limit_per_position and page.last_cursor is not None
            next_page = page.model_copy(update={"next_cursor": page.last_cursor if more else None})
            found.append(position.model_copy(update={"interview_list": next_page}))
        return found

    async def get_interview(self, id: str) -> InterviewDetail:
        data = await self._run("GetInterview", {"id": id})
        return self._parse(
            InterviewDetail, self._interview_or_raise(data, id, "GetInterview"), "GetInterview"
        )

    async def get_interview_transcript(self, id: str, with_words: bool = False) -> InterviewTranscript:
        """Per question, the transcription of the answer; word timings only when `with_words`."""
        data = await self._run("GetInterviewTranscript", {"id": id, "withWords": with_words})
        raw = self._interview_or_raise(data, id, "GetInterviewTranscript")
        return self._parse(InterviewTranscript, raw, "GetInterviewTranscript")

    async def get_interview_media(self, id: str) -> InterviewMedia:
        data = await self._run("GetInterviewMedia", {"id": id})
        return self._parse(
            InterviewMedia, self._interview_or_raise(data, id, "GetInterviewMedia"), "GetInterviewMedia"
        )

    async def get_interview_access_info(self, id: str) -> InterviewAccessInfo:
        """IP addresses, user agents and IP geolocation (a VPN shows its own location)."""
        data = await self._run("GetInterviewAccessInfo", {"id": id})
        raw = self._interview_or_raise(data, id, "GetInterviewAccessInfo")
        return self._parse(InterviewAccessInfo, raw, "GetInterviewAccessInfo")

    @staticmethod
    def _interview_or_raise(data: Mapping[str, Any], id: str, operation: str) -> Any:
        raw = data.get("interview")
        if raw is None:
            raise NotFoundError("interview", id, operation=operation)
        return raw

    async def delete_interview(self, id: str) -> Interview:
        """Delete an interview permanently (needed before re-inviting the same e-mail)."""
        variables = {"id": id}
        data = await self._run("DeleteInterview", variables)
        success = self._union_success(data.get("deleteInterview"), "DeleteInterview", variables)
        return self._parse(Interview, success.get("data"), "DeleteInterview")

    # ------------------------------------------------------------------------------ review
    async def score_interview(self, id: str, score: float | None) -> Interview:
        """Set the score (0.5 to 5 in steps of 0.5) or clear it (None)."""
        result = await self._interview_mutation("ScoreInterview", "score", {"id": id, "score": score})
        return self._parse(Interview, result, "ScoreInterview")

    async def comment_on_interview(self, id: str, text: str) -> InterviewDetail:
        """Add a comment; returns the interview with all its comments."""
        result = await self._interview_mutation("CommentOnInterview", "comment", {"id": id, "comment": text})
        return self._parse(InterviewDetail, result, "CommentOnInterview")

    async def set_finalist(self, id: str, finalist: bool) -> Interview:
        """Shortlist (True) or move back to evaluation (False)."""
        result = await self._interview_mutation(
            "SetInterviewFinalist", "finalist", {"id": id, "finalist": finalist}
        )
        return self._parse(Interview, result, "SetInterviewFinalist")

    async def set_archived(self, id: str, archived: bool) -> Interview:
        """Discard (True) or restore (False)."""
        result = await self._interview_mutation(
            "SetInterviewArchived", "archive", {"id": id, "archive": archived}
        )
        return self._parse(Interview, result, "SetInterviewArchived")

    async def share_interview(self, id: str, days: int = 75) -> ShareLink:
        """Create a public link to watch the interview without logging in, valid `days` days."""
        result = await self._interview_mutation("ShareInterview", "share", {"id": id, "durationInDays": days})
        return self._parse(ShareLink, self._dig(result, "ShareInterview", "externalLink"), "ShareInterview")

    # ------------------------------------------------------------------------------ account
    async def get_account_logs(self, skip: int = 0, limit: int = 20) -> AuditLogPage:
        """The account's audit log (Hireflix keeps the last two months), newest first."""
        data = await self._run("GetAccountLogs", {"skip": skip, "limit": limit})
        raw = self._dig(data, "GetAccountLogs", "info", "company", "logs", "audit")
        return self._parse(AuditLogPage, raw, "GetAccountLogs")

    async def read_account_logs(
        self,
        *,
        since: float | None = None,
        until: float | None = None,
        skip: int = 0,
        limit: int = 20,
        max_requests: int = audit.AUDIT_READ_REQUESTS,
    ) -> AuditLogWindow:
        """Up to `limit` audit entries with `since <= timestamp <= until` (epoch ms, None: open), newest
        first, from offset `skip` (Hireflix's log has no time filter: see `audit.py`)."""
        return await audit.read_window(
            self, since=since, until=until, skip=skip, limit=limit, max_requests=max_requests
        )

    async def get_interview_names(self, id: str) -> Interview:
        """Whose interview it is and for which position: only `id`, `candidate` and `position` are set
        (what an audit entry needs to name the interview it is about)."""
        data = await self._run("GetInterviewNames", {"id": id})
        raw = self._interview_or_raise(data, id, "GetInterviewNames")
        return self._parse(Interview, raw, "GetInterviewNames")

    async def list_members(self) -> list[TeamMember]:
        data = await self._run("ListMembers")
        company = self._dig(data, "ListMembers", "info", "company")
        return [
            self._parse(TeamMember, m, "ListMembers") for m in company.get("members") or [] if m is not None
        ]

    async def add_member(self, email: str) -> bool:
        """Invite `email` to the company's team (grants access to the account)."""
        data = await self._run("AddMember", {"email": email})
        return self._dig(data, "AddMember", "Company", "Member").get("add") is True

    async def remove_member(self, id: str | None = None, email: str | None = None) -> bool:
        """Remove a team member by id or by e-mail."""
        if id is None and email is None:
            raise ValueError("remove_member needs the member's id or e-mail")
        data = await self._run("RemoveMember", {"id": id, "email": email})
        return self._dig(data, "RemoveMember", "Company", "Member").get("remove") is True

    async def whoami(self) -> Identity:
        """The company and user the API key belongs to; the cheapest check that the key works."""
        data = await self._run("WhoAmI")
        return self._parse(Identity, self._dig(data, "WhoAmI", "info"), "WhoAmI")

    # ------------------------------------------------------------------------------ webhooks
    async def list_webhooks(self) -> list[Webhook]:
        """The company's webhooks (the signing secret is left out: see `get_webhook_secret`)."""
        data = await self._run("ListWebhooks")
        company = self._dig(data, "ListWebhooks", "info", "company")
        return [
            self._parse(Webhook, w, "ListWebhooks") for w in company.get("webhooks") or [] if w is not None
        ]

    async def get_webhook_secret(self) -> str | None:
        """The company's webhook signing secret (treat it like a password)."""
        data = await self._run("GetWebhookSecret")
        secret = self._dig(data, "GetWebhookSecret", "info", "company").get("webhookSecretKey")
        return secret if isinstance(secret, str) else None

    async def create_webhook(self, url: str, events: Sequence[str], external: str | None = None) -> Webhook:
        webhook_input: dict[str, Any] = {"url": url, "events": list(events)}
        if external is not None:
            webhook_input["external"] = external
        data = await self._run("CreateWebhook", {"input": webhook_input})
        return self._parse(Webhook, self._dig(data, "CreateWebhook", "createWebhook"), "CreateWebhook")

    async def update_webhook(
        self, id: str, url: str | None = None, events: Sequence[str] | None = None, active: bool | None = None
    ) -> Webhook:
        webhook_input: dict[str, Any] = {"id": id}
        if url is not None:
            webhook_input["url"] = url
        if events is not None:
            webhook_input["events"] = list(events)
        if active is not None:
            webhook_input["active"] = active
        data = await self._run("UpdateWebhook", {"input": webhook_input})
        updated = data.get("updateWebhook")
        if updated is None:
            raise NotFoundError("webhook", id, operation="UpdateWebhook")
        return self._parse(Webhook, updated, "UpdateWebhook")

    async def delete_webhook(self, id: str) -> bool:
        data = await self._run("DeleteWebhook", {"id": id})
        return data.get("deleteWebhook") is True

    # ------------------------------------------------------------------------------ schema
    async def introspect(self) -> dict[str, Any]:
        """The live schema by introspection (for `hireflix-mcp doctor`), retried like any read."""
        from graphql import get_introspection_query  # only `doctor` needs it: kept off server start-up

        operation = Operation(
            name="IntrospectionQuery", document=get_introspection_query(), kind="query", retry="read"
        )
        return await self._transport.execute(operation)
