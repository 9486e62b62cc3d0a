"""Who wants to know which operations the client sends: a collector set for the duration of a task.

The client knows nothing of why (the MCP server's audit trail is one such observer): within
`collecting_operations()`, every operation the transport sends, in this task or any task it starts, is
appended to the yielded list by name (once per request, however often it was retried).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_collector: ContextVar[list[str] | None] = ContextVar("hireflix_operations_sent", default=None)


@contextmanager
def collecting_operations() -> Iterator[list[str]]:
    """The names of the operations sent from here on, appended as they go out."""
    sent: list[str] = []
    token = _collector.set(sent)
    try:
        yield sent
    finally:
        _collector.reset(token)


def operation_sent(name: str) -> None:
    """Note that `name` was sent (the transport calls this once per request)."""
    sent = _collector.get()
    if sent is not None:
        sent.append(name)
