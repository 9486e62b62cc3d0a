"""Every hook in `hireflix_mcp.sdk_compat` exists on the installed SDK and is reached in a real flow.

An SDK upgrade that moves an internal the product relies on fails here, naming the hook. The flows go
through the product server (`build_server`, no conformance fixtures) with the SDK's own in-memory
`Client`, in both protocol eras where the flow exists in both.
"""

from __future__ import annotations

from typing import Any
from typing import Literal

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.server import MCPServer
from mcp.server.connection import Connection
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.lowlevel.server import HandlerEntry
from mcp.server.mcpserver.tools import Tool
from mcp.server.mcpserver.utilities.func_metadata import ArgModelBase
from mcp.server.mcpserver.utilities.func_metadata import FuncMetadata
from mcp.server.streamable_http import StreamableHTTPServerTransport
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.subscriptions import ResourceUpdated
from mcp.shared.exceptions import MCPDeprecationWarning
from mcp.types import TextContent
from pydantic import SecretStr
from pydantic import ValidationError

from hireflix_mcp import resources
from hireflix_mcp import sdk_compat
from hireflix_mcp.resources import EVENTS_URI
from hireflix_mcp.resources import ResourceSubscriptions
from hireflix_mcp.server import build_server
from hireflix_mcp.server import http_app
from hireflix_mcp.settings import Settings
from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.embedded import serving
from tests.security.test_http_sessions import open_session
from tests.security.test_http_sessions import ping
from tests.support import Listener

pytestmark = pytest.mark.anyio

NOTIFY_WAIT = 5.0


def _settings(sandbox: RunningSandbox, *, receiver: bool = True) -> Settings:
    """The sandbox's settings; with the webhook receiver, the product serves resource subscriptions."""
    secret = SecretStr("sdk-compat-webhook-secret") if receiver else None
    return Settings(api_url=sandbox.url, api_key=SecretStr(sandbox.api_key), webhook_secret=secret)


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> list[ResourceSubscriptions]:
    """Every `ResourceSubscriptions` the product installs on a server, in order (installing unchanged)."""
    seen: list[ResourceSubscriptions] = []
    install = ResourceSubscriptions.install

    def recording_install(self: ResourceSubscriptions, server: MCPServer[Any]) -> None:
        seen.append(self)
        install(self, server)

    monkeypatch.setattr(ResourceSubscriptions, "install", recording_install)
    return seen


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[Connection]:
    """Every connection `sdk_compat.request_connection` hands the product's subscription handlers."""
    seen: list[Connection] = []

    def recording(ctx: ServerRequestContext[Any, Any]) -> Connection:
        connection = sdk_compat.request_connection(ctx)
        seen.append(connection)
        return connection

    monkeypatch.setattr(resources, "request_connection", recording)
    return seen


def test_the_installed_sdk_still_has_every_internal_the_hooks_read() -> None:
    server: MCPServer[Any] = MCPServer(name="probe")
    lowlevel = sdk_compat.lowlevel_server(server)
    assert isinstance(lowlevel, Server)
    handlers = sdk_compat.request_handlers(server)
    assert handlers, "the lowlevel server lists no request handler"
    assert all(isinstance(entry, HandlerEntry) for entry in handlers.values())
    assert handlers["tools/call"] is lowlevel.get_request_handler("tools/call")
    assert "arg_model" in FuncMetadata.model_fields
    assert {"fn_metadata", "parameters"} <= Tool.model_fields.keys()


def test_request_handlers_is_a_copy_that_shows_a_replaced_handler() -> None:
    server: MCPServer[Any] = MCPServer(name="probe")
    before = sdk_compat.request_handlers(server)
    entry = before["tools/call"]
    sdk_compat.lowlevel_server(server).add_request_handler("tools/call", entry.params_type, entry.handler)
    after = sdk_compat.request_handlers(server)
    assert before["tools/call"] is entry
    assert after["tools/call"] is not entry


async def test_a_handshake_era_subscribe_to_events_reaches_the_products_handler_and_its_connection(
    sandbox: RunningSandbox, installed: list[ResourceSubscriptions], connections: list[Connection]
) -> None:
    server = build_server(_settings(sandbox))
    [subscriptions] = installed
    entry = sdk_compat.lowlevel_server(server).get_request_handler("resources/subscribe")
    assert entry is not None
    assert entry.handler == subscriptions.subscribe
    listener = Listener()
    async with Client(server, mode="legacy", message_handler=listener) as client:
        resources_capability = client.server_capabilities.resources
        assert resources_capability is not None
        assert resources_capability.subscribe
        with pytest.warns(MCPDeprecationWarning):
            await client.subscribe_resource(EVENTS_URI)
        assert subscriptions.subscribers(EVENTS_URI) == 1
        # The connection the hook found is the one that carries the update back to this client.
        await subscriptions.updated(EVENTS_URI)
        with anyio.fail_after(NOTIFY_WAIT):
            await listener.wait()
        with pytest.warns(MCPDeprecationWarning):
            await client.unsubscribe_resource(EVENTS_URI)
        assert subscriptions.subscribers(EVENTS_URI) == 0
    assert listener.updates == [EVENTS_URI]
    assert len(connections) == 2
    assert connections[0] is connections[1]
    assert all(isinstance(c, Connection) for c in connections)


async def test_a_2026_client_listens_for_events_through_the_products_bus_not_the_subscribe_handler(
    sandbox: RunningSandbox, installed: list[ResourceSubscriptions], connections: list[Connection]
) -> None:
    server = build_server(_settings(sandbox))
    [subscriptions] = installed
    async with Client(server, mode="auto") as client:
        resources_capability = client.server_capabilities.resources
        assert resources_capability is not None
        assert resources_capability.subscribe
        async with client.listen(resource_subscriptions=[EVENTS_URI]) as events:
            await subscriptions.updated(EVENTS_URI)
            with anyio.fail_after(NOTIFY_WAIT):
                event = await anext(events)
    assert event == ResourceUpdated(uri=EVENTS_URI)
    assert connections == []


async def test_without_the_webhook_receiver_the_product_serves_no_subscribe(
    sandbox: RunningSandbox, installed: list[ResourceSubscriptions]
) -> None:
    server = build_server(_settings(sandbox, receiver=False))
    assert installed == []
    assert "resources/subscribe" not in sdk_compat.request_handlers(server)
    assert "resources/unsubscribe" not in sdk_compat.request_handlers(server)


def test_forbid_unknown_arguments_swaps_in_a_strict_subclass_and_publishes_its_schema() -> None:
    def add(a: int, b: int = 0) -> int:
        return a + b

    tool = Tool.from_function(add)
    loose = tool.fn_metadata.arg_model
    loose.model_validate({"a": 1, "typo": 2})  # the SDK's own model ignores unknown names
    sdk_compat.forbid_unknown_arguments(tool)
    strict = tool.fn_metadata.arg_model
    assert issubclass(strict, loose)
    assert issubclass(strict, ArgModelBase)
    with pytest.raises(ValidationError, match="typo"):
        strict.model_validate({"a": 1, "typo": 2})
    assert strict.model_validate({"a": 1}).model_dump() == {"a": 1, "b": 0}
    assert tool.parameters["additionalProperties"] is False
    assert set(tool.parameters["properties"]) == {"a", "b"}


@pytest.mark.parametrize("era", ["legacy", "auto"])
async def test_a_product_tool_called_with_an_unknown_argument_is_refused_naming_it(
    sandbox: RunningSandbox, era: Literal["legacy", "auto"]
) -> None:
    async with Client(build_server(_settings(sandbox)), mode=era) as client:
        result = await client.call_tool("list_positions", {"include_archivd": True})
    assert result.is_error
    assert isinstance(result.content[0], TextContent)
    assert "include_archivd" in result.content[0].text


def test_the_installed_sdk_still_has_every_session_manager_internal_the_session_cap_reads() -> None:
    manager = StreamableHTTPSessionManager(app=sdk_compat.lowlevel_server(MCPServer(name="probe")))
    for name in ("_admit_session", "_server_instances", "_session_owners", "_task_group", "_discard_session"):
        assert hasattr(manager, name), name
    transport = StreamableHTTPServerTransport(mcp_session_id="probe", idle_timeout=60)
    assert transport._requests_in_flight == 0
    assert hasattr(transport, "idle_scope")
    sdk_compat.close_longest_idle_sessions(manager, 3)
    assert manager._admit_session.__name__ == "admit_closing_the_longest_idle"


async def test_past_the_session_cap_the_longest_idle_session_is_closed_over_real_http(
    sandbox: RunningSandbox,
) -> None:
    settings = _settings(sandbox, receiver=False).model_copy(update={"max_sessions": 2})
    app = http_app(build_server(settings), settings, host="127.0.0.1", port=0)
    with serving(app, lifespan="on") as (base_url, _server), anyio.fail_after(30):
        url = f"{base_url}/mcp"
        async with httpx2.AsyncClient(timeout=10, trust_env=False) as http:
            sessions = [await open_session(http, url) for _ in range(3)]
            statuses = [await ping(http, url, session) for session in sessions]
    assert statuses == [404, 200, 200]
