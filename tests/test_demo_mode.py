"""Against the embedded sandbox the server says so: its instructions tell the model it works on demo data.

The Claude Desktop bundle starts on the sandbox when no API key is set, so a recruiter can try everything
first; the model must then be able to tell them that what they see is demo data and how to connect their
own account. Against a real Hireflix the instructions say nothing of it.
"""

from __future__ import annotations

import anyio
import pytest
from mcp import Client
from pydantic import SecretStr

from hireflix_mcp.server import build_server
from hireflix_mcp.settings import Settings
from tests.serving import sandbox_over_stdio

pytestmark = pytest.mark.anyio

DEMO_MARKER = "demo data"


def _settings() -> Settings:
    return Settings(api_url="http://127.0.0.1:9/me", api_key=SecretStr("k"))


def test_instructions_of_a_sandbox_server_say_it_works_on_demo_data_and_how_to_connect_an_account() -> None:
    instructions = build_server(_settings(), sandbox=True).instructions or ""
    assert DEMO_MARKER in instructions
    assert "API key" in instructions
    assert instructions.count("\n") == (build_server(_settings()).instructions or "").count("\n") + 1


def test_instructions_against_a_real_hireflix_do_not_mention_demo_data() -> None:
    assert DEMO_MARKER not in (build_server(_settings()).instructions or "")


async def test_serve_sandbox_over_stdio_announces_demo_data_in_its_instructions() -> None:
    with anyio.fail_after(30):
        async with Client(sandbox_over_stdio("hireflix_mcp")) as client:
            assert DEMO_MARKER in (client.instructions or "")
