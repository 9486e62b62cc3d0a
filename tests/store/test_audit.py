"""The audit trail: every tool call recorded once, with its outcome, ids and operations, and no candidate
data; printed by `hireflix-mcp audit` and served as `hireflix://audit` to administrators."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mcp.client import Client

from hireflix_mcp.audit_trail import parse_since
from hireflix_mcp.cli import main
from hireflix_mcp.identity import Caller
from hireflix_mcp.identity import caller_scope
from hireflix_mcp.server import build_server
from hireflix_mcp.settings import Settings
from hireflix_mcp.store import AuditEntry
from hireflix_mcp.store.sqlite import SqliteState
from hireflix_mcp.tools.catalog import ALL_TOOLSETS
from hireflix_mcp.tools.catalog import Profile
from hireflix_sandbox.embedded import RunningSandbox
from tests.tools.conftest import Elicitor
from tests.tools.conftest import connect
from tests.tools.conftest import data
from tests.tools.conftest import error_text
from tests.tools.conftest import sandbox_settings
from tests.tools.test_interviews_support import open_position

pytestmark = pytest.mark.anyio

EMAIL = "audit.candidate@example.com"


def _trail(db: Path) -> list[AuditEntry]:
    store = SqliteState(str(db))
    store.open()
    try:
        return store.audit()
    finally:
        store.close()


async def test_each_call_is_recorded_with_outcome_ids_and_operations_and_no_candidate_data(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    db = tmp_path / "state.db"
    position = open_position(sandbox)
    interview = next(r for r in sandbox.store.interviews(position.id) if r.status == "pending")
    async with connect(sandbox, confirm="token", state_db=str(db)) as client:
        await client.call_tool("get_interview", {"interview_id": interview.id})
        asked = data(await client.call_tool("delete_interview", {"interview_id": interview.id}))
        token = asked["confirmation_token"]
        confirmed = {"interview_id": interview.id, "confirmation_token": token}
        data(await client.call_tool("delete_interview", confirmed))
        error_text(await client.call_tool("delete_interview", confirmed))  # the replay
        error_text(await client.call_tool("get_interview", {"interview_id": "not an id"}))
        await client.call_tool(
            "invite_candidate",
            {"position_id": position.id, "email": EMAIL, "first_name": "Zed", "external_id": "ATS-1"},
        )
    trail = _trail(db)
    assert [(e.tool, e.outcome) for e in trail] == [
        ("get_interview", "ok"),
        ("delete_interview", "confirmation_asked"),
        ("delete_interview", "ok"),
        ("delete_interview", "refused"),
        ("get_interview", "error"),
        ("invite_candidate", "ok"),
    ]
    assert {e.sub for e in trail} == {"local"}
    assert {e.client for e in trail} == {"mcp"}  # the SDK client's default clientInfo name
    assert trail[0].ids == {"interview": [interview.id]}
    assert trail[0].operations == ("GetInterview",)
    assert "DeleteInterview" in trail[2].operations
    assert "DeleteInterview" not in trail[1].operations + trail[3].operations
    assert trail[4].ids == {}  # "not an id" is not kept
    assert trail[5].ids == {"position": [position.id]}
    assert "InviteCandidate" in trail[5].operations
    kept = db.read_bytes()
    assert EMAIL.encode() not in kept
    assert b"Zed" not in kept
    assert b"ATS-1" not in kept


def test_the_audit_command_prints_lines_or_json_filtered_by_person_and_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "state.db"
    store = SqliteState(str(db))
    for sub, minute in (("ana", 0), ("bo", 5)):
        store.record(
            AuditEntry(
                at=parse_since(f"2026-12-01T09:0{minute}"),
                sub=sub,
                person=f"{sub}@example.com",
                client="claude-ai",
                tool="score_interview",
                outcome="ok",
                ids={"interview": ["6650a1b2c3d4e5f6a7b8c9d0"]},
                operations=("ScoreInterview",),
            )
        )
    monkeypatch.setenv("HIREFLIX_MCP_STATE_DB", str(db))
    assert main(["audit"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("2026-12-01T09:00:00Z  ana@example.com (ana)  claude-ai  score_interview  ok")
    assert "interview=6650a1b2c3d4e5f6a7b8c9d0" in lines[0]
    assert "ops=ScoreInterview" in lines[0]
    assert main(["audit", "--json", "--person", "bo"]) == 0
    assert [e["sub"] for e in json.loads(capsys.readouterr().out)] == ["bo"]
    assert main(["audit", "--json", "--since", "2026-12-01T09:03"]) == 0
    assert [e["sub"] for e in json.loads(capsys.readouterr().out)] == ["bo"]
    with pytest.raises(SystemExit):
        main(["audit", "--since", "last tuesday"])
    assert "--since 'last tuesday' is invalid: expected a date" in capsys.readouterr().err
    monkeypatch.setenv("HIREFLIX_MCP_STATE_DB", ":memory:")
    assert main(["audit"]) == 2
    assert "lives only inside the server process" in capsys.readouterr().err


async def test_the_audit_resource_is_for_administrators_and_the_one_local_person(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    settings: Settings = sandbox_settings(sandbox, state_db=str(tmp_path / "state.db"))
    server = build_server(settings, Profile(toolsets=ALL_TOOLSETS))
    async with Client(server) as client:
        await client.call_tool("list_positions", {})
        listed = {str(r.uri) for r in (await client.list_resources()).resources}
        read = await client.read_resource("hireflix://audit")
    assert "hireflix://audit" in listed
    body = json.loads(read.contents[0].text)  # type: ignore[union-attr]
    assert [(e["tool"], e["outcome"], e["sub"]) for e in body["entries"]] == [
        ("list_positions", "ok", "local")
    ]
    reader = Caller(sub="reader-1", scopes=frozenset({"hireflix:read", "hireflix:write"}))
    with caller_scope(reader):
        async with Client(server) as client:
            listed = {str(r.uri) for r in (await client.list_resources()).resources}
            with pytest.raises(Exception, match="hireflix:admin"):
                await client.read_resource("hireflix://audit")
    assert "hireflix://audit" not in listed


async def test_a_declined_confirmation_and_a_call_above_the_callers_scope_are_recorded_as_such(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    db = tmp_path / "state.db"
    interview = next(r for r in sandbox.store.interviews(open_position(sandbox).id) if r.status == "pending")
    async with connect(sandbox, elicitor=Elicitor("decline"), state_db=str(db)) as client:
        declined = data(await client.call_tool("delete_interview", {"interview_id": interview.id}))
    reader = Caller(sub="reader-1", email="reader@example.com", scopes=frozenset({"hireflix:read"}))
    with caller_scope(reader):
        async with connect(sandbox, state_db=str(db)) as client:
            error_text(await client.call_tool("delete_interview", {"interview_id": interview.id}))
    assert declined["status"] == "declined"
    trail = _trail(db)
    assert [(e.tool, e.outcome, e.sub, e.person) for e in trail] == [
        ("delete_interview", "confirmation_asked", "local", None),  # 2026-07-28: the round that asks
        ("delete_interview", "declined", "local", None),
        ("delete_interview", "refused", "reader-1", "reader@example.com"),
    ]
    assert trail[2].ids == {"interview": [interview.id]}
    assert trail[2].operations == ()
    assert sandbox.store.interview(interview.id) is not None
