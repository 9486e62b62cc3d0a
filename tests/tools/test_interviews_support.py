"""Helpers shared by the interviews tool tests (no tests here): finding sandbox objects and counting calls."""

from __future__ import annotations

from typing import Any

from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.store import InterviewRecord
from hireflix_sandbox.store import PositionRecord

MISSING_ID = "0" * 24

CREATE_POSITION = """
mutation($position: PositionInputType!) { Position { save(position: $position) { id name } } }
"""


def open_position(sandbox: RunningSandbox) -> PositionRecord:
    """The open demo position with the most interviews."""
    open_ones = [p for p in sandbox.store.positions() if p.archived is None]
    return max(open_ones, key=lambda p: len(sandbox.store.interviews(p.id)))


def senior_backend_position(sandbox: RunningSandbox) -> PositionRecord:
    """The demo position "Senior Backend Engineer": 14 interviews in every status, 7 of them recorded, and
    discarded ones among both the recorded and the never recorded."""
    return next(p for p in sandbox.store.positions() if p.name == "Senior Backend Engineer")


def archived_position(sandbox: RunningSandbox) -> PositionRecord:
    return next(p for p in sandbox.store.positions() if p.archived is not None)


def new_position(sandbox: RunningSandbox, name: str = "Bulk Hiring") -> str:
    """A fresh, empty, open position."""
    body = sandbox.graphql(CREATE_POSITION, {"position": {"name": name, "questions": [{"title": "Why us?"}]}})
    assert "errors" not in body, body
    position_id: str = body["data"]["Position"]["save"]["id"]
    return position_id


def interviews_by_status(sandbox: RunningSandbox, position_id: str) -> dict[str, list[InterviewRecord]]:
    result: dict[str, list[InterviewRecord]] = {}
    for record in sandbox.store.interviews(position_id):
        if record.archived is not None:
            status = "discarded"
        elif record.finalist is not None:
            status = "shortlisted"
        elif record.status == "completed":
            status = "to_evaluate"
        else:
            status = "pending"
        result.setdefault(status, []).append(record)
    return result


def completed_interview(sandbox: RunningSandbox) -> InterviewRecord:
    """A demo interview the candidate recorded (it has answers and transcripts)."""
    return next(
        r for r in sandbox.store.all_interviews() if r.status == "completed" and sandbox.store.answers(r.id)
    )


def calls(sandbox: RunningSandbox, root_field: str) -> int:
    """How many requests selected `root_field` since the last reset."""
    counts: dict[str, Any] = sandbox.request_counts()
    by_field: dict[str, int] = counts["by_root_field"]
    return by_field.get(root_field, 0)


def total_requests(sandbox: RunningSandbox) -> int:
    counts: dict[str, Any] = sandbox.request_counts()
    total: int = counts["total"]
    return total
