"""`hireflix-mcp index sync | status | purge` against the sandbox, with the index in a state file."""

from __future__ import annotations

from pathlib import Path

import pytest

from hireflix_mcp.cli import main
from hireflix_sandbox.embedded import RunningSandbox


def test_index_sync_status_and_purge_say_what_they_did(
    sandbox: RunningSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    state = tmp_path / "state.db"
    monkeypatch.setenv("HIREFLIX_API_URL", sandbox.url)
    monkeypatch.setenv("HIREFLIX_API_KEY", sandbox.api_key)
    monkeypatch.setenv("HIREFLIX_MCP_STATE_DB", str(state))
    recorded = sum(1 for r in sandbox.store.all_interviews() if r.completed and sandbox.store.answers(r.id))

    assert main(["index", "sync"]) == 0
    err = capsys.readouterr().err
    assert "] 66/66 interviews" in err  # the progress bar's last line
    assert f"{recorded} (re)indexed" in err

    assert main(["index", "status"]) == 0
    out = capsys.readouterr().out
    assert f"where: {state}" in out
    assert f"{recorded} recorded" in out
    assert out.count("synced 20") == len(sandbox.store.positions())

    assert main(["index", "purge"]) == 0
    assert f"from {state}" in capsys.readouterr().out
    assert main(["index", "status"]) == 0
    assert "interviews: 0 listed" in capsys.readouterr().out
    assert sandbox.api_key not in err
