"""Transport behaviour driven through `httpx2.MockTransport`: wire format, retries, Retry-After,
the unknown-outcome rule for mutations, and the mapping of every failure onto the error tree.

`ScriptedHireflix` is the one place mocks are used: a MockTransport handler that answers each
operation from a script (responses or exceptions, in order) and records every request.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from email.utils import formatdate
from typing import Any

import httpx2
import pytest
from pydantic import SecretStr

from hireflix_mcp.hireflix import AuthenticationError
from hireflix_mcp.hireflix import ClientConfig
from hireflix_mcp.hireflix import ConnectionFailed
from hireflix_mcp.hireflix import ExternalIdConflictError
from hireflix_mcp.hireflix import GraphQLRequestError
from hireflix_mcp.hireflix import HireflixClient
from hireflix_mcp.hireflix import HireflixError
from hireflix_mcp.hireflix import InterviewAlreadyExistsError
from hireflix_mcp.hireflix import InviteQuotaExceededError
from hireflix_mcp.hireflix import InviteRequest
from hireflix_mcp.hireflix import MalformedResponseError
from hireflix_mcp.hireflix import NotFoundError
from hireflix_mcp.hireflix import OutcomeUnknownError
from hireflix_mcp.hireflix import PermissionDenied
from hireflix_mcp.hireflix import PositionNotAcceptingInvitesError
from hireflix_mcp.hireflix import RateLimitedError
from hireflix_mcp.hireflix import ServerError
from hireflix_mcp.hireflix import Timeout
from hireflix_mcp.hireflix import ValidationFailed
from hireflix_mcp.hireflix.transport import parse_retry_after
from hireflix_mcp.settings import Settings

pytestmark = pytest.mark.anyio

CANARY_KEY = "canary-key-7f3e9b1c-DO-NOT-LEAK"
URL = "https://hireflix.test/me"

Action = dict[str, Any] | httpx2.Response | Exception | Callable[[httpx2.Request], httpx2.Response]


@dataclass
class Sent:
    operation: str
    variables: dict[str, Any]
    query: str
    headers: httpx2.Headers


@dataclass
class ScriptedHireflix:
    """Answers each operation name with the next scripted action; the last one repeats."""

    script: dict[str, deque[Action]] = field(default_factory=lambda: defaultdict(deque))
    sent: list[Sent] = field(default_factory=list)

    def on(self, operation: str, *actions: Action) -> ScriptedHireflix:
        self.script[operation].extend(actions)
        return self

    def count(self, operation: str) -> int:
        return sum(1 for s in self.sent if s.operation == operation)

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        operation = body.get("operationName") or ""
        self.sent.append(Sent(operation, body.get("variables") or {}, body.get("query", ""), request.headers))
        queue = self.script.get(operation)
        if not queue:
            raise AssertionError(f"unscripted operation {operation}")
        action = queue.popleft() if len(queue) > 1 else queue[0]
        if isinstance(action, Exception):
            raise action
        if isinstance(action, httpx2.Response):
            return action
        if callable(action):
            return action(request)
        return httpx2.Response(200, json=action)


@dataclass
class Sleeps:
    """An injected `sleep` that records the delays instead of waiting."""

    delays: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def make_client(
    fake: ScriptedHireflix,
    sleeps: Sleeps,
    *,
    max_retries: int = 3,
    retry_after_cap: float = 30.0,
    **kwargs: Any,
) -> HireflixClient:
    config = ClientConfig(
        api_url=URL,
        api_key=kwargs.pop("api_key", CANARY_KEY),
        max_retries=max_retries,
        retry_after_cap=retry_after_cap,
        **kwargs,
    )
    return HireflixClient(config, transport=httpx2.MockTransport(fake.handler), sleep=sleeps)


def data(payload: dict[str, Any]) -> dict[str, Any]:
    return {"data": payload}


def interview_json(
    interview_id: str = "a" * 24, email: str = "jane@example.com", **extra: Any
) -> dict[str, Any]:
    return {
        "__typename": "InterviewType",
        "id": interview_id,
        "hash": "AbCd1234",
        "status": "pending",
        "createdAt": 1_700_000_000_000.0,
        "candidate": {"email": email, "firstName": "Jane", "lastName": "Doe"},
        "position": {"id": "b" * 24, "name": "Engineer"},
        "url": {"short": "https://hflx.io/c/AbCd1234", "public": "https://app.hireflix.com/AbCd1234"},
        **extra,
    }


@pytest.fixture
def fake() -> ScriptedHireflix:
    return ScriptedHireflix()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


POSITIONS = data({"positions": [{"id": "b" * 24, "name": "Engineer", "archived": None, "tags": ["x", None]}]})
SCORED = data({"Interview": {"score": interview_json(score={"value": 4.5, "type": "manual"})}})
COMMENTED = data({"Interview": {"comment": interview_json(comments=[{"id": "c1", "value": "ok"}])}})
INVITE = InviteRequest(position_id="b" * 24, email="jane@example.com", first_name="Jane")


# ------------------------------------------------------------------------------------ wire format
async def test_request_is_a_json_post_with_the_key_header_and_the_named_operation(
    fake: ScriptedHireflix, sleeps: Sleeps
) -> None:
    fake.on("GetInterview", data({"interview": interview_json()}))
    async with make_client(fake, sleeps) as hf:
        interview = await hf.get_interview("a" * 24)
    sent = fake.sent[0]
    assert sent.headers["x-api-key"] == CANARY_KEY
    assert sent.headers["content-type"] == "application/json"
    assert sent.variables == {"id": "a" * 24}
    assert sent.query.startswith("query GetInterview(")
    assert interview.candidate is not None
    assert interview.candidate.email == "jane@example.com"


async def test_client_built_from_the_app_settings_uses_their_url_key_and_retries(
    fake: ScriptedHireflix, sleeps: Sleeps
) -> None:
    fake.on("ListPositions", httpx2.Response(503))
    settings = Settings(api_key=SecretStr(CANARY_KEY), api_url=URL, max_retries=1)
    transport = httpx2.MockTransport(fake.handler)
    async with HireflixClient(settings.client_config(), transport=transport, sleep=sleeps) as hf:
        with pytest.raises(ServerError):
            await hf.list_positions()
    assert fake.count("ListPositions") == 2
    assert fake.sent[0].headers["x-api-key"] == CANARY_KEY


async def test_missing_key_fails_without_sending_anything(fake: ScriptedHireflix, sleeps: Sleeps) -> None:
    async with make_client(fake, sleeps, api_key="") as hf:
        with pytest.raises(AuthenticationError, match="HIREFLIX_API_KEY"):
            await hf.list_positions()
    assert fake.sent == []


# ------------------------------------------------------------------------------------ read retries
@pytest.mark.parametrize(
    ("failure", "name"),
    [
        (httpx2.ConnectError("refused"), "connect error"),
        (httpx2.ConnectTimeout("slow connect"), "connect timeout"),
        (httpx2.ReadTimeout("slow answer"), "read timeout"),
        (httpx2.RemoteProtocolError("peer closed connection"), "dropped connection"),
        (httpx2.Response(429), "429 without Retry-After"),
        (httpx2.Response(500, text="boom"), "500"),
        (httpx2.Response(502), "502"),
        (httpx2.Response(503), "503"),
        (httpx2.Response(408), "408"),
        (httpx2.Response(200, text="{not json"), "malformed JSON"),
        (httpx2.Response(200, json={"unexpected": True}), "JSON without data"),
    ],
)
async def test_reads_retry_each_transient_failure_until_success(
    fake: ScriptedHireflix, sleeps: Sleeps, failure: httpx2.Response | Exception, name: str
) -> None:
    fake.on("ListPositions", failure, failure, POSITIONS)
    async with make_client(fake, sleeps) as hf:
        positions = await hf.list_positions()
    assert [p.id for p in positions] == ["b" * 24], name
    assert fake.count("ListPositions") == 3
    assert len(sleeps.delays) == 2


async def test_reads_give_up_after_max_retries_with_a_retryable_error(
    fake: ScriptedHireflix, sleeps: Sleeps
) -> None:
    fake.on("ListPositions", httpx2.Response(503))
    async with make_client(fake, sleeps, max_retries=2) as hf:
        with pytest.raises(ServerError) as caught:
            await hf.list_positions()
    assert fake.count("ListPositions") == 3
    assert caught.value.status == 503
    assert caught.value.retryable
    assert "HTTP 503" in str(caught.value)


async def test_backoff_grows_exponentially_with_full_jitter_under_the_cap(
    fake: ScriptedHireflix, sleeps: Sleeps
) -> None:
    fake.on("ListPositions", httpx2.Response(500))
    async with make_client(fake, sleeps, max_retries=8) as hf:
        with pytest.raises(ServerError):
            await hf.list_positions()
    ceilings = [min(5.0, 0.2 * 2**n) for n in range(8)]
    assert len(sleeps.delays) == 8
    assert all(0 <= delay <= ceiling for delay, ceiling in zip(sleeps.delays, ceilings, strict=True))


async def test_connection_failures_map_to_transport_errors(fake: ScriptedHireflix, sleeps: Sleeps) -> None:
    fake.on("ListPositions", httpx2.ConnectError("refused"))
    fake.on("WhoAmI", httpx2.ReadTimeout("slow"))
    async with make_client(fake, sleeps, max_retries=0) as hf:
        with pytest.raises(ConnectionFailed, match="Nothing was sent") as refused:
            await hf.list_positions()
        with pytest.raises(Timeout) as slow:
            await hf.whoami()
    assert refused.value.retryable
    assert slow.value.retryable


# ------------------------------------------------------------------------------------ Retry-After
async def test_retry_after_is_honoured(fake: ScriptedHireflix, sleeps: Sleeps) -> None:
    fake.on("ListPositions", httpx2.Response(429, headers={"Retry-After": "2"}), POSITIONS)
    async with make_client(fake, sleeps) as hf:
        await hf.list_positions()
    assert sleeps.delays == [2.0]


async def test_retry_after_beyond_the_cap_falls_back_to_backoff(
    fake: ScriptedHireflix, sleeps: Sleeps
) -> None:
    fake.on("ListPositions", httpx2.Response(429, headers={"Retry-After": "120"}), POSITIONS)
    async with make_client(fake, sleeps, retry_after_cap=10.0) as hf:
        await hf.list_positions()
    assert len(sleeps.delays) == 1
    assert sleeps.delays[0] <= 0.2


async def test_rate_limit_that_persists_reports_when_to_retry(fake: ScriptedHireflix, sleeps: Sleeps) -> None:
    fake.on("ListPositions", httpx2.Response(429, headers={"Retry-After": "7"}))
    async with make_client(fake, sleeps, max_retries=1) as hf:
        with pytest.raises(RateLimitedError) as caught:
            await hf.list_positions()
    assert caught.value.retry_after == 7.0
    assert caught.value.retryable
    assert caught.value.status == 429
    assert caught.value.retry_advice() == "Retrying may help: retry after 7 s."
    assert "retry" not in str(caught.value).lower()


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    now = time.time()
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("-4") == 0.0
    assert parse_retry_after(formatdate(now + 30, usegmt=True), now=now) == pytest.approx(30, abs=1)
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


# ------------------------------------------------------------------------------------ mutations
@pytest.mark.parametrize(
    "failure",
    [
        httpx2.ReadTimeout("slow answer"),
        httpx2.RemoteProtocolError("peer closed connection"),
        httpx2.Response(500),
        httpx2.Response(503),
        httpx2.Response(200, text="<html>"),
    ],
)
async def test_non_idempotent_mutation_is_never_repeated_after_it_may_have_landed(
    fake: ScriptedHireflix, sleeps: Sleeps, failure: httpx2.Response | Exception
) -> None:
    fake.on("CommentOnInterview", failure, COMMENTED)
    async with make_client(fake, sleeps) as hf:
        with pytest.raises(OutcomeUnknownError) as caught:
            await hf.comment_on_interview("a" * 24, "Strong answers")
    assert fake.count("CommentOnInterview") == 1
    assert not caught.value.retryable
    assert "comments" in str(caught.value)
    assert "may or may not have taken effect" in str(caught.value)
    assert caught.value.retry_advice() == "Do not repeat it blindly: retrying may do it twice."


@pytest.mark.parametrize(
    "refusal",
    [
        httpx2.ConnectError("refused"),
        httpx2.ConnectTimeout("no connection"),
        httpx2.Response(429),
        httpx2.Response(503, headers={"Retry-After": "1"}),
    ],
)
async def test_non_idempotent_mutation_is_repeated_when_it_provably_did_not_land(
    fake: ScriptedHireflix, sleeps: Sleeps, refusal: httpx2.Response | Exception
) -> None:
    fake.on("CommentOnInterview", refusal, COMMENTED)
    async with make_client(fake, sleeps) as hf:
        detail = await hf.comment_on_interview("a" * 24, "Strong answers")
    assert fake.count("CommentOnInterview") == 2
    assert [c.value for c in detail.comments] == ["ok"]


@pytest.mark.parametrize("failure", [httpx2.ReadTimeout("slow"), httpx2.Response(500)])
async def test_idempotent_mutation_is_repeated_after_any_transient_failure(
    fake: ScriptedHireflix, sleeps: Sleeps, failure: httpx2.Response | Exception
) -> None:
    fake.on("ScoreInterview", failure, SCORED)
    async with make_client(fake, sleeps) as hf:
        interview = await hf.score_interview("a" * 24, 4.5)
    assert interview.score_value == 4.5
    assert fake.count("ScoreInterview") == 2


# ------------------------------------------------------------------------------------ top-level errors
@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("UNAUTHENTICATED", AuthenticationError),
        ("FORBIDDEN", PermissionDenied),
        ("NOT_FOUND", NotFoundError),
        ("BAD_USER_INPUT", ValidationFailed),
        ("GRAPHQL_VALIDATION_FAILED", GraphQLRequestError),
        ("SOMETHING_ELSE", GraphQLRequestError),
    ],
)
async def test_top_level_error_codes_map_to_the_tree_and_are_not_retried(
    fake: ScriptedHireflix, sleeps: Sleeps, code: str, expected: type[Exception]
) -> None:
    error = {"message": "nope", "path": ["interview"], "extensions": {"code": code}}
    fake.on("GetInterview", {"data": {"interview": None}, "errors": [error]})
    async with make_client(fake, sleeps) as hf:
        with pytest.raises(expected) as caught:
            await hf.get_interview("a" * 24)
    assert fake.count("GetInterview") == 1
    assert isinstance(
        caught.value,
        AuthenticationError | PermissionDenied | NotFoundError | ValidationFailed | GraphQLRequestError,
    )
    assert not caught.value.retryable
    if isinstance(caught.value, NotFoundError):
        assert (caught.value.kind, caught.value.id) == ("interview", "a" * 24)
    if isinstance(caught.value, GraphQLRequestError):
        assert caught.value.codes == [code]
        assert caught.value.operation == "GetInterview"


async def test_a_crashed_resolver_is_retried_for_reads_but_not_for_unsafe_mutations(
    fake: ScriptedHireflix, sleeps: Sleeps
) -> None:
    crash = {"errors": [{"message": "Unexpected error", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]}
    fake.on("ListPositions", crash, POSITIONS)
    fake.on("CommentOnInterview", crash)
    async with make_client(fake, sleeps) as hf:
        positions = await hf.list_positions()
        with pytest.raises(OutcomeUnknownError):
            await hf.comment_on_interview("a" * 24, "x")
    assert positions
    assert fake.count("ListPositions") == 2
    assert fake.count("CommentOnInterview") == 1


async def test_bad_user_input_carries_field_errors(fake: ScriptedHireflix, sleeps: Sleeps) -> None:
    error = {
        "message": "bad",
        "extensions": {"code": "BAD_USER_INPUT", "fieldErrors": {"score": "0.5 steps"}},
    }
    fake.on("ScoreInterview", {"errors": [error]})
    async with make_client(fake, sleeps) as hf:
        with pytest.raises(ValidationFailed) as caught:
            await hf.score_interview("a" * 24, 4.2)
    assert caught.value.field_errors == {"score": "0.5 steps"}


async def test_schema_mismatch_errors_point_at_the_doctor(fake: ScriptedHireflix, sleeps: Sleeps) -> None:
    error = {"message": 'Cannot query field "members" on type "Company".'}
    fake.on("ListMembers", {"errors": [error]}, httpx2.Response(400, json={"errors": [error]}))
    async with make_client(fake, sleeps) as hf:
        with pytest.raises(GraphQLRequestError, match="hireflix-mcp doctor"):
            await hf.list_members()
        with pytest.raises(GraphQLRequestError, match="hireflix-mcp doctor"):
            await hf.list_members()


async def test_http_401_is_a_rejected_key(fake: ScriptedHireflix, sleeps: Sleeps) -> None:
    fake.on("WhoAmI", httpx2.Response(401, text="Unauthorized"))
    async with make_client(fake, sleeps) as hf:
        with pytest.raises(AuthenticationError, match="HIREFLIX_API_KEY") as caught:
            await hf.whoami()
    assert fake.count("WhoAmI") == 1
    assert caught.value.status == 401


async def test_http_403_and_a_forbidden_error_are_both_a_key_lacking_permission(
    fake: ScriptedHireflix, sleeps: Sleeps
) -> None:
    fake.on("WhoAmI", httpx2.Response(403, text="Forbidden"))
    forbidden = {"message": "Only the owner can do that", "extensions": {"code": "FORBIDDEN"}}
    fake.on("RemoveMember", {"errors": [forbidden]})
    async with make_client(fake, sleeps) as hf:
        with pytest.raises(PermissionDenied, match="lacks permission") as by_status:
            await hf.whoami()
        with pytest.raises(PermissionDenied, match="lacks permission") as by_code:
            await hf.remove_member(email="owner@example.com")
    assert (fake.count("WhoAmI"), fake.count("RemoveMember")) == (1, 1)
    assert by_status.value.status == 403
    assert "Only the owner can do that" in str(by_code.value)
    assert not by_status.value.retryable
    assert not by_code.value.retryable


async def test_plain_http_400_is_a_request_error(fake: ScriptedHireflix, sleeps: Sleeps) -> None:
    fake.on("WhoAmI", httpx2.Response(400, text="Bad Request"))
    async with make_client(fake, sleeps) as hf:
        with pytest.raises(GraphQLRequestError) as caught:
            await hf.whoami()
    assert caught.value.status == 400
    assert "HTTP 400" in str(caught.value)


async def test_unexpected_shape_is_malformed_and_not_retried(fake: ScriptedHireflix, sleeps: Sleeps) -> None:
    fake.on("ListPositions", data({"positions": [{"name": "no id"}]}))
    async with make_client(fake, sleeps) as hf:
        with pytest.raises(MalformedResponseError, match="doctor") as caught:
            await hf.list_positions()
    assert not caught.value.retryable
    assert fake.count("ListPositions") == 1


async def test_null_object_is_not_found(fake: ScriptedHireflix, sleeps: Sleeps) -> None:
    fake.on("GetPosition", data({"position": None}))
    fake.on("ScoreInterview", data({"Interview": None}))
    async with make_client(fake, sleeps) as hf:
        with pytest.raises(NotFoundError, match="position bbbb"):
            await hf.get_position("b" * 24)
        with pytest.raises(NotFoundError, match="interview aaaa"):
            await hf.score_interview("a" * 24, None)


# ------------------------------------------------------------------------------------ union errors
@pytest.mark.parametrize(
    ("member", "expected"),
    [
        ({"__typename": "ExceededInvitesThisPeriodError", "code": 402, "exceededInvitesMessage": "quota"},
         InviteQuotaExceededError),
        ({"__typename": "InterviewExternalIdAlreadyExistsInPositionError", "code": 409,
          "externalIdExistsMessage": "dup"}, ExternalIdConflictError),
        ({"__typename": "PositionNotFoundError", "code": 404, "positionNotFoundMessage": "not found"},
         NotFoundError),
        ({"__typename": "PositionNotReadyToAcceptInvitesError", "positionNotReadyMessage": "archived"},
         PositionNotAcceptingInvitesError),
        ({"__typename": "ValidationError", "validationMessage": "invalid", "fieldErrors": {"phone": "E.164"}},
         ValidationFailed),
        ({"__typename": "SomethingNewError", "message": "new"}, GraphQLRequestError),
    ],
)  # fmt: skip
async def test_invite_union_members_map_to_the_tree(
    fake: ScriptedHireflix, sleeps: Sleeps, member: dict[str, object], expected: type[Exception]
) -> None:
    fake.on("InviteCandidate", data({"inviteCandidateToInterview": member}))
    async with make_client(fake, sleeps) as hf:
        with pytest.raises(expected) as caught:
            await hf.invite_candidate(INVITE)
    assert fake.count("InviteCandidate") == 1
    if isinstance(caught.value, ValidationFailed):
        assert caught.value.field_errors == {"phone": "E.164"}
        assert "invalid" in str(caught.value)
    if isinstance(caught.value, NotFoundError):
        assert caught.value.kind == "position"
        assert caught.value.id == "b" * 24


async def test_validation_field_errors_are_read_in_either_public_shape(
    fake: ScriptedHireflix, sleeps: Sleeps
) -> None:
    as_list = [{"flattenedPath": "candidate.phone", "message": "must be E.164"}]
    member = {"__typename": "ValidationError", "validationMessage": "invalid", "fieldErrors": as_list}
    fake.on("InviteCandidate", data({"inviteCandidateToInterview": member}))
    async with make_client(fake, sleeps) as hf:
        with pytest.raises(ValidationFailed) as caught:
            await hf.invite_candidate(INVITE)
    assert caught.value.field_errors == {"candidate.phone": "must be E.164"}


async def test_already_invited_email_names_the_existing_interview(
    fake: ScriptedHireflix, sleeps: Sleeps
) -> None:
    member = {
        "__typename": "InterviewAlreadyExistsInPositionError",
        "interviewAlreadyExistsMessage": "exists",
    }
    fake.on("InviteCandidate", data({"inviteCandidateToInterview": member}))
    page = {"results": [interview_json("e" * 24)], "lastCursor": "c", "count": 1, "total": 1}
    fake.on("SearchInterviews", data({"position": {"id": "b" * 24, "interviewList": page}}))
    async with make_client(fake, sleeps) as hf:
        with pytest.raises(InterviewAlreadyExistsError) as caught:
            await hf.invite_candidate(INVITE)
    assert caught.value.existing_interview_id == "e" * 24
    assert "jane@example.com" in str(caught.value)
    assert "e" * 24 in str(caught.value)
    assert fake.sent[1].variables["input"]["filter"] == {"email": {"equal": "jane@example.com"}}


@pytest.mark.parametrize(
    ("operation", "field", "member", "call"),
    [
        ("ArchivePosition", "archivePosition", "PositionNotFoundError", "archive_position"),
        ("DeletePosition", "deletePosition", "PositionNotFoundError", "delete_position"),
        ("DeleteInterview", "deleteInterview", "InterviewNotFoundError", "delete_interview"),
    ],
)
async def test_not_found_union_members_raise_not_found(
    fake: ScriptedHireflix, sleeps: Sleeps, operation: str, field: str, member: str, call: str
) -> None:
    fake.on(operation, data({field: {"__typename": member, "code": 404, "message": "not found"}}))
    async with make_client(fake, sleeps) as hf:
        with pytest.raises(NotFoundError) as caught:
            await getattr(hf, call)("f" * 24)
    assert caught.value.id == "f" * 24


# ------------------------------------------------------------------------------------ invite recovery
def search_page(*interviews: dict[str, object]) -> dict[str, object]:
    page = {
        "results": list(interviews),
        "lastCursor": "cur",
        "count": len(interviews),
        "total": len(interviews),
    }
    return data({"position": {"id": "b" * 24, "interviewList": page}})


def created_now(interview_id: str) -> dict[str, object]:
    return interview_json(interview_id, createdAt=time.time() * 1000)


async def test_lost_invite_that_landed_is_recovered_without_resending(
    fake: ScriptedHireflix, sleeps: Sleeps
) -> None:
    fake.on("InviteCandidate", httpx2.ReadTimeout("slow"))
    fake.on("SearchInterviews", search_page(created_now("1" * 24)))
    async with make_client(fake, sleeps) as hf:
        result = await hf.invite_candidate(INVITE)
    assert result.recovered
    assert result.interview.id == "1" * 24
    assert fake.count("InviteCandidate") == 1


async def test_lost_invite_that_did_not_land_is_resent(fake: ScriptedHireflix, sleeps: Sleeps) -> None:
    fake.on(
        "InviteCandidate",
        httpx2.Response(500),
        data({"inviteCandidateToInterview": interview_json("2" * 24)}),
    )
    fake.on("SearchInterviews", search_page())
    async with make_client(fake, sleeps) as hf:
        result = await hf.invite_candidate(INVITE)
    assert not result.recovered
    assert result.interview.id == "2" * 24
    assert fake.count("InviteCandidate") == 2
    assert fake.count("SearchInterviews") == 1


async def test_late_landing_invite_resolves_the_duplicate_refusal_to_the_interview(
    fake: ScriptedHireflix, sleeps: Sleeps
) -> None:
    exists = {
        "__typename": "InterviewAlreadyExistsInPositionError",
        "interviewAlreadyExistsMessage": "exists",
    }
    fake.on(
        "InviteCandidate", httpx2.RemoteProtocolError("dropped"), data({"inviteCandidateToInterview": exists})
    )
    fake.on("SearchInterviews", search_page(), search_page(created_now("3" * 24)))
    async with make_client(fake, sleeps) as hf:
        result = await hf.invite_candidate(INVITE)
    assert result.recovered
    assert result.interview.id == "3" * 24
    assert fake.count("InviteCandidate") == 2


async def test_lost_invite_finding_an_older_interview_reports_already_invited(
    fake: ScriptedHireflix, sleeps: Sleeps
) -> None:
    fake.on("InviteCandidate", httpx2.Response(200, text="garbage"))
    fake.on("SearchInterviews", search_page(interview_json("4" * 24, createdAt=1_000.0)))
    async with make_client(fake, sleeps) as hf:
        with pytest.raises(InterviewAlreadyExistsError) as caught:
            await hf.invite_candidate(INVITE)
    assert caught.value.existing_interview_id == "4" * 24


async def test_lost_invite_whose_check_fails_is_an_unknown_outcome(
    fake: ScriptedHireflix, sleeps: Sleeps
) -> None:
    fake.on("InviteCandidate", httpx2.ReadTimeout("slow"))
    fake.on("SearchInterviews", httpx2.Response(503))
    async with make_client(fake, sleeps, max_retries=1) as hf:
        with pytest.raises(OutcomeUnknownError, match="e-mail") as caught:
            await hf.invite_candidate(INVITE)
    assert "checking by e-mail failed" in str(caught.value)
    assert fake.count("InviteCandidate") == 1


@pytest.mark.parametrize(
    ("max_retries", "deadline_in_s", "sent"),
    [
        pytest.param(2, None, 3, id="stops-after-max-retries"),
        pytest.param(3, -1.0, 1, id="not-resent-after-the-deadline"),
    ],
)
async def test_an_invite_that_keeps_getting_lost_is_resent_only_within_max_retries_and_the_deadline(
    fake: ScriptedHireflix, sleeps: Sleeps, max_retries: int, deadline_in_s: float | None, sent: int
) -> None:
    # Every invite times out before its answer arrives, and no interview shows up by e-mail afterwards.
    fake.on("InviteCandidate", httpx2.ReadTimeout("slow"))
    fake.on("SearchInterviews", search_page())
    async with make_client(fake, sleeps, max_retries=max_retries) as hf:
        inviting = hf if deadline_in_s is None else hf.with_options(deadline=time.monotonic() + deadline_in_s)
        with pytest.raises(OutcomeUnknownError):
            await inviting.invite_candidate(INVITE)
    assert fake.count("InviteCandidate") == sent
    assert fake.count("SearchInterviews") == sent


# ------------------------------------------------------------------------------------ the key
async def test_the_api_key_never_appears_in_logs_errors_or_reprs(
    fake: ScriptedHireflix, sleeps: Sleeps, caplog: pytest.LogCaptureFixture
) -> None:
    import logging
    import traceback

    echo = {"errors": [{"message": f"bad key {CANARY_KEY}", "extensions": {"code": "UNAUTHENTICATED"}}]}
    fake.on("WhoAmI", echo)
    fake.on("ListPositions", httpx2.Response(500, text=f"trace: X-API-KEY={CANARY_KEY}"))
    fake.on("ListMembers", {"errors": [{"message": f"Cannot query field {CANARY_KEY}"}]})
    fake.on("CommentOnInterview", httpx2.ReadTimeout(f"timed out sending {CANARY_KEY}"))
    fake.on("GetInterview", httpx2.ConnectError(f"refused for {CANARY_KEY}"))
    fake.on("ListWebhooks", httpx2.Response(400, text=f"bad request {CANARY_KEY}"))
    caught: list[BaseException] = []
    caplog.set_level(logging.DEBUG, logger="hireflix_mcp")
    async with make_client(fake, sleeps, max_retries=1) as hf:
        calls = [
            hf.whoami(),
            hf.list_positions(),
            hf.list_members(),
            hf.comment_on_interview("a" * 24, "x"),
            hf.get_interview("a" * 24),
            hf.list_webhooks(),
        ]
        for call in calls:
            try:
                await call
            except HireflixError as exc:
                caught.append(exc)
        texts = [repr(hf), repr(hf._transport)]
    assert len(caught) == len(calls)
    for error in caught:
        texts += [str(error), repr(error), "".join(traceback.format_exception(error))]
        texts.append(json.dumps(error.args, default=str))
    texts += [record.getMessage() for record in caplog.records]
    texts += [repr(Settings(api_key=SecretStr(CANARY_KEY)))]
    assert caplog.records, "the transport should have logged something"
    assert [t for t in texts if CANARY_KEY in t] == []


# ------------------------------------------------------------------------------------ per-call options
async def test_a_view_with_other_retries_leaves_the_client_as_it_was(
    fake: ScriptedHireflix, sleeps: Sleeps
) -> None:
    fake.on("ListPositions", httpx2.Response(503))
    async with make_client(fake, sleeps, max_retries=3) as hf:
        impatient = hf.with_options(max_retries=0)
        with pytest.raises(ServerError):
            await impatient.list_positions()
        assert fake.count("ListPositions") == 1
        with pytest.raises(ServerError):
            await hf.list_positions()
    assert fake.count("ListPositions") == 1 + 4


async def test_a_view_shares_the_clients_pool_and_closing_it_leaves_the_pool_open(
    fake: ScriptedHireflix, sleeps: Sleeps
) -> None:
    fake.on("ListPositions", POSITIONS)
    hf = make_client(fake, sleeps)
    view = hf.with_options(max_retries=1)
    async with view:
        await view.list_positions()
    assert await hf.list_positions()
    await hf.aclose()
    with pytest.raises(RuntimeError, match="closed"):
        await view.list_positions()


async def test_no_retry_starts_once_the_deadline_has_passed(fake: ScriptedHireflix, sleeps: Sleeps) -> None:
    fake.on("ListPositions", httpx2.Response(503))
    async with make_client(fake, sleeps, max_retries=5) as hf:
        with pytest.raises(ServerError) as caught:
            await hf.with_options(deadline=time.monotonic() - 1).list_positions()
    assert fake.count("ListPositions") == 1
    assert sleeps.delays == []
    assert caught.value.retryable


async def test_a_retry_whose_wait_would_end_past_the_deadline_is_not_started(
    fake: ScriptedHireflix, sleeps: Sleeps
) -> None:
    fake.on("ListPositions", httpx2.Response(429, headers={"Retry-After": "7"}))
    async with make_client(fake, sleeps) as hf:
        with pytest.raises(RateLimitedError) as caught:
            await hf.with_options(deadline=time.monotonic() + 5).list_positions()
        fake.on("ListPositions", POSITIONS)
        await hf.with_options(deadline=time.monotonic() + 60).list_positions()
    assert caught.value.retry_after == 7.0
    assert caught.value.retry_advice() == "Retrying may help: retry after 7 s."
    assert sleeps.delays == [7.0]
    assert fake.count("ListPositions") == 3


# ------------------------------------------------------------------------------------ what an error carries
async def test_errors_carry_the_http_status_and_the_upstream_request_id_when_there_is_one(
    fake: ScriptedHireflix, sleeps: Sleeps
) -> None:
    fake.on("ListPositions", httpx2.Response(500, headers={"X-Request-Id": "req-42"}))
    fake.on(
        "WhoAmI", httpx2.Response(200, json={"errors": [{"message": "nope"}]}, headers={"Request-Id": "r-7"})
    )
    fake.on("ListMembers", httpx2.Response(503))
    fake.on("ListWebhooks", httpx2.ConnectError("refused"))
    fake.on("CommentOnInterview", httpx2.Response(502, headers={"x-request-id": "lost-1"}))
    async with make_client(fake, sleeps, max_retries=0) as hf:
        with pytest.raises(ServerError) as server:
            await hf.list_positions()
        with pytest.raises(GraphQLRequestError) as refused:
            await hf.whoami()
        with pytest.raises(ServerError) as anonymous:
            await hf.list_members()
        with pytest.raises(ConnectionFailed) as unanswered:
            await hf.list_webhooks()
        with pytest.raises(OutcomeUnknownError) as lost:
            await hf.comment_on_interview("a" * 24, "x")
    assert (server.value.status, server.value.request_id) == (500, "req-42")
    assert (refused.value.status, refused.value.request_id) == (200, "r-7")
    assert (anonymous.value.status, anonymous.value.request_id) == (503, None)
    assert (unanswered.value.status, unanswered.value.request_id) == (None, None)
    # An unknown outcome keeps the status of the answer that lost it.
    assert (lost.value.status, lost.value.request_id) == (502, "lost-1")


MAY_HELP = "Retrying may help: retry in a few seconds."
WILL_NOT_HELP = "Retrying the same call will not help."


@pytest.mark.parametrize(
    ("error", "advice"),
    [
        (RateLimitedError("ListPositions", 12), "Retrying may help: retry after 12 s."),
        (ServerError("ListPositions", 503, 0.3), "Retrying may help: retry after 1 s."),
        (ServerError("ListPositions", 500), MAY_HELP),
        (RateLimitedError("ListPositions", None), MAY_HELP),
        (ConnectionFailed("ListPositions", "hireflix.test", "refused"), MAY_HELP),
        (Timeout("ListPositions", 30), MAY_HELP),
        (MalformedResponseError("ListPositions", "not JSON"), MAY_HELP),
        (GraphQLRequestError("X", ["boom"], ["INTERNAL_SERVER_ERROR"], retryable=True),
         MAY_HELP),
        (AuthenticationError("WhoAmI"), WILL_NOT_HELP),
        (PermissionDenied("RemoveMember"), WILL_NOT_HELP),
        (ValidationFailed("bad", {"score": "0.5 steps"}), WILL_NOT_HELP),
        (InviteQuotaExceededError("quota"), WILL_NOT_HELP),
        (NotFoundError("interview", "a" * 24), WILL_NOT_HELP),
        (GraphQLRequestError("X", ["nope"]), WILL_NOT_HELP),
        (MalformedResponseError("X", "no id", retryable=False), WILL_NOT_HELP),
        (OutcomeUnknownError("CommentOnInterview", "HTTP 502"),
         "Do not repeat it blindly: retrying may do it twice."),
    ],
)  # fmt: skip
def test_retry_advice_comes_from_the_structured_fields_and_not_from_the_message(
    error: HireflixError, advice: str
) -> None:
    assert error.retry_advice() == advice
    assert "retry" not in str(error).lower()
