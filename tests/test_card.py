"""The interview card's place in the protocol (hireflix_mcp.card): what hosts with and without MCP Apps see.

The card itself is tested in a real browser (tests/browser).
"""

from __future__ import annotations

import pytest
from mcp import Client
from mcp.server.apps import APP_MIME_TYPE
from mcp.server.apps import EXTENSION_ID
from mcp.types import TextResourceContents
from pydantic import SecretStr

from hireflix_mcp.card import CARD_URI
from hireflix_mcp.card import card_html
from hireflix_mcp.card import media_origins
from hireflix_mcp.server import build_server
from hireflix_mcp.settings import Settings
from hireflix_mcp.tools.catalog import Profile
from hireflix_sandbox.embedded import RunningSandbox
from tests.browser.host import AppsHost
from tests.tools.conftest import sandbox_settings

pytestmark = pytest.mark.anyio


async def test_get_interview_names_the_card_which_is_served_as_an_mcp_app(sandbox: RunningSandbox) -> None:
    async with Client(build_server(sandbox_settings(sandbox)), extensions=[AppsHost()]) as client:
        tools = (await client.list_tools()).tools
        with_ui = {t.name: t.meta for t in tools if t.meta}
        assert with_ui == {"get_interview": {"ui": {"resourceUri": CARD_URI}}}
        listed = [r for r in (await client.list_resources()).resources if r.uri == CARD_URI]
        assert [r.mime_type for r in listed] == [APP_MIME_TYPE]
        content = (await client.read_resource(CARD_URI)).contents[0]
        assert isinstance(content, TextResourceContents)
        assert content.mime_type == APP_MIME_TYPE
        assert content.text == card_html()
        # Media from the sandbox's own origin, and nothing else: no connect, frame or base-uri domains.
        assert content.meta == {"ui": {"csp": {"resourceDomains": [sandbox.base_url]}, "prefersBorder": True}}
        assert EXTENSION_ID in (client.server_capabilities.extensions or {})


async def test_hosts_without_mcp_apps_get_the_same_results(sandbox: RunningSandbox) -> None:
    record = next(r for r in sandbox.store.all_interviews() if sandbox.store.answers(r.id))
    server = build_server(sandbox_settings(sandbox))
    async with Client(server) as plain, Client(server, extensions=[AppsHost()]) as apps:
        for tool, args in (
            ("get_interview", {"interview_id": record.id}),
            ("get_interview_media", {"interview_id": record.id}),
        ):
            without = await plain.call_tool(tool, args)
            with_apps = await apps.call_tool(tool, args)
            assert without.model_dump() == with_apps.model_dump()


async def test_a_profile_without_get_interview_has_no_card(sandbox: RunningSandbox) -> None:
    server = build_server(sandbox_settings(sandbox), Profile(toolsets=("positions",)))
    async with Client(server) as client:
        assert CARD_URI not in [r.uri for r in (await client.list_resources()).resources]
        assert EXTENSION_ID not in (client.server_capabilities.extensions or {})


def test_media_origins_are_the_sandbox_itself_or_hireflix_media_host() -> None:
    local = Settings(api_url="http://127.0.0.1:8765/me", api_key=SecretStr("k"))
    assert media_origins(local) == ["http://127.0.0.1:8765"]
    assert media_origins(Settings(api_key=SecretStr("k"))) == ["https://media.hireflix.com"]
    configured = Settings.from_env(
        {"HIREFLIX_MCP_MEDIA_ORIGINS": " https://a.example.com/, https://b.example:8443"}
    )
    assert media_origins(configured) == ["https://a.example.com", "https://b.example:8443"]


@pytest.mark.parametrize(
    "value", ["http://media.example.com", "https://media.example.com/videos", "media.example.com"]
)
def test_media_origins_must_be_https_origins(value: str) -> None:
    with pytest.raises(ValueError, match="HIREFLIX_MCP_MEDIA_ORIGINS"):
        Settings.from_env({"HIREFLIX_MCP_MEDIA_ORIGINS": value})
