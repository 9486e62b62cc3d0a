"""Attacks on the webhook receiver by senders that never finish, or come all at once.

The receiver is open to the network (Hireflix cannot send the bearer token), so a stranger can start
as many deliveries as they like. It reads a body within a time limit (`BODY_READ_SECONDS`, 10 s; then
408 and the connection is closed) and only so many bodies at once (`MAX_CONCURRENT_READS`; past it,
503 with Retry-After and the connection closed): slow senders cannot hold connections, or the memory of
their half-sent bodies, for long or in numbers. Before, 200 slow senders were each held open for as
long as they liked, holding about 80 MB.
"""

from __future__ import annotations

import socket
from pathlib import Path

import anyio
import pytest

from hireflix_mcp import webhooks
from hireflix_mcp.settings import WEBHOOK_RECEIVER_PATH
from hireflix_sandbox.embedded import RunningSandbox
from tests.security.test_webhook_events import _event
from tests.security.test_webhook_events import post_signed
from tests.security.test_webhook_events import receiving

pytestmark = pytest.mark.anyio

READ_SECONDS = 0.5
MOST_READS = 4
SLOW_SENDERS = 12


def _start_slow_delivery(url: str) -> socket.socket:
    """A delivery that announces 200 KB of body and sends one byte of it."""
    host, port = url.removeprefix("http://").split("/", 1)[0].split(":")
    sock = socket.create_connection((host, int(port)), timeout=5)
    sock.sendall(
        f"POST {WEBHOOK_RECEIVER_PATH} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        "Content-Type: application/json\r\nContent-Length: 200000\r\n\r\n{".encode()
    )
    return sock


def _answer_then_close(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (a 5 s silence fails the test)."""
    received = b""
    with sock:
        while chunk := sock.recv(65536):
            received += chunk
    return received


async def test_slow_senders_are_cut_off_and_cannot_hold_more_than_a_few_connections(
    sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert webhooks.BODY_READ_SECONDS <= 10, "the limit this test shortens"
    monkeypatch.setattr(webhooks, "BODY_READ_SECONDS", READ_SECONDS)
    monkeypatch.setattr(webhooks, "MAX_CONCURRENT_READS", MOST_READS)
    async with receiving(sandbox, str(tmp_path / "state.db")) as (url, _client):
        with anyio.fail_after(30):
            senders = [_start_slow_delivery(url) for _ in range(SLOW_SENDERS)]
            answers = [await anyio.to_thread.run_sync(_answer_then_close, s) for s in senders]
            honest = await post_signed(url, _event(id="a" * 24))
    statuses = sorted(answer.split(b" ", 2)[1].decode() for answer in answers)
    assert statuses == ["408"] * MOST_READS + ["503"] * (SLOW_SENDERS - MOST_READS), answers
    assert all(b"connection: close" in answer.lower() for answer in answers)
    assert all(b"retry-after: 1" in answer.lower() for answer in answers if b" 503 " in answer)
    assert honest.status_code == 200, "an honest delivery still gets in afterwards"
