"""What the person at the terminal sees of `hireflix-mcp`: version, help, one-line errors and the banner.

Most tests call `main` in this process with the environment cleared of `HIREFLIX_*`; `uvicorn.run` is
replaced where a test needs the HTTP banner, so nothing listens. A stdio server started as a subprocess
with stdin closed prints its banner, reads end-of-file and exits.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shlex
import shutil
import sys
import tomllib
from collections.abc import Iterator
from collections.abc import Sequence
from pathlib import Path

import pytest
import uvicorn

from hireflix_mcp.cli import main
from tests.serving import clean_env
from tests.serving import run_to_end

ROOT = Path(__file__).resolve().parents[1]
BANNER = "using the local Hireflix sandbox"
TOKEN = "tok-5e1f0c-never-printed"
MISSING_DIR_DB = "/no-such-directory-hireflix/state.db"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [name for name in os.environ if name.startswith("HIREFLIX_")]:
        monkeypatch.delenv(name)


def _run(argv: Sequence[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """`main(argv)` as the shell sees it: (exit status, stdout, stderr), argparse's SystemExit included."""
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def _serve_stdio(command: Sequence[str], cwd: Path) -> str:
    """Run a stdio `serve` with stdin at end-of-file; its stderr."""
    return run_to_end(command, cwd=cwd, env=clean_env()).stderr


def _desktop_entry(stderr: str) -> dict[str, list[str] | str]:
    lines = stderr.splitlines()
    at = next(i for i, line in enumerate(lines) if "Claude Desktop" in line)
    entry: dict[str, list[str] | str] = json.loads(lines[at + 1])["mcpServers"]["hireflix-sandbox"]
    return entry


def _line_with(stderr: str, marker: str) -> str:
    return next(line for line in stderr.splitlines() if marker in line)


# ------------------------------------------------------------------------------------- version, help


def test_version_flag_prints_the_version_of_the_installed_package(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["--version"], capsys)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert code == 0
    assert out == f"hireflix-mcp {project['version']}\n"
    assert project["version"] == importlib.metadata.version("hireflix-mcp")


def _help_entries(help_text: str) -> Iterator[tuple[str, str]]:
    """(invocation, help) for each option argparse lists under `options:`."""
    options = help_text.split("options:\n", 1)[1]
    for entry in re.split(r"\n(?=  -)", options.strip("\n")):
        invocation, *rest = re.split(r" {2,}|\n", entry.strip(), maxsplit=1)
        yield invocation, " ".join(rest).strip()


def test_serve_help_has_a_description_and_explains_every_flag(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["serve", "--help"], capsys)
    assert code == 0
    description = out.split("\n\n", 1)[1].split("options:\n", 1)[0]
    assert "MCP" in description
    entries = dict(_help_entries(out))
    assert any(invocation.startswith("--transport") for invocation in entries)
    assert [invocation for invocation, text in entries.items() if not text] == []


# --------------------------------------------------------------------------- bad flags and variables

BAD_VARIABLES = {
    "HIREFLIX_API_URL": ("ftp://api.example.com", ["http://", "https://"]),
    "HIREFLIX_CONNECT_TIMEOUT": ("0", ["greater than 0", "120"]),
    "HIREFLIX_READ_TIMEOUT": ("soon", ["600"]),
    "HIREFLIX_MAX_RETRIES": ("many", ["whole number", "10"]),
    "HIREFLIX_RETRY_AFTER_CAP": ("-1", ["600"]),
    "HIREFLIX_MCP_CONFIRM": ("maybe", ["auto", "token", "elicit", "off"]),
    "HIREFLIX_MCP_LOG_LEVEL": ("verbose", ["DEBUG", "INFO", "WARNING", "ERROR"]),
    "HIREFLIX_MCP_PUBLIC_URL": ("mcp.example.com", ["https://"]),
    "HIREFLIX_MCP_STATE_DB": (MISSING_DIR_DB, [":memory:", "existing directory"]),
    "HIREFLIX_MCP_EVENT_RETENTION_DAYS": ("0", ["whole number", "at least 1", "3650"]),
    "HIREFLIX_MCP_MAX_SESSIONS": ("0", ["whole number", "at least 1", "100000"]),
    "HIREFLIX_MCP_OAUTH_ISSUER": ("http://id.example.com", ["https", "loopback", "`iss`"]),
    "HIREFLIX_MCP_MEDIA_ORIGINS": (
        "https://media.example.com/videos",
        ["https", "origins", "without a path"],
    ),
    "HIREFLIX_MCP_INDEX_SYNC": ("sometimes", ["on or off"]),
}
FREE_FORM_VARIABLES = {
    "HIREFLIX_API_KEY",
    "HIREFLIX_MCP_CONFIRM_SECRET",
    "HIREFLIX_MCP_AUTH_TOKEN",
    "HIREFLIX_WEBHOOK_SECRET",
    "HIREFLIX_MCP_OAUTH_AUDIENCE",  # an API identifier, not necessarily a URL
}
"""Any non-empty text is a valid value of these."""


def _assert_one_line_naming(err: str, name: str, value: str, allowed: Sequence[str]) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    (line,) = lines
    assert line.startswith("hireflix-mcp"), line
    assert name in line, line
    assert value in line, line
    for word in allowed:
        assert word in line, f"{word!r} missing from: {line}"
    assert BANNER not in line


@pytest.mark.parametrize("variable", sorted(BAD_VARIABLES))
def test_a_bad_environment_variable_is_one_line_naming_it_and_what_it_accepts(
    variable: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    value, allowed = BAD_VARIABLES[variable]
    monkeypatch.setenv(variable, value)
    code, _, err = _run(["serve", "--sandbox"], capsys)
    assert code == 2
    _assert_one_line_naming(err, variable, value, allowed)


def test_every_settings_variable_is_either_checked_above_or_free_form() -> None:
    from hireflix_mcp.settings import ENVIRONMENT

    assert set(ENVIRONMENT) == set(BAD_VARIABLES) | FREE_FORM_VARIABLES


BAD_FLAGS = {
    "log-level": (["--log-level", "LOUD"], "--log-level", "LOUD", ["DEBUG", "INFO", "WARNING", "ERROR"]),
    "confirm": (["--confirm", "maybe"], "--confirm", "maybe", ["auto", "token", "off"]),
    "transport": (["--transport", "sse"], "--transport", "sse", ["stdio", "http"]),
    "port-text": (["--port", "eighty"], "--port", "eighty", ["65535"]),
    "port-range": (["--port", "70000"], "--port", "70000", ["65535"]),
    "public-url": (["--public-url", "mcp.example.com"], "--public-url", "mcp.example.com", ["https://"]),
    "toolsets": (["--toolsets", "bogus"], "--toolsets", "bogus", ["positions", "interviews"]),
    "tools": (["--tools", "bogus_tool"], "--tools", "bogus_tool", ["list_positions"]),
    "exclude-tools": (["--exclude-tools", "bogus_tool"], "--exclude-tools", "bogus_tool", ["list_positions"]),
    "sandbox-db": (["--sandbox-db", MISSING_DIR_DB], "--sandbox-db", MISSING_DIR_DB, [":memory:"]),
    "unknown": (["--colour", "blue"], "--colour", "--colour", ["--help"]),
}


@pytest.mark.parametrize("case", sorted(BAD_FLAGS))
def test_a_bad_flag_is_one_line_naming_it_and_what_it_accepts(
    case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    flags, name, value, allowed = BAD_FLAGS[case]
    code, _, err = _run(["serve", "--sandbox", *flags], capsys)
    assert code == 2
    _assert_one_line_naming(err, name, value, allowed)


def test_log_level_is_accepted_in_any_case(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HIREFLIX_MCP_LOG_LEVEL", "debug")
    monkeypatch.setenv("HIREFLIX_MCP_AUTH_TOKEN", TOKEN)
    monkeypatch.setattr(uvicorn, "run", lambda *_a, **_k: None)
    code, _, err = _run(["serve", "--sandbox", "--transport", "http", "--log-level", "warning"], capsys)
    assert code == 0, err


def test_a_missing_command_is_one_line_naming_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run([], capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert all(command in lines[0] for command in ("serve", "sandbox", "doctor"))


# ---------------------------------------------------------------- validate first, then print the banner


def test_an_unknown_toolset_fails_before_the_banner(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["serve", "--sandbox", "--toolsets", "positions,bogus"], capsys)
    assert code == 2
    assert BANNER not in err
    assert len(err.strip().splitlines()) == 1, err


def test_a_public_bind_without_a_token_fails_before_the_banner(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["serve", "--sandbox", "--transport", "http", "--host", "0.0.0.0", "--port", "8765"]  # noqa: S104
    code, _, err = _run(argv, capsys)
    assert code == 2
    assert BANNER not in err
    (line,) = err.strip().splitlines()
    assert "HIREFLIX_MCP_AUTH_TOKEN" in line
    assert "0.0.0.0" in line  # noqa: S104


# --------------------------------------------------------------------------------------- the banner


def test_the_http_banner_inspector_line_sends_the_token_without_printing_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HIREFLIX_MCP_AUTH_TOKEN", TOKEN)
    served: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda _app, **kwargs: served.append(kwargs))
    code, _, err = _run(["serve", "--sandbox", "--transport", "http", "--port", "8765"], capsys)
    assert code == 0, err
    assert [call["port"] for call in served] == [8765]
    inspector = _line_with(err, "inspector")
    assert "http://127.0.0.1:8765/mcp" in inspector
    assert '--header "Authorization: Bearer $HIREFLIX_MCP_AUTH_TOKEN"' in inspector
    assert TOKEN not in err


def test_the_http_banner_names_a_reachable_endpoint_for_a_wildcard_bind(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HIREFLIX_MCP_AUTH_TOKEN", TOKEN)
    monkeypatch.setattr(uvicorn, "run", lambda *_a, **_k: None)
    argv = ["serve", "--sandbox", "--transport", "http", "--host", "0.0.0.0", "--port", "8765"]  # noqa: S104
    code, _, err = _run(argv, capsys)
    assert code == 0, err
    assert "http://127.0.0.1:8765/mcp" in _line_with(err, "MCP endpoint")


def test_the_http_banner_without_a_token_has_no_auth_header(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(uvicorn, "run", lambda *_a, **_k: None)
    code, _, err = _run(["serve", "--sandbox", "--transport", "http", "--port", "8765"], capsys)
    assert code == 0, err
    assert "--header" not in _line_with(err, "inspector")


def test_the_desktop_snippet_of_a_relatively_launched_server_is_absolute_and_keeps_its_flags(
    tmp_path: Path,
) -> None:
    installed = shutil.which("hireflix-mcp", path=str(Path(sys.executable).parent))
    assert installed is not None, "the hireflix-mcp script is not installed next to this interpreter"
    relative = os.path.relpath(installed, tmp_path)
    flags = ["--sandbox", "--sandbox-db", "state.db", "--toolsets", "all", "--read-only"]
    flags += ["--confirm", "token"]
    stderr = _serve_stdio([relative, "serve", *flags], tmp_path)

    entry = _desktop_entry(stderr)
    command, args = entry["command"], entry["args"]
    assert isinstance(command, str)
    assert isinstance(args, list)
    assert Path(command).is_absolute()
    assert Path(command).resolve() == Path(installed).resolve()
    assert args[0] == "serve"
    db = args[args.index("--sandbox-db") + 1]
    assert Path(db).is_absolute()
    assert Path(db).resolve() == (tmp_path / "state.db").resolve()
    assert args[args.index("--toolsets") + 1] == "all"
    assert args[args.index("--confirm") + 1] == "token"
    assert {"--sandbox", "--read-only"} <= set(args)
    for marker in ("Inspector", "Claude Code"):
        line = _line_with(stderr, marker)
        assert shlex.split(line)[-len(args) - 1 :] == [command, *args], line


def test_the_desktop_snippet_of_a_module_launched_server_starts_the_same_server(tmp_path: Path) -> None:
    stderr = _serve_stdio([sys.executable, "-m", "hireflix_mcp.cli", "serve", "--sandbox"], tmp_path)
    entry = _desktop_entry(stderr)
    command, args = entry["command"], entry["args"]
    assert isinstance(command, str)
    assert isinstance(args, list)
    assert Path(command).is_absolute()
    assert os.access(command, os.X_OK)
    again = _serve_stdio([command, *args], ROOT)
    assert BANNER in again
