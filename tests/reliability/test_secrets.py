"""The Hireflix API key never leaves the server: not in a result, error, log line, file or HTTP reply.

The whole suite runs against sandboxes whose key is a canary (`tests.conftest.CANARY_API_KEY`), and an
autouse fixture there fails any test during which a log record, from any logger or thread at any level,
contains it. This module drives the places a key could escape on purpose: every tool, resource and
prompt under every kind of upstream failure and with a key Hireflix rejects; a stdio server logging at
DEBUG; an HTTP server's responses and headers; the server's state file; the repository's committed files.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp import StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from pydantic import SecretStr

from hireflix_mcp.tools.catalog import TOOLS
from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.embedded import running_sandbox
from tests.conftest import CANARY_API_KEY
from tests.conftest import CanaryLogHandler
from tests.serving import MCP_HEADERS
from tests.serving import serve_http
from tests.serving import server_env
from tests.tools.conftest import connect
from tests.tools.conftest import data

pytestmark = pytest.mark.anyio

REPOSITORY = Path(__file__).resolve().parents[2]
CANARY_HOME = Path("tests/conftest.py")
"""The one file allowed to hold the canary: where it is defined."""

FAULTS: dict[str, dict[str, Any]] = {
    "rate_limit": {"kind": "rate_limit", "retry_after": 3},
    "server_error": {"kind": "server_error", "status": 500},
    "malformed": {"kind": "malformed"},
    "drop": {"kind": "drop"},
    "drop_after": {"kind": "drop", "phase": "after"},
}


def tool_arguments(sandbox: RunningSandbox) -> dict[str, dict[str, Any]]:
    """Plausible arguments for every tool in the catalogue, from the sandbox's demo data."""
    store = sandbox.store
    position = next(p for p in store.positions() if p.archived is None)
    interview = next(i for i in store.all_interviews() if i.completed and i.position_id == position.id)
    member = next(m for m in store.members() if m.type != "owner")
    webhook = store.webhooks()[0]
    arguments: dict[str, dict[str, Any]] = {
        "list_positions": {},
        "get_position": {"position_id": position.id},
        "create_position": {"name": "Canary Role", "questions": [{"title": "Why?"}]},
        "update_position": {"position_id": position.id, "description": "Updated."},
        "archive_position": {"position_id": position.id},
        "delete_position": {"position_id": position.id},
        "invite_candidate": {"position_id": position.id, "email": "canary@example.com", "first_name": "Cy"},
        "invite_candidates": {
            "position_id": position.id,
            "candidates": [{"email": "canary2@example.com", "first_name": "Cy"}],
        },
        "search_interviews": {"position_id": position.id, "status": "to_evaluate"},
        "find_candidate": {"query": interview.email},
        "search_transcripts": {"query": "team"},
        "get_interview": {"interview_id": interview.id},
        "get_interview_transcript": {"interview_id": interview.id, "include_word_timings": True},
        "get_interview_media": {"interview_id": interview.id},
        "get_interview_access_info": {"interview_id": interview.id},
        "delete_interview": {"interview_id": interview.id},
        "reinvite_candidate": {"position_id": position.id, "email": interview.email},
        "score_interview": {"interview_id": interview.id, "score": 4},
        "comment_on_interview": {"interview_id": interview.id, "comment": "Solid answers."},
        "set_interview_status": {"interview_id": interview.id, "status": "shortlisted"},
        "share_interview": {"interview_id": interview.id},
        "build_application_link": {"position_id": position.id, "first_name": "Cy"},
        "get_embed_code": {"interview_id": interview.id},
        "get_account_logs": {"limit": 5},
        "list_members": {},
        "add_member": {"email": "new.member@example.com"},
        "remove_member": {"email": member.email},
        "list_webhooks": {},
        # Loopback and a closed port: a delivery, if any, fails at once instead of leaving the machine.
        "create_webhook": {"url": "http://127.0.0.1:9/hook", "events": ["interview.finish"]},
        "delete_webhook": {"webhook_id": webhook.id},
        "list_webhook_events": {},
    }
    assert set(arguments) == {spec.name for spec in TOOLS}, "a tool was added: give it arguments here"
    return arguments


async def everything_a_client_sees(client: Client, arguments: dict[str, dict[str, Any]]) -> list[str]:
    """Every tool's result, then every resource and prompt, as the JSON a client receives (or the
    protocol error it gets instead)."""
    seen = [(await client.list_tools()).model_dump_json(by_alias=True)]
    for name, args in arguments.items():
        seen.append((await client.call_tool(name, args)).model_dump_json(by_alias=True))
    interview_id = arguments["get_interview"]["interview_id"]
    position_id = arguments["get_position"]["position_id"]
    for uri in (
        "hireflix://positions",
        f"hireflix://positions/{position_id}",
        f"hireflix://interviews/{interview_id}",
        f"hireflix://interviews/{interview_id}/transcript",
        "hireflix://events",
    ):
        try:
            seen.append((await client.read_resource(uri)).model_dump_json(by_alias=True))
        except MCPError as exc:  # a failed read or prompt: its text is checked like a result
            seen.append(f"{exc.code} {exc.message} {exc.data!r}")
    for name, prompt_args in (
        ("summarize_interview", {"interview_id": interview_id}),
        ("draft_scorecard", {"interview_id": interview_id}),
        ("compare_candidates", {"position_id": position_id}),
    ):
        try:
            seen.append((await client.get_prompt(name, prompt_args)).model_dump_json(by_alias=True))
        except MCPError as exc:  # a failed read or prompt: its text is checked like a result
            seen.append(f"{exc.code} {exc.message} {exc.data!r}")
    return seen


def assert_no_canary(texts: list[str]) -> None:
    leaks = [t[:300] for t in texts if CANARY_API_KEY in t]
    assert leaks == [], f"the API key reached a client: {leaks}"


# ------------------------------------------------------------------------------------ the canary itself


def test_the_suite_s_sandbox_serves_the_canary_key(sandbox: RunningSandbox) -> None:
    assert sandbox.api_key == CANARY_API_KEY
    assert sandbox.graphql("{ positions { id } }").get("errors") is None


def test_the_canary_log_handler_sees_the_key_in_messages_arguments_and_tracebacks() -> None:
    handler = CanaryLogHandler(CANARY_API_KEY)
    logger = logging.getLogger("tests.reliability.canary-check")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.debug("plain")
        logger.debug("key=%s", CANARY_API_KEY)
        logger.info(f"inline {CANARY_API_KEY}")
        try:
            raise ValueError(CANARY_API_KEY)
        except ValueError:
            logger.exception("failed")
        logger.warning("bad format %s %s", "only one")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    assert handler.records == 5
    assert len(handler.leaks) == 3


def test_every_log_record_of_a_test_passes_through_the_canary_check(
    no_canary_in_logs: CanaryLogHandler, sandbox: RunningSandbox
) -> None:
    before = no_canary_in_logs.records
    logging.getLogger("hireflix_sandbox.deep.module").debug("a debug record from below any configuration")
    sandbox.request_counts()  # the HTTP client logs at DEBUG from this thread, the sandbox from its own
    assert no_canary_in_logs.records >= before + 2
    assert no_canary_in_logs.leaks == []


# ------------------------------------------------------------------------------------ in process


async def test_no_tool_resource_or_prompt_shows_the_key_when_all_goes_well(sandbox: RunningSandbox) -> None:
    async with connect(sandbox, confirm="token") as client:
        seen = await everything_a_client_sees(client, tool_arguments(sandbox))
    assert_no_canary(seen)
    assert len(seen) > 35


@pytest.mark.parametrize("fault", list(FAULTS))
async def test_no_tool_resource_or_prompt_shows_the_key_when_hireflix_fails(
    sandbox: RunningSandbox, fault: str
) -> None:
    arguments = tool_arguments(sandbox)
    sandbox.set_fault(**FAULTS[fault])
    async with connect(sandbox, confirm="token", max_retries=0) as client:
        seen = await everything_a_client_sees(client, arguments)
    assert_no_canary(seen)
    assert sum('"isError":true' in s for s in seen) >= 20  # the failures really reached the tools


async def test_no_tool_resource_or_prompt_shows_the_key_hireflix_rejects() -> None:
    # The server holds the canary; this Hireflix expects another key, so every call is refused.
    with running_sandbox(api_key="the-key-this-hireflix-expects") as other:
        arguments = tool_arguments(other)
        async with connect(other, confirm="off", api_key=SecretStr(CANARY_API_KEY)) as client:
            seen = await everything_a_client_sees(client, arguments)
    assert_no_canary(seen)
    assert sum("HIREFLIX_API_KEY" in s for s in seen) >= 20  # refused, and told which setting to fix


def _files_holding(folder: Path, prefix: str) -> dict[str, bool]:
    """File name -> whether it holds the canary, for the files in `folder` starting with `prefix`."""
    return {
        path.name: CANARY_API_KEY.encode() in path.read_bytes()
        for path in folder.iterdir()
        if path.name.startswith(prefix)
    }


async def test_the_state_file_never_holds_the_key(sandbox: RunningSandbox, tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    arguments = tool_arguments(sandbox)
    async with connect(sandbox, confirm="token", state_db=str(state)) as client:
        first = await client.call_tool("delete_interview", arguments["delete_interview"])
        token = data(first)["confirmation_token"]
        await client.call_tool(
            "delete_interview", {**arguments["delete_interview"], "confirmation_token": token}
        )
        await everything_a_client_sees(client, arguments)
    files = _files_holding(tmp_path, "state.db")
    assert "state.db" in files
    assert not any(files.values()), files


# ------------------------------------------------------------------------------------ real processes


async def test_a_stdio_server_logging_at_debug_never_writes_the_key(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    arguments = tool_arguments(sandbox)
    sandbox.set_fault(kind="server_error", status=503, count=3)
    sandbox.set_fault(kind="drop", phase="after", operation="CommentOnInterview", count=1)
    env = server_env(sandbox, HIREFLIX_MCP_LOG_LEVEL="DEBUG", HIREFLIX_MCP_CONFIRM="token")
    params = StdioServerParameters(command=sys.executable, args=["-m", "hireflix_mcp.cli", "serve"], env=env)
    log_path = tmp_path / "stderr.log"
    with log_path.open("w") as errlog, anyio.fail_after(60):
        async with Client(stdio_client(params, errlog=errlog)) as client:
            seen = [
                (await client.call_tool(name, arguments[name])).model_dump_json(by_alias=True)
                for name in ("list_positions", "get_interview", "comment_on_interview", "delete_interview")
            ]
            seen.append(
                (await client.call_tool("get_interview", {"interview_id": "0" * 24})).model_dump_json(
                    by_alias=True
                )
            )
    log = log_path.read_text()
    assert " DEBUG " in log  # it did log at DEBUG,
    assert "Hireflix" in log  # about its Hireflix calls
    assert "retry" in log  # the faults were met and logged
    assert CANARY_API_KEY not in log
    assert_no_canary(seen)


async def test_an_http_server_never_sends_the_key_in_a_body_or_header(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    arguments = tool_arguments(sandbox)
    headers_seen: list[str] = []

    async def record(response: httpx2.Response) -> None:
        headers_seen.append(repr(response.headers.multi_items()))

    env = server_env(sandbox, HIREFLIX_MCP_LOG_LEVEL="DEBUG", HIREFLIX_MCP_CONFIRM="token")
    with serve_http(env, tmp_path / "stderr.log", "--toolsets", "all") as server:
        seen: list[str] = []
        for mode in ("legacy", "auto"):
            async with httpx2.AsyncClient(event_hooks={"response": [record]}, timeout=10) as http:
                with anyio.fail_after(60):
                    async with Client(
                        streamable_http_client(server.url, http_client=http), mode=mode
                    ) as client:
                        sandbox.set_fault(kind="server_error", status=500, count=5)
                        seen += await everything_a_client_sees(client, arguments)
                        sandbox.clear_faults()
        # Raw requests the SDK client never makes: their error replies are checked too.
        async with httpx2.AsyncClient(timeout=10, trust_env=False) as http:
            raw = [
                await http.post(server.url, content=b"{not json", headers=MCP_HEADERS),
                await http.post(
                    server.url, json={"jsonrpc": "2.0", "id": 1, "method": "nope"}, headers=MCP_HEADERS
                ),
                await http.get(server.url, headers={"accept": "text/event-stream"}),
                await http.delete(server.url, headers={"mcp-session-id": "unknown"}),
                await http.post(server.url, json={}, headers={"content-type": "text/plain"}),
                await http.get(server.url.replace("/mcp", "/anything-else")),
            ]
        log = server.stderr.read_text()
    assert_no_canary(seen)
    assert_no_canary(headers_seen)
    assert_no_canary([f"{r.status_code} {r.headers.multi_items()!r} {r.text}" for r in raw])
    assert len(headers_seen) > 60
    assert CANARY_API_KEY not in log


# ------------------------------------------------------------------------------------ files


def _repository_files() -> Iterator[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPOSITORY,
        capture_output=True,
        check=True,
        timeout=30,
    ).stdout
    for name in filter(None, listed.decode().split("\0")):
        path = REPOSITORY / name
        if path.is_file():
            yield path


def test_no_file_in_the_repository_holds_the_key_but_the_suite_s_conftest() -> None:
    holders = [
        path.relative_to(REPOSITORY)
        for path in _repository_files()
        if CANARY_API_KEY.encode() in path.read_bytes()
    ]
    assert holders == [CANARY_HOME]
    snapshots = list((REPOSITORY / "tests" / "snapshots").rglob("*.json"))
    assert len(snapshots) >= 30  # the tool snapshots were among the files searched
