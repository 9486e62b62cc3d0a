"""The release files, built once per session by `bundle/dist.py` (what `scripts/dev dist` runs) into a
temporary folder, leaving server.json alone.

The build needs the dev extras (uv, twine), the pinned Node tools (`scripts/tools-setup`: node and
`@anthropic-ai/mcpb`) and the package registries (PyPI for uv's build and lock). Without the tools these
tests skip, except in CI (`CI=true`), where a missing tool is a failure. uv's cache is kept in
.tools/uv-cache, so a second run installs nothing from the network.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conformance.support import NODE
from tests.conformance.support import TOOLS
from tests.conformance.support import locked_versions

ROOT = Path(__file__).resolve().parents[2]
PROJECT: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
VERSION: str = PROJECT["version"]
MCPB_PACKAGE = TOOLS / "mcpb" / "node_modules" / "@anthropic-ai" / "mcpb"
MCPB_CLI = MCPB_PACKAGE / "dist" / "cli" / "cli.js"
BUILD_TIMEOUT = 300
"""The whole build, cold: uv fetches setuptools and the locked dependencies' metadata once."""


def load_script(path: Path, name: str) -> ModuleType:
    """A script of bundle/ as a module, fresh (the scripts are not part of a package)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


LAUNCHER = load_script(ROOT / "bundle" / "server" / "main.py", "hireflix_bundle_launcher")
"""The bundle's launcher, bundle/server/main.py."""


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1")


def require(available: bool, what: str) -> None:
    if not available:
        message = f"{what} is not installed: run scripts/tools-setup and scripts/dev setup"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)


def dev_tool(name: str) -> Path:
    """A command of the dev extras, beside this interpreter (as scripts/dev installs them)."""
    path = Path(sys.executable).with_name(name)
    require(path.exists(), f"{name} (dev extra)")
    return path


def uv_machine_env() -> dict[str, str]:
    """What uv needs on this machine (not part of any bundle or package): the project's cache, no
    Python downloads (only the package registries are reachable), the system's CA bundle, and a
    Python 3.11+ that is not a virtualenv's."""
    env = {
        "UV_CACHE_DIR": str(TOOLS / "uv-cache"),
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_LINK_MODE": "copy",
        "UV_PYTHON": getattr(sys, "_base_executable", sys.executable),
    }
    ca_bundle = Path("/etc/ssl/certs/ca-certificates.crt")
    if ca_bundle.exists():
        env["SSL_CERT_FILE"] = os.environ.get("SSL_CERT_FILE", str(ca_bundle))
    return env


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without the project's, a virtualenv's or uv's own settings."""
    prefixes = ("HIREFLIX_", "VIRTUAL_ENV", "PYTHON", "UV_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env.update(extra)
    return env


@dataclass(frozen=True)
class Built:
    wheel: Path
    sdist: Path
    bundle: Path
    printed: str
    """What `bundle/dist.py` printed on stdout: one line per file, with its size and sha256."""


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    require(NODE.exists(), "node (scripts/tools-setup)")
    require(MCPB_CLI.exists(), "@anthropic-ai/mcpb (scripts/tools-setup)")
    installed = json.loads((MCPB_PACKAGE / "package.json").read_text())["version"]
    assert installed == locked_versions()["MCPB"], "stale .tools/mcpb: run scripts/tools-setup"
    dev_tool("uv")
    dev_tool("twine")
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, str(ROOT / "bundle" / "dist.py"), "--out", str(out), "--no-server-json"],
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    name = PROJECT["name"]
    return Built(
        wheel=out / f"{name.replace('-', '_')}-{VERSION}-py3-none-any.whl",
        sdist=out / f"{name.replace('-', '_')}-{VERSION}.tar.gz",
        bundle=out / f"{name}-{VERSION}.mcpb",
        printed=done.stdout,
    )
