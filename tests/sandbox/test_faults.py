"""Fault injection over real HTTP: a tiny GraphQL-ish app behind FaultMiddleware, served by uvicorn."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import anyio
import anyio.to_thread
import httpx2
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from hireflix_sandbox.embedded import serving
from hireflix_sandbox.faults import FaultInjector
from hireflix_sandbox.faults import FaultMiddleware
from hireflix_sandbox.faults import FaultRule
from hireflix_sandbox.faults import fault_admin_routes
from hireflix_sandbox.faults import operation_names
from hireflix_sandbox.faults import parse_spec

INVITE = (
    "mutation inviteCandidate { inviteCandidateToInterview("
    'input: {positionId: "p1", candidate: {email: "a@b.co", firstName: "A"}}) { __typename } }'
)
BULK_INVITE = (
    "mutation { first: inviteCandidateToInterview("
    'input: {positionId: "p1", candidate: {email: "a@b.co", firstName: "A"}}) { __typename } }'
)
LIST_POSITIONS = "query ListPositions { positions { id name } }"


@dataclass
class Sandbox:
    url: str
    injector: FaultInjector
    executed: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def module_sandbox() -> Iterator[Sandbox]:
    injector = FaultInjector()
    executed: list[str] = []

    async def graphql(request: Request) -> JSONResponse:
        payload = await request.json()
        name = payload.get("operationName") or "anonymous"
        executed.append(name)
        return JSONResponse(
            {"data": {"echo": {"operationName": name, "variables": payload.get("variables")}}}
        )

    inner = Starlette(routes=[Route("/me", graphql, methods=["POST"]), *fault_admin_routes(injector)])
    with serving(FaultMiddleware(inner, injector)) as (url, _server):
        yield Sandbox(url, injector, executed)


@pytest.fixture
def sandbox(module_sandbox: Sandbox) -> Sandbox:
    module_sandbox.injector.clear()
    module_sandbox.injector.reseed(0)
    module_sandbox.executed.clear()
    return module_sandbox


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=sandbox.url, timeout=5.0, trust_env=False) as client:
        yield client


def graphql_body(query: str, operation_name: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"query": query, "variables": {}}
    if operation_name is not None:
        body["operationName"] = operation_name
    return body


def post(
    client: httpx2.Client, query: str = LIST_POSITIONS, operation_name: str | None = None
) -> httpx2.Response:
    return client.post("/me", json=graphql_body(query, operation_name))


def test_requests_pass_through_untouched_when_no_rule_is_active(
    sandbox: Sandbox, client: httpx2.Client
) -> None:
    response = post(client, operation_name="ListPositions")
    assert response.status_code == 200
    assert response.json() == {"data": {"echo": {"operationName": "ListPositions", "variables": {}}}}
    assert sandbox.executed == ["ListPositions"]


def test_rate_limit_answers_429_with_retry_after_and_a_json_error(
    sandbox: Sandbox, client: httpx2.Client
) -> None:
    sandbox.injector.add(FaultRule(kind="rate_limit", retry_after=7))
    response = post(client)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    assert response.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert sandbox.executed == []
    assert sandbox.injector.counters()["rate_limit"] == 1


@pytest.mark.parametrize(("status", "code"), [(500, "INTERNAL_SERVER_ERROR"), (503, "SERVICE_UNAVAILABLE")])
def test_server_error_answers_the_configured_status_without_executing(
    sandbox: Sandbox, client: httpx2.Client, status: int, code: str
) -> None:
    sandbox.injector.add(FaultRule(kind="server_error", status=status))
    response = post(client)
    assert response.status_code == status
    assert response.json()["errors"][0]["extensions"]["code"] == code
    assert "retry-after" not in response.headers
    assert sandbox.executed == []


def test_server_error_carries_retry_after_only_when_asked(sandbox: Sandbox, client: httpx2.Client) -> None:
    sandbox.injector.add(FaultRule(kind="server_error", status=503, retry_after=3))
    response = post(client)
    assert (response.status_code, response.headers["retry-after"]) == (503, "3")


@pytest.mark.anyio
async def test_hang_times_out_the_client_while_other_requests_are_still_served(sandbox: Sandbox) -> None:
    sandbox.injector.add(FaultRule(kind="hang", operation="SlowOp", hang_seconds=30))
    finished: list[str] = []
    timeout = httpx2.Timeout(5.0, read=0.5)
    async with httpx2.AsyncClient(base_url=sandbox.url, timeout=timeout, trust_env=False) as client:

        async def slow_request() -> None:
            with pytest.raises(httpx2.ReadTimeout):
                await client.post("/me", json=graphql_body(LIST_POSITIONS, "SlowOp"))
            finished.append("slow")

        with anyio.fail_after(5):
            async with anyio.create_task_group() as group:
                group.start_soon(slow_request)
                assert await anyio.to_thread.run_sync(sandbox.injector.wait_injected, "hang", 1, 5.0)
                response = await client.post("/me", json=graphql_body(LIST_POSITIONS, "FastOp"))
                finished.append("fast")
                assert response.status_code == 200
    assert finished == ["fast", "slow"]
    assert sandbox.executed == ["FastOp"]


def test_hang_that_outlasts_its_time_answers_504(sandbox: Sandbox, client: httpx2.Client) -> None:
    sandbox.injector.add(FaultRule(kind="hang", hang_seconds=0.05))
    response = post(client)
    assert response.status_code == 504
    assert sandbox.executed == []


def test_malformed_answers_200_with_a_body_that_is_not_json(sandbox: Sandbox, client: httpx2.Client) -> None:
    sandbox.injector.add(FaultRule(kind="malformed"))
    response = post(client)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_drop_closes_the_connection_before_the_response_is_complete(
    sandbox: Sandbox, client: httpx2.Client
) -> None:
    sandbox.injector.add(FaultRule(kind="drop", count=1))
    with pytest.raises(httpx2.RemoteProtocolError) as raised:
        post(client)
    assert isinstance(raised.value, httpx2.TransportError)
    assert post(client).status_code == 200, "the next request works on a fresh connection"


def test_latency_delays_the_request_and_then_serves_it(sandbox: Sandbox, client: httpx2.Client) -> None:
    sandbox.injector.add(FaultRule(kind="latency", latency_ms=40))
    started = time.monotonic()
    response = post(client, operation_name="ListPositions")
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert elapsed >= 0.04
    assert sandbox.executed == ["ListPositions"]
    assert sandbox.injector.counters()["latency"] == 1


def test_latency_adds_up_with_a_fault_that_follows_it(sandbox: Sandbox, client: httpx2.Client) -> None:
    sandbox.injector.add(FaultRule(kind="latency", latency_ms=20))
    sandbox.injector.add(FaultRule(kind="rate_limit"))
    started = time.monotonic()
    response = post(client)
    assert response.status_code == 429
    assert time.monotonic() - started >= 0.02


def test_count_expires_the_rule_after_that_many_requests(sandbox: Sandbox, client: httpx2.Client) -> None:
    sandbox.injector.add(FaultRule(kind="server_error", status=503, count=2))
    statuses = [post(client).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert sandbox.injector.rules() == []
    assert sandbox.injector.counters()["server_error"] == 2


def test_rate_with_a_seed_gives_the_same_pattern_on_every_run(
    sandbox: Sandbox, client: httpx2.Client
) -> None:
    def run() -> list[int]:
        sandbox.injector.clear()
        sandbox.injector.reseed(7)
        sandbox.injector.add(FaultRule(kind="rate_limit", rate=0.5))
        return [post(client).status_code for _ in range(16)]

    first, second = run(), run()
    assert first == second
    assert set(first) == {200, 429}, "a rate of 0.5 over 16 requests both fires and holds back"
    assert sandbox.injector.counters()["rate_limit"] == first.count(429)


def test_operation_targeting_hits_only_the_named_operation(sandbox: Sandbox, client: httpx2.Client) -> None:
    sandbox.injector.add(FaultRule(kind="rate_limit", operation="inviteCandidateToInterview"))
    assert post(client, LIST_POSITIONS, "ListPositions").status_code == 200
    assert post(client, INVITE, "inviteCandidate").status_code == 429, "matched by root field"
    assert post(client, BULK_INVITE).status_code == 429, "matched by the field name behind an alias"
    assert sandbox.executed == ["ListPositions"]


def test_operation_targeting_also_matches_the_operation_name(sandbox: Sandbox, client: httpx2.Client) -> None:
    sandbox.injector.add(FaultRule(kind="server_error", operation="ListPositions"))
    assert post(client, LIST_POSITIONS, "ListPositions").status_code == 500
    assert post(client, "query Other { positions { id } }", "Other").status_code == 200


def test_phase_after_executes_the_request_but_the_client_sees_a_server_error(
    sandbox: Sandbox, client: httpx2.Client
) -> None:
    sandbox.injector.add(FaultRule(kind="server_error", status=503, phase="after"))
    assert post(client, INVITE, "inviteCandidate").status_code == 503
    assert sandbox.executed == ["inviteCandidate"], "the inner app ran: the outcome is unknown to the client"


def test_phase_after_drop_executes_the_request_but_the_client_sees_a_transport_error(
    sandbox: Sandbox, client: httpx2.Client
) -> None:
    sandbox.injector.add(FaultRule(kind="drop", phase="after"))
    with pytest.raises(httpx2.TransportError):
        post(client, INVITE, "inviteCandidate")
    assert sandbox.executed == ["inviteCandidate"]


def test_phase_after_malformed_truncates_the_real_response(sandbox: Sandbox, client: httpx2.Client) -> None:
    sandbox.injector.add(FaultRule(kind="malformed", phase="after"))
    response = post(client, INVITE, "inviteCandidate")
    whole = b'{"data":{"echo":{"operationName":"inviteCandidate","variables":{}}}}'
    assert response.status_code == 200
    assert whole.startswith(response.content)
    assert 0 < len(response.content) < len(whole)
    assert sandbox.executed == ["inviteCandidate"]


def test_other_paths_pass_through_while_a_global_fault_is_active(
    sandbox: Sandbox, client: httpx2.Client
) -> None:
    sandbox.injector.add(FaultRule(kind="server_error"))
    response = client.get("/_sandbox/faults")
    assert response.status_code == 200
    assert [rule["kind"] for rule in response.json()["rules"]] == ["server_error"]


def test_admin_routes_add_list_and_clear_rules(sandbox: Sandbox, client: httpx2.Client) -> None:
    added = client.post("/_sandbox/faults", json={"kind": "rate_limit", "retry_after": 2, "count": 1})
    assert added.status_code == 201
    rule_id = added.json()["id"]
    assert post(client).status_code == 429
    listed = client.get("/_sandbox/faults").json()
    assert listed["rules"] == [], "the rule expired after its one firing"
    assert listed["counters"]["rate_limit"] == 1
    assert client.delete(f"/_sandbox/faults/{rule_id}").status_code == 404

    from_spec = client.post("/_sandbox/faults", json={"spec": "latency:ms=1;server_error:status=503"})
    assert from_spec.status_code == 201
    assert len(from_spec.json()["ids"]) == 2
    assert client.delete("/_sandbox/faults").status_code == 200
    assert client.get("/_sandbox/faults").json() == {
        "rules": [],
        "counters": dict.fromkeys(["latency", "rate_limit", "server_error", "hang", "malformed", "drop"], 0),
    }


@pytest.mark.parametrize(
    ("payload", "named"),
    [
        ({"kind": "teapot"}, "kind"),
        ({"kind": "rate_limit", "rate": 2}, "rate"),
        ({"kind": "server_error", "status": 404}, "status"),
        ({"kind": "latency", "phase": "after"}, "phase"),
        ({"kind": "rate_limit", "colour": "red"}, "colour"),
        ({"spec": "latency:ms=fast"}, "latency_ms"),
    ],
)
def test_admin_rejects_a_bad_rule_with_422_naming_the_field(
    sandbox: Sandbox, client: httpx2.Client, payload: dict[str, Any], named: str
) -> None:
    response = client.post("/_sandbox/faults", json=payload)
    assert response.status_code == 422
    assert named in response.json()["message"]
    assert sandbox.injector.rules() == []


def test_spec_parses_every_rule_with_its_parameters() -> None:
    spec = (
        "rate_limit:rate=0.1,retry_after=1; latency:ms=40 ;"
        "server_error:status=503,count=2,op=inviteCandidateToInterview;hang:seconds=2,phase=after;drop;"
    )
    assert parse_spec(spec) == [
        FaultRule(kind="rate_limit", rate=0.1, retry_after=1),
        FaultRule(kind="latency", latency_ms=40),
        FaultRule(kind="server_error", status=503, count=2, operation="inviteCandidateToInterview"),
        FaultRule(kind="hang", hang_seconds=2, phase="after"),
        FaultRule(kind="drop"),
    ]
    assert parse_spec(None) == parse_spec("") == []
    injector = FaultInjector.from_spec(spec, seed=3)
    assert [status.id for status in injector.rules()] == ["f1", "f2", "f3", "f4", "f5"]
    assert injector.targets_operations


@pytest.mark.parametrize(
    ("spec", "named"),
    [
        ("teapot", "kind"),
        ("latency:ms=fast", "latency_ms"),
        ("server_error:status=404", "status"),
        ("rate_limit:rate=1.5", "rate"),
        ("rate_limit:count=0", "count"),
        ("latency:bogus=1", "unknown key 'bogus'"),
        ("latency:ms", "not key=value"),
        ("latency:phase=after", "phase"),
        ("rate_limit:ms=5", "latency_ms: does not apply to kind 'rate_limit'"),
        ("drop:op=", "not key=value"),
    ],
)
def test_bad_spec_raises_a_value_error_naming_the_part_and_the_problem(spec: str, named: str) -> None:
    with pytest.raises(ValueError, match="bad fault spec part") as raised:
        parse_spec(f"latency:ms=1;{spec}")
    assert repr(spec) in str(raised.value)
    assert named in str(raised.value)


def test_operation_names_cover_the_operation_name_and_root_fields_through_fragments() -> None:
    query = (
        "query Q { positions { id } ...Extra ... on Query { info { company { id } } } } "
        "fragment Extra on Query { position(id: 1) { id } }"
    )
    body = json.dumps({"query": query, "operationName": "Q"}).encode()
    assert operation_names(body) == {"Q", "positions", "position", "info"}
    assert operation_names(b"not json") == frozenset()
    assert operation_names(b'{"query": "query {"}') == frozenset(), "an unparseable document names nothing"
