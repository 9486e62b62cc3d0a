"""Fixtures shared by the whole suite; subfolders add their own conftest.py next to their tests.

The `sandbox` fixture serves a canary API key, and every test runs with a log handler that sees every
record (all loggers, DEBUG): a record that carries the canary fails the test, so no log line anywhere in
the suite may contain the key (tests/reliability/test_secrets.py checks outputs, errors and files).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import pytest

from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.embedded import running_sandbox
from tests.pg_cluster import fresh_postgres_url  # noqa: F401 (fixtures)
from tests.pg_cluster import postgres_cluster  # noqa: F401 (fixtures)
from tests.pg_cluster import postgres_url  # noqa: F401 (fixtures)

CANARY_API_KEY = "hfx_canary_7f3a9c01d2e84b6f95a0c3e1b7d4f268"
"""The Hireflix API key of every `sandbox` fixture: distinctive, so a leak anywhere is found by search."""


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    """A fresh sandbox on loopback: in-memory state, demo data from seed 1, the canary API key."""
    with running_sandbox(api_key=CANARY_API_KEY) as running:
        yield running


@pytest.fixture(scope="module")
def shared_sandbox() -> Iterator[RunningSandbox]:
    """One sandbox like `sandbox` for all the tests of a module: for tests that only read it, or that share
    servers started once for the module."""
    with running_sandbox(api_key=CANARY_API_KEY) as running:
        yield running


class CanaryLogHandler(logging.Handler):
    """Keeps every log record whose formatted text (message, arguments, traceback) holds the canary."""

    def __init__(self, canary: str) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self._canary = canary
        self._lock = threading.Lock()
        self.records = 0
        self.leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        with self._lock:
            self.records += 1
        try:
            formatted = self.format(record)
        except (TypeError, ValueError):  # a record whose arguments do not fit its format string
            formatted = f"{record.msg!r} {record.args!r}"
        if self._canary in formatted:
            with self._lock:
                self.leaks.append(formatted)


@pytest.fixture(autouse=True)
def no_canary_in_logs(request: pytest.FixtureRequest) -> Iterator[CanaryLogHandler]:
    """Fails the test when any log record, from any logger or thread, contains the canary API key."""
    root = logging.getLogger()
    handler = CanaryLogHandler(CANARY_API_KEY)
    previous_level = root.level
    # The root logger goes down to DEBUG so this handler sees everything; pytest's "Captured log" report
    # keeps the level it had, so a failing test's report is not buried under DEBUG lines.
    plugin = request.config.pluginmanager.get_plugin("logging-plugin")
    report_handler: logging.Handler | None = getattr(plugin, "report_handler", None)
    report_level = report_handler.level if report_handler is not None else logging.NOTSET
    if report_handler is not None:
        report_handler.setLevel(max(report_level, previous_level))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.setLevel(previous_level)
        root.removeHandler(handler)
        if report_handler is not None:
            report_handler.setLevel(report_level)
    if handler.leaks:
        pytest.fail(f"the canary API key appeared in {len(handler.leaks)} log record(s): {handler.leaks[:3]}")
