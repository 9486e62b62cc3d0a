"""The conformance fixture profile, in process (no Node needed): off by default, complete when asked for."""

from __future__ import annotations

import subprocess
import sys

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPDeprecationWarning
from mcp.types import TextContent, TextResourceContents
from pydantic import SecretStr

from hireflix_mcp.conformance import PROMPTS, TOOLS, add_conformance_fixtures
from hireflix_mcp.server import build_server
from hireflix_mcp.settings import Settings
from hireflix_sandbox.testing import RunningSandbox

pytestmark = pytest.mark.anyio


def _settings(sandbox: RunningSandbox) -> Settings:
    return Settings(api_url=sandbox.url, api_key=SecretStr(sandbox.api_key))


async def test_production_server_has_no_fixture_and_no_deprecated_logging_or_subscribe(
    sandbox: RunningSandbox,
) -> None:
    async with Client(build_server(_settings(sandbox)), mode="legacy") as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        prompts = {p.name for p in (await client.list_prompts()).prompts}
        capabilities = client.server_capabilities
    assert not any(name.startswith("test_") for name in tools | prompts)
    assert capabilities.logging is None
    assert capabilities.resources is None or not capabilities.resources.subscribe


async def test_fixture_profile_adds_the_suites_tools_prompts_and_resources(sandbox: RunningSandbox) -> None:
    server = build_server(_settings(sandbox), conformance_fixtures=True)
    async with Client(server, mode="legacy") as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        prompts = {p.name for p in (await client.list_prompts()).prompts}
        resources = {str(r.uri) for r in (await client.list_resources()).resources}
        simple = await client.call_tool("test_simple_text", {})
        text = await client.read_resource("test://template/7/data")
    assert {fn.__name__ for fn in TOOLS} | {"test_trigger_tool_change", "list_positions"} <= tools
    assert {fn.__name__ for fn in PROMPTS} <= prompts
    assert {"test://static-text", "test://static-binary", "test://watched-resource"} <= resources
    assert simple.content == [TextContent(type="text", text="This is a simple text response for testing.")]
    assert isinstance(text.contents[0], TextResourceContents)
    assert '"id": "7"' in text.contents[0].text


async def test_fixture_profile_records_log_level_and_subscriptions_in_the_handshake_era(
    sandbox: RunningSandbox,
) -> None:
    server = build_server(_settings(sandbox))
    state = add_conformance_fixtures(server)
    async with Client(server, mode="legacy") as client:
        assert client.server_capabilities.logging is not None
        with pytest.warns(MCPDeprecationWarning):
            await client.set_logging_level("warning")
        with pytest.warns(MCPDeprecationWarning):
            await client.subscribe_resource("test://watched-resource")
        subscribed = set(state.subscriptions)
        with pytest.warns(MCPDeprecationWarning):
            await client.unsubscribe_resource("test://watched-resource")
    assert state.log_level == "warning"
    assert subscribed == {"test://watched-resource"}
    assert state.subscriptions == set()


async def test_error_fixture_is_a_tool_error_not_a_protocol_error(sandbox: RunningSandbox) -> None:
    async with Client(build_server(_settings(sandbox), conformance_fixtures=True), mode="auto") as client:
        result = await client.call_tool("test_error_handling", {})
    assert result.is_error


def test_conformance_flag_is_hidden_from_serve_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "hireflix_mcp.cli", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert "--sandbox" in done.stdout
    assert "conformance" not in done.stdout
