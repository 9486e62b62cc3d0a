"""Attacks through the logs: secrets and candidates' contact details written where operators read.

No confirmation token, API key (raw, URL-encoded or inside base64), bearer token or other named secret
appears in the server's logs at any level, DEBUG included, and candidate e-mail addresses and phone
numbers are masked there. Redaction works on patterns (`hireflix_mcp.logs`), not on one exact string.
"""

from __future__ import annotations

import base64
import io
import logging
from pathlib import Path
from urllib.parse import quote

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from hireflix_sandbox.embedded import RunningSandbox
from tests.conftest import CANARY_API_KEY
from tests.serving import serve_http
from tests.serving import server_env
from tests.tools.conftest import data

BEARER = "bearer-for-the-log-attack-0123456789abcdef"
EMAIL = "log.target+jobs@candidates.example"
PHONE = "+14155550187"
KEY = "hfx_live_Zq9+/logs=key&x"
"""A key to write into log lines in this process (the canary would fail the suite's own log check)."""


@pytest.mark.anyio
async def test_a_debug_log_shows_no_token_key_or_bearer_and_masks_contact_details(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    env = server_env(
        sandbox, HIREFLIX_MCP_LOG_LEVEL="DEBUG", HIREFLIX_MCP_CONFIRM="token", HIREFLIX_MCP_AUTH_TOKEN=BEARER
    )
    record = next(r for r in sandbox.store.all_interviews() if r.completed)
    tokens: list[str] = []
    with serve_http(env, tmp_path / "stderr.log") as server, anyio.fail_after(60):
        async with (
            httpx2.AsyncClient(headers={"authorization": f"Bearer {BEARER}"}, timeout=10) as http,
            Client(streamable_http_client(server.url, http_client=http), mode="legacy") as client,
        ):
            invited = data(
                await client.call_tool(
                    "invite_candidate",
                    {"position_id": record.position_id, "email": EMAIL, "first_name": "Lou", "phone": PHONE},
                )
            )
            assert invited["interview"]
            data(await client.call_tool("find_candidate", {"query": EMAIL}))
            asked = data(await client.call_tool("delete_interview", {"interview_id": record.id}))
            tokens.append(asked["confirmation_token"])
            arguments = {"interview_id": record.id, "confirmation_token": tokens[0]}
            assert data(await client.call_tool("delete_interview", arguments))["status"] == "done"
    log = server.stderr.read_text()
    assert " DEBUG " in log  # it did log at DEBUG,
    assert "confirmation_required" in log  # and about the very results that carried these values
    for secret in (tokens[0], CANARY_API_KEY, BEARER):
        assert secret not in log
    for secret in (tokens[0], BEARER):
        assert secret[:24] not in log, "a prefix long enough to identify it leaked"
    assert EMAIL not in log
    assert PHONE not in log
    assert "l***@candidates.example" in log  # masked, not dropped: the operator sees that one was there


def test_a_key_in_a_log_line_is_removed_raw_url_encoded_and_in_base64() -> None:
    from hireflix_mcp.logs import RedactingFormatter
    from hireflix_mcp.logs import Redactor

    redactor = Redactor()
    redactor.protect(KEY)
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(RedactingFormatter("%(levelname)s %(message)s", redactor))
    logger = logging.getLogger("tests.security.logs")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.debug("sent %s", {"headers": {"X-API-KEY": KEY}})
        logger.debug("url https://api.example/me?key=%s", quote(KEY, safe=""))
        logger.debug("basic auth %s", base64.b64encode(f"user:{KEY}".encode()).decode())
        logger.debug("blob %s", base64.b64encode(b"xy" + KEY.encode() + b"tail").decode())
        logger.debug('{"api_key": "unregistered-key-123", "client_secret": "s3cr3t-value"}')
        logger.debug("Authorization: Bearer some.jwt.value and token=abcdef123456")
        logger.debug("candidate jane.doe@example.com, phone +34612345678, 'phone': '0612345678'")
        try:
            raise RuntimeError(f"upstream refused key {KEY}")
        except RuntimeError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    text = out.getvalue()
    b64 = base64.b64encode(KEY.encode()).decode()
    for leaked in (KEY, quote(KEY, safe=""), b64[4:-4], "unregistered-key-123", "s3cr3t-value"):
        assert leaked not in text
    assert "some.jwt.value" not in text
    assert "abcdef123456" not in text
    assert "jane.doe@example.com" not in text
    assert "j***@example.com" in text
    assert "+34612345678" not in text
    assert "+*********78" in text
    assert "0612345678" not in text
    assert "Traceback" in text  # the traceback is kept, with the key taken out
