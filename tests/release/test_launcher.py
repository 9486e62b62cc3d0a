"""The bundle's launcher (bundle/server/main.py): the install dialog's settings, as environment variables,
into `hireflix-mcp serve` arguments; no key means the sandbox."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.release.conftest import LAUNCHER
from tests.release.conftest import ROOT
from tests.release.conftest import clean_env

DEFAULTS = {
    "HIREFLIX_API_KEY": "",
    "HIREFLIX_API_URL": "https://api.hireflix.com/me",
    "HIREFLIX_MCP_TOOLSETS": "positions,interviews,review,links",
    "HIREFLIX_MCP_READ_ONLY": "false",
    "HIREFLIX_MCP_CONFIRM": "auto",
    "PATH": "/usr/bin",
}


def test_no_key_runs_the_sandbox_and_drops_the_empty_key_and_the_url() -> None:
    argv, env = LAUNCHER.serve_command(DEFAULTS)
    assert argv == ["serve", "--sandbox", "--toolsets", "positions,interviews,review,links"]
    assert env == {"HIREFLIX_MCP_CONFIRM": "auto", "PATH": "/usr/bin"}


def test_a_key_runs_against_hireflix_with_the_url_given() -> None:
    argv, env = LAUNCHER.serve_command(
        {**DEFAULTS, "HIREFLIX_API_KEY": " hfx-key ", "HIREFLIX_MCP_READ_ONLY": "true"}
    )
    assert argv == ["serve", "--toolsets", "positions,interviews,review,links", "--read-only"]
    assert env["HIREFLIX_API_KEY"] == "hfx-key"
    assert env["HIREFLIX_API_URL"] == "https://api.hireflix.com/me"
    assert LAUNCHER.TOOLSETS not in env
    assert LAUNCHER.READ_ONLY not in env


def test_placeholders_a_host_left_unreplaced_count_as_not_set() -> None:
    environ = {name: f"${{user_config.{name.lower()}}}" for name in DEFAULTS if name != "PATH"}
    argv, env = LAUNCHER.serve_command(environ)
    assert argv == ["serve", "--sandbox"]
    assert env == {}


def test_other_hireflix_variables_of_the_environment_are_kept() -> None:
    _, env = LAUNCHER.serve_command({**DEFAULTS, "HIREFLIX_MCP_LOG_LEVEL": "debug"})
    assert env["HIREFLIX_MCP_LOG_LEVEL"] == "debug"


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_a_read_only_value_that_is_not_a_boolean_is_refused_naming_the_variable(value: str) -> None:
    with pytest.raises(LAUNCHER.Refused, match=r"HIREFLIX_MCP_READ_ONLY=.* expected true or false"):
        LAUNCHER.serve_command({**DEFAULTS, "HIREFLIX_MCP_READ_ONLY": value})


def _launch(**env: str) -> subprocess.CompletedProcess[str]:
    """The launcher as a host starts it, with stdin at end-of-file."""
    return subprocess.run(
        [sys.executable, str(ROOT / "bundle/server/main.py")],
        env=clean_env(**env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_launcher_refuses_a_bad_setting_in_one_line_with_exit_status_2() -> None:
    done = _launch(HIREFLIX_MCP_READ_ONLY="perhaps")
    assert done.returncode == 2
    assert (
        done.stderr == "hireflix-mcp: HIREFLIX_MCP_READ_ONLY='perhaps' is invalid: expected true or false\n"
    )


def test_launcher_passes_a_bad_server_setting_on_to_the_servers_own_one_line_refusal() -> None:
    done = _launch(HIREFLIX_MCP_CONFIRM="sometimes")
    assert done.returncode == 2
    expected = "HIREFLIX_MCP_CONFIRM='sometimes' is invalid: expected one of auto, token, elicit, off"
    assert expected in done.stderr
