"""OAuth 2.1 resource server: each person signs in with the team's identity provider.

With `HIREFLIX_MCP_OAUTH_ISSUER` set, the HTTP server accepts only access tokens that provider issued
for it, and each person gets what their scopes allow (see `scopes`):

- RFC 9728 protected-resource metadata at `/.well-known/oauth-protected-resource` and at its
  path-suffixed form `/.well-known/oauth-protected-resource/mcp`, naming the issuer and the scopes;
- a request to `/mcp` without a valid token gets 401 with `WWW-Authenticate: Bearer
  resource_metadata="..."` (the SDK's `RequireAuthMiddleware`); a token without the scope a tool,
  a resource or the endpoint needs gets 403 `insufficient_scope` naming it (`ScopeGate`);
- access tokens are JWTs, checked against the issuer's JWKS (found through its OpenID or RFC 8414
  metadata, cached, fetched again on an unknown `kid` at most once per `JWKS_MIN_REFRESH_SECONDS`):
  signature, `iss`, `aud`, `exp`/`nbf` with `LEEWAY_SECONDS`, `sub`;
- the person (`Caller`) is set for the request, so tools, resources and the audit trail see them.

The token stays here: the Hireflix API is called with the server's own key, never with it.
The SDK does the rest (`BearerAuthBackend`, `AuthContextMiddleware`, session binding to the
token's principal); this module brings the JWT verifier and the scope rules.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpx2
import jwt
from mcp.server.auth.handlers.metadata import ProtectedResourceMetadataHandler
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.routes import build_resource_metadata_url
from mcp.server.auth.routes import cors_middleware
from mcp.server.auth.settings import AuthSettings
from mcp.server.transport_security import DEFAULT_MAX_REQUEST_BODY_SIZE
from mcp.shared.auth import ProtectedResourceMetadata
from pydantic import AnyHttpUrl
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route
from starlette.types import ASGIApp
from starlette.types import Message
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

from hireflix_mcp import scopes
from hireflix_mcp.identity import Caller
from hireflix_mcp.identity import caller_scope
from hireflix_mcp.settings import Settings
from hireflix_mcp.settings import secure_url

logger = logging.getLogger("hireflix_mcp.oauth")

MCP_PATH = "/mcp"
LEEWAY_SECONDS = 30
"""Clock skew tolerated between the identity provider and this server, on `exp` and `nbf`."""
JWKS_MIN_REFRESH_SECONDS = 30.0
"""Tokens naming an unknown `kid` fetch the JWKS again at most this often (a flood cannot hammer
the provider)."""
JWKS_MAX_AGE_SECONDS = 3600.0
"""Keys are fetched again when older than this, whatever the tokens say."""
RETRY_AFTER_FAILURE_SECONDS = 2.0
"""After a failed fetch of the provider's metadata or keys, the next try waits this long."""
FETCH_TIMEOUT_SECONDS = 5.0
MAX_GATED_BODY = DEFAULT_MAX_REQUEST_BODY_SIZE
"""The largest request body `ScopeGate` reads to find the tool called (the SDK's own limit)."""
ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
"""Asymmetric signatures only: never `none`, never an HMAC keyed with a public key."""
RESOURCE_NAME = "Hireflix MCP server"

OnRefusal = Callable[[str, dict[str, Any]], Awaitable[None]]
"""Told of a call the scope gate refused: the tool (or resource URI) and the call's arguments."""


# ------------------------------------------------------------------------------------------ keys


@dataclass(frozen=True)
class _Key:
    jwk: jwt.PyJWK
    alg: str | None
    """The `alg` the JWK itself names, when it does: a token must then use exactly that."""


class IssuerKeys:
    """The signing keys of one issuer: discovered, cached, fetched again on an unknown `kid`.

    Concurrent requests that meet the same unknown key wait for one fetch, and fetches are spaced by
    `min_refresh` seconds (`RETRY_AFTER_FAILURE_SECONDS` after a failure): until then an unknown key
    is refused.
    """

    def __init__(
        self,
        issuer: str,
        *,
        min_refresh: float | None = None,
        max_age: float = JWKS_MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.issuer = issuer
        self._min_refresh = JWKS_MIN_REFRESH_SECONDS if min_refresh is None else min_refresh
        self._max_age = max_age
        self._clock = clock
        self._lock = anyio.Lock()
        self._jwks_uri: str | None = None
        self._keys: dict[str | None, _Key] = {}
        self._loaded_at: float | None = None
        self._next_allowed = float("-inf")

    async def key_for(self, kid: str | None) -> _Key | None:
        """The key a token's `kid` names; without `kid`, the issuer's only key (else None)."""
        now = self._clock()
        stale = self._loaded_at is None or now - self._loaded_at > self._max_age
        if stale or self._find(kid) is None:
            await self._refresh()
        return self._find(kid)

    def _find(self, kid: str | None) -> _Key | None:
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        return self._keys.get(kid)

    async def _refresh(self) -> None:
        async with self._lock:
            now = self._clock()
            if now < self._next_allowed:
                return
            try:
                async with httpx2.AsyncClient(timeout=FETCH_TIMEOUT_SECONDS) as http:
                    if self._jwks_uri is None:
                        self._jwks_uri = await self._discover(http)
                    response = await http.get(self._jwks_uri, headers={"accept": "application/json"})
                    response.raise_for_status()
                    self._keys = _parse_jwks(response.json())
                self._loaded_at = now
                self._next_allowed = now + self._min_refresh
                logger.info("fetched %d signing key(s) of %s", len(self._keys), self.issuer)
            except (httpx2.HTTPError, ValueError, TypeError, KeyError) as exc:
                self._next_allowed = now + RETRY_AFTER_FAILURE_SECONDS
                logger.warning("could not fetch the signing keys of %s: %s", self.issuer, exc)

    async def _discover(self, http: httpx2.AsyncClient) -> str:
        """The issuer's `jwks_uri`, from its OpenID configuration or else its RFC 8414 metadata."""
        base = self.issuer.rstrip("/")
        parts = urlsplit(base)
        candidates = (
            f"{base}/.well-known/openid-configuration",
            f"{parts.scheme}://{parts.netloc}/.well-known/oauth-authorization-server{parts.path}",
        )
        problems: list[str] = []
        for url in candidates:
            try:
                response = await http.get(url, headers={"accept": "application/json"})
            except httpx2.HTTPError as exc:
                problems.append(f"{url}: {exc}")
                continue
            if response.status_code != 200:
                problems.append(f"{url}: HTTP {response.status_code}")
                continue
            metadata = response.json()
            if not isinstance(metadata, dict) or metadata.get("issuer") != self.issuer:
                found = metadata.get("issuer") if isinstance(metadata, dict) else None
                raise ValueError(f"{url} names issuer {found!r}, not {self.issuer!r}")
            jwks_uri = metadata.get("jwks_uri")
            if not isinstance(jwks_uri, str) or not secure_url(jwks_uri):
                raise ValueError(f"{url} gives no https jwks_uri ({jwks_uri!r})")
            return jwks_uri
        raise ValueError("no issuer metadata found: " + "; ".join(problems))


def _parse_jwks(document: Any) -> dict[str | None, _Key]:
    """Signature keys by `kid`; encryption and symmetric keys, and keys PyJWT cannot use, left out."""
    keys: dict[str | None, _Key] = {}
    for entry in document["keys"]:
        if not isinstance(entry, dict) or entry.get("use", "sig") != "sig" or entry.get("kty") == "oct":
            continue
        alg = entry.get("alg")
        if alg is not None and alg not in ALGORITHMS:
            continue
        try:
            keys[entry.get("kid")] = _Key(jwt.PyJWK(entry), alg)
        except jwt.PyJWTError:
            continue
    return keys


# -------------------------------------------------------------------------------------- verifier


class JwtVerifier:
    """The SDK's `TokenVerifier` for JWT access tokens of one issuer and one audience."""

    def __init__(
        self,
        issuer: str,
        audience: str,
        resource: str,
        keys: IssuerKeys | None = None,
        *,
        leeway: float = LEEWAY_SECONDS,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.resource = resource
        self.keys = keys or IssuerKeys(issuer)
        self.leeway = leeway

    async def verify_token(self, token: str) -> AccessToken | None:
        """The token's access info when it is valid for this server, else None (the caller gets 401)."""
        try:
            claims = await self._claims(token)
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            logger.info("refused an access token: %s", exc)
            return None
        expires = int(claims["exp"]) + int(self.leeway)
        return AccessToken(
            token=token,
            client_id=str(claims.get("client_id") or claims.get("azp") or claims["sub"]),
            scopes=token_scopes(claims),
            # The SDK refuses a token past `expires_at` without leeway: state when this server stops
            # honouring it.
            expires_at=expires,
            resource=self.resource,
            subject=str(claims["sub"]),
            claims={k: claims[k] for k in ("iss", "email", "name", "preferred_username") if k in claims},
        )

    async def _claims(self, token: str) -> dict[str, Any]:
        header = _header(token)
        alg = header.get("alg")
        if alg not in ALGORITHMS:
            raise ValueError(f"signature algorithm {alg!r} is not accepted")
        kid = header.get("kid")
        key = await self.keys.key_for(kid if isinstance(kid, str) else None)
        if key is None:
            raise ValueError(f"no signing key {kid!r} at {self.issuer}")
        if key.alg is not None and key.alg != alg:
            raise ValueError(f"key {kid!r} is for {key.alg}, the token says {alg}")
        claims: dict[str, Any] = jwt.decode(
            token,
            key.jwk.key,
            algorithms=[alg],
            audience=self.audience,
            issuer=self.issuer,
            leeway=self.leeway,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
        return claims


def _header(token: str) -> dict[str, Any]:
    """A JWT's header, unverified: which key and algorithm to verify it with (decoded here: PyJWT's
    own reader decodes every segment, which doubles the cost of a check)."""
    head, dot, _rest = token.partition(".")
    if not dot:
        raise ValueError("not a JWT")
    header = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    if not isinstance(header, dict):
        raise ValueError("not a JWT header")
    return header


def token_scopes(claims: dict[str, Any]) -> list[str]:
    """Scopes from `scope` (RFC 9068: space-separated) or `scp` (a list, as some providers write)."""
    raw = claims.get("scope", claims.get("scp", ""))
    if isinstance(raw, str):
        return raw.split()
    if isinstance(raw, list):
        return [str(scope) for scope in raw]
    return []


def caller_of(token: AccessToken) -> Caller:
    """The person an access token stands for."""
    claims = token.claims or {}
    email = claims.get("email")
    name = claims.get("name") or claims.get("preferred_username")
    return Caller(
        sub=token.subject or token.client_id,
        email=str(email) if email else None,
        name=str(name) if name else None,
        scopes=frozenset(token.scopes),
    )


# ---------------------------------------------------------------------------------------- wiring


def _issuer_and_resource(settings: Settings) -> tuple[str, str]:
    """The identity provider and this server's MCP endpoint (the resource) of OAuth mode."""
    issuer, resource = settings.oauth_issuer, settings.oauth_resource
    if issuer is None or resource is None:  # pragma: no cover - Settings refuses this
        raise ValueError("OAuth mode needs HIREFLIX_MCP_OAUTH_ISSUER and HIREFLIX_MCP_PUBLIC_URL")
    return issuer, resource


def resource_server(settings: Settings) -> tuple[AuthSettings, JwtVerifier]:
    """The SDK's auth settings and the token verifier for OAuth mode (`oauth_issuer` set)."""
    issuer, resource = _issuer_and_resource(settings)
    verifier = JwtVerifier(issuer, settings.oauth_audience or resource, resource)
    # Validated from text, so a path-less issuer keeps its exact spelling (no trailing slash added).
    auth = AuthSettings.model_validate(
        {
            "issuer_url": issuer,
            "resource_server_url": resource,
            "required_scopes": None,  # the scopes are nested, not all required: ScopeGate decides
            "validate_token_resource": False,  # the verifier checks `aud` itself
        }
    )
    return auth, verifier


def metadata_url(resource: str) -> str:
    """Where RFC 9728 metadata of `resource` is (the path-suffixed form the 401 challenge names)."""
    return str(build_resource_metadata_url(AnyHttpUrl(resource)))


def protect(
    app: Starlette, settings: Settings, *, max_body: int = MAX_GATED_BODY, on_refusal: OnRefusal | None = None
) -> None:
    """Add the scope gate and the metadata routes to the SDK's app (before it serves a request).

    The SDK already put the bearer authentication on the app and `RequireAuthMiddleware` on `/mcp`;
    its metadata route lists `required_scopes` as `scopes_supported`, which stays empty here, so these
    routes, listing the three scopes, go first. Both paths serve one document, whose `resource` is
    the `/mcp` endpoint: a client that fetched the bare form then asks for a token for it too.
    """
    issuer, resource = _issuer_and_resource(settings)
    metadata = ProtectedResourceMetadata.model_validate(
        {
            "resource": resource,
            "authorization_servers": [issuer],  # exactly as configured: clients compare it with `issuer`
            "scopes_supported": list(scopes.SCOPES),
            "resource_name": RESOURCE_NAME,
        }
    )
    handler = cors_middleware(ProtectedResourceMetadataHandler(metadata).handle, ["GET", "OPTIONS"])
    suffixed = metadata_url(resource)
    paths = ("/.well-known/oauth-protected-resource", urlsplit(suffixed).path)
    app.router.routes[:0] = [
        Route(p, endpoint=handler, methods=["GET", "OPTIONS"]) for p in dict.fromkeys(paths)
    ]
    gate = Middleware(ScopeGate, resource_metadata_url=suffixed, max_body=max_body, on_refusal=on_refusal)
    app.user_middleware.append(gate)
    logger.info("OAuth: access tokens of %s for %s; metadata at %s", issuer, resource, suffixed)


# ------------------------------------------------------------------------------------ scope gate


class ScopeGate:
    """Per request: the person for handlers (`caller_scope`), and 403 for what their scopes forbid.

    Runs after the SDK's bearer authentication. A token with no hireflix scope is refused on `/mcp`
    altogether; a `tools/call` (or `resources/read`) of a tool (resource) above the token's scopes
    gets 403 `insufficient_scope` naming the scope, before the SDK sees it (the MCP authorization
    spec's scope challenge). The body is a JSON-RPC error with the same words, which the SDK client
    surfaces as the call's error. `on_refusal(what, arguments)` is told of each refused call, with the
    person as `current_caller()` (the handlers, and the audit they write, never see these calls).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        resource_metadata_url: str,
        max_body: int = MAX_GATED_BODY,
        on_refusal: OnRefusal | None = None,
    ) -> None:
        self.app = app
        self._metadata_url = resource_metadata_url
        self._max_body = max_body
        self._on_refusal = on_refusal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        user = scope.get("user") if scope["type"] == "http" else None
        if not isinstance(user, AuthenticatedUser):
            await self.app(scope, receive, send)
            return
        caller = caller_of(user.access_token)
        if scope["path"].rstrip("/") == MCP_PATH:
            refused = _ANY_REQUEST
            if scope["method"] == "POST":
                messages, receive = await _buffered(receive, self._max_body)
                refused = _requirement(b"".join(m.get("body", b"") for m in messages), caller)
            if not scopes.allows(caller, refused.scope):
                logger.info("refused %s to %s: it needs %s", refused.what, caller.label, refused.scope)
                if self._on_refusal is not None:
                    with caller_scope(caller):
                        await self._on_refusal(refused.what, refused.arguments)
                message = scopes.refusal(refused.what, refused.scope, caller.scopes)
                await self._refuse(send, refused.scope, message, refused.request_id)
                return
        with caller_scope(caller):
            await self.app(scope, receive, send)

    async def _refuse(self, send: Send, needed: str, message: str, request_id: Any) -> None:
        challenge = (
            f'Bearer error="insufficient_scope", scope="{needed}", '
            f'resource_metadata="{self._metadata_url}", error_description="{message}"'
        )
        body = json.dumps(
            {
                "jsonrpc": "2.0",
                "id": request_id,
                "error": {"code": -32600, "message": message, "data": {"required_scope": needed}},
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 403,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"www-authenticate", challenge.encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


async def _buffered(receive: Receive, limit: int) -> tuple[list[Message], Receive]:
    """Read the request body (up to `limit` bytes) and a `receive` that replays it, then goes on."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        size += len(message.get("body", b""))
        if message["type"] != "http.request" or not message.get("more_body") or size > limit:
            break
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return messages, replay


@dataclass(frozen=True)
class _Requirement:
    request_id: Any
    scope: str
    what: str
    """The tool or resource that needs `scope` ("This server" for the endpoint itself)."""
    arguments: dict[str, Any]


_ANY_REQUEST = _Requirement(None, scopes.READ, "This server", {})
"""What every request to `/mcp` needs, whatever it calls."""


def _requirement(body: bytes, caller: Caller) -> _Requirement:
    """For a JSON-RPC body: the first call the caller's scopes forbid, else what every request to the
    endpoint needs."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return _ANY_REQUEST  # the SDK answers the malformed body
    for message in parsed if isinstance(parsed, list) else [parsed]:
        if not isinstance(message, dict) or not isinstance(message.get("params"), dict):
            continue
        params = message["params"]
        needed, what = _needed(str(message.get("method")), params)
        if not scopes.allows(caller, needed):
            arguments = params.get("arguments") if isinstance(params.get("arguments"), dict) else {}
            return _Requirement(message.get("id"), needed, what, arguments)
    return _ANY_REQUEST


def _needed(method: str, params: dict[str, Any]) -> tuple[str, str]:
    from hireflix_mcp.tools.catalog import spec_of  # imports only the module of the tool named

    if method == "tools/call" and isinstance(params.get("name"), str):
        spec = spec_of(params["name"])
        if spec is not None:
            return scopes.tool_scope(spec.toolset, spec.kind), spec.name
    if method in ("resources/read", "resources/subscribe") and isinstance(params.get("uri"), str):
        return scopes.resource_scope(params["uri"]), params["uri"]
    if method == "subscriptions/listen" and isinstance(params.get("notifications"), dict):
        uris = params["notifications"].get("resourceSubscriptions")
        for uri in uris if isinstance(uris, list) else []:
            if isinstance(uri, str) and scopes.resource_scope(uri) != scopes.READ:
                return scopes.resource_scope(uri), uri
    return _ANY_REQUEST.scope, _ANY_REQUEST.what
