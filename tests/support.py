"""Small helpers shared by tests in several folders (no tests here); `serving.py` runs real processes."""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio
import pytest
from mcp.client.session import IncomingMessage
from mcp.types import ResourceUpdatedNotification

from hireflix_mcp.hireflix import search as hx_search
from hireflix_mcp.hireflix.client import HireflixClient
from hireflix_mcp.hireflix.errors import GraphQLRequestError
from hireflix_mcp.hireflix.models import PositionMatches
from hireflix_sandbox.embedded import RunningSandbox


class Listener:
    """A client's message handler: records resource updates and wakes whoever waits for one."""

    def __init__(self) -> None:
        self.updates: list[str] = []
        self._arrived = anyio.Event()

    async def __call__(self, message: IncomingMessage) -> None:
        if isinstance(message, ResourceUpdatedNotification):
            self.updates.append(str(message.params.uri))
            self._arrived.set()

    async def wait(self) -> None:
        await self._arrived.wait()


def plain(text: str | None) -> str:
    """`text` without accents and case: the tests' own oracle for the name rule."""
    stripped = (c for c in unicodedata.normalize("NFD", text or "") if not unicodedata.combining(c))
    return "".join(stripped).casefold()


def run_in_threads(work: Callable[[int], object], count: int, *, timeout_s: float) -> None:
    """Call `work(0)` ... `work(count - 1)`, each in a thread of its own, all started before any is waited
    for; fails the test if a call raised (naming the first error) or a thread outlived `timeout_s`."""
    failures: list[BaseException] = []

    def run(index: int) -> None:
        try:
            work(index)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout_s)
    assert not [thread for thread in threads if thread.is_alive()], f"a thread ran over {timeout_s} s"
    assert not failures, failures[:1]


def refuse_combinators(monkeypatch: pytest.MonkeyPatch) -> None:
    """Combinator names the sandbox does not know: it refuses them as Hireflix would refuse a wrong guess."""
    monkeypatch.setattr(hx_search, "FILTER_OR", "anyOf")
    monkeypatch.setattr(hx_search, "FILTER_AND", "allOf")


@dataclass
class Refusals:
    count: int = 0


def refuse_find_candidate(monkeypatch: pytest.MonkeyPatch) -> Refusals:
    """Make the one-request FindCandidate fail as a Hireflix that rejects it would; counts the tries."""
    refusals = Refusals()

    async def refuse(*_: object, **__: object) -> list[PositionMatches]:
        refusals.count += 1
        raise GraphQLRequestError(
            "FindCandidate",
            ['Cannot query field "interviewList" on type "Position".'],
            ["GRAPHQL_VALIDATION_FAILED"],
        )

    monkeypatch.setattr(HireflixClient, "find_candidate_everywhere", refuse)
    return refusals


def id_mutation(sandbox: RunningSandbox, mutation: str, object_id: str, selection: str) -> dict[str, Any]:
    """The `data` of sandbox mutation `mutation(input: {id})`, asserting it answered its Success type
    (e.g. `deletePosition` answers `MutationDeletePositionSuccess`); `selection` picks the fields."""
    success = f"Mutation{mutation[0].upper()}{mutation[1:]}Success"
    body = sandbox.graphql(
        f"mutation($id: String!) {{ {mutation}(input: {{id: $id}}) {{ __typename "
        f"... on {success} {{ data {{ {selection} }} }} }} }}",
        {"id": object_id},
    )
    outcome = body["data"][mutation]
    assert outcome["__typename"] == success, body
    data: dict[str, Any] = outcome["data"]
    return data
