"""Three replicas over HTTP on one PostgreSQL and one sandbox, with clients spread across them.

The replicas are real `hireflix-mcp serve` processes sharing `HIREFLIX_MCP_STATE_DB` (a database on the
throwaway cluster), the confirmation secret and the webhook secret; clients speak 2026-07-28 (no session,
so no sticky routing: any request may go to any replica). The module's replicas are started once; the
last test kills one of them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.server.subscriptions import ResourceUpdated

from hireflix_mcp.resources import EVENTS_URI
from hireflix_mcp.webhooks import SIGNATURE_HEADER
from hireflix_mcp.webhooks import sign
from hireflix_sandbox.embedded import RunningSandbox
from tests.pg_cluster import PostgresCluster
from tests.store.replicas import WEBHOOK_SECRET
from tests.store.replicas import Replica
from tests.store.replicas import running_replicas
from tests.tools.conftest import data
from tests.tools.conftest import text
from tests.tools.test_interviews_support import new_position
from tests.tools.test_interviews_support import open_position

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(300)]  # a loaded 2-core machine: ~30 s each

CALL_SECONDS = 30.0


@pytest.fixture(scope="module")
def replicas(
    shared_sandbox: RunningSandbox,
    postgres_cluster: PostgresCluster,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[list[Replica]]:
    database = postgres_cluster.new_database("replicas")
    with running_replicas(shared_sandbox, database, tmp_path_factory.mktemp("replicas")) as running:
        yield running


def _pending_ids(sandbox: RunningSandbox, count: int) -> list[str]:
    position = open_position(sandbox)
    return [r.id for r in sandbox.store.interviews(position.id) if r.status == "pending"][:count]


async def test_twenty_clients_make_a_hundred_calls_each_across_three_replicas_without_error(
    replicas: list[Replica], shared_sandbox: RunningSandbox
) -> None:
    interview_id = _pending_ids(shared_sandbox, 1)[0]
    errors: list[str] = []
    done = 0

    async def one_client(index: int) -> None:
        nonlocal done
        async with Client(replicas[index % 3].url) as client:
            for call in range(100):
                # Mostly a read of the shared store (plus the audit insert every call makes); every
                # tenth call also goes upstream, to the one sandbox all replicas share.
                if call % 10:
                    result = await client.call_tool("list_webhook_events", {"since": "2025-01-01"})
                else:
                    result = await client.call_tool("get_interview", {"interview_id": interview_id})
                if result.is_error:
                    errors.append(text(result))
                done += 1

    started = time.perf_counter()
    with anyio.fail_after(240):
        async with anyio.create_task_group() as group:
            for index in range(20):
                group.start_soon(one_client, index)
    elapsed = time.perf_counter() - started
    print(f"\n20 clients x 100 calls on 3 replicas: {elapsed:.1f} s, {done / elapsed:.0f} calls/s")
    assert done == 2000
    assert errors == []


async def test_a_token_issued_on_a_is_redeemed_on_b_and_refused_on_c(
    replicas: list[Replica], shared_sandbox: RunningSandbox
) -> None:
    a, b, c = replicas[:3]
    interview_id = _pending_ids(shared_sandbox, 2)[1]
    arguments: dict[str, Any] = {"interview_id": interview_id}
    async with Client(a.url) as on_a, Client(b.url) as on_b, Client(c.url) as on_c:
        asked = data(await on_a.call_tool("delete_interview", arguments))
        assert asked["status"] == "confirmation_required"
        confirmed = {**arguments, "confirmation_token": asked["confirmation_token"]}
        redeemed = data(await on_b.call_tool("delete_interview", confirmed))
        replayed = await on_c.call_tool("delete_interview", confirmed)
    assert redeemed["status"] == "done"
    assert shared_sandbox.store.interview(interview_id) is None
    assert replayed.is_error
    assert "already used once" in text(replayed)


async def test_fifty_simultaneous_redemptions_on_three_replicas_make_exactly_one_write(
    replicas: list[Replica], shared_sandbox: RunningSandbox
) -> None:
    interview_id = _pending_ids(shared_sandbox, 3)[2]
    arguments: dict[str, Any] = {"interview_id": interview_id}
    outcomes: list[bool] = []
    async with Client(replicas[0].url) as first:
        token = data(await first.call_tool("delete_interview", arguments))["confirmation_token"]
    shared_sandbox.reset_request_counts()
    confirmed = {**arguments, "confirmation_token": token}
    async with Client(replicas[0].url) as a, Client(replicas[1].url) as b, Client(replicas[2].url) as c:
        clients = (a, b, c)
        start = anyio.Event()

        async def redeem(index: int) -> None:
            await start.wait()
            result = await clients[index % 3].call_tool("delete_interview", confirmed)
            outcomes.append(not result.is_error)

        with anyio.fail_after(60):
            async with anyio.create_task_group() as group:
                for index in range(50):
                    group.start_soon(redeem, index)
                start.set()
    writes = shared_sandbox.request_counts()["by_operation_name"].get("DeleteInterview", 0)
    assert len(outcomes) == 50
    assert outcomes.count(True) == 1
    assert writes == 1


async def test_a_webhook_posted_to_a_reaches_subscribers_on_b_and_c_and_their_listings(
    replicas: list[Replica],
) -> None:
    a, b, c = replicas[:3]
    body = json.dumps(
        {"event": "interview.finish", "date": 1_765_000_000_000, "data": {"id": "6650a1b2c3d4e5f6a7b8c9d0"}}
    ).encode()
    async with (
        Client(b.url) as on_b,
        Client(c.url) as on_c,
        on_b.listen(resource_subscriptions=[EVENTS_URI]) as heard_b,
        on_c.listen(resource_subscriptions=[EVENTS_URI]) as heard_c,
        httpx2.AsyncClient(timeout=10) as http,
    ):
        posted = await http.post(
            a.webhook_url, content=body, headers={SIGNATURE_HEADER: sign(WEBHOOK_SECRET, body)}
        )
        assert posted.json() == {"accepted": True, "duplicate": False}
        with anyio.fail_after(10):
            assert await anext(heard_b) == ResourceUpdated(uri=EVENTS_URI)
            assert await anext(heard_c) == ResourceUpdated(uri=EVENTS_URI)
        listed = data(await on_c.call_tool("list_webhook_events", {"since": "2025-01-01"}))
    assert [e["interview_id"] for e in listed["events"]] == ["6650a1b2c3d4e5f6a7b8c9d0"]


async def test_when_a_replica_dies_mid_run_its_clients_move_on_and_no_write_is_lost_or_doubled(
    replicas: list[Replica], shared_sandbox: RunningSandbox
) -> None:
    position_id = new_position(shared_sandbox, "Replica failover")
    victim = replicas[2]
    per_client, clients = 10, 6
    invited: dict[str, str] = {}  # e-mail -> status the tool answered
    moved = 0
    completed = 0
    killed = anyio.Event()

    def live(after: int) -> Replica:
        """The next live replica after index `after`, as a load balancer would pick it."""
        for step in range(1, len(replicas) + 1):
            candidate = replicas[(after + step) % len(replicas)]
            if candidate.alive:
                return candidate
        raise AssertionError("no replica left")

    async def one_client(index: int) -> None:
        nonlocal moved, completed
        where = replicas[index % 3]
        pending = [f"failover-{index}-{n}@example.com" for n in range(per_client)]
        while pending:
            try:
                async with Client(where.url) as client:
                    while pending:
                        email = pending[0]
                        arguments = {"position_id": position_id, "email": email, "first_name": "Fay"}
                        with anyio.fail_after(CALL_SECONDS):
                            result = data(await client.call_tool("invite_candidate", arguments))
                        invited[email] = result["status"]
                        pending.pop(0)
                        completed += 1
                        if completed == 20:
                            victim.kill()
                            killed.set()
            except Exception:
                if where.alive:
                    raise
                moved += 1
                where = live(replicas.index(where))

    with anyio.fail_after(120):
        async with anyio.create_task_group() as group:
            for index in range(clients):
                group.start_soon(one_client, index)
    assert killed.is_set()
    assert not victim.alive
    assert moved >= 1  # the victim's clients noticed and moved
    emails = {f"failover-{i}-{n}@example.com" for i in range(clients) for n in range(per_client)}
    assert set(invited) == emails
    assert set(invited.values()) <= {"invited", "already_invited"}
    stored = [r.email for r in shared_sandbox.store.interviews(position_id)]
    assert sorted(stored) == sorted(emails)  # each exactly once: none lost, none doubled
