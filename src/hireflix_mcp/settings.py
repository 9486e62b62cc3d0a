"""Settings: environment and command-line flags folded into one frozen object.

The API key is a `SecretStr`: its repr and str are masked, so it cannot leak through logging or an
error message by accident. Read it with `.get_secret_value()` only where it goes on the wire.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

DEFAULT_API_URL = "https://api.hireflix.com/me"
WEBHOOK_RECEIVER_PATH = "/webhooks/hireflix"
"""Where the HTTP server receives Hireflix webhooks (next to `/mcp`)."""

ConfirmPolicy = Literal["auto", "token", "off"]


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
    public_url: str | None = Field(
        default=None,
        description="HIREFLIX_MCP_PUBLIC_URL: this server's address as Hireflix reaches it "
        "(create_webhook then defaults to <public_url>/webhooks/hireflix)",
    )
    log_level: str = "INFO"

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

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Read `HIREFLIX_*` variables; keyword overrides (from flags) win over the environment."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        mapping = {
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
            "HIREFLIX_MCP_PUBLIC_URL": "public_url",
            "HIREFLIX_MCP_LOG_LEVEL": "log_level",
        }
        for var, field in mapping.items():
            raw = env.get(var)
            if raw is not None and raw != "":
                values[field] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)
