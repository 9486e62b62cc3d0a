"""Human confirmation of destructive and privacy-sensitive actions (README: "Confirmation policy").

`HIREFLIX_MCP_CONFIRM`:
- `auto` (default): when the client declared form elicitation, ask the human through it (the SDK's
  `Resolve`/`Elicit` pattern, which works in both protocol eras). Otherwise behave as `token`.
- `token`: the first call changes nothing and returns `confirmation_required`, a preview of exactly what
  will happen and a `confirmation_token`; calling again with the same arguments plus that token carries
  it out. Tokens are HMACs over the tool, the canonical arguments, an expiry and a nonce; each is usable
  once. The client's own approval prompt (driven by `destructiveHint`) shows the human the second call.
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
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from mcp.server.mcpserver import (
    AcceptedElicitation,
    CancelledElicitation,
    Context,
    DeclinedElicitation,
    Elicit,
    ElicitationResult,
)
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from hireflix_mcp.settings import ConfirmPolicy

TOKEN_TTL_SECONDS = 600
_VERSION = "c1"

TokenProblem = Literal["malformed", "forged", "expired", "reused", "other_tool", "other_arguments"]

_PROBLEM_TEXT: dict[TokenProblem, str] = {
    "malformed": "the confirmation_token is not a token this server issued (malformed)",
    "forged": "the confirmation_token's signature does not verify (forged or from another server)",
    "expired": "the confirmation_token has expired (tokens last 10 minutes)",
    "reused": "the confirmation_token was already used once; tokens are single-use",
    "other_tool": "the confirmation_token was issued for a different tool",
    "other_arguments": "the confirmation_token was issued for different arguments",
}


class InvalidConfirmationToken(Exception):
    """A presented token cannot authorise this call; `problem` says why."""

    def __init__(self, problem: TokenProblem) -> None:
        self.problem = problem
        super().__init__(
            f"Nothing was changed: {_PROBLEM_TEXT[problem]}. Call the tool again without "
            "confirmation_token to get a fresh preview and token."
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

    A token reads `c1.<tool>.<args digest>.<expiry>.<nonce>.<mac>`; the MAC covers every other part, so
    a token can say precisely why it does not fit (another tool, other arguments, expired, reused).
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

    def issue(self, tool: str, arguments: Mapping[str, Any]) -> IssuedToken:
        expires_at = self._clock() + self._ttl
        body = ".".join((_VERSION, tool, self._digest(arguments), str(int(expires_at)), secrets.token_hex(8)))
        return IssuedToken(token=f"{body}.{self._mac(body)}", expires_at=float(int(expires_at)))

    def redeem(self, tool: str, arguments: Mapping[str, Any], token: str) -> None:
        """Accept `token` for this exact call once, or raise `InvalidConfirmationToken`."""
        parts = token.strip().split(".")
        if len(parts) != 6 or parts[0] != _VERSION or not parts[3].isdigit():
            raise InvalidConfirmationToken("malformed")
        body, mac = ".".join(parts[:5]), parts[5]
        if not hmac.compare_digest(self._mac(body), mac):
            raise InvalidConfirmationToken("forged")
        _, token_tool, digest, expiry, nonce = parts[:5]
        if token_tool != tool:
            raise InvalidConfirmationToken("other_tool")
        if not hmac.compare_digest(digest, self._digest(arguments)):
            raise InvalidConfirmationToken("other_arguments")
        if int(expiry) < self._clock():
            raise InvalidConfirmationToken("expired")
        if not self._spent.spend(nonce, float(expiry)):
            raise InvalidConfirmationToken("reused")


class ConfirmForm(BaseModel):
    """What the human is asked through elicitation. Strict: only a real `true` approves."""

    model_config = ConfigDict(extra="forbid")

    confirm: StrictBool = Field(title="Go ahead", description="Tick to carry out the action described above.")


class NotAsked(BaseModel):
    """A resolver's answer when the human was not asked through elicitation (token or off policy)."""

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
        if self.policy == "auto" and self.client_can_elicit(ctx):
            return Elicit(await preview(), ConfirmForm)
        if token:
            return NotAsked()
        return NotAsked(preview=await preview())

    def decide(self, tool: str, arguments: Mapping[str, Any], token: str | None, approval: Approval) -> Gate:
        """Turn the resolver's outcome and any presented token into a decision.

        Raises `InvalidConfirmationToken` for a token that cannot authorise this call.
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
        preview = data.preview if isinstance(data, NotAsked) else None
        if token:
            self.tokens.redeem(tool, arguments, token)
            return Gate(True, "approved", "approved with a confirmation token")
        issued = self.tokens.issue(tool, arguments)
        return Gate(
            False,
            "confirmation_required",
            f"{preview or 'This action needs confirmation.'} Nothing has been changed yet. Show this to the "
            "user; if they agree, call the same tool again with the same arguments and "
            "confirmation_token set to the token below (valid 10 minutes, once).",
            confirmation_token=issued.token,
            expires_at=issued.expires_at,
        )
