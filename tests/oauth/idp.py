"""A real OpenID provider on loopback (tests/oauth/provider.mjs, `oidc-provider` on the pinned Node 22),
and an in-process HTTP server in OAuth mode that trusts it. No tests here.

`running_idp()` starts the provider (two issuers sharing keys: `issuer`, and `other_issuer` for wrong-issuer
tokens) and stops it when the block ends. `Idp.token(...)` gets a JWT access token with client credentials;
`Idp.signed_in(...)` runs the authorization-code flow with PKCE through the provider's login and consent
pages. The container test reuses both.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import secrets
import subprocess
import tempfile
import threading
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlencode
from urllib.parse import urljoin
from urllib.parse import urlsplit

import httpx2
import uvicorn
from mcp.server import MCPServer
from pydantic import SecretStr

from hireflix_mcp.server import build_server
from hireflix_mcp.server import http_app
from hireflix_mcp.settings import Settings
from hireflix_mcp.tools.catalog import ALL_TOOLSETS
from hireflix_mcp.tools.catalog import Profile
from hireflix_sandbox.embedded import RunningSandbox
from tests.conformance.support import NODE
from tests.conformance.support import OIDC_PROVIDER
from tests.conformance.support import require_tools
from tests.serving import free_port

PROVIDER_SCRIPT = Path(__file__).with_name("provider.mjs")
REDIRECT_URI = "http://127.0.0.1/callback"
START_TIMEOUT = 20.0


@dataclass(frozen=True)
class Idp:
    issuer: str
    other_issuer: str
    """A second issuer with the same signing keys: its tokens are well signed, for the wrong `iss`."""
    http: httpx2.Client

    def token(self, client: str, scope: str, resource: str, *, issuer: str | None = None) -> str:
        """A JWT access token for `resource` by client credentials (client `reader`, `writer`, ...)."""
        response = self.http.post(
            f"{issuer or self.issuer}/token",
            data={"grant_type": "client_credentials", "scope": scope, "resource": resource},
            auth=(client, f"{client}-secret"),
        )
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token

    @contextlib.contextmanager
    def rotated(self) -> Iterator[str]:
        """A new signing key published and signing until the block ends (then the first key signs
        again, so servers of other tests keep their cached key); yields its `kid`."""
        kid: str = self._control("POST", "/test/rotate")["kid"]
        try:
            yield kid
        finally:
            self._control("POST", "/test/rotate?back=1")

    def jwks_served(self) -> int:
        """How many JWKS documents the first issuer has served."""
        served: int = self._control("GET", "/test/stats")["jwks"]
        return served

    @contextlib.contextmanager
    def clock_shifted(self, seconds: int) -> Iterator[None]:
        """The provider's clock moved by `seconds` (negative: tokens issued in the past)."""
        self._control("POST", f"/test/clock?offset={seconds}")
        try:
            yield
        finally:
            self._control("POST", "/test/clock?offset=0")

    def signed_in(self, login: str, scope: str, resource: str) -> str:
        """An access token for person `login` through the authorization-code flow with PKCE (public
        client `desktop`): the authorization request, the login and consent forms, the code exchange."""
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        query = {
            "client_id": "desktop",
            "response_type": "code",
            "redirect_uri": REDIRECT_URI,
            "scope": f"openid {scope}",
            "resource": resource,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "state": secrets.token_urlsafe(8),
        }
        callback = self.authorize(f"{self.issuer}/auth?{urlencode(query)}", login)
        assert callback.get("state") == [query["state"]], callback
        with httpx2.Client(timeout=10, trust_env=False) as browser:
            exchanged = browser.post(
                f"{self.issuer}/token",
                data={
                    "grant_type": "authorization_code",
                    "client_id": "desktop",
                    "code": callback["code"][0],
                    "code_verifier": verifier,
                    "redirect_uri": REDIRECT_URI,
                    "resource": resource,
                },
            )
        assert exchanged.status_code == 200, exchanged.text
        token: str = exchanged.json()["access_token"]
        return token

    def authorize(self, authorization_url: str, login: str) -> dict[str, list[str]]:
        """What a person does in the browser: open the authorization URL, sign in as `login` on the
        provider's development login page, consent; the query the provider redirects back with."""
        with httpx2.Client(timeout=10, follow_redirects=False, trust_env=False) as browser:
            response = browser.get(authorization_url)
            for form in ({"prompt": "login", "login": login, "password": "any"}, {"prompt": "consent"}):
                response = _follow(browser, response, stop_at="/interaction/")
                response = browser.post(str(response.url), data=form)
            response = _follow(browser, response, stop_at=REDIRECT_URI)
        return parse_qs(urlsplit(response.headers["location"]).query)

    def _control(self, method: str, path: str) -> dict[str, Any]:
        response = self.http.request(method, f"{self.issuer}{path}")
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body


def _follow(browser: httpx2.Client, response: httpx2.Response, *, stop_at: str) -> httpx2.Response:
    """Follow redirects until a page under `stop_at` is fetched (or a redirect to `stop_at`, not fetched)."""
    for _ in range(10):
        if response.status_code not in (302, 303):
            assert stop_at in str(response.url), (response.status_code, response.url, response.text[:300])
            return response
        location = urljoin(str(response.url), response.headers["location"])
        if location.startswith(stop_at):
            return response
        response = browser.get(location)
    raise AssertionError(f"too many redirects before {stop_at}")


@contextlib.contextmanager
def running_idp() -> Iterator[Idp]:
    """The provider on loopback until the block ends (skipped locally, failed in CI, without .tools)."""
    require_tools(OIDC_PROVIDER)
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [str(NODE), str(PROVIDER_SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            env={"PATH": str(NODE.parent), "OIDC_PROVIDER_DIR": str(OIDC_PROVIDER.parents[1])},
        )
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()  # the provider's one line, or EOF when it exits
            if not line:
                proc.wait(timeout=START_TIMEOUT)
                log.seek(0)
                raise AssertionError(f"the provider exited with {proc.returncode}: {log.read().decode()}")
            ready = json.loads(line)
            with httpx2.Client(timeout=10, trust_env=False) as http:
                yield Idp(issuer=ready["issuer"], other_issuer=ready["other_issuer"], http=http)
        finally:
            assert proc.stdin is not None
            assert proc.stdout is not None
            proc.stdin.close()  # the provider exits when its stdin closes
            proc.stdout.close()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


# ------------------------------------------------------------------------------ server under test


@dataclass(frozen=True)
class OAuthServer:
    url: str
    """The MCP endpoint, which is also the resource tokens are issued for."""
    public_url: str


@contextlib.contextmanager
def oauth_server(
    sandbox: RunningSandbox,
    idp: Idp,
    *,
    customize: Callable[[MCPServer[Any]], None] | None = None,
    **overrides: Any,
) -> Iterator[OAuthServer]:
    """This server over HTTP in OAuth mode (all toolsets), in this process, on a free loopback port;
    `customize` may add to the built server (a probe tool) before it serves."""
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    settings = Settings(
        api_url=sandbox.url,
        api_key=SecretStr(sandbox.api_key),
        oauth_issuer=idp.issuer,
        public_url=public,
        **overrides,
    )
    built = build_server(settings, Profile(toolsets=ALL_TOOLSETS))
    if customize is not None:
        customize(built)
    app = http_app(built, settings, host="127.0.0.1", port=port)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(int(START_TIMEOUT / 0.05)):
            if server.started or not thread.is_alive():
                break
            thread.join(timeout=0.05)
        assert server.started, "the server did not start"
        yield OAuthServer(url=f"{public}/mcp", public_url=public)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
