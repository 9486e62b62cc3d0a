"""Settings: environment and command-line flags folded into one frozen object.

The API key is a `SecretStr`: its repr and str are masked, so it cannot leak through logging or an
error message by accident. Read it with `.get_secret_value()` only where it goes on the wire.
A bad value is reported by `describe_invalid`: one line per variable or flag, naming it as the user
wrote it and saying what it accepts.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal
from typing import get_args
from typing import get_origin
from urllib.parse import urlsplit

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import SecretStr
from pydantic import ValidationError
from pydantic import field_validator
from pydantic import model_validator

from hireflix_mcp.dsn import is_postgres_url
from hireflix_mcp.dsn import postgres_url_problem
from hireflix_mcp.dsn import redact_url
from hireflix_mcp.hireflix.config import ClientConfig

DEFAULT_API_URL = "https://api.hireflix.com/me"
WEBHOOK_RECEIVER_PATH = "/webhooks/hireflix"
"""Where the HTTP server receives Hireflix webhooks (next to `/mcp`)."""

ConfirmPolicy = Literal["auto", "token", "elicit", "off"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
LOG_LEVELS: tuple[str, ...] = get_args(LogLevel)

ENVIRONMENT: dict[str, str] = {
    "HIREFLIX_API_KEY": "api_key",
    "HIREFLIX_API_URL": "api_url",
    "HIREFLIX_CONNECT_TIMEOUT": "connect_timeout",
    "HIREFLIX_READ_TIMEOUT": "read_timeout",
    "HIREFLIX_MAX_RETRIES": "max_retries",
    "HIREFLIX_RETRY_AFTER_CAP": "retry_after_cap",
    "HIREFLIX_MCP_CONFIRM": "confirm",
    "HIREFLIX_MCP_CONFIRM_SECRET": "confirm_secret",
    "HIREFLIX_MCP_AUTH_TOKEN": "auth_token",
    "HIREFLIX_MCP_OAUTH_ISSUER": "oauth_issuer",
    "HIREFLIX_MCP_OAUTH_AUDIENCE": "oauth_audience",
    "HIREFLIX_WEBHOOK_SECRET": "webhook_secret",
    "HIREFLIX_MCP_STATE_DB": "state_db",
    "HIREFLIX_MCP_EVENT_RETENTION_DAYS": "event_retention_days",
    "HIREFLIX_MCP_PUBLIC_URL": "public_url",
    "HIREFLIX_MCP_LOG_LEVEL": "log_level",
    "HIREFLIX_MCP_MAX_SESSIONS": "max_sessions",
    "HIREFLIX_MCP_INDEX_SYNC": "index_sync",
    "HIREFLIX_MCP_MEDIA_ORIGINS": "media_origins",
}
"""Every environment variable `Settings.from_env` reads, and the field it sets."""


def is_loopback(host: str) -> bool:
    """Whether `host` (a name, an address, an [IPv6] literal) is this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def secure_url(url: str) -> bool:
    """https, or http to a loopback host (a provider on the same machine, tests)."""
    parts = urlsplit(url)
    if not parts.hostname or parts.scheme not in ("http", "https"):
        return False
    return parts.scheme == "https" or is_loopback(parts.hostname)


def sqlite_file_ok(path: str) -> bool:
    """`:memory:` or a file SQLite can create or open: not a directory, in a directory that exists."""
    return path == ":memory:" or (not Path(path).is_dir() and Path(path).parent.is_dir())


class Settings(BaseModel):
    """Everything the server and the Hireflix client need to run, fixed at start-up."""

    # Inputs stay out of a ValidationError's text (a state URL may hold a password); `describe_invalid`
    # shows them, redacted.
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    api_key: SecretStr | None = Field(default=None, description="HIREFLIX_API_KEY")
    api_url: str = Field(default=DEFAULT_API_URL, description="HIREFLIX_API_URL")
    connect_timeout: float = Field(default=5.0, gt=0, le=120)
    read_timeout: float = Field(default=30.0, gt=0, le=600)
    max_retries: int = Field(default=3, ge=0, le=10)
    retry_after_cap: float = Field(default=30.0, ge=0, le=600, description="longest Retry-After honoured, s")
    confirm: ConfirmPolicy = "auto"
    confirm_secret: SecretStr | None = Field(default=None, description="HMAC key for confirmation tokens")
    auth_token: SecretStr | None = Field(default=None, description="HIREFLIX_MCP_AUTH_TOKEN for HTTP")
    oauth_issuer: str | None = Field(
        default=None,
        description="HIREFLIX_MCP_OAUTH_ISSUER: the identity provider whose access tokens HTTP accepts "
        "(OAuth mode, one sign-in per person; exclusive with HIREFLIX_MCP_AUTH_TOKEN)",
    )
    oauth_audience: str | None = Field(
        default=None,
        description="HIREFLIX_MCP_OAUTH_AUDIENCE: the `aud` access tokens must carry "
        "(default: <HIREFLIX_MCP_PUBLIC_URL>/mcp)",
    )
    webhook_secret: SecretStr | None = Field(default=None, description="HIREFLIX_WEBHOOK_SECRET")
    state_db: str = Field(
        default=":memory:",
        description="HIREFLIX_MCP_STATE_DB: where spent confirmation tokens, received webhook events and "
        "the audit trail live: :memory:, a SQLite file, or a postgresql:// URL shared by replicas",
    )
    event_retention_days: int = Field(
        default=30, ge=1, le=3650, description="HIREFLIX_MCP_EVENT_RETENTION_DAYS: days events are kept"
    )
    public_url: str | None = Field(
        default=None,
        description="HIREFLIX_MCP_PUBLIC_URL: this server's address as Hireflix and clients reach it "
        "(create_webhook then defaults to <public_url>/webhooks/hireflix; in OAuth mode the resource "
        "is <public_url>/mcp)",
    )
    log_level: LogLevel = "INFO"
    max_sessions: int = Field(
        default=500,
        ge=1,
        le=100_000,
        description="HIREFLIX_MCP_MAX_SESSIONS: open HTTP sessions kept; past it the longest idle is closed",
    )

    index_sync: bool = Field(
        default=True,
        description="HIREFLIX_MCP_INDEX_SYNC: `serve` fills and refreshes the transcript index in the "
        "background (off: only when a search needs it)",
    )

    media_origins: str | None = Field(
        default=None,
        description="HIREFLIX_MCP_MEDIA_ORIGINS: comma-separated origins answer videos and thumbnails "
        "come from, the only ones the interview card may load (default: Hireflix's media host)",
    )

    @field_validator("media_origins")
    @classmethod
    def _media_origins_are_origins(cls, value: str | None) -> str | None:
        if value is None:
            return None
        origins = [part.strip().rstrip("/") for part in value.split(",") if part.strip()]
        for origin in origins:
            parts = urlsplit(origin)
            if not secure_url(origin) or parts.path or parts.query or parts.fragment:
                raise ValueError(
                    f"HIREFLIX_MCP_MEDIA_ORIGINS: {origin!r} is not an origin: give https://host[:port] "
                    "(http only on loopback), comma-separated, without a path"
                )
        return ",".join(origins) or None

    @property
    def hireflix_is_local(self) -> bool:
        """Whether the Hireflix this server talks to runs on this machine (`--sandbox`, or a sandbox at a
        loopback HIREFLIX_API_URL): its webhooks go to loopback and its media come from its own origin."""
        return is_loopback(urlsplit(self.api_url).hostname or "")

    def client_config(self) -> ClientConfig:
        """What the Hireflix client reads from these settings."""
        return ClientConfig(
            api_url=self.api_url,
            api_key=self.api_key,
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            max_retries=self.max_retries,
            retry_after_cap=self.retry_after_cap,
        )

    @property
    def webhook_receiver_url(self) -> str | None:
        """This server's webhook receiver as Hireflix reaches it; None without a public URL."""
        return f"{self.public_url}{WEBHOOK_RECEIVER_PATH}" if self.public_url else None

    @property
    def oauth_resource(self) -> str | None:
        """In OAuth mode, this server's MCP endpoint as clients reach it (the RFC 9728 resource)."""
        return f"{self.public_url}/mcp" if self.oauth_issuer and self.public_url else None

    @field_validator("oauth_issuer")
    @classmethod
    def _issuer_is_secure(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()  # kept as written otherwise: tokens' `iss` must equal it exactly
        parts = urlsplit(value)
        if not secure_url(value) or parts.query or parts.fragment:
            raise ValueError(
                "HIREFLIX_MCP_OAUTH_ISSUER must be an https URL (http only on loopback) without query, "
                "written exactly as the provider's tokens name it in `iss`"
            )
        return value

    @model_validator(mode="after")
    def _one_way_to_sign_in(self) -> Settings:
        if self.oauth_issuer is None:
            return self
        if self.auth_token is not None:
            raise ValueError(
                "HIREFLIX_MCP_AUTH_TOKEN and HIREFLIX_MCP_OAUTH_ISSUER are exclusive: set the token for a "
                "one-person server, or the issuer for sign-in per person, not both"
            )
        if self.public_url is None:
            raise ValueError(
                "HIREFLIX_MCP_OAUTH_ISSUER needs HIREFLIX_MCP_PUBLIC_URL, the address clients reach this "
                "server at (e.g. https://mcp.example.com): its /mcp is the resource tokens are issued for"
            )
        return self

    @field_validator("public_url")
    @classmethod
    def _public_url_is_a_base(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise ValueError(
                "HIREFLIX_MCP_PUBLIC_URL must be an absolute http(s) URL without query, "
                "e.g. https://mcp.example.com"
            )
        return value.strip().rstrip("/")

    @field_validator("api_url")
    @classmethod
    def _url_is_http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("HIREFLIX_API_URL must start with http:// or https://")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level_in_any_case(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().upper() in LOG_LEVELS:
            return value.strip().upper()
        return value  # an error then shows the value as given

    @field_validator("state_db")
    @classmethod
    def _state_db_can_be_created(cls, value: str) -> str:
        if is_postgres_url(value):
            problem = postgres_url_problem(value)
            if problem is not None:  # the message never repeats the URL: it may hold a password
                raise ValueError(f"HIREFLIX_MCP_STATE_DB {problem}")
            return value
        if not sqlite_file_ok(value):
            raise ValueError(
                "HIREFLIX_MCP_STATE_DB must be :memory:, a file in an existing directory, "
                "or a postgresql:// URL"
            )
        return value

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Read `HIREFLIX_*` variables; keyword overrides (from flags) win over the environment."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for var, field in ENVIRONMENT.items():
            raw = env.get(var)
            if raw is not None and raw != "":
                values[field] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)


_VARIABLE_OF_FIELD = {field: var for var, field in ENVIRONMENT.items()}
_EXPECTED_SHAPES = {
    "index_sync": "on or off (or true/false, 1/0)",
    "api_url": "a URL starting with http:// or https://",
    "public_url": "an absolute http(s) URL without query or fragment, e.g. https://mcp.example.com",
    "state_db": ":memory:, a SQLite file in an existing directory, or a PostgreSQL URL "
    "(postgresql://user:password@host:5432/database)",
    "oauth_issuer": "an https URL (http only on loopback), exactly as tokens name it in `iss`",
    "media_origins": "comma-separated https origins without a path, e.g. https://media.example.com",
}
_BOUNDS = (("gt", "greater than"), ("ge", "at least"), ("lt", "less than"), ("le", "at most"))


def expected_values(field: str) -> str:
    """What a setting accepts, in words: its choices, its numeric range or its shape."""
    if field in _EXPECTED_SHAPES:
        return _EXPECTED_SHAPES[field]
    info = Settings.model_fields[field]
    if get_origin(info.annotation) is Literal:
        return "one of " + ", ".join(str(choice) for choice in get_args(info.annotation))
    if info.annotation in (int, float):
        kind = "a whole number" if info.annotation is int else "a number"
        bounds = [
            f"{words} {getattr(rule, attr)}"
            for rule in info.metadata
            for attr, words in _BOUNDS
            if getattr(rule, attr, None) is not None
        ]
        return " and ".join([f"{kind} {bounds[0]}" if bounds else kind, *bounds[1:]])
    return "any non-empty text"


def describe_invalid(error: ValidationError, flags: Mapping[str, str] | None = None) -> list[str]:
    """One line per invalid setting of `Settings.from_env`, as the user wrote it.

    Each line names the environment variable, or the flag for fields given in `flags` (field name to
    flag, e.g. `{"confirm": "--confirm"}`), the value (never a secret's) and what the setting accepts.
    """
    lines: list[str] = []
    seen: set[str] = set()
    for problem in error.errors():
        field = str(problem["loc"][0]) if problem["loc"] else ""
        if field not in Settings.model_fields:
            lines.append(problem["msg"].removeprefix("Value error, "))
            continue
        if field in seen:  # `X | None` fields report each member of the union
            continue
        seen.add(field)
        flag = (flags or {}).get(field)
        annotation = Settings.model_fields[field].annotation
        if SecretStr in (annotation, *get_args(annotation)):
            shown = ""
        else:
            given = redact_url(problem["input"]) if isinstance(problem["input"], str) else problem["input"]
            shown = f" {given!r}" if flag else f"={given!r}"
        name = flag or _VARIABLE_OF_FIELD.get(field, field)
        lines.append(f"{name}{shown} is invalid: expected {expected_values(field)}")
    return lines
