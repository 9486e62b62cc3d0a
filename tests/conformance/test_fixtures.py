"""The conformance fixtures and their launcher, in process (no Node needed).

The product has no fixture argument or flag; the launcher adds the fixtures to the product's server and
refuses any fixture that would replace a product handler, so the suite's subscription scenarios reach
the product's own `resources/subscribe`.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest
from mcp import Client
from mcp.server import MCPServer
from mcp.server.context import ServerRequestContext
from mcp.shared.exceptions import MCPDeprecationWarning
from mcp.types import EmptyResult
from mcp.types import SubscribeRequestParams
from mcp.types import TextContent
from mcp.types import TextResourceContents
from pydantic import SecretStr

from hireflix_mcp import cli
from hireflix_mcp import sdk_compat
from hireflix_mcp.resources import ResourceSubscriptions
from hireflix_mcp.server import build_server
from hireflix_mcp.settings import Settings
from hireflix_sandbox.embedded import RunningSandbox
from tests.conformance.fixtures import PROMPTS
from tests.conformance.fixtures import TOOLS
from tests.conformance.fixtures import FixtureState
from tests.conformance.fixtures import add_conformance_fixtures
from tests.conformance.launcher import FixtureReplacesProductHandler
from tests.conformance.launcher import add_fixtures
from tests.conformance.launcher import fixture_settings

pytestmark = pytest.mark.anyio

WATCHED = "test://watched-resource"


def _launcher_settings(sandbox: RunningSandbox) -> Settings:
    return fixture_settings(sandbox.url, sandbox.api_key, sandbox.runtime.webhook_secret, 8000)


def _product_subscriptions(server: MCPServer[Any]) -> ResourceSubscriptions:
    """The product's subscription registry whose method serves `resources/subscribe` on `server`."""
    handler = sdk_compat.request_handlers(server)["resources/subscribe"].handler
    owner = getattr(handler, "__self__", None)
    assert isinstance(owner, ResourceSubscriptions), f"resources/subscribe is served by {handler!r}"
    assert handler == owner.subscribe
    return owner


async def test_production_server_has_no_fixture_and_no_deprecated_logging_or_subscribe(
    sandbox: RunningSandbox,
) -> None:
    settings = Settings(api_url=sandbox.url, api_key=SecretStr(sandbox.api_key))
    async with Client(build_server(settings), mode="legacy") as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        prompts = {p.name for p in (await client.list_prompts()).prompts}
        capabilities = client.server_capabilities
    assert not any(name.startswith("test_") for name in tools | prompts)
    assert capabilities.logging is None
    assert capabilities.resources is None or not capabilities.resources.subscribe


def test_the_product_has_no_fixture_module_and_serve_no_fixture_flag(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert importlib.util.find_spec("hireflix_mcp.conformance") is None
    with pytest.raises(SystemExit) as refused:
        cli.main(["serve", "--conformance-fixtures"])
    assert refused.value.code == 2
    assert "unrecognized arguments: --conformance-fixtures" in capsys.readouterr().err
    with pytest.raises(SystemExit) as helped:
        cli.main(["serve", "--help"])
    assert helped.value.code == 0
    assert "conformance" not in capsys.readouterr().out


async def test_launcher_adds_the_suites_tools_prompts_and_resources_to_the_product_server(
    sandbox: RunningSandbox,
) -> None:
    server = build_server(_launcher_settings(sandbox))
    add_fixtures(server)
    async with Client(server, mode="legacy") as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        prompts = {p.name for p in (await client.list_prompts()).prompts}
        resources = {str(r.uri) for r in (await client.list_resources()).resources}
        simple = await client.call_tool("test_simple_text", {})
        text = await client.read_resource("test://template/7/data")
    assert {fn.__name__ for fn in TOOLS} | {"test_trigger_tool_change", "list_positions"} <= tools
    assert {fn.__name__ for fn in PROMPTS} <= prompts
    assert {"test://static-text", "test://static-binary", WATCHED, "hireflix://events"} <= resources
    assert simple.content == [TextContent(type="text", text="This is a simple text response for testing.")]
    assert isinstance(text.contents[0], TextResourceContents)
    assert '"id": "7"' in text.contents[0].text


async def test_launcher_server_subscribes_through_the_products_handler_and_records_the_log_level(
    sandbox: RunningSandbox,
) -> None:
    server = build_server(_launcher_settings(sandbox))
    state = add_fixtures(server)
    subscriptions = _product_subscriptions(server)
    async with Client(server, mode="legacy") as client:
        assert client.server_capabilities.logging is not None
        with pytest.warns(MCPDeprecationWarning):
            await client.set_logging_level("warning")
        with pytest.warns(MCPDeprecationWarning):
            await client.subscribe_resource(WATCHED)
        subscribed = subscriptions.subscribers(WATCHED)
        with pytest.warns(MCPDeprecationWarning):
            await client.unsubscribe_resource(WATCHED)
        unsubscribed = subscriptions.subscribers(WATCHED)
    assert state.log_level == "warning"
    assert (subscribed, unsubscribed) == (1, 0)


async def test_launcher_refuses_a_fixture_that_would_replace_the_products_subscribe_handler(
    sandbox: RunningSandbox,
) -> None:
    server = build_server(_launcher_settings(sandbox))
    product = sdk_compat.request_handlers(server)["resources/subscribe"]

    async def fixture_subscribe(
        ctx: ServerRequestContext[Any], params: SubscribeRequestParams
    ) -> EmptyResult:
        return EmptyResult()  # pragma: no cover - never served

    def replacing(target: MCPServer[Any]) -> FixtureState:
        state = add_conformance_fixtures(target)
        lowlevel = sdk_compat.lowlevel_server(target)
        lowlevel.add_request_handler("resources/subscribe", SubscribeRequestParams, fixture_subscribe)
        return state

    with pytest.raises(FixtureReplacesProductHandler, match="resources/subscribe"):
        add_fixtures(server, replacing)
    assert product is not sdk_compat.request_handlers(server)["resources/subscribe"]


def test_the_fixtures_leave_every_product_handler_in_place(sandbox: RunningSandbox) -> None:
    server = build_server(_launcher_settings(sandbox))
    before = sdk_compat.request_handlers(server)
    add_fixtures(server)
    after = sdk_compat.request_handlers(server)
    assert all(after[method] is entry for method, entry in before.items())
    assert set(after) - set(before) == {"logging/setLevel"}


async def test_error_fixture_is_a_tool_error_not_a_protocol_error(sandbox: RunningSandbox) -> None:
    server = build_server(_launcher_settings(sandbox))
    add_fixtures(server)
    async with Client(server, mode="auto") as client:
        result = await client.call_tool("test_error_handling", {})
    assert result.is_error
