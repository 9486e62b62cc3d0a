"""Attacks with a sandbox secret that anyone who has read the code knows.

A sandbox's webhook secret is random, made when its database is created and kept there (before, it was
`whsec_` plus a hash of a fixed string and the seed, so anyone could sign events that
`serve --sandbox --transport http` stored as verified). The sandbox `serve --sandbox` embeds also gets a
random API key: nobody types it. Explicit settings still win, and the standalone sandbox keeps its
documented key (`sandbox-api-key`) only while bound to loopback.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx2
import pytest

from hireflix_mcp import cli
from hireflix_mcp.settings import WEBHOOK_RECEIVER_PATH
from hireflix_sandbox import app as sandbox_app
from hireflix_sandbox.app import SandboxConfig
from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.embedded import running_sandbox
from hireflix_sandbox.webhooks import SIGNATURE_HEADER
from hireflix_sandbox.webhooks import encode_event
from hireflix_sandbox.webhooks import sign
from tests.serving import clean_env
from tests.serving import serve_http

POSITIONS = {"query": "query ListPositions { positions { id name } }"}
DOCUMENTED_API_KEY = "sandbox-api-key"
"""The key README and `hireflix-mcp sandbox --help` give: anyone can type it."""


def _derivable_secret(seed: int) -> str:
    """The secret every sandbox of this seed used to sign with: public, since the code is."""
    return "whsec_" + hashlib.sha256(f"hireflix-sandbox-webhook:{seed}".encode()).hexdigest()[:40]


def test_an_event_signed_with_a_secret_read_in_the_code_is_refused(tmp_path: Path) -> None:
    forged = encode_event(
        "interview.finish", {"id": "a" * 24, "candidate": {"name": "Nobody"}}, 1_750_000_000_000
    )
    signed = {SIGNATURE_HEADER: sign(_derivable_secret(1), forged), "content-type": "application/json"}
    with (
        serve_http(clean_env(), tmp_path / "stderr.log", "--sandbox") as server,
        httpx2.Client(timeout=10, trust_env=False) as http,
    ):
        answer = http.post(
            f"http://127.0.0.1:{server.port}{WEBHOOK_RECEIVER_PATH}", content=forged, headers=signed
        )
    assert answer.status_code == 401


def test_no_two_sandboxes_share_a_key_or_a_webhook_secret(tmp_path: Path) -> None:
    with running_sandbox() as first, running_sandbox() as second:
        keys = {first.api_key, second.api_key}
        secrets = {first.runtime.webhook_secret, second.runtime.webhook_secret}
        assert first.graphql(POSITIONS["query"]).get("errors") is None
    assert len(keys) == 2
    assert DOCUMENTED_API_KEY not in keys
    assert len(secrets) == 2
    assert _derivable_secret(1) not in secrets
    # Kept with its database: a sandbox reopened on the same file signs as before.
    db = str(tmp_path / "sandbox.db")
    with running_sandbox(db_path=db) as created:
        kept = created.runtime.webhook_secret
    with running_sandbox(db_path=db) as reopened:
        assert reopened.runtime.webhook_secret == kept
    # Explicit settings win: HIREFLIX_WEBHOOK_SECRET reaches the sandbox `serve --sandbox` embeds.
    with cli._sandbox_backend(":memory:", "whsec_given_by_the_operator") as (_url, key, secret):
        assert secret == "whsec_given_by_the_operator"
        assert key != DOCUMENTED_API_KEY


def _started_by_main(monkeypatch: pytest.MonkeyPatch, *argv: str) -> SandboxConfig:
    """The configuration `hireflix-mcp sandbox <argv>` starts a sandbox with (no key given)."""
    started: list[SandboxConfig] = []
    monkeypatch.delenv("HIREFLIX_SANDBOX_API_KEY", raising=False)
    monkeypatch.setattr(sandbox_app, "run", lambda config, **_where: started.append(config))
    assert sandbox_app.main(list(argv)) == 0
    return started[0]


def _authenticated(sandbox: RunningSandbox, key: str) -> bool:
    with httpx2.Client(timeout=10, trust_env=False) as http:
        answer = http.post(sandbox.url, json=POSITIONS, headers={"x-api-key": key}).json()
    return answer.get("errors") is None


def test_off_loopback_the_standalone_sandbox_does_not_take_the_documented_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    exposed = _started_by_main(monkeypatch, "--host", "0.0.0.0")  # noqa: S104 - the attack
    with running_sandbox(exposed) as sandbox:
        assert sandbox.api_key != DOCUMENTED_API_KEY
        assert not _authenticated(sandbox, DOCUMENTED_API_KEY)
        assert _authenticated(sandbox, sandbox.api_key)
    loopback = _started_by_main(monkeypatch, "--host", "127.0.0.1")
    with running_sandbox(loopback) as sandbox:
        assert _authenticated(sandbox, DOCUMENTED_API_KEY)
    given = _started_by_main(monkeypatch, "--host", "0.0.0.0", "--api-key", "chosen-by-the-operator")  # noqa: S104
    assert given.api_key == "chosen-by-the-operator"
