"""Small helpers shared by tests in several folders (no tests here); `serving.py` runs real processes."""

from __future__ import annotations

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
