"""PostgreSQL connection URLs as `HIREFLIX_MCP_STATE_DB` takes them: recognised, checked, shown without
the password. No driver needed (settings and logs use this before anything connects)."""

from __future__ import annotations

from urllib.parse import urlsplit
from urllib.parse import urlunsplit

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
EXAMPLE = "postgresql://user:password@host:5432/database"


def is_postgres_url(value: str) -> bool:
    return value.startswith(POSTGRES_SCHEMES)


def postgres_url_problem(value: str) -> str | None:
    """What is wrong with a `postgresql://` URL, in words, or None when libpq can use it."""
    try:
        parts = urlsplit(value)
        _ = parts.port  # raises for a port that is not a number from 0 to 65535
    except ValueError:
        return f"is not a readable URL (expected e.g. {EXAMPLE})"
    if not parts.hostname and "host=" not in parts.query:
        return f"names no host (expected e.g. {EXAMPLE}, or ?host=/socket/dir)"
    if parts.fragment:
        return "must not have a #fragment"
    return None


def url_password(value: str) -> str | None:
    """The password a PostgreSQL URL carries (in its user part or as `password=`), for the log redactor."""
    if not is_postgres_url(value):
        return None
    try:
        parts = urlsplit(value)
        password = parts.password
    except ValueError:
        return None
    if password:
        return password
    query = dict(item.split("=", 1) for item in parts.query.split("&") if "=" in item)
    return query.get("password") or None


def redact_url(value: str) -> str:
    """`value` as it may be shown: a URL without its password (`postgresql://user:***@host/db`)."""
    if "://" not in value:
        return value
    try:
        parts = urlsplit(value)
        password = parts.password
    except ValueError:
        return "(a URL that cannot be read)"
    if password is None and "password=" not in parts.query:
        return value
    user = parts.username or ""
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = "&".join(
        "password=***" if item.startswith("password=") else item for item in parts.query.split("&") if item
    )
    shown_user = f"{user}:***@" if password is not None else (f"{user}@" if user else "")
    return urlunsplit(parts._replace(netloc=f"{shown_user}{netloc}", query=query))
