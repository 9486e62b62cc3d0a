"""`hireflix-mcp serve` as a real subprocess, for the transport and reliability tests (no tests here)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
from mcp import StdioServerParameters

from hireflix_sandbox.embedded import RunningSandbox

STARTUP_POLLS = 300
"""Readiness probes, each waiting at most 0.1 s for the process: ~30 s for a cold interpreter."""

MCP_HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
PING = {"jsonrpc": "2.0", "id": 1, "method": "ping"}


def clean_env(**extra: str) -> dict[str, str]:
    """This environment minus any HIREFLIX_* the developer has set (tests never touch a real account)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIREFLIX_")}
    env.update(extra)
    return env


def run_to_end(
    command: Sequence[str], *, cwd: Path, env: Mapping[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run `command` with stdin at end-of-file, its output captured as text, for at most 60 s; fails the
    test, with its stderr, unless it exits with 0."""
    done = subprocess.run(
        list(command),
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done


def server_env(sandbox: RunningSandbox, **extra: str) -> dict[str, str]:
    """The environment of a server using `sandbox` as its Hireflix: no HIREFLIX_* from outside."""
    return clean_env(**{"HIREFLIX_API_URL": sandbox.url, "HIREFLIX_API_KEY": sandbox.api_key, **extra})


def sandbox_over_stdio(module: str = "hireflix_mcp.cli") -> StdioServerParameters:
    """`python -m MODULE serve --sandbox` over stdio, with no HIREFLIX_* from outside."""
    return StdioServerParameters(
        command=sys.executable, args=["-m", module, "serve", "--sandbox"], env=clean_env()
    )


def initialize_request(client_name: str) -> dict[str, Any]:
    """A raw JSON-RPC `initialize` request, for tests that talk HTTP without an MCP client."""
    return {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": client_name, "version": "0"},
        },
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass(frozen=True)
class LoopbackServer:
    """A `hireflix-mcp serve --transport http` a test started, listening on loopback `port`."""

    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """The MCP endpoint."""
        return f"{self.base_url}/mcp"

    @property
    def webhook_url(self) -> str:
        """Where Hireflix posts its webhook events."""
        return f"{self.base_url}/webhooks/hireflix"


@dataclass(frozen=True)
class HttpServer(LoopbackServer):
    """A server run by `serve_http`, which appends its stderr to `stderr`."""

    stderr: Path


@dataclass(frozen=True)
class Replica(LoopbackServer):
    """One of the replicas of a deployment, by name."""

    name: str


def serve_command(port: int, *args: str) -> list[str]:
    """The command line of `hireflix-mcp serve --transport http` on loopback `port`."""
    return [
        sys.executable,
        "-m",
        "hireflix_mcp.cli",
        "serve",
        "--transport",
        "http",
        "--port",
        str(port),
        *args,
    ]


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminate `proc`, killing it if it has not exited within 10 s."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def wait_for_port(port: int, proc: subprocess.Popen[bytes], log: Path, timeout_s: float) -> None:
    """Return once `proc` accepts connections on loopback `port`; fail, with its log, if it exits first."""
    # Bounded: each attempt either connects or waits up to 0.1 s for the process to exit.
    for _ in range(int(timeout_s / 0.1)):
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=0.1)
        if proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode}:\n{log.read_text()}")
    raise AssertionError(f"server did not listen on {port} within {timeout_s} s:\n{log.read_text()}")


def wait_for_http(url: str, proc: subprocess.Popen[bytes], log: Path, polls: int = STARTUP_POLLS) -> None:
    """Return once `url` answers at all (any status); fail, with the log, if `proc` exits first."""
    with httpx2.Client(timeout=1.0, trust_env=False) as http:
        for _ in range(polls):
            try:
                http.get(url)
                return
            except httpx2.TransportError:
                if proc.poll() is not None:
                    raise AssertionError(f"server exited: {log.read_text()}") from None
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=0.1)
    raise AssertionError(f"{url} did not answer: {log.read_text()}")


@contextmanager
def serve_http(
    env: dict[str, str], stderr: Path, *args: str, port: int | None = None
) -> Iterator[HttpServer]:
    """Run `serve --transport http` on `port` (a free one by default) until the block ends.

    Its stderr is appended to `stderr`, so a server restarted on the same file keeps the earlier log.
    """
    port = free_port() if port is None else port
    with stderr.open("ab") as errors:
        proc = subprocess.Popen(serve_command(port, *args), env=env, stdout=subprocess.DEVNULL, stderr=errors)
        try:
            wait_for_http(f"http://127.0.0.1:{port}/health-probe", proc, stderr)
            yield HttpServer(port, stderr)
        finally:
            stop(proc)
