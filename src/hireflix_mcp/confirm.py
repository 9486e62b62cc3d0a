"""Human confirmation of destructive and privacy-sensitive actions (README: "Confirmation policy").

`HIREFLIX_MCP_CONFIRM`:
- `auto` (default): when the client declared form elicitation, ask the human through it (the SDK's
  `Resolve`/`Elicit` pattern, which works in both protocol eras). Otherwise behave as `token`.
- `token`: the first call changes nothing and returns `confirmation_required`, a preview of exactly what
  will happen and a `confirmation_token`; calling again with the same arguments plus that token carries
  it out. Tokens are HMACs over the tool, the canonical arguments, the session that asked
  (`confirmation_session`), an expiry and a nonce; each is usable once. The client's own approval prompt
  (driven by `destructiveHint`) shows the human the second call.
- `elicit`: a human check no model can satisfy. Confirmed tools ask through elicitation and refuse, with
  an error saying why, when the client cannot ask its user; no token is ever issued or accepted.
- `off`: for unattended pipelines; chosen explicitly and logged at start.

This module knows nothing of which tool it gates: a tool supplies its name, its validated arguments and
a preview sentence. Spent tokens live behind `SpentTokenStore`, so several replicas can share them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from typing import Literal
from typing import Protocol

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import principal_components
from mcp.server.mcpserver import AcceptedElicitation
from mcp.server.mcpserver import CancelledElicitation
from mcp.server.mcpserver import Context
from mcp.server.mcpserver import DeclinedElicitation
from mcp.server.mcpserver import Elicit
from mcp.server.mcpserver import ElicitationResult
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import StrictBool

from hireflix_mcp.sdk_compat import request_connection
from hireflix_mcp.settings import ConfirmPolicy

TOKEN_TTL_SECONDS = 600
_VERSION = "c2"

TokenProblem = Literal[
    "malformed", "forged", "expired", "reused", "other_tool", "other_arguments", "other_session"
]

_PROBLEM_TEXT: dict[TokenProblem, str] = {
    "malformed": "the confirmation_token is not a token this server issued (malformed)",
    "forged": "the confirmation_token's signature does not verify (forged or from another server)",
    "expired": "the confirmation_token has expired (tokens last 10 minutes)",
    "reused": "the confirmation_token was already used once; tokens are single-use",
    "other_tool": "the confirmation_token was issued for a different tool",
    "other_arguments": "the confirmation_token was issued for different arguments",
    "other_session": "the confirmation_token was issued to another MCP session; a token only works in "
    "the session that asked for it",
}


class InvalidConfirmationToken(Exception):
    """A presented token cannot authorise this call; `problem` says why."""

    def __init__(self, problem: TokenProblem) -> None:
        self.problem = problem
        super().__init__(
            f"Nothing was changed: {_PROBLEM_TEXT[problem]}. Call the tool again without "
            "confirmation_token to get a fresh preview and token."
        )


class ConfirmationUnavailable(Exception):
    """The policy needs the user's answer through elicitation, and this client cannot ask them."""

    def __init__(self, tool: str) -> None:
        super().__init__(
            f"Nothing was changed: {tool} needs the user's approval in a prompt their MCP client shows "
            "them (this server runs with HIREFLIX_MCP_CONFIRM=elicit), and this client cannot show one "
            "(it does not support elicitation); no confirmation token can stand in for it. Tell the user, "
            "who can run it from a client that supports elicitation."
        )


class SpentTokenStore(Protocol):
    """Remembers spent token nonces until they expire."""

    def spend(self, nonce: str, expires_at: float) -> bool:
        """Mark `nonce` spent; False if it already was."""
        ...


class MemorySpentTokens:
    """Spent nonces for one process."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._spent: dict[str, float] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def spend(self, nonce: str, expires_at: float) -> bool:
        with self._lock:
            now = self._clock()
            if len(self._spent) > 1024:
                self._spent = {n: exp for n, exp in self._spent.items() if exp > now}
            if nonce in self._spent:
                return False
            self._spent[nonce] = expires_at
            return True


class SqliteSpentTokens:
    """Spent nonces in SQLite, shared by every process on one machine and kept across restarts."""

    def __init__(self, path: str, clock: Callable[[], float] = time.time) -> None:
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS spent_tokens (nonce TEXT PRIMARY KEY, expires_at REAL)")
        self._lock = threading.Lock()
        self._clock = clock

    def spend(self, nonce: str, expires_at: float) -> bool:
        with self._lock:
            self._db.execute("DELETE FROM spent_tokens WHERE expires_at < ?", (self._clock(),))
            cur = self._db.execute(
                "INSERT OR IGNORE INTO spent_tokens (nonce, expires_at) VALUES (?, ?)", (nonce, expires_at)
            )
            return cur.rowcount == 1


def canonical_arguments(arguments: Mapping[str, Any]) -> str:
    """The arguments as compact JSON with sorted keys; what a token is bound to."""
    return json.dumps(arguments, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: float


class ConfirmationTokens:
    """Issues and redeems single-use confirmation tokens.

    A token reads `c2.<tool>.<args digest>.<session digest>.<expiry>.<nonce>.<mac>`; the MAC covers every
    other part, so a token can say precisely why it does not fit (another tool, other arguments, another
    session, expired, reused). `session` is what `confirmation_session` returns for the asking call.
    """

    def __init__(
        self,
        secret: bytes,
        spent: SpentTokenStore | None = None,
        *,
        ttl: float = TOKEN_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if len(secret) < 16:
            raise ValueError("the confirmation secret must be at least 16 bytes")
        self._secret = secret
        self._spent = spent if spent is not None else MemorySpentTokens(clock)
        self._ttl = ttl
        self._clock = clock

    def _digest(self, arguments: Mapping[str, Any]) -> str:
        return _b64(hashlib.sha256(canonical_arguments(arguments).encode()).digest()[:18])

    def _mac(self, body: str) -> str:
        return _b64(hmac.new(self._secret, body.encode(), hashlib.sha256).digest())

    def _session_digest(self, session: str) -> str:
        return _b64(hashlib.sha256(f"session:{session}".encode()).digest()[:12])

    def issue(self, tool: str, arguments: Mapping[str, Any], session: str = "") -> IssuedToken:
        expires_at = self._clock() + self._ttl
        body = ".".join(
            (
                _VERSION,
                tool,
                self._digest(arguments),
                self._session_digest(session),
                str(int(expires_at)),
                secrets.token_hex(8),
            )
        )
        return IssuedToken(token=f"{body}.{self._mac(body)}", expires_at=float(int(expires_at)))

    def redeem(self, tool: str, arguments: Mapping[str, Any], token: str, session: str = "") -> None:
        """Accept `token` for this exact call in this session once, or raise `InvalidConfirmationToken`.

        A token that does not fit is never spent: one presented in another session stays usable in its own.
        """
        parts = token.strip().split(".")
        if len(parts) != 7 or parts[0] != _VERSION or not parts[4].isdigit():
            raise InvalidConfirmationToken("malformed")
        body, mac = ".".join(parts[:6]), parts[6]
        if not hmac.compare_digest(self._mac(body), mac):
            raise InvalidConfirmationToken("forged")
        _, token_tool, digest, session_digest, expiry, nonce = parts[:6]
        if token_tool != tool:
            raise InvalidConfirmationToken("other_tool")
        if not hmac.compare_digest(digest, self._digest(arguments)):
            raise InvalidConfirmationToken("other_arguments")
        if int(expiry) < self._clock():
            raise InvalidConfirmationToken("expired")
        if not hmac.compare_digest(session_digest, self._session_digest(session)):
            raise InvalidConfirmationToken("other_session")
        if not self._spent.spend(nonce, float(expiry)):
            raise InvalidConfirmationToken("reused")


_SESSION_KEY = "hireflix_mcp.confirmation_session"
"""Where a connection keeps the id its confirmation tokens are bound to (`Connection.state`)."""


def confirmation_session(ctx: Context[Any, Any]) -> str:
    """Who may redeem a token issued to this call: the MCP session that asked, and the signed-in person.

    What "the session that asked" is depends on the protocol era:
    - Handshake era (2025-11-25 and earlier), on a connection that carried the initialize handshake: a
      stdio or in-process connection, or one streamable HTTP session (`Mcp-Session-Id`). A random id is
      kept in the connection's state, which lives exactly as long as the session: a token is refused in
      any other session, and in this one after it ended (an HTTP session closed or evicted).
    - 2026-07-28, and stateless HTTP (`--stateless`) in either era: the protocol has no session. Each
      request stands alone and may reach any replica; nothing a client sends identifies "the session
      that asked" except its credentials. The token is then bound to the caller the server
      authenticated: the OAuth principal (client, issuer, subject) when the SDK's auth resolved one, and
      otherwise everyone allowed to call this server alike (the holders of its bearer token; over stdio,
      the one client that started the process).
    Either way the signed-in principal is part of the binding, so once people sign in a token is theirs.
    """
    parts: list[str] = []
    connection = request_connection(ctx.request_context)
    if connection.protocol_version in HANDSHAKE_PROTOCOL_VERSIONS and connection.client_params is not None:
        session = connection.state.get(_SESSION_KEY)
        if not isinstance(session, str):
            session = connection.state[_SESSION_KEY] = secrets.token_hex(16)
        parts.append(f"session={session}")
    access = get_access_token()
    if access is not None:
        client_id, issuer, subject = principal_components(access)
        parts.append(f"principal={client_id}|{issuer or ''}|{subject or ''}")
    return " ".join(parts)


ASK_THE_USER = (
    "Show this preview to the user and wait for their answer: only if they agree, call the same tool again "
    "with the same arguments and this confirmation_token (valid 10 minutes, once, in this session)."
)
"""What a `confirmation_required` result tells the model to do, in one sentence."""


class ConfirmForm(BaseModel):
    """What the human is asked through elicitation. Strict: only a real `true` approves."""

    model_config = ConfigDict(extra="forbid")

    confirm: StrictBool = Field(title="Go ahead", description="Tick to carry out the action described above.")


class NotAsked(BaseModel):
    """A resolver's answer when the human was not asked through elicitation (token or off policy, a
    client without elicitation, or a call that needs no confirmation)."""

    preview: str | None = None


Approval = ElicitationResult[Any]
"""What a gated tool receives from its confirmation resolver."""


@dataclass(frozen=True)
class Gate:
    """The confirmation decision for one call: go ahead, or stop with a result for the model."""

    proceed: bool
    status: Literal["approved", "confirmation_required", "declined", "cancelled"]
    message: str
    confirmation_token: str | None = None
    expires_at: float | None = None


class Confirmation:
    """Applies the configured policy; one instance per server."""

    def __init__(self, policy: ConfirmPolicy, tokens: ConfirmationTokens) -> None:
        self.policy = policy
        self.tokens = tokens

    @staticmethod
    def client_can_elicit(ctx: Context[Any, Any]) -> bool:
        capabilities = ctx.client_capabilities
        elicitation = capabilities.elicitation if capabilities is not None else None
        # A bare `elicitation: {}` means form support; url-only does not.
        return elicitation is not None and (elicitation.form is not None or elicitation.url is None)

    async def ask(
        self, ctx: Context[Any, Any], preview: Callable[[], Awaitable[str]], token: str | None = None
    ) -> Elicit[ConfirmForm] | NotAsked:
        """The body of a tool's confirmation resolver: elicit when the policy and the client allow.

        A call that presents a token (and will not be elicited) needs no preview: the token alone
        decides, so a replayed token is refused as reused even if its target is gone.
        """
        if self.policy == "off":
            return NotAsked()
        if self.policy in ("auto", "elicit") and self.client_can_elicit(ctx):
            return Elicit(await preview(), ConfirmForm)
        if token or self.policy == "elicit":
            return NotAsked()
        return NotAsked(preview=await preview())

    def decide(
        self,
        tool: str,
        arguments: Mapping[str, Any],
        token: str | None,
        approval: Approval,
        *,
        session: str = "",
    ) -> Gate:
        """Turn the resolver's outcome and any presented token into a decision.

        Raises `InvalidConfirmationToken` for a token that cannot authorise this call (in `session`, see
        `confirmation_session`), and `ConfirmationUnavailable` when the policy is `elicit` and the user
        could not be asked.
        """
        if self.policy == "off":
            return Gate(True, "approved", "confirmation policy is off")
        if isinstance(approval, DeclinedElicitation):
            return Gate(False, "declined", "The user declined. Nothing was changed.")
        if isinstance(approval, CancelledElicitation):
            return Gate(False, "cancelled", "The user dismissed the confirmation. Nothing was changed.")
        assert isinstance(approval, AcceptedElicitation)
        data = approval.data
        if isinstance(data, ConfirmForm):
            if data.confirm:
                return Gate(True, "approved", "approved by the user")
            return Gate(False, "declined", "The user did not tick 'Go ahead'. Nothing was changed.")
        if self.policy == "elicit":
            raise ConfirmationUnavailable(tool)
        preview = data.preview if isinstance(data, NotAsked) else None
        if token:
            self.tokens.redeem(tool, arguments, token, session)
            return Gate(True, "approved", "approved with a confirmation token")
        issued = self.tokens.issue(tool, arguments, session)
        return Gate(
            False,
            "confirmation_required",
            f"{preview or 'This action needs confirmation.'} Nothing has been changed yet. {ASK_THE_USER}",
            confirmation_token=issued.token,
            expires_at=issued.expires_at,
        )
