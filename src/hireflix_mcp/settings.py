"""Settings: environment and command-line flags folded into one frozen object.

The API key is a `SecretStr`: its repr and str are masked, so it cannot leak through logging or an
error message by accident. Read it with `.get_secret_value()` only where it goes on the wire.
A bad value is reported by `describe_invalid`: one line per variable or flag, naming it as the user
wrote it and saying what it accepts.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal, get_args, get_origin
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

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
    "HIREFLIX_WEBHOOK_SECRET": "webhook_secret",
    "HIREFLIX_MCP_STATE_DB": "state_db",
    "HIREFLIX_MCP_EVENT_RETENTION_DAYS": "event_retention_days",
    "HIREFLIX_MCP_PUBLIC_URL": "public_url",
    "HIREFLIX_MCP_LOG_LEVEL": "log_level",
    "HIREFLIX_MCP_MAX_SESSIONS": "max_sessions",
}
"""Every environment variable `Settings.from_env` reads, and the field it sets."""


def sqlite_file_ok(path: str) -> bool:
    """`:memory:` or a file SQLite can create or open: not a directory, in a directory that exists."""
    return path == ":memory:" or (not Path(path).is_dir() and Path(path).parent.is_dir())


class Settings(BaseModel):
    """Everything the server and the Hireflix client need to run, fixed at start-up."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    api_key: SecretStr | None = Field(default=None, description="HIREFLIX_API_KEY")
    api_url: str = Field(default=DEFAULT_API_URL, description="HIREFLIX_API_URL")
    connect_timeout: float = Field(default=5.0, gt=0, le=120)
    read_timeout: float = Field(default=30.0, gt=0, le=600)
    max_retries: int = Field(default=3, ge=0, le=10)
    retry_after_cap: float = Field(default=30.0, ge=0, le=600, description="longest Retry-After honoured, s")
    confirm: ConfirmPolicy = "auto"
    confirm_secret: SecretStr | None = Field(default=None, description="HMAC key for confirmation tokens")
    auth_token: SecretStr | None = Field(default=None, description="HIREFLIX_MCP_AUTH_TOKEN for HTTP")
    webhook_secret: SecretStr | None = Field(default=None, description="HIREFLIX_WEBHOOK_SECRET")
    state_db: str = Field(
        default=":memory:", description="HIREFLIX_MCP_STATE_DB: SQLite file for received webhook events"
    )
    event_retention_days: int = Field(
        default=30, ge=1, le=3650, description="HIREFLIX_MCP_EVENT_RETENTION_DAYS: days events are kept"
    )
    public_url: str | None = Field(
        default=None,
        description="HIREFLIX_MCP_PUBLIC_URL: this server's address as Hireflix reaches it "
        "(create_webhook then defaults to <public_url>/webhooks/hireflix)",
    )
    log_level: LogLevel = "INFO"
    max_sessions: int = Field(
        default=500,
        ge=1,
        le=100_000,
        description="HIREFLIX_MCP_MAX_SESSIONS: open HTTP sessions kept; past it the longest idle is closed",
    )

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
        if not sqlite_file_ok(value):
            raise ValueError("HIREFLIX_MCP_STATE_DB must be :memory: or a file in an existing directory")
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
    "api_url": "a URL starting with http:// or https://",
    "public_url": "an absolute http(s) URL without query or fragment, e.g. https://mcp.example.com",
    "state_db": ":memory: or a file in an existing directory",
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
            lines.append(problem["msg"])
            continue
        if field in seen:  # `X | None` fields report each member of the union
            continue
        seen.add(field)
        flag = (flags or {}).get(field)
        annotation = Settings.model_fields[field].annotation
        if SecretStr in (annotation, *get_args(annotation)):
            shown = ""
        else:
            shown = f" {problem['input']!r}" if flag else f"={problem['input']!r}"
        name = flag or _VARIABLE_OF_FIELD.get(field, field)
        lines.append(f"{name}{shown} is invalid: expected {expected_values(field)}")
    return lines
