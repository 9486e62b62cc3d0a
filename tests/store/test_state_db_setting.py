"""HIREFLIX_MCP_STATE_DB: a SQLite path, :memory: or a PostgreSQL URL; a bad URL named, not its password."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hireflix_mcp.dsn import redact_url
from hireflix_mcp.settings import Settings
from hireflix_mcp.settings import describe_invalid
from hireflix_mcp.store import open_state
from hireflix_mcp.store.postgres import PostgresState
from hireflix_mcp.store.sqlite import SqliteState


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://hireflix:pw@db.internal:5432/hireflix",
        "postgres://db.internal/hireflix?sslmode=require",
        "postgresql:///hireflix?host=/var/run/postgresql",
    ],
)
def test_a_postgresql_url_is_accepted_and_opens_the_postgresql_store(url: str) -> None:
    settings = Settings.from_env({"HIREFLIX_MCP_STATE_DB": url})
    assert settings.state_db == url
    assert isinstance(open_state(settings), PostgresState)


def test_a_path_or_memory_opens_the_sqlite_store(tmp_path: object) -> None:
    assert isinstance(open_state(Settings.from_env({"HIREFLIX_MCP_STATE_DB": ":memory:"})), SqliteState)


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("postgresql://hireflix:hunter2-secret@db.internal:99999/hireflix", "is not a readable URL"),
        ("postgresql://hireflix:hunter2-secret@/hireflix", "names no host"),
    ],
)
def test_a_bad_postgresql_url_names_the_variable_and_rule_but_not_the_password(url: str, rule: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Settings.from_env({"HIREFLIX_MCP_STATE_DB": url})
    lines = describe_invalid(raised.value)
    assert len(lines) == 1
    assert lines[0].startswith("HIREFLIX_MCP_STATE_DB=")
    assert "postgresql://user:password@host:5432/database" in lines[0]
    assert "hunter2-secret" not in lines[0]
    assert rule in str(raised.value)
    assert "hunter2-secret" not in str(raised.value)


def test_a_url_is_shown_without_its_password() -> None:
    assert redact_url("postgresql://u:pw@h:5/db") == "postgresql://u:***@h:5/db"
    assert redact_url("postgresql://h/db?password=pw&sslmode=require") == (
        "postgresql://h/db?password=***&sslmode=require"
    )
    assert redact_url("postgresql://u@h/db") == "postgresql://u@h/db"
    assert redact_url("/var/lib/hireflix/state.db") == "/var/lib/hireflix/state.db"


def test_the_database_password_is_among_the_secrets_the_logs_never_show() -> None:
    from hireflix_mcp.cli import _secrets

    settings = Settings.from_env({"HIREFLIX_MCP_STATE_DB": "postgresql://u:db-pass-123@h/db"})
    assert "db-pass-123" in _secrets(settings)
    query = Settings.from_env({"HIREFLIX_MCP_STATE_DB": "postgresql://h/db?password=db-pass-456"})
    assert "db-pass-456" in _secrets(query)
