"""Fault soak: 1,000 tool calls through the real Client while the sandbox misbehaves on ~20% of requests.

Four agents share the work, two per protocol era, each on its own seeded plan of reads (positions,
interviews, transcripts, searches) and writes (fresh invites, scores, status changes, comments). The
sandbox injects a seeded mix of latency, 429 with Retry-After, 500/502/503, hung responses, malformed
bodies and dropped connections, some of them after the request took effect (the answer is lost, the
change is made). The agents behave as the tool errors tell a model to: reads and idempotent writes are
retried, an invite or comment whose outcome is unknown is checked with a read tool, never repeated blindly.

Asserted: no call raises (no protocol error, no crash); every tool error says whether and when to retry;
every read succeeds within a few retries; the sandbox's final state is exactly the one the calls describe
(each invited e-mail once, each comment once or as the check found it, the last score and status of each
interview), with nothing duplicated and nothing lost. `pytest -s` prints the fault and outcome counters.

Deterministic where it can be: the plans and the fault sequence are seeded. The agents run at once, so
which request draws which fault varies a little from run to run (so do the counters); what is asserted
holds for every interleaving.
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import time
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp.types import CallToolResult

from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.listing import interview_filter_status
from hireflix_sandbox.store import InterviewRecord
from tests.tools.conftest import Era
from tests.tools.conftest import connect
from tests.tools.conftest import data
from tests.tools.conftest import text

pytestmark = pytest.mark.anyio

SEED = 20_260_728
CALLS = 1_000
AGENTS: tuple[tuple[Era, int], ...] = (("legacy", 3), ("legacy", 1), ("auto", 3), ("auto", 1))
"""One agent per entry, all at once: its client's protocol era and the server's max_retries (the default
3, and 1 so that more failures reach the agents). Each writes only to interviews it owns, so the model of
what its calls did is exact."""

# Enough that a read or idempotent write which keeps failing means a bug, not bad luck (an agent on
# max_retries=1 sees a call fail ~3% of the time, so six failures in a row is ~1e-9).
READ_RETRIES = 5
WRITE_ATTEMPTS = 6
CALL_DEADLINE_S = 30.0

# Per-request probabilities; the first terminal fault that fires wins, latency adds up. About 18% of
# requests fail, 5% more are only slow.
FAULTS: tuple[dict[str, Any], ...] = (
    {"kind": "latency", "rate": 0.05, "latency_ms": 20},
    {"kind": "rate_limit", "rate": 0.05, "retry_after": 1},
    {"kind": "server_error", "rate": 0.025, "status": 500},
    {"kind": "server_error", "rate": 0.02, "status": 503, "retry_after": 1},
    {"kind": "hang", "rate": 0.01, "hang_seconds": 3.0},
    {"kind": "malformed", "rate": 0.02},
    {"kind": "drop", "rate": 0.02},
    # The request takes effect; its answer is lost.
    {"kind": "drop", "rate": 0.02, "phase": "after"},
    {"kind": "malformed", "rate": 0.015, "phase": "after"},
    {"kind": "server_error", "rate": 0.015, "status": 502, "phase": "after"},
    {"kind": "hang", "rate": 0.005, "hang_seconds": 3.0, "phase": "after"},
)

ACTIONS: dict[str, int] = {
    "list_positions": 6,
    "get_position": 8,
    "search_interviews": 12,
    "get_interview": 14,
    "get_interview_transcript": 12,
    "find_candidate": 5,
    "invite_candidate": 16,
    "score_interview": 10,
    "set_interview_status": 10,
    "comment_on_interview": 7,
}
SCORES: tuple[float | None, ...] = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, None)
TARGET_STATUSES = ("shortlisted", "to_evaluate", "discarded")
OUTCOME_UNKNOWN = "may or may not have taken effect"
# A retryable error says when: after a given time, or in a few seconds / a little while.
RETRY_WHEN = re.compile(r"retry(ing)? (after \d|in a (few seconds|little while))|in a few seconds", re.I)
RETRY_NO = re.compile(r"(retrying|retry)[^.]* will not help|do not repeat it blindly", re.I)


@dataclass
class World:
    """What the agents may touch, read from the sandbox before the soak."""

    position_ids: list[str]
    open_position_ids: list[str]
    interview_ids: list[str]
    completed_ids: list[str]
    queries: list[str]
    interviews_before: int
    comments_before: int


@dataclass
class Ledger:
    """Everything the agents saw, and the state their successful calls imply."""

    calls: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    protocol_errors: list[str] = field(default_factory=list)
    error_texts: list[tuple[str, str]] = field(default_factory=list)
    unrecovered_reads: list[str] = field(default_factory=list)
    unsettled_writes: list[str] = field(default_factory=list)
    invites: dict[str, tuple[str, int, str | None]] = field(default_factory=dict)
    """e-mail -> (position id, expected interviews with it: 0 or 1, interview id the tool returned)."""
    comments: dict[str, tuple[str, int]] = field(default_factory=dict)
    """comment text -> (interview id, expected copies: 0 or 1)."""
    scores: dict[str, float | None] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)


def _world(sandbox: RunningSandbox) -> World:
    store = sandbox.store
    positions = store.positions()
    interviews = store.all_interviews()
    completed = [i for i in interviews if i.status == "completed"]
    return World(
        position_ids=[p.id for p in positions],
        open_position_ids=[p.id for p in positions if p.archived is None],
        interview_ids=[i.id for i in interviews],
        completed_ids=[i.id for i in completed],
        queries=[i.email for i in interviews[::5]] + [i.last_name or i.first_name for i in interviews[2::7]],
        interviews_before=len(interviews),
        comments_before=sum(len(store.comments(i.id)) for i in interviews),
    )


def _status(record: InterviewRecord) -> str:
    return str(interview_filter_status(record))


class Agent:
    """One assistant working through its seeded plan, doing what each tool error tells it to."""

    def __init__(
        self, number: int, client: Client, world: World, owned: list[str], ledger: Ledger, budget: int
    ) -> None:
        self.number = number
        self.client = client
        self.world = world
        self.owned = owned
        self.ledger = ledger
        self.budget = budget
        self.used = 0
        self.rng = random.Random(SEED + number)
        self.serial = 0

    async def call(self, tool: str, arguments: dict[str, Any]) -> CallToolResult | None:
        """One tool call; None when it failed as a protocol error (recorded, then asserted absent)."""
        self.used += 1
        self.ledger.calls += 1
        try:
            with anyio.fail_after(CALL_DEADLINE_S):
                result = await self.client.call_tool(tool, arguments)
        except MCPError as exc:
            self.ledger.protocol_errors.append(f"{tool}: {exc}")
            self.ledger.outcomes["protocol_error"] += 1
            return None
        if result.is_error:
            self.ledger.error_texts.append((tool, text(result)))
            self.ledger.outcomes["tool_error"] += 1
        else:
            self.ledger.outcomes["ok"] += 1
        return result

    async def read(self, tool: str, arguments: dict[str, Any]) -> dict[str, Any] | None:
        """A read, retried as its error advises; its structured result, or None if it never succeeded."""
        for attempt in range(1 + READ_RETRIES):
            result = await self.call(tool, arguments)
            if result is not None and not result.is_error:
                if attempt:
                    self.ledger.outcomes["read_recovered_by_retry"] += 1
                return data(result)
        self.ledger.unrecovered_reads.append(f"{tool} {arguments}")
        return None

    async def run(self) -> None:
        names, weights = list(ACTIONS), list(ACTIONS.values())
        while self.used < self.budget:
            action = self.rng.choices(names, weights)[0]
            await getattr(self, action)()

    # ------------------------------------------------------------------------------------------- reads

    async def list_positions(self) -> None:
        found = await self.read("list_positions", {"include_archived": self.rng.random() < 0.3})
        assert found is None or found["positions"]

    async def get_position(self) -> None:
        position_id = self.rng.choice(self.world.position_ids)
        found = await self.read("get_position", {"position_id": position_id})
        assert found is None or found["id"] == position_id

    async def search_interviews(self) -> None:
        arguments: dict[str, Any] = {
            "position_id": self.rng.choice(self.world.position_ids),
            "limit": self.rng.choice((5, 20, 50)),
        }
        status = self.rng.choice((None, "pending", "to_evaluate", "shortlisted", "discarded"))
        if status is not None:
            arguments["status"] = status
        found = await self.read("search_interviews", arguments)
        assert found is None or found.get("total", 0) >= len(found.get("interviews", []))

    async def get_interview(self) -> None:
        interview_id = self.rng.choice(self.world.interview_ids)
        found = await self.read("get_interview", {"interview_id": interview_id})
        assert found is None or found["interview_id"] == interview_id

    async def get_interview_transcript(self) -> None:
        interview_id = self.rng.choice(self.world.completed_ids)
        found = await self.read("get_interview_transcript", {"interview_id": interview_id})
        assert found is None or found["answers"]

    async def find_candidate(self) -> None:
        found = await self.read("find_candidate", {"query": self.rng.choice(self.world.queries)})
        assert found is None or found["positions_searched"] + len(found.get("positions_failed", [])) >= 1

    # ------------------------------------------------------------------------------------------ writes

    def _next_serial(self) -> int:
        self.serial += 1
        return self.serial

    async def invite_candidate(self) -> None:
        n = self._next_serial()
        email = f"soak-a{self.number}-{n}@example.com"
        position_id = self.rng.choice(self.world.open_position_ids)
        arguments = {
            "position_id": position_id,
            "email": email,
            "first_name": "Soak",
            "last_name": f"A{self.number}N{n}",
            "send_invite_email": False,
        }
        result = await self.call("invite_candidate", arguments)
        if result is not None and not result.is_error:
            content = data(result)
            assert content.get("status") == "invited", content  # a fresh e-mail is never already_invited
            self.ledger.invites[email] = (position_id, 1, content["interview"]["interview_id"])
            return
        # Whatever the error said, check before believing anything: as a model is told to.
        self.ledger.outcomes["invite_checked_after_error"] += 1
        found = await self.read("search_interviews", {"position_id": position_id, "email": email})
        if found is None:
            self.ledger.unsettled_writes.append(f"invite {email}: could not be checked")
            return
        total = len(found.get("interviews", []))
        assert total <= 1, f"{email} was invited {total} times"
        self.ledger.invites[email] = (position_id, total, None)
        self.ledger.outcomes[f"invite_after_error_{'landed' if total else 'absent'}"] += 1

    async def _settle(self, tool: str, arguments: dict[str, Any]) -> bool:
        """An idempotent write repeated until it succeeds, as its retry advice allows."""
        for attempt in range(WRITE_ATTEMPTS):
            result = await self.call(tool, arguments)
            if result is not None and not result.is_error:
                if attempt:
                    self.ledger.outcomes["write_settled_by_retry"] += 1
                return True
        self.ledger.unsettled_writes.append(f"{tool} {arguments}")
        return False

    async def score_interview(self) -> None:
        interview_id = self.rng.choice(self.owned)
        score = self.rng.choice(SCORES)
        if await self._settle("score_interview", {"interview_id": interview_id, "score": score}):
            self.ledger.scores[interview_id] = score

    async def set_interview_status(self) -> None:
        interview_id = self.rng.choice(self.owned)
        status = self.rng.choice(TARGET_STATUSES)
        if await self._settle("set_interview_status", {"interview_id": interview_id, "status": status}):
            self.ledger.statuses[interview_id] = status

    async def comment_on_interview(self) -> None:
        interview_id = self.rng.choice(self.owned)
        comment = f"soak comment a{self.number} #{self._next_serial()}"
        result = await self.call("comment_on_interview", {"interview_id": interview_id, "comment": comment})
        if result is not None and not result.is_error:
            self.ledger.comments[comment] = (interview_id, 1)
            return
        message = text(result) if result is not None else ""
        if OUTCOME_UNKNOWN not in message:
            self.ledger.comments[comment] = (interview_id, 0)  # refused: nothing was done
            return
        self.ledger.outcomes["comment_outcome_unknown"] += 1
        found = await self.read("get_interview", {"interview_id": interview_id})
        if found is None:
            self.ledger.unsettled_writes.append(f"comment {comment!r}: could not be checked")
            return
        copies = sum(1 for c in found.get("comments", []) if c["text"] == comment)
        assert copies <= 1, f"{comment!r} was added {copies} times"
        self.ledger.comments[comment] = (interview_id, copies)
        self.ledger.outcomes[f"comment_after_error_{'landed' if copies else 'absent'}"] += 1


def _says_whether_and_when_to_retry(message: str) -> bool:
    return bool(RETRY_WHEN.search(message) or RETRY_NO.search(message))


def _check_error_texts(ledger: Ledger) -> None:
    for tool, message in ledger.error_texts:
        assert message.strip() != f"Error executing tool {tool}", f"{tool} crashed (no detail)"
        assert "retry" in message.lower(), f"{tool} error without retry advice: {message}"
        assert _says_whether_and_when_to_retry(message), (
            f"{tool} error does not say when (or that it will not help) to retry: {message}"
        )
        if OUTCOME_UNKNOWN in message:
            assert "see whether" in message, f"{tool} outcome unknown without saying what to check: {message}"


def _check_final_state(sandbox: RunningSandbox, world: World, ledger: Ledger) -> Counter[str]:
    store = sandbox.store
    interviews = store.all_interviews()
    by_email = Counter(i.email for i in interviews)
    checks: Counter[str] = Counter()
    for email, (position_id, expected, returned_id) in ledger.invites.items():
        assert by_email[email] == expected, f"{email}: {by_email[email]} interviews, expected {expected}"
        if expected:
            record = next(i for i in interviews if i.email == email)
            assert record.position_id == position_id
            assert returned_id is None or record.id == returned_id
        checks["invites_verified"] += 1
    soak_emails = {i.email for i in interviews if i.email.startswith("soak-")}
    assert soak_emails <= set(ledger.invites), "an interview exists that no call accounts for"
    landed_invites = sum(expected for _, expected, _ in ledger.invites.values())
    assert len(interviews) == world.interviews_before + landed_invites

    comment_copies = Counter(
        (c.interview_id, c.value)
        for i in interviews
        for c in store.comments(i.id)
        if c.value.startswith("soak")
    )
    for comment, (interview_id, expected) in ledger.comments.items():
        assert comment_copies[(interview_id, comment)] == expected, f"{comment!r}: expected {expected}"
        checks["comments_verified"] += 1
    landed_comments = sum(expected for _, expected in ledger.comments.values())
    assert sum(comment_copies.values()) == landed_comments, "a comment exists that no call accounts for"
    total_comments = sum(len(store.comments(i.id)) for i in interviews)
    assert total_comments == world.comments_before + landed_comments

    for interview_id, score in ledger.scores.items():
        scored = store.interview(interview_id)
        assert scored is not None
        assert scored.score == score, f"{interview_id}: score {scored.score}, expected {score}"
        checks["scores_verified"] += 1
    for interview_id, status in ledger.statuses.items():
        moved = store.interview(interview_id)
        assert moved is not None
        assert _status(moved) == status, f"{interview_id}: {_status(moved)}, expected {status}"
        checks["statuses_verified"] += 1
    return checks


async def test_a_thousand_calls_under_injected_faults_leave_exactly_the_state_the_calls_describe(
    sandbox: RunningSandbox,
) -> None:
    world = _world(sandbox)
    owned = [world.completed_ids[i :: len(AGENTS)] for i in range(len(AGENTS))]
    ledger = Ledger()
    injector = sandbox.runtime.injector
    for rule in FAULTS:
        sandbox.set_fault(**rule)
    injector.reseed(SEED)
    sandbox.reset_request_counts()
    started = time.monotonic()
    with anyio.fail_after(150):
        async with contextlib.AsyncExitStack() as stack:
            budget = CALLS // len(AGENTS)
            agents = []
            for n, (era, retries) in enumerate(AGENTS):
                client = await stack.enter_async_context(
                    connect(sandbox, era=era, read_timeout=0.5, max_retries=retries, retry_after_cap=0.05)
                )
                agents.append(Agent(n, client, world, owned[n], ledger, budget))
            async with anyio.create_task_group() as group:
                for agent in agents:
                    group.start_soon(agent.run)
    elapsed = time.monotonic() - started
    faults = injector.counters()
    requests = sandbox.request_counts()["total"]
    sandbox.clear_faults()

    checks = _check_final_state(sandbox, world, ledger)
    report = {
        "seconds": round(elapsed, 1),
        "tool_calls": ledger.calls,
        "upstream_requests": requests,
        "faults_injected": faults,
        "fault_share_of_requests": round(sum(v for k, v in faults.items() if k != "latency") / requests, 3),
        "outcomes": dict(ledger.outcomes),
        "tool_errors_by_tool": dict(Counter(tool for tool, _ in ledger.error_texts)),
        "tool_error_samples": sorted(
            {re.sub(r"[0-9a-f]{24}|\\d+", "#", m)[:160] for _, m in ledger.error_texts}
        )[:8],
        "final_state_checks": dict(checks),
    }
    print("\nfault soak:", json.dumps(report, indent=2))

    assert ledger.calls >= CALLS
    assert ledger.protocol_errors == []
    assert ledger.unrecovered_reads == []
    assert ledger.unsettled_writes == []
    _check_error_texts(ledger)
    # The mix really exercised every fault kind, and enough of them.
    assert all(
        faults[kind] > 0 for kind in ("latency", "rate_limit", "server_error", "hang", "malformed", "drop")
    )
    assert 0.1 <= report["fault_share_of_requests"] <= 0.3
    assert checks["invites_verified"] > 50
    assert checks["scores_verified"] > 0
    assert checks["statuses_verified"] > 0


@pytest.mark.parametrize(
    "rule",
    [
        pytest.param({"kind": "rate_limit", "retry_after": 7}, id="429"),
        pytest.param({"kind": "server_error", "status": 500}, id="500"),
        pytest.param({"kind": "server_error", "status": 503, "retry_after": 9}, id="503-retry-after"),
        pytest.param({"kind": "hang", "hang_seconds": 3.0}, id="hang"),
        pytest.param({"kind": "drop"}, id="drop"),
        pytest.param({"kind": "malformed"}, id="malformed"),
    ],
)
async def test_each_fault_kind_reaches_the_model_as_a_tool_error_saying_whether_and_when_to_retry(
    sandbox: RunningSandbox, rule: dict[str, Any]
) -> None:
    interview_id = sandbox.store.all_interviews()[0].id
    sandbox.set_fault(**rule, operation="GetInterview", count=1)
    async with connect(sandbox, read_timeout=0.5, max_retries=0) as client:
        result = await client.call_tool("get_interview", {"interview_id": interview_id})
        message = text(result)
        assert result.is_error
        assert _says_whether_and_when_to_retry(message), message
        # The advice is right: the same call, made again, succeeds.
        assert not (await client.call_tool("get_interview", {"interview_id": interview_id})).is_error


@pytest.mark.parametrize(
    "rule",
    [
        pytest.param({"kind": "rate_limit", "retry_after": 7}, id="429"),
        pytest.param({"kind": "server_error", "status": 503, "retry_after": 9}, id="503"),
    ],
)
async def test_a_retry_after_from_hireflix_is_the_wait_the_model_is_told(
    sandbox: RunningSandbox, rule: dict[str, Any]
) -> None:
    interview_id = sandbox.store.all_interviews()[0].id
    sandbox.set_fault(**rule, operation="GetInterview", count=1)
    async with connect(sandbox, max_retries=0) as client:
        result = await client.call_tool("get_interview", {"interview_id": interview_id})
    assert result.is_error
    assert f"after {rule['retry_after']} s" in text(result)
