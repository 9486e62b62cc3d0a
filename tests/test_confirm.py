"""Confirmation tokens: bound to one call (tool and exact arguments), expiring, single-use, shareable."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from hireflix_mcp.confirm import ConfirmationTokens
from hireflix_mcp.confirm import InvalidConfirmationToken
from hireflix_mcp.confirm import MemorySpentTokens
from hireflix_mcp.confirm import SqliteSpentTokens
from hireflix_mcp.confirm import canonical_arguments

SECRET = b"0123456789abcdef0123456789abcdef"
ARGS = {"interview_id": "a" * 24}


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _problem(tokens: ConfirmationTokens, tool: str, args: Mapping[str, object], token: str) -> str:
    with pytest.raises(InvalidConfirmationToken) as caught:
        tokens.redeem(tool, args, token)
    return caught.value.problem


def test_a_token_authorises_exactly_its_call_once() -> None:
    tokens = ConfirmationTokens(SECRET)
    issued = tokens.issue("delete_interview", ARGS)
    tokens.redeem("delete_interview", dict(ARGS), issued.token)
    assert _problem(tokens, "delete_interview", ARGS, issued.token) == "reused"


def test_each_way_a_token_can_fail_is_named() -> None:
    clock = Clock()
    tokens = ConfirmationTokens(SECRET, clock=clock)
    token = tokens.issue("delete_interview", ARGS).token
    assert _problem(tokens, "delete_interview", ARGS, "not-a-token") == "malformed"
    assert _problem(tokens, "delete_interview", ARGS, token[:-3] + "xyz") == "forged"
    assert _problem(ConfirmationTokens(b"another-secret-of-16+"), "delete_interview", ARGS, token) == "forged"
    assert _problem(tokens, "delete_position", ARGS, token) == "other_tool"
    assert _problem(tokens, "delete_interview", {"interview_id": "b" * 24}, token) == "other_arguments"
    clock.now += 601
    assert _problem(tokens, "delete_interview", ARGS, token) == "expired"


def test_failed_redemptions_do_not_spend_the_token() -> None:
    tokens = ConfirmationTokens(SECRET)
    token = tokens.issue("delete_interview", ARGS).token
    _problem(tokens, "delete_position", ARGS, token)
    tokens.redeem("delete_interview", ARGS, token)


def test_argument_order_does_not_change_what_a_token_is_bound_to() -> None:
    assert canonical_arguments({"a": 1, "b": [1, 2]}) == canonical_arguments({"b": [1, 2], "a": 1})
    tokens = ConfirmationTokens(SECRET)
    token = tokens.issue("share_interview", {"interview_id": "a" * 24, "duration_days": 75}).token
    tokens.redeem("share_interview", {"duration_days": 75, "interview_id": "a" * 24}, token)


def test_replicas_sharing_a_secret_and_a_state_file_refuse_each_others_replays(tmp_path: Path) -> None:
    path = str(tmp_path / "state.db")
    one = ConfirmationTokens(SECRET, SqliteSpentTokens(path))
    two = ConfirmationTokens(SECRET, SqliteSpentTokens(path))
    token = one.issue("remove_member", {"email": "x@example.com"}).token
    two.redeem("remove_member", {"email": "x@example.com"}, token)
    assert _problem(one, "remove_member", {"email": "x@example.com"}, token) == "reused"


def test_spent_tokens_survive_a_restart_with_a_state_file(tmp_path: Path) -> None:
    path = str(tmp_path / "state.db")
    token = ConfirmationTokens(SECRET).issue("delete_webhook", {"webhook_id": "w"}).token
    ConfirmationTokens(SECRET, SqliteSpentTokens(path)).redeem("delete_webhook", {"webhook_id": "w"}, token)
    restarted = ConfirmationTokens(SECRET, SqliteSpentTokens(path))
    assert _problem(restarted, "delete_webhook", {"webhook_id": "w"}, token) == "reused"


def test_memory_store_forgets_expired_nonces_but_never_live_ones() -> None:
    clock = Clock()
    store = MemorySpentTokens(clock)
    assert store.spend("live", clock.now + 600)
    for i in range(1100):
        store.spend(f"old-{i}", clock.now - 1)
    assert not store.spend("live", clock.now + 600)


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        ConfirmationTokens(b"short")
