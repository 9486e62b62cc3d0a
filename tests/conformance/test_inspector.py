"""The MCP Inspector CLI (`@modelcontextprotocol/inspector --cli`) drives `serve --sandbox` as a user would:
over stdio (the Inspector starts the server) and over streamable HTTP (with the bearer token, in both
protocol eras): it lists tools, calls `list_positions` against the sandbox, reads an interview transcript
resource and gets a prompt.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from typing import Literal

import pytest

from hireflix_sandbox.embedded import running_sandbox
from tests.conformance.support import INSPECTOR
from tests.conformance.support import ROOT
from tests.conformance.support import RunningServer
from tests.conformance.support import bin_entry
from tests.conformance.support import require_tools
from tests.conformance.support import run_node
from tests.conformance.support import serve_http
from tests.serving import clean_env

Transport = Literal["stdio", "http-legacy", "http-modern"]
TRANSPORTS: tuple[Transport, ...] = ("stdio", "http-legacy", "http-modern")
TOKEN = "inspector-test-token-3kq9"
TRANSCRIPT_TEMPLATE = "hireflix://interviews/{interview_id}/transcript"
INSPECTOR_TIMEOUT = 60.0


@pytest.fixture(scope="module")
def http_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    require_tools(INSPECTOR)
    env = clean_env(HIREFLIX_MCP_AUTH_TOKEN=TOKEN)
    with serve_http(tmp_path_factory.mktemp("inspector") / "server.log", env=env) as server:
        yield server


class Inspector:
    """Runs `inspector --cli` with its state (catalog, client config) in a temporary HOME."""

    def __init__(self, home: Path, server: RunningServer) -> None:
        self.home = home
        self.server = server
        self.entry = bin_entry(INSPECTOR, "mcp-inspector")

    def target(self, transport: Transport) -> list[str]:
        if transport == "stdio":
            return ["--cwd", str(ROOT), sys.executable, "-m", "hireflix_mcp.cli", "serve", "--sandbox"]
        era = "modern" if transport == "http-modern" else "legacy"
        auth = ["--header", f"Authorization: Bearer {TOKEN}"]
        return [self.server.url, *auth, "--protocol-era", era, "--stored-auth-only"]

    def raw(self, target: list[str], *method: str) -> tuple[int, dict[str, Any], str]:
        env = {
            "HOME": str(self.home),
            "MCP_CATALOG_PATH": str(self.home / "catalog.json"),
            "MCP_CLIENT_CONFIG_PATH": str(self.home / "client.json"),
        }
        args = [str(self.entry), "--cli", "--format", "json", "-q", *target, "--method", *method]
        done = run_node(args, timeout=INSPECTOR_TIMEOUT, cwd=self.home, env=env)
        out = done.stdout.decode()
        body: dict[str, Any] = json.loads(out) if out.strip() else {}
        return done.returncode, body, done.stderr.decode()

    def call(self, transport: Transport, *method: str) -> dict[str, Any]:
        code, body, err = self.raw(self.target(transport), *method)
        assert code == 0, f"inspector exit {code}: {body} {err}\n{self.server.log.read_text()[-3000:]}"
        result: dict[str, Any] = body["result"]
        return result


@pytest.fixture
def inspector(tmp_path: Path, http_server: RunningServer) -> Inspector:
    return Inspector(tmp_path, http_server)


@pytest.fixture(scope="module")
def finished_interview_id() -> str:
    """An interview with answers in the demo data `serve --sandbox` starts with (same seed, same ids)."""
    with running_sandbox() as sandbox:
        body = sandbox.graphql("{ positions { id interviews { id status } } }")
    for position in body["data"]["positions"]:
        for interview in position["interviews"] or ():
            if interview["status"] == "completed":
                interview_id: str = interview["id"]
                return interview_id
    raise AssertionError(f"no completed interview in the demo data: {body}")


def _structured(result: dict[str, Any]) -> dict[str, Any]:
    """The result as the model reads it: its one JSON text block (no output schema, no structuredContent)."""
    assert result.get("isError") is not True, result
    [block] = result["content"]
    content: dict[str, Any] = json.loads(block["text"])
    return content


def _assert_listed(inspector: Inspector, method: str, key: str, field: str, wanted: str) -> None:
    """The server offers `wanted`: a missing resource or prompt is a failure, never a skip."""
    names = {item[field] for item in inspector.call("http-legacy", method)[key]}
    assert wanted in names, f"the server does not offer {wanted} ({method}: {sorted(names)})"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_inspector_lists_every_default_tool(inspector: Inspector, transport: Transport) -> None:
    from hireflix_mcp.tools.catalog import Profile
    from hireflix_mcp.tools.catalog import select_tools

    tools = inspector.call(transport, "tools/list")["tools"]
    assert [t["name"] for t in tools] == [spec.name for spec in select_tools(Profile())]
    assert all(t["inputSchema"]["type"] == "object" and t["description"] for t in tools)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_inspector_calls_list_positions_against_the_sandbox(
    inspector: Inspector, transport: Transport
) -> None:
    result = inspector.call(transport, "tools/call", "--tool-name", "list_positions")
    positions = _structured(result)["positions"]
    assert positions
    assert all(re.fullmatch(r"[0-9a-f]{24}", p["id"]) and p["name"] for p in positions)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_inspector_reads_an_interview_transcript_resource(
    inspector: Inspector, transport: Transport, finished_interview_id: str
) -> None:
    _assert_listed(
        inspector, "resources/templates/list", "resourceTemplates", "uriTemplate", TRANSCRIPT_TEMPLATE
    )
    uri = TRANSCRIPT_TEMPLATE.format(interview_id=finished_interview_id)
    contents = inspector.call(transport, "resources/read", "--uri", uri)["contents"]
    assert len(contents) == 1
    assert contents[0]["uri"] == uri
    assert contents[0]["mimeType"] == "text/markdown"
    assert contents[0]["text"].lstrip().startswith("#")


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_inspector_gets_the_summarize_interview_prompt(
    inspector: Inspector, transport: Transport, finished_interview_id: str
) -> None:
    _assert_listed(inspector, "prompts/list", "prompts", "name", "summarize_interview")
    result = inspector.call(
        transport,
        "prompts/get",
        "--prompt-name",
        "summarize_interview",
        "--prompt-args",
        f"interview_id={finished_interview_id}",
    )
    assert result["messages"]
    wire = json.dumps(result["messages"])
    assert finished_interview_id in wire


def test_inspector_without_the_bearer_token_is_refused(inspector: Inspector) -> None:
    target = [inspector.server.url, "--protocol-era", "legacy", "--stored-auth-only"]
    code, body, _ = inspector.raw(target, "tools/list")
    assert code != 0
    assert "result" not in body
