"""Helpers for the Hireflix client tests (imported by them; not a conftest, so mypy sees one module).

`ScriptedHireflix` is the one place mocks are used: an `httpx2.MockTransport` handler that answers
each operation from a script (responses or exceptions, in order) and records every request, so the
transport's retry and error mapping can be driven precisely and without waiting.
"""

from __future__ import annotations

import json
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx2

from hireflix_mcp.hireflix import HireflixClient

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
    return HireflixClient(
        api_url=URL,
        api_key=kwargs.pop("api_key", CANARY_KEY),
        max_retries=max_retries,
        retry_after_cap=retry_after_cap,
        transport=httpx2.MockTransport(fake.handler),
        sleep=sleeps,
        **kwargs,
    )


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
