"""OAuth settings, the scope rules, and the JWT checks no provider would issue a token for (no Node here).

The server's own refusals are tested in process: the HTTP gate refuses first (test_oauth_http.py), and
these are what stands behind it for any path that reaches a handler.
"""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import SecretStr
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from hireflix_mcp import scopes
from hireflix_mcp.identity import Caller
from hireflix_mcp.identity import caller_scope
from hireflix_mcp.oauth import IssuerKeys
from hireflix_mcp.oauth import JwtVerifier
from hireflix_mcp.oauth import _Key
from hireflix_mcp.oauth import token_scopes
from hireflix_mcp.server import http_app
from hireflix_mcp.settings import Settings
from hireflix_mcp.settings import describe_invalid
from hireflix_mcp.tools.catalog import ALL_TOOLSETS
from hireflix_mcp.tools.catalog import TOOLS
from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.embedded import serving
from tests.serving import free_port
from tests.tools.conftest import call_error
from tests.tools.conftest import connect

ISSUER = "https://id.example.com"
RESOURCE = "https://mcp.example.com/mcp"


def invalid(**values: Any) -> list[str]:
    with pytest.raises(ValidationError) as raised:
        Settings.from_env({}, **values)
    return describe_invalid(raised.value)


def test_the_static_token_and_the_issuer_are_exclusive_and_the_error_names_both() -> None:
    lines = invalid(auth_token="t", oauth_issuer=ISSUER, public_url="https://mcp.example.com")
    assert lines == [
        "HIREFLIX_MCP_AUTH_TOKEN and HIREFLIX_MCP_OAUTH_ISSUER are exclusive: set the token for a one-person "
        "server, or the issuer for sign-in per person, not both"
    ]


def test_the_issuer_needs_the_public_url_and_must_be_https_off_loopback() -> None:
    assert "needs HIREFLIX_MCP_PUBLIC_URL" in invalid(oauth_issuer=ISSUER)[0]
    lines = invalid(oauth_issuer="http://id.example.com", public_url="https://mcp.example.com")
    assert lines == [
        "HIREFLIX_MCP_OAUTH_ISSUER='http://id.example.com' is invalid: expected an https URL (http only on "
        "loopback), exactly as tokens name it in `iss`"
    ]


def test_the_audience_defaults_to_the_public_mcp_url_and_the_issuer_keeps_its_spelling() -> None:
    env = {
        "HIREFLIX_MCP_OAUTH_ISSUER": "https://tenant.auth.example/",
        "HIREFLIX_MCP_PUBLIC_URL": "https://m.x/",
    }
    settings = Settings.from_env(env)
    assert settings.oauth_issuer == "https://tenant.auth.example/"  # as tokens write `iss`, slash included
    assert settings.oauth_resource == "https://m.x/mcp"
    assert settings.oauth_audience is None
    assert Settings.from_env({**env, "HIREFLIX_MCP_OAUTH_AUDIENCE": "api://hireflix"}).oauth_audience == (
        "api://hireflix"
    )


def test_oauth_mode_may_bind_beyond_loopback_without_the_static_token() -> None:
    from hireflix_mcp.server import build_server

    settings = Settings(oauth_issuer=ISSUER, public_url="https://mcp.example.com")
    app = http_app(build_server(settings), settings, host="0.0.0.0", port=8000)  # noqa: S104
    assert app is not None
    with pytest.raises(ValueError, match="HIREFLIX_MCP_OAUTH_ISSUER"):
        http_app(build_server(Settings()), Settings(), host="0.0.0.0", port=8000)  # noqa: S104


def test_each_scope_includes_the_lower_ones_and_admin_owns_account_and_webhooks() -> None:
    needed = {spec.name: scopes.tool_scope(spec.toolset, spec.kind) for spec in TOOLS}
    assert {name for name, scope in needed.items() if scope == scopes.ADMIN} == {
        spec.name for spec in TOOLS if spec.toolset in ("account", "webhooks")
    }
    assert all(spec.read_only for spec in TOOLS if needed[spec.name] == scopes.READ)
    assert scopes.granted({"hireflix:admin"}, scopes.READ)
    assert scopes.granted({"hireflix:write"}, scopes.READ)
    assert not scopes.granted({"hireflix:write"}, scopes.ADMIN)
    assert not scopes.granted({"openid", "hireflix:reader"}, scopes.READ)
    assert scopes.granted(None, scopes.ADMIN)  # stdio and the static token: one person, everything


def test_scopes_are_read_from_scope_or_scp() -> None:
    assert token_scopes({"scope": "hireflix:read openid"}) == ["hireflix:read", "openid"]
    assert token_scopes({"scp": ["hireflix:write"]}) == ["hireflix:write"]
    assert token_scopes({}) == []


@pytest.mark.anyio
async def test_in_process_a_reader_sees_read_tools_and_a_write_call_names_the_scope(
    sandbox: RunningSandbox,
) -> None:
    reader = Caller(sub="r", scopes=frozenset({"hireflix:read"}))
    interview = next(r for r in sandbox.store.all_interviews() if r.completed)
    with caller_scope(reader):
        async with connect(sandbox, toolsets=ALL_TOOLSETS, webhook_secret=SecretStr("whsec")) as client:
            listed = (await client.list_tools()).tools
            resources = {str(r.uri) for r in (await client.list_resources()).resources}
            refused = await call_error(client, "score_interview", {"interview_id": interview.id, "score": 4})
    assert listed
    assert all(tool.annotations and tool.annotations.read_only_hint for tool in listed)
    assert not {tool.name for tool in listed} & {"list_members", "list_webhooks"}
    assert "hireflix://events" not in resources
    assert "score_interview needs the hireflix:write scope; your sign-in has hireflix:read" in refused


# ---------------------------------------------------------------------------- JWT checks, in process


class _FixedKeys(IssuerKeys):
    def __init__(self, public: Any, alg: str | None = "ES256") -> None:
        super().__init__(ISSUER)
        self._public = jwt.PyJWK(json.loads(jwt.algorithms.ECAlgorithm.to_jwk(public)))
        self._alg = alg

    async def key_for(self, kid: str | None) -> _Key | None:
        return _Key(self._public, self._alg) if kid == "k" else None


@pytest.fixture
def signer() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _verifier(signer: ec.EllipticCurvePrivateKey, alg: str | None = "ES256") -> JwtVerifier:
    return JwtVerifier(ISSUER, RESOURCE, RESOURCE, _FixedKeys(signer.public_key(), alg))


def _claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": RESOURCE, "sub": "s", "exp": now + 60, "scope": "hireflix:read"}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


@pytest.mark.anyio
async def test_leeway_is_small_and_exp_nbf_sub_are_checked(signer: ec.EllipticCurvePrivateKey) -> None:
    verifier = _verifier(signer)
    now = int(time.time())

    async def accepted(**changes: Any) -> bool:
        token = jwt.encode(_claims(**changes), signer, "ES256", headers={"kid": "k"})
        return await verifier.verify_token(token) is not None

    assert await accepted()
    assert await accepted(exp=now - 10)  # within the leeway of clock skew
    assert not await accepted(exp=now - 120)
    assert await accepted(nbf=now + 10)
    assert not await accepted(nbf=now + 120)
    assert not await accepted(sub=None)
    assert not await accepted(exp=None)
    assert not await accepted(aud=["https://other.example/mcp"])
    assert await accepted(aud=["https://other.example/mcp", RESOURCE])


@pytest.mark.anyio
async def test_a_token_must_use_the_algorithm_its_key_names(signer: ec.EllipticCurvePrivateKey) -> None:
    token = jwt.encode(_claims(), signer, "ES256", headers={"kid": "k"})
    assert await _verifier(signer, alg="ES384").verify_token(token) is None
    hmac = jwt.encode(_claims(), "s" * 32, "HS256", headers={"kid": "k"})
    assert await _verifier(signer).verify_token(hmac) is None


def _issuer_app(signer: ec.EllipticCurvePrivateKey) -> Starlette:
    """An issuer with RFC 8414 metadata only (no OpenID configuration) and one ES256 key."""
    public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(signer.public_key()))

    async def metadata(request: Request) -> JSONResponse:
        base = str(request.base_url).rstrip("/")
        return JSONResponse({"issuer": base, "jwks_uri": f"{base}/keys"})

    async def keys(_request: Request) -> JSONResponse:
        return JSONResponse({"keys": [{**public, "kid": "k", "alg": "ES256", "use": "sig"}]})

    return Starlette(
        routes=[Route("/.well-known/oauth-authorization-server", metadata), Route("/keys", keys)]
    )


@pytest.mark.anyio
async def test_keys_are_found_through_rfc_8414_metadata_and_an_unreachable_issuer_means_401(
    signer: ec.EllipticCurvePrivateKey, caplog: pytest.LogCaptureFixture
) -> None:
    with serving(_issuer_app(signer)) as (issuer, _server):
        verifier = JwtVerifier(issuer, RESOURCE, RESOURCE)
        token = jwt.encode(_claims(iss=issuer), signer, "ES256", headers={"kid": "k"})
        found = await verifier.verify_token(token)
    nowhere = f"http://127.0.0.1:{free_port()}"
    lost = await JwtVerifier(nowhere, RESOURCE, RESOURCE).verify_token(
        jwt.encode(_claims(iss=nowhere), signer, "ES256", headers={"kid": "k"})
    )
    assert found is not None
    assert (found.subject, found.scopes) == ("s", ["hireflix:read"])
    assert lost is None
    assert f"could not fetch the signing keys of {nowhere}" in caplog.text
