"""Attacks through the logs on the webhook secret: whoever reads the logs must not be able to sign events.

At every level, DEBUG included, neither the server nor the sandbox writes the webhook secret (raw,
URL-encoded or inside base64) into a log line: not while verifying a delivery, not when refusing a
forged one, not when a sender puts the secret itself where the signature goes.
"""

from __future__ import annotations

import base64
import logging
from pathlib import Path
from urllib.parse import quote

import anyio
import httpx2
import pytest
from mcp import Client

from hireflix_mcp.settings import WEBHOOK_RECEIVER_PATH
from hireflix_sandbox.embedded import running_sandbox
from hireflix_sandbox.webhooks import SIGNATURE_HEADER
from tests.conftest import CANARY_API_KEY
from tests.serving import serve_http
from tests.serving import server_env
from tests.tools.conftest import data

pytestmark = pytest.mark.anyio

WEBHOOK_SECRET = "whsec_canary+/webhook=secret&0123456789abcdef"


def _forms(secret: str) -> set[str]:
    encoded = base64.b64encode(secret.encode()).decode()
    return {secret, quote(secret, safe=""), encoded.rstrip("=")[:-2]}


async def test_a_debug_log_never_shows_the_webhook_secret(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with running_sandbox(api_key=CANARY_API_KEY, webhook_secret=WEBHOOK_SECRET) as sandbox:
        env = server_env(
            sandbox,
            HIREFLIX_WEBHOOK_SECRET=WEBHOOK_SECRET,
            HIREFLIX_MCP_LOG_LEVEL="DEBUG",
            HIREFLIX_MCP_CONFIRM="token",
            HIREFLIX_MCP_STATE_DB=str(tmp_path / "state.db"),
        )
        pending = next(i for i in sandbox.store.all_interviews() if not i.completed)
        with serve_http(env, tmp_path / "stderr.log", "--toolsets", "all") as server, anyio.fail_after(60):
            receiver = f"http://127.0.0.1:{server.port}{WEBHOOK_RECEIVER_PATH}"
            async with Client(server.url, mode="legacy") as client:
                args = {"url": receiver, "events": ["interview.finish"]}
                asked = data(await client.call_tool("create_webhook", args))
                if "confirmation_token" in asked:
                    token = {"confirmation_token": asked["confirmation_token"]}
                    data(await client.call_tool("create_webhook", {**args, **token}))
                await anyio.to_thread.run_sync(sandbox.complete_interview, pending.id)
                deliveries = await anyio.to_thread.run_sync(sandbox.drain_webhooks)
                async with httpx2.AsyncClient(timeout=10, trust_env=False) as http:
                    forged = await http.post(receiver, content=b"{}", headers={SIGNATURE_HEADER: "Zm9yZ2Vk"})
                    brazen = await http.post(
                        receiver, content=b"{}", headers={SIGNATURE_HEADER: WEBHOOK_SECRET}
                    )
                listed = data(await client.call_tool("list_webhook_events", {"since": "2000-01-01"}))
    assert [d["status_code"] for d in deliveries if d["url"] == receiver] == [200]
    assert (forged.status_code, brazen.status_code) == (401, 401)
    assert [e["interview_id"] for e in listed["events"]] == [pending.id]
    written = (tmp_path / "stderr.log").read_text() + "\n".join(r.getMessage() for r in caplog.records)
    assert "DEBUG" in written, "the server logged at DEBUG"
    assert [form for form in _forms(WEBHOOK_SECRET) if form in written] == []
