"""`hireflix-mcp serve` as a real subprocess, for the transport and reliability tests (no tests here)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2

from hireflix_sandbox.embedded import RunningSandbox

STARTUP_POLLS = 300
"""Readiness probes, each waiting at most 0.1 s for the process: ~30 s for a cold interpreter."""

MCP_HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
PING = {"jsonrpc": "2.0", "id": 1, "method": "ping"}


def server_env(sandbox: RunningSandbox, **extra: str) -> dict[str, str]:
    """The environment of a server using `sandbox` as its Hireflix: no HIREFLIX_* from outside."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIREFLIX_")}
    env.update({"HIREFLIX_API_URL": sandbox.url, "HIREFLIX_API_KEY": sandbox.api_key, **extra})
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass(frozen=True)
class HttpServer:
    url: str
    """The MCP endpoint, reached over loopback."""
    port: int
    stderr: Path


@contextmanager
def serve_http(env: dict[str, str], stderr: Path, *args: str) -> Iterator[HttpServer]:
    """Run `serve --transport http` on a free port until the block ends; its stderr goes to `stderr`."""
    port = free_port()
    cmd = [
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
    with stderr.open("wb") as errors:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        try:
            with httpx2.Client(timeout=1.0, trust_env=False) as http:
                for _ in range(STARTUP_POLLS):
                    try:
                        http.get(f"http://127.0.0.1:{port}/health-probe")
                        break
                    except httpx2.TransportError:
                        if proc.poll() is not None:
                            raise AssertionError(f"serve exited: {stderr.read_text()}") from None
                        with contextlib.suppress(subprocess.TimeoutExpired):
                            proc.wait(timeout=0.1)
                else:
                    raise AssertionError(f"serve did not answer on port {port}")
            yield HttpServer(f"http://127.0.0.1:{port}/mcp", port, stderr)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
