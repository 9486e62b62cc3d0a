"""Drive the real MCP server through the SDK's real `Client` against a real sandbox over loopback.

`connect(...)` builds the server from settings pointing at the sandbox and opens an in-memory client in
one protocol era: "legacy" (the 2025-11-25 handshake) or "auto" (2026-07-28). Tests parametrised with the
`era` fixture run in both.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Literal

import pytest
from mcp import Client
from mcp.client import ClientRequestContext
from mcp.types import CallToolResult
from mcp.types import ElicitRequestParams
from mcp.types import ElicitResult
from mcp.types import TextContent
from pydantic import SecretStr

from hireflix_mcp.server import build_server
from hireflix_mcp.settings import ConfirmPolicy
from hireflix_mcp.settings import Settings
from hireflix_mcp.tools.catalog import ALL_TOOLSETS
from hireflix_mcp.tools.catalog import Profile
from hireflix_sandbox.embedded import RunningSandbox

Era = Literal["legacy", "auto"]


@pytest.fixture(params=["legacy", "auto"])
def era(request: pytest.FixtureRequest) -> Era:
    value: Era = request.param
    return value


def sandbox_settings(sandbox: RunningSandbox, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "api_url": sandbox.url,
        "api_key": SecretStr(sandbox.api_key),
        "connect_timeout": 2.0,
        "read_timeout": 5.0,
        "max_retries": 3,
        "retry_after_cap": 1.0,
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class Elicitor:
    """A human at the client: answers every confirmation with `action` and records what was asked."""

    action: Literal["accept", "decline", "cancel"] = "accept"
    content: dict[str, Any] | None = field(default_factory=lambda: {"confirm": True})
    messages: list[str] = field(default_factory=list)

    async def __call__(self, context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        self.messages.append(params.message)
        if self.action == "accept":
            return ElicitResult(action="accept", content=self.content)
        return ElicitResult(action=self.action)

    @property
    def refused_status(self) -> str:
        """The `status` a confirmed tool answers after this person declined or cancelled."""
        return {"decline": "declined", "cancel": "cancelled"}[self.action]


@pytest.fixture(params=["decline", "cancel"])
def refusing(request: pytest.FixtureRequest) -> Elicitor:
    """A person who declines, or (a second run) cancels, every confirmation asked."""
    return Elicitor(request.param)


@pytest.fixture(params=[True, False], ids=["eliciting", "not-eliciting"])
def can_elicit(request: pytest.FixtureRequest) -> bool:
    """Whether the client can ask its user (elicitation), or (a second run) cannot."""
    value: bool = request.param
    return value


@asynccontextmanager
async def connect(
    sandbox: RunningSandbox,
    *,
    era: Era = "auto",
    toolsets: tuple[str, ...] = ALL_TOOLSETS,
    confirm: ConfirmPolicy = "auto",
    elicitor: Elicitor | None = None,
    **settings_overrides: Any,
) -> AsyncIterator[Client]:
    settings = sandbox_settings(sandbox, confirm=confirm, **settings_overrides)
    server = build_server(settings, Profile(toolsets=toolsets))
    async with Client(server, mode=era, elicitation_callback=elicitor) as client:
        yield client


def data(result: CallToolResult) -> dict[str, Any]:
    """The result of a successful call as the model reads it: its one JSON text block, parsed (fails the
    test on a tool error). Nulls and empty fields are left out of results, so read optional keys with get."""
    assert not result.is_error, text(result)
    assert len(result.content) == 1, result.content
    content = json.loads(text(result))
    assert isinstance(content, dict)
    return content


def text(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


def error_text(result: CallToolResult) -> str:
    """The message of a tool error (fails the test if the call succeeded)."""
    assert result.is_error, f"expected a tool error, got {text(result)}"
    return text(result)


async def call(client: Client, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """Call `tool` and return its result as the model reads it (`data`: fails the test on a tool error)."""
    return data(await client.call_tool(tool, arguments))


async def call_error(client: Client, tool: str, arguments: dict[str, Any]) -> str:
    """Call `tool` and return the message of its error (`error_text`: fails the test if it succeeded)."""
    return error_text(await client.call_tool(tool, arguments))


async def all_pages(
    client: Client, tool: str, arguments: dict[str, Any], *, most: int
) -> list[CallToolResult]:
    """Every page of `tool` called with `arguments`, passing each page's `next_cursor` back as `cursor` (None
    on the first call); fails the test if a page is an error or the pages run past `most`."""
    results: list[CallToolResult] = []
    cursor: str | None = None
    for _ in range(most):
        result = await client.call_tool(tool, {**arguments, "cursor": cursor})
        results.append(result)
        cursor = data(result).get("next_cursor")
        if cursor is None:
            return results
    raise AssertionError(f"{tool} gave a next_cursor on each of {most} pages")


async def refused_upfront(
    client: Client, sandbox: RunningSandbox, tool: str, arguments: dict[str, Any]
) -> str:
    """The error of a call that must be refused before any request reaches Hireflix; its message."""
    sandbox.reset_request_counts()
    message = await call_error(client, tool, arguments)
    assert sandbox.request_counts()["total"] == 0, sandbox.request_counts()
    return message


async def rejected_before_sending(
    sandbox: RunningSandbox, tool: str, arguments: dict[str, Any], **options: Any
) -> str:
    """Connect (`options` as for `connect`) and call `tool`: it must be refused before any request reaches
    Hireflix (`refused_upfront`); its message."""
    async with connect(sandbox, **options) as client:
        return await refused_upfront(client, sandbox, tool, arguments)


async def failed_without_asking(
    sandbox: RunningSandbox,
    tool: str,
    arguments: dict[str, Any],
    *,
    can_elicit: bool = True,
    era: Era = "auto",
) -> str:
    """The error of a confirmed tool that has nothing to confirm (what it would change does not exist), from
    a client that accepts every question (or, `can_elicit=False`, cannot be asked): no question reaches the
    person. Its message; request counts start at the call."""
    elicitor = Elicitor("accept") if can_elicit else None
    async with connect(sandbox, era=era, elicitor=elicitor) as client:
        sandbox.reset_request_counts()
        message = await call_error(client, tool, arguments)
    assert elicitor is None or elicitor.messages == [], elicitor.messages
    return message


async def accepted(
    sandbox: RunningSandbox, tool: str, arguments: dict[str, Any], *, era: Era = "auto"
) -> tuple[dict[str, Any], str]:
    """A confirmed tool called by a person who accepts: its result (it must be `done`) and the one question
    the person was asked."""
    elicitor = Elicitor("accept")
    async with connect(sandbox, era=era, elicitor=elicitor) as client:
        result = await call(client, tool, arguments)
    assert result["status"] == "done", result
    assert len(elicitor.messages) == 1, elicitor.messages
    return result, elicitor.messages[0]


async def refused_by(
    refusing: Elicitor, sandbox: RunningSandbox, tool: str, arguments: dict[str, Any], *, era: Era = "auto"
) -> dict[str, Any]:
    """A confirmed tool called by a person who declines or cancels (`refusing`): its result, whose status
    must say so. Request counts start at the call."""
    async with connect(sandbox, era=era, elicitor=refusing) as client:
        sandbox.reset_request_counts()
        result = await call(client, tool, arguments)
    assert result["status"] == refusing.refused_status, result
    return result


async def invite(
    client: Client, position_id: str, email: str, first_name: str, **fields: Any
) -> dict[str, Any]:
    """The result of `invite_candidate` for one candidate (more arguments as `fields`)."""
    arguments = {"position_id": position_id, "email": email, "first_name": first_name, **fields}
    return await call(client, "invite_candidate", arguments)


async def confirmation_asked(client: Client, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """The answer of a confirmed tool called without a token and without elicitation: it must ask for one."""
    first = await call(client, tool, arguments)
    assert first["status"] == "confirmation_required", first
    return first


async def call_with_token(client: Client, tool: str, arguments: dict[str, Any], token: str) -> CallToolResult:
    """`tool` called again with the confirmation token it gave."""
    return await client.call_tool(tool, {**arguments, "confirmation_token": token})


async def confirmed_once_with_token(
    sandbox: RunningSandbox,
    tool: str,
    arguments: dict[str, Any],
    *,
    done: Callable[[], bool],
    era: Era = "auto",
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A confirmed tool called from a client without elicitation: the first call asks for confirmation and
    changes nothing (`done()` stays false); called again with its token it acts (`done()` turns true); the
    token is then refused as already used. The first answer (the preview) and the second (`done`)."""
    async with connect(sandbox, era=era) as client:
        first = await confirmation_asked(client, tool, arguments)
        assert not done(), "the tool acted before it was confirmed"
        token = first["confirmation_token"]
        second = data(await call_with_token(client, tool, arguments, token))
        assert second["status"] == "done", second
        assert done(), "the confirmed call did not act"
        replay = error_text(await call_with_token(client, tool, arguments, token))
    assert "already used" in replay
    return first, second
