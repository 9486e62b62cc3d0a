"""OAuth mode over HTTP against a real OpenID provider: metadata, refusals, scopes, the person in handlers.

Tokens come from `oidc-provider` on loopback (client credentials, and once the authorization-code flow
with PKCE); the MCP calls go through the SDK's real client over HTTP.
"""

from __future__ import annotations

import base64
import time
from collections.abc import AsyncIterator
from collections.abc import Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import anyio
import httpx2
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from mcp import Client
from mcp.client.auth import AuthorizationCodeResult
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.server import MCPServer
from mcp.shared.auth import OAuthClientInformationFull
from mcp.shared.auth import OAuthClientMetadata
from mcp.shared.auth import OAuthToken
from mcp.shared.exceptions import MCPError
from pydantic import AnyUrl
from pydantic import SecretStr

from hireflix_mcp import oauth
from hireflix_mcp.identity import current_caller
from hireflix_mcp.server import build_server
from hireflix_mcp.settings import Settings
from hireflix_mcp.tools.catalog import ALL_TOOLSETS
from hireflix_mcp.tools.catalog import Profile
from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.embedded import running_sandbox
from hireflix_sandbox.embedded import serving
from tests.conftest import CANARY_API_KEY
from tests.oauth.idp import REDIRECT_URI
from tests.oauth.idp import Idp
from tests.oauth.idp import OAuthServer
from tests.oauth.idp import oauth_server
from tests.serving import MCP_HEADERS
from tests.serving import initialize_request
from tests.tools.conftest import data

pytestmark = pytest.mark.anyio

INITIALIZE = initialize_request("oauth-tests")
ALL = "hireflix:read hireflix:write hireflix:admin"
FLOOD = 12
UNSIGNED_HEADER = base64.urlsafe_b64encode(b'{"alg":"none"}').decode().rstrip("=")


def _whoami(server: MCPServer[Any]) -> None:
    """A probe tool: the person the server's tool handlers see (added by the test, not in the catalogue)."""

    async def whoami() -> dict[str, Any]:
        caller = current_caller()
        scopes = sorted(caller.scopes or [])
        return {"sub": caller.sub, "email": caller.email, "name": caller.name, "scopes": scopes}

    server.add_tool(whoami, name="whoami")


@dataclass(frozen=True)
class Served:
    sandbox: RunningSandbox
    server: OAuthServer


@pytest.fixture(scope="module")
def forger() -> rsa.RSAPrivateKey:
    """A key of nobody's: what a forger signs with."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def served(idp: Idp) -> Iterator[Served]:
    """One sandbox and one server in OAuth mode (webhooks on, the `whoami` probe) for the tests that
    only read or are refused; a test that needs its own JWKS cache starts its own server."""
    with (
        running_sandbox(api_key=CANARY_API_KEY) as sandbox,
        oauth_server(sandbox, idp, customize=_whoami, webhook_secret=SecretStr("whsec-for-tests")) as server,
    ):
        yield Served(sandbox, server)


@asynccontextmanager
async def signed_in(url: str, token: str, mode: str = "legacy") -> AsyncIterator[Client]:
    async with (
        httpx2.AsyncClient(headers={"authorization": f"Bearer {token}"}, timeout=10) as http,
        Client(streamable_http_client(url, http_client=http), mode=mode) as client,
    ):
        yield client


@pytest.fixture
async def http() -> AsyncIterator[httpx2.AsyncClient]:
    """One plain HTTP client per test (making one costs ~0.1 s on a busy machine)."""
    async with httpx2.AsyncClient(timeout=10, trust_env=False) as client:
        yield client


async def post(
    http: httpx2.AsyncClient, url: str, body: dict[str, Any], token: str | None
) -> httpx2.Response:
    """POST a JSON-RPC message to `url`, with `token` as the bearer if given."""
    headers = {**MCP_HEADERS, **({"authorization": f"Bearer {token}"} if token else {})}
    return await http.post(url, json=body, headers=headers)


def challenge(response: httpx2.Response) -> dict[str, str]:
    """The parameters of a `WWW-Authenticate: Bearer k="v", ...` header."""
    scheme, _, rest = response.headers["www-authenticate"].partition(" ")
    assert scheme == "Bearer"
    params: dict[str, str] = {}
    for part in rest.split('", '):
        key, _, value = part.partition("=")
        params[key.strip()] = value.strip().strip('"')
    return params


async def test_metadata_at_both_well_known_paths_names_the_issuer_resource_and_scopes(
    served: Served, idp: Idp, http: httpx2.AsyncClient
) -> None:
    server = served.server
    documents = [
        (await http.get(f"{server.public_url}{path}")).json()
        for path in ("/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp")
    ]
    for document in documents:
        assert document["resource"] == server.url
        assert document["authorization_servers"] == [idp.issuer]
        assert document["scopes_supported"] == ["hireflix:read", "hireflix:write", "hireflix:admin"]
        assert document["bearer_methods_supported"] == ["header"]


async def test_without_a_token_the_answer_is_401_pointing_at_the_metadata(
    served: Served, idp: Idp, http: httpx2.AsyncClient
) -> None:
    server = served.server
    refused = await post(http, server.url, INITIALIZE, None)
    health = await http.get(f"{server.public_url}/healthz")
    assert refused.status_code == 401
    assert (
        challenge(refused)["resource_metadata"]
        == f"{server.public_url}/.well-known/oauth-protected-resource/mcp"
    )
    assert health.status_code == 200  # the health route stays open for load balancers


async def test_expired_foreign_audience_foreign_issuer_forged_and_garbled_tokens_get_401(
    served: Served, idp: Idp, forger: rsa.RSAPrivateKey, http: httpx2.AsyncClient
) -> None:
    server = served.server
    good = idp.token("admin", ALL, server.url)
    with idp.clock_shifted(-3600):  # issued an hour ago, valid for 5 minutes
        expired = idp.token("admin", ALL, server.url)
    foreign_audience = idp.token("admin", ALL, "https://other.example/mcp")
    foreign_issuer = idp.token("admin", ALL, server.url, issuer=idp.other_issuer)
    claims = jwt.decode(good, options={"verify_signature": False})
    forged_same_kid = jwt.encode(claims, forger, algorithm="RS256", headers={"kid": "key-1"})
    header, payload, signature = good.split(".")
    unsigned = f"{UNSIGNED_HEADER}.{payload}."
    tampered = f"{header}.{payload}.{signature[:-6]}AAAAAA"
    refused = {
        name: await post(http, server.url, INITIALIZE, token)
        for name, token in {
            "expired": expired,
            "foreign audience": foreign_audience,
            "foreign issuer": foreign_issuer,
            "forged with a known kid": forged_same_kid,
            "unsigned": unsigned,
            "tampered": tampered,
            "garbled": "not-a-jwt",
        }.items()
    }
    accepted = await post(http, server.url, INITIALIZE, good)
    assert accepted.status_code == 200, accepted.text
    assert {name: r.status_code for name, r in refused.items()} == dict.fromkeys(refused, 401)
    for response in refused.values():
        assert challenge(response)["error"] == "invalid_token"
        assert "resource_metadata" in challenge(response)


async def test_each_person_lists_only_what_their_scopes_allow(served: Served, idp: Idp) -> None:
    server = served.server
    listed: dict[str, set[str]] = {}
    read_only: dict[str, set[str]] = {}
    resources: dict[str, set[str]] = {}
    for person, scope in (("reader", "hireflix:read"), ("writer", "hireflix:write"), ("admin", ALL)):
        async with signed_in(server.url, idp.token(person, scope, server.url)) as client:
            tools = (await client.list_tools()).tools
            listed[person] = {tool.name for tool in tools}
            read_only[person] = {t.name for t in tools if t.annotations and t.annotations.read_only_hint}
            resources[person] = {str(r.uri) for r in (await client.list_resources()).resources}
    listed = {person: names - {"whoami"} for person, names in listed.items()}  # the test's probe
    assert listed["reader"] == read_only["reader"]
    assert {"list_positions", "search_interviews", "get_interview"} <= listed["reader"]
    assert listed["reader"].isdisjoint({"list_members", "list_webhooks", "list_webhook_events"})
    assert listed["reader"] < listed["writer"] < listed["admin"]
    assert {"score_interview", "delete_interview", "create_position"} <= listed["writer"] - listed["reader"]
    assert listed["writer"].isdisjoint({"list_members", "add_member", "create_webhook"})
    assert {"list_members", "get_account_logs", "create_webhook", "list_webhook_events"} <= listed["admin"]
    assert "hireflix://events" in resources["admin"]
    assert "hireflix://events" not in resources["reader"] | resources["writer"]
    assert "hireflix://positions" in resources["reader"]


async def test_a_call_above_the_token_scopes_is_refused_403_naming_the_scope_and_nothing_is_sent(
    served: Served, idp: Idp, caplog: pytest.LogCaptureFixture, http: httpx2.AsyncClient
) -> None:
    server, sandbox = served.server, served.sandbox
    interview = next(r for r in sandbox.store.all_interviews() if r.completed)
    reader = idp.token("reader", "hireflix:read", server.url)
    sandbox.reset_request_counts()
    call = {
        "jsonrpc": "2.0",
        "id": 7,
        "method": "tools/call",
        "params": {"name": "score_interview", "arguments": {"interview_id": interview.id, "score": 5}},
    }
    raw = await post(http, server.url, call, reader)
    read_events = {
        "jsonrpc": "2.0",
        "id": 8,
        "method": "resources/read",
        "params": {"uri": "hireflix://events"},
    }
    raw_resource = await post(http, server.url, read_events, reader)
    listen = {
        "jsonrpc": "2.0",
        "id": 9,
        "method": "subscriptions/listen",
        "params": {"notifications": {"resourceSubscriptions": ["hireflix://events"]}},
    }
    raw_listen = await post(http, server.url, listen, idp.token("writer", "hireflix:write", server.url))
    async with signed_in(server.url, reader) as client:
        with pytest.raises(MCPError) as refused:
            await client.call_tool("score_interview", {"interview_id": interview.id, "score": 5})
        positions = data(await client.call_tool("list_positions", {}))
    writer = idp.token("writer", "hireflix:write", server.url)
    async with signed_in(server.url, writer, mode="auto") as client:
        with pytest.raises(MCPError) as admin_only:
            await client.call_tool("list_members", {})
    assert raw.status_code == 403
    assert challenge(raw)["error"] == "insufficient_scope"
    assert challenge(raw)["scope"] == "hireflix:write"
    assert challenge(raw)["resource_metadata"].endswith("/.well-known/oauth-protected-resource/mcp")
    assert raw.json()["id"] == 7
    assert "score_interview needs the hireflix:write scope" in raw.json()["error"]["message"]
    assert raw_resource.status_code == 403
    assert challenge(raw_resource)["scope"] == "hireflix:admin"
    assert (raw_listen.status_code, challenge(raw_listen)["scope"]) == (403, "hireflix:admin")
    assert "hireflix:write scope" in str(refused.value)
    assert "your sign-in has hireflix:read" in str(refused.value)
    assert "list_members needs the hireflix:admin scope" in str(admin_only.value)
    assert positions["positions"]  # fetched upstream with the server's own key, not the reader's token
    assert "refused score_interview to rita.reader@example.com: it needs hireflix:write" in caplog.text
    assert reader not in caplog.text
    assert reader.split(".")[2] not in caplog.text
    by_field = sandbox.request_counts()["by_root_field"]
    assert not {"updateInterviewScore", "scoreInterview", "users", "members"} & set(by_field), by_field


async def test_a_token_with_no_hireflix_scope_is_refused_403_asking_for_read(
    served: Served, idp: Idp, http: httpx2.AsyncClient
) -> None:
    server = served.server
    refused = await post(http, server.url, INITIALIZE, idp.token("nobody", "openid", server.url))
    assert refused.status_code == 403
    assert challenge(refused)["scope"] == "hireflix:read"


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_the_person_signed_in_is_the_caller_inside_tool_handlers(
    served: Served, idp: Idp, mode: str
) -> None:
    server = served.server
    seen = []
    for person, scope in (("writer", "hireflix:write"), ("admin", ALL)):
        async with signed_in(server.url, idp.token(person, scope, server.url), mode=mode) as client:
            result = await client.call_tool("whoami", {})
            assert not result.is_error, result
            seen.append(result.structured_content)
    assert seen == [
        {
            "sub": "writer",
            "email": "will.writer@example.com",
            "name": "Will Writer",
            "scopes": ["hireflix:write"],
        },
        {
            "sub": "admin",
            "email": "ada.admin@example.com",
            "name": "Ada Admin",
            "scopes": sorted(ALL.split()),
        },
    ]


async def test_a_person_signed_in_by_authorization_code_with_pkce_can_work(served: Served, idp: Idp) -> None:
    server = served.server
    token = idp.signed_in("alice", "hireflix:read", server.url)
    async with signed_in(server.url, token) as client:
        me = (await client.call_tool("whoami", {})).structured_content
        positions = data(await client.call_tool("list_positions", {}))
    assert me == {"sub": "alice", "email": "alice@example.com", "name": "alice", "scopes": ["hireflix:read"]}
    assert positions["positions"]


async def test_a_rotated_signing_key_is_fetched_on_its_first_token(
    sandbox: RunningSandbox, idp: Idp, monkeypatch: pytest.MonkeyPatch, http: httpx2.AsyncClient
) -> None:
    monkeypatch.setattr(oauth, "JWKS_MIN_REFRESH_SECONDS", 0.0)
    with oauth_server(sandbox, idp) as server:
        before = idp.jwks_served()
        first = await post(http, server.url, INITIALIZE, idp.token("reader", "hireflix:read", server.url))
        with idp.rotated() as new_kid:
            rotated_token = idp.token("reader", "hireflix:read", server.url)
        rotated = await post(http, server.url, INITIALIZE, rotated_token)
        again = await post(http, server.url, INITIALIZE, rotated_token)
    assert jwt.get_unverified_header(rotated_token)["kid"] == new_kid
    assert [first.status_code, rotated.status_code, again.status_code] == [200, 200, 200]
    assert idp.jwks_served() - before == 2  # once at the first token, once for the new key, then cached


async def test_a_flood_of_tokens_with_unknown_keys_fetches_the_jwks_once(
    sandbox: RunningSandbox, idp: Idp, forger: rsa.RSAPrivateKey, http: httpx2.AsyncClient
) -> None:
    with oauth_server(sandbox, idp) as server:
        claims = {"iss": idp.issuer, "aud": server.url, "sub": "mallory", "exp": int(time.time()) + 60}
        before = idp.jwks_served()
        statuses: list[int] = []

        async def attempt(i: int) -> None:
            forged = jwt.encode(
                {**claims, "scope": "hireflix:admin"}, forger, "RS256", headers={"kid": f"k{i}"}
            )
            statuses.append((await post(http, server.url, INITIALIZE, forged)).status_code)

        with anyio.fail_after(30):
            async with anyio.create_task_group() as tg:
                for i in range(FLOOD):
                    tg.start_soon(attempt, i)
    assert statuses == [401] * FLOOD
    assert idp.jwks_served() - before == 1


class _Memory:
    """The SDK client's token storage, in memory."""

    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client = client_info


async def test_the_sdk_oauth_client_signs_in_from_the_server_url_alone(served: Served, idp: Idp) -> None:
    """What Claude and other MCP clients do: from the URL alone, discover the provider through the 401 and
    the metadata, register, send the person to sign in (PKCE, resource indicator), then call tools."""
    server = served.server
    callback: dict[str, list[str]] = {}

    async def person_in_the_browser(authorization_url: str) -> None:
        callback.update(await anyio.to_thread.run_sync(idp.authorize, authorization_url, "bea"))

    async def redirected_back() -> AuthorizationCodeResult:
        return AuthorizationCodeResult(
            code=callback["code"][0], state=callback["state"][0], iss=callback.get("iss", [None])[0]
        )

    auth = OAuthClientProvider(
        server.url,
        OAuthClientMetadata(client_name="test client", redirect_uris=[AnyUrl(REDIRECT_URI)]),
        _Memory(),
        redirect_handler=person_in_the_browser,
        callback_handler=redirected_back,
    )
    async with (
        httpx2.AsyncClient(auth=auth, timeout=10, trust_env=False) as http,
        Client(streamable_http_client(server.url, http_client=http), mode="legacy") as client,
    ):
        me = (await client.call_tool("whoami", {})).structured_content
        tools = {tool.name for tool in (await client.list_tools()).tools}
    assert me is not None
    assert (me["sub"], me["scopes"]) == ("bea", ["hireflix:admin", "hireflix:read", "hireflix:write"])
    assert {"list_members", "score_interview", "list_positions"} <= tools


async def test_the_gate_tells_its_hook_of_each_refused_call_with_the_person(
    served: Served, idp: Idp, http: httpx2.AsyncClient
) -> None:
    """`oauth.protect(on_refusal=...)`: how the audit trail can hear of calls refused before a handler."""
    heard: list[tuple[str, dict[str, Any], str]] = []

    async def on_refusal(what: str, arguments: dict[str, Any]) -> None:
        heard.append((what, arguments, current_caller().sub))

    resource = "http://127.0.0.1:1/mcp"  # the name tokens are issued for; the app is reached elsewhere
    settings = Settings(
        api_url=served.sandbox.url, oauth_issuer=idp.issuer, public_url=resource.removesuffix("/mcp")
    )
    app = build_server(settings, Profile(toolsets=ALL_TOOLSETS)).streamable_http_app(stateless_http=True)
    oauth.protect(app, settings, on_refusal=on_refusal)
    call = {
        "jsonrpc": "2.0",
        "id": 3,
        "method": "tools/call",
        "params": {"name": "delete_position", "arguments": {"position_id": "p1"}},
    }
    with serving(app, lifespan="on") as (base, _server):
        refused = await post(http, f"{base}/mcp", call, idp.token("reader", "hireflix:read", resource))
    assert refused.status_code == 403
    assert heard == [("delete_position", {"position_id": "p1"}, "reader")]


async def test_a_call_the_scope_gate_refuses_is_in_the_audit_trail_with_the_person_and_ids(
    idp: Idp, http: httpx2.AsyncClient
) -> None:
    built: list[MCPServer[Any]] = []
    with (
        running_sandbox(api_key=CANARY_API_KEY) as sandbox,
        oauth_server(sandbox, idp, customize=built.append) as server,
    ):
        interview = sandbox.store.all_interviews()[0]
        call = {
            "jsonrpc": "2.0",
            "id": 4,
            "method": "tools/call",
            "params": {"name": "delete_interview", "arguments": {"interview_id": interview.id}},
        }
        refused = await post(http, server.url, call, idp.token("reader", "hireflix:read", server.url))
        trail = getattr(built[0], "audit_trail", None)
        assert trail is not None
        entries = trail.audit(sub="reader")
    assert refused.status_code == 403
    assert [(e.tool, e.outcome, e.ids) for e in entries] == [
        ("delete_interview", "refused", {"interview": [interview.id]})
    ]
    assert entries[0].operations == ()
