"""The container image, built and run: `scripts/image build` makes the Dockerfile's image with podman on a
Debian base made by debootstrap; two replicas of it serve on one PostgreSQL database in OAuth mode, trusting
a real OpenID provider (tests/oauth/provider.mjs), and the SDK client drives them over HTTP with tokens
issued by it.

Slow: about four minutes on a fresh machine (installing podman, runc and debootstrap, debootstrap itself, then
the image's own pip install), about 70 s once the base tarball is cached in .tools/image-base.
Needs root (rootful podman, debootstrap): skipped elsewhere, failed in CI. The replicas use the host's network
(`scripts/image run`), so they reach the sandbox and PostgreSQL on loopback and listen on loopback ports of
their own; both present one public address, as behind a load balancer, so a token works on either.
Everything the module makes (the base image, the image, the containers) is removed at its end,
also when a test fails, and the removal is checked.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from collections.abc import Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.embedded import running_sandbox
from tests.oauth.idp import Idp
from tests.oauth.idp import running_idp
from tests.pg_cluster import PostgresCluster
from tests.serving import MCP_HEADERS
from tests.serving import Replica
from tests.serving import free_port
from tests.serving import initialize_request
from tests.serving import server_env
from tests.serving import wait_for_http
from tests.tools.conftest import data
from tests.tools.conftest import error_text

ROOT = Path(__file__).resolve().parents[2]
IMAGE_SCRIPT = ROOT / "scripts" / "image"
BUILD_TIMEOUT = 900.0
"""Seconds `scripts/image build` may take on a fresh, loaded 2-core machine (measured: 3.5 min, others' tests
running beside it)."""
RUN = uuid.uuid4().hex[:10]
IMAGE = f"localhost/hireflix-mcp-test:{RUN}"
BASE = f"localhost/hireflix-mcp-test-base:{RUN}"
LABEL = f"hireflix-mcp-test={RUN}"
START_TIMEOUT = 90.0
"""Seconds a replica may take to answer /healthz: podman starts it, and its Python compiles every module it
imports (the image holds no bytecode), slow on a loaded 2-core machine."""
APP_UID = "10001"
UNUSED_API = "http://127.0.0.1:9/me"
"""A Hireflix address nothing listens on: the server must refuse to start before it would call one."""
WRITE = "hireflix:read hireflix:write"

pytestmark = [pytest.mark.slow, pytest.mark.timeout(BUILD_TIMEOUT + 180), pytest.mark.anyio]


def _podman(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["podman", *args], capture_output=True, text=True, timeout=timeout, check=False)


def _run_bounded(argv: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run `argv` in a process group of its own, killing the whole group (podman, debootstrap) on timeout."""
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        raise AssertionError(f"{argv} took over {timeout} s:\n{err[-3000:]}") from None
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


def _require_root_on_linux() -> None:
    if sys.platform == "linux" and os.geteuid() == 0:
        return
    message = "the image is built with rootful podman and debootstrap: run as root on Linux"
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(message)
    pytest.skip(message)


def _remove_everything_made() -> list[str]:
    """Remove this module's containers, image and base image; what is still there afterwards."""
    if shutil.which("podman") is None:
        return []
    listed = _podman("ps", "--all", "--quiet", "--filter", f"label={LABEL}").stdout.split()
    if listed:
        _podman("rm", "--force", "--time", "5", *listed)
    for image in (IMAGE, BASE):  # the image first: the base is its parent
        if _podman("image", "exists", image).returncode == 0:
            _podman("rmi", image)
    left = _podman("ps", "--all", "--quiet", "--filter", f"label={LABEL}").stdout.split()
    left += [image for image in (IMAGE, BASE) if _podman("image", "exists", image).returncode == 0]
    return left


@pytest.fixture(scope="module")
def image() -> Iterator[str]:
    _require_root_on_linux()
    try:
        built = _run_bounded([str(IMAGE_SCRIPT), "build", "--tag", IMAGE, "--base-tag", BASE], BUILD_TIMEOUT)
        assert built.returncode == 0, built.stderr[-4000:]
        print(built.stderr)  # its stages with the seconds each started at: shown by `pytest -rP`
        assert built.stdout.strip() == IMAGE
        yield IMAGE
    finally:
        left = _remove_everything_made()
        assert not left, f"left behind: {left}"


@dataclass(frozen=True)
class Deployment:
    replicas: tuple[Replica, Replica]
    sandbox: RunningSandbox
    idp: Idp
    public_url: str
    """The one address both replicas answer for (their tokens' audience is its `/mcp`)."""

    def token(self, person: str, scope: str) -> str:
        return self.idp.token(person, scope, f"{self.public_url}/mcp")


@pytest.fixture(scope="module")
def hireflix() -> Iterator[RunningSandbox]:
    with running_sandbox() as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def idp() -> Iterator[Idp]:
    with running_idp() as provider:
        yield provider


@pytest.fixture(scope="module")
def deployment(
    image: str,
    hireflix: RunningSandbox,
    idp: Idp,
    postgres_cluster: PostgresCluster,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Deployment]:
    """Two replicas of the image on one PostgreSQL database, sharing the confirmation secret and one public
    address (nothing listens there: the tests reach each replica on its own port); stateless HTTP, so any
    request may reach either, as behind a load balancer."""
    logs = tmp_path_factory.mktemp("replicas")
    public_url = f"http://localhost:{free_port()}"
    env = server_env(
        hireflix,
        HIREFLIX_MCP_OAUTH_ISSUER=idp.issuer,
        HIREFLIX_MCP_PUBLIC_URL=public_url,
        HIREFLIX_MCP_CONFIRM="token",
        HIREFLIX_MCP_CONFIRM_SECRET=secrets.token_urlsafe(32),
        HIREFLIX_MCP_STATE_DB=postgres_cluster.new_database("image"),
    )
    # `--env NAME` passes the value from podman's own environment: no secret on a command line.
    passed = [arg for name in env if name.startswith("HIREFLIX_") for arg in ("--env", name)]
    replicas = tuple(Replica(port=free_port(), name=f"hireflix-mcp-test-{RUN}-{letter}") for letter in "ab")
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for replica in replicas:
            log = logs / f"{replica.name}.log"
            with log.open("wb") as sink:
                command = ["hireflix-mcp", "serve", "--transport", "http", "--host", "127.0.0.1"]
                argv = [str(IMAGE_SCRIPT), "run", "--rm", "--name", replica.name, "--label", LABEL, *passed]
                argv += [image, *command, "--port", str(replica.port), "--stateless"]
                proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=sink, stderr=sink)
            procs.append(proc)
            wait_for_http(f"{replica.base_url}/healthz", proc, log, polls=int(START_TIMEOUT / 0.1))
        a, b = replicas
        yield Deployment((a, b), hireflix, idp, public_url)
    finally:
        for replica in replicas:
            _podman("stop", "--time", "5", replica.name)
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


@asynccontextmanager
async def _client(replica: Replica, token: str, mode: str = "auto") -> AsyncIterator[Client]:
    async with (
        httpx2.AsyncClient(headers={"authorization": f"Bearer {token}"}, timeout=30, trust_env=False) as http,
        Client(streamable_http_client(replica.url, http_client=http), mode=mode) as client,
    ):
        yield client


def _open_positions(sandbox: RunningSandbox) -> dict[str, str]:
    body = sandbox.graphql("{ positions { id name archived } }")
    return {str(p["id"]): str(p["name"]) for p in body["data"]["positions"] if p["archived"] is None}


def _process_uids(replica: Replica) -> list[str]:
    """Real, effective, saved and file-system uid of the container's first process (the server)."""
    status = _podman("exec", replica.name, "cat", "/proc/1/status")
    assert status.returncode == 0, status.stderr
    (line,) = [line for line in status.stdout.splitlines() if line.startswith("Uid:")]
    return line.split()[1:]


def test_image_runs_its_server_as_uid_10001(deployment: Deployment, image: str) -> None:
    inspected = _podman("image", "inspect", image)
    assert inspected.returncode == 0, inspected.stderr
    (config,) = json.loads(inspected.stdout)
    assert config["Config"]["User"] == APP_UID
    for replica in deployment.replicas:
        assert _process_uids(replica) == [APP_UID] * 4


def test_each_replica_answers_healthz_and_sends_a_caller_without_a_token_to_the_provider(
    deployment: Deployment,
) -> None:
    metadata_path = "/.well-known/oauth-protected-resource/mcp"
    with httpx2.Client(timeout=10, trust_env=False) as http:
        for replica in deployment.replicas:
            health = http.get(f"{replica.base_url}/healthz")
            refused = http.post(replica.url, json=initialize_request("container-test"), headers=MCP_HEADERS)
            metadata = http.get(f"{replica.base_url}{metadata_path}")
            assert health.status_code == 200
            assert health.json()["status"] == "ok"
            assert refused.status_code == 401
            challenge = refused.headers["www-authenticate"]
            assert challenge.startswith("Bearer ")
            assert f'resource_metadata="{deployment.public_url}{metadata_path}"' in challenge
            assert metadata.json()["resource"] == f"{deployment.public_url}/mcp"
            assert metadata.json()["authorization_servers"] == [deployment.idp.issuer]


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_sdk_client_initializes_lists_the_tools_of_its_scopes_and_reads_positions_on_each_replica(
    deployment: Deployment, mode: str
) -> None:
    expected = _open_positions(deployment.sandbox)
    reader, writer = deployment.token("reader", "hireflix:read"), deployment.token("writer", WRITE)
    for replica in deployment.replicas:
        with anyio.fail_after(60):
            async with _client(replica, writer, mode) as client:
                info = client.server_info
                writable = {t.name for t in (await client.list_tools()).tools}
            async with _client(replica, reader, mode) as client:
                readable = {t.name for t in (await client.list_tools()).tools}
                listed: list[dict[str, Any]] = data(await client.call_tool("list_positions", {}))["positions"]
        assert info is not None
        assert info.name == "hireflix-mcp"
        assert "list_positions" in readable
        assert "archive_position" in writable - readable
        assert {str(p["id"]): p["name"] for p in listed} == expected


async def test_a_confirmation_token_issued_on_one_replica_is_spent_for_both_and_both_audit_it(
    deployment: Deployment,
) -> None:
    a, b = deployment.replicas
    position_id = next(iter(_open_positions(deployment.sandbox)))
    arguments = {"position_id": position_id}
    writer = deployment.token("writer", WRITE)
    with anyio.fail_after(90):
        async with _client(a, writer) as on_a, _client(b, writer) as on_b:
            asked = data(await on_a.call_tool("archive_position", arguments))
            assert asked["status"] == "confirmation_required"
            confirmed = {**arguments, "confirmation_token": asked["confirmation_token"]}
            done = data(await on_b.call_tool("archive_position", confirmed))
            assert done["status"] == "done"
            assert position_id not in _open_positions(deployment.sandbox)
            replay = error_text(await on_a.call_tool("archive_position", confirmed))
    assert "already used" in replay
    # Both replicas wrote to the one trail in PostgreSQL; the image's own CLI reads it back.
    audit = _podman("exec", a.name, "hireflix-mcp", "audit", "--json")
    assert audit.returncode == 0, audit.stderr
    entries = json.loads(audit.stdout)
    archived = [
        e for e in entries if e["tool"] == "archive_position" and position_id in e["ids"].get("position", [])
    ]
    assert [e["outcome"] for e in archived] == ["confirmation_asked", "ok", "refused"]
    assert {e["person"] for e in archived} == {"will.writer@example.com"}


def _run_once(image: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`scripts/image run --rm` of `image` with `args` (podman options, then the image and a command)."""
    argv = [str(IMAGE_SCRIPT), "run", "--rm", "--label", LABEL, *args]
    return _run_bounded(argv, START_TIMEOUT)


def test_the_image_refuses_to_serve_all_interfaces_without_a_token_or_sign_in(image: str) -> None:
    done = _run_once(
        image, "--env", "HIREFLIX_API_KEY=hfx-not-used", "--env", f"HIREFLIX_API_URL={UNUSED_API}", image
    )
    assert done.returncode == 2, done.stderr[-2000:]
    assert "HIREFLIX_MCP_AUTH_TOKEN" in done.stderr


def test_the_image_holds_the_runtime_without_development_tools(image: str) -> None:
    done = _run_once(image, "--entrypoint", "python3", image, "-m", "pip", "list", "--format", "json")
    assert done.returncode == 0, done.stderr[-2000:]
    installed = {p["name"].lower() for p in json.loads(done.stdout)}
    assert {"hireflix-mcp", "mcp", "uvicorn", "psycopg"} <= installed
    assert not installed & {"pytest", "mypy", "ruff", "hypothesis", "playwright"}
