"""`ClientConfig`: everything `HireflixClient` reads, fixed when the client is built.

The application builds one from its own settings (`Settings.client_config()`); a script or a test builds
one directly:

    HireflixClient(ClientConfig(api_url="http://127.0.0.1:8000/me", api_key="..."))

The API key is a `SecretStr` (a plain string is accepted and wrapped): its repr and str are masked.
"""

from __future__ import annotations

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import SecretStr

DEFAULT_API_URL = "https://api.hireflix.com/me"
"""The company API (`schema.graphql`); the sandbox serves the same API at `http://<host>:<port>/me`."""


class ClientConfig(BaseModel):
    """Where the Hireflix API is, the key to it, and how patiently to talk to it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    api_url: str = DEFAULT_API_URL
    api_key: SecretStr | None = None
    """None or empty: every call fails with `AuthenticationError` before anything is sent."""
    connect_timeout: float = Field(default=5.0, gt=0)
    """Seconds to connect (and to wait for a pooled connection)."""
    read_timeout: float = Field(default=30.0, gt=0)
    """Seconds to send the request and to wait for the answer."""
    max_retries: int = Field(default=3, ge=0)
    """Retries after the first attempt, for failures that may pass (see `transport.py`)."""
    retry_after_cap: float = Field(default=30.0, ge=0)
    """The longest Retry-After honoured, in seconds; a longer one falls back to exponential backoff."""
