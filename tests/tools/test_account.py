"""Account tools (audit log, team members) through the real Client against the sandbox."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Literal

import pytest

from hireflix_sandbox.embedded import RunningSandbox
from tests.tools.conftest import Elicitor, Era, connect, data, error_text

Refusal = Literal["decline", "cancel"]

pytestmark = pytest.mark.anyio

TWO_MONTHS_MS = 60 * 86_400_000
NEW_EMAIL = "new.recruiter@acme-talent.example"


def _epoch_ms(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp() * 1000


def _member_emails(sandbox: RunningSandbox) -> set[str]:
    return {m.email for m in sandbox.store.members()}


def _plain_member(sandbox: RunningSandbox) -> tuple[str, str, str]:
    member = next(m for m in sandbox.store.members() if m.type == "member")
    return member.id, member.email, member.name or ""


# ------------------------------------------------------------------------------------------ logs


async def test_account_logs_page_through_the_last_two_months_newest_first(
    sandbox: RunningSandbox, era: Era
) -> None:
    now = time.time() * 1000
    in_window = [e for e in sandbox.store.audit_entries() if e.timestamp >= now - TWO_MONTHS_MS]
    older = [e for e in sandbox.store.audit_entries() if e.timestamp < now - TWO_MONTHS_MS]
    assert older, "demo data has entries older than two months"
    seen: list[dict[str, object]] = []
    skip: int | None = 0
    async with connect(sandbox, era=era) as client:
        while skip is not None:
            page = data(await client.call_tool("get_account_logs", {"limit": 7, "skip": skip}))
            assert page["total"] == len(in_window)
            assert len(page["entries"]) <= 7
            seen.extend(page["entries"])
            skip = page["next_skip"]
            assert skip is None or skip == len(seen)
    assert len(seen) == len(in_window)
    times = [_epoch_ms(str(e["at"])) for e in seen]
    assert times == sorted(times, reverse=True)
    assert min(times) >= now - TWO_MONTHS_MS - 1000
    first = seen[0]
    assert set(first) == {"at", "actor_email", "action", "object_type", "object_id", "ip", "medium"}


async def test_account_log_entries_carry_actor_object_ip_and_medium(sandbox: RunningSandbox) -> None:
    target = sandbox.store.all_interviews()[0]
    async with connect(sandbox) as client:
        await client.call_tool("score_interview", {"interview_id": target.id, "score": 1.5})
        page = data(await client.call_tool("get_account_logs", {"limit": 1}))
    newest = page["entries"][0]
    assert newest["action"] == "interview.score"
    assert (newest["object_type"], newest["object_id"]) == ("INTERVIEW", target.id)
    assert newest["actor_email"] == sandbox.store.owner().email
    assert newest["medium"] == "API_KEY"
    assert newest["ip"]
    assert page["next_skip"] == 1


async def test_skipping_past_the_end_returns_an_empty_last_page(sandbox: RunningSandbox) -> None:
    async with connect(sandbox) as client:
        page = data(await client.call_tool("get_account_logs", {"skip": 10_000}))
    assert page["entries"] == []
    assert page["next_skip"] is None
    assert page["total"] > 0


@pytest.mark.parametrize(("args", "field"), [({"limit": 0}, "limit"), ({"limit": 101}, "limit"),
                                             ({"skip": -1}, "skip")])  # fmt: skip
async def test_log_paging_out_of_range_is_rejected_before_anything_is_sent(
    sandbox: RunningSandbox, args: dict[str, int], field: str
) -> None:
    async with connect(sandbox) as client:
        sandbox.reset_request_counts()
        message = error_text(await client.call_tool("get_account_logs", args))
    assert field in message
    assert sandbox.request_counts()["total"] == 0


# ------------------------------------------------------------------------------------------ members


async def test_list_members_shows_each_active_member_with_id_email_and_type(
    sandbox: RunningSandbox, era: Era
) -> None:
    async with connect(sandbox, era=era) as client:
        result = data(await client.call_tool("list_members", {}))
    expected = {(m.id, m.email, m.type) for m in sandbox.store.members()}
    assert {(m["id"], m["email"], m["type"]) for m in result["members"]} == expected
    assert result["total"] == len(expected)
    assert any(m["type"] == "owner" and m["name"] for m in result["members"])


async def test_accepted_add_member_grants_access_after_naming_the_email(
    sandbox: RunningSandbox, era: Era
) -> None:
    elicitor = Elicitor("accept")
    async with connect(sandbox, era=era, elicitor=elicitor) as client:
        result = data(await client.call_tool("add_member", {"email": NEW_EMAIL}))
    assert elicitor.messages == [
        f"Give {NEW_EMAIL} access to the company's Hireflix account, including every candidate's recordings?"
    ]
    assert result["status"] == "done"
    assert result["member"]["email"] == NEW_EMAIL
    assert NEW_EMAIL in _member_emails(sandbox)


@pytest.mark.parametrize("action", ["decline", "cancel"])
async def test_declined_or_cancelled_add_member_grants_nothing(
    sandbox: RunningSandbox, era: Era, action: Refusal
) -> None:
    elicitor = Elicitor(action)
    async with connect(sandbox, era=era, elicitor=elicitor) as client:
        result = data(await client.call_tool("add_member", {"email": NEW_EMAIL}))
    assert result["status"] == ("declined" if action == "decline" else "cancelled")
    assert NEW_EMAIL not in _member_emails(sandbox)


async def test_add_member_without_elicitation_needs_a_token_then_adds_once(
    sandbox: RunningSandbox, era: Era
) -> None:
    async with connect(sandbox, era=era) as client:
        first = data(await client.call_tool("add_member", {"email": NEW_EMAIL}))
        assert first["status"] == "confirmation_required"
        assert f"Give {NEW_EMAIL} access" in first["message"]
        assert NEW_EMAIL not in _member_emails(sandbox)
        token = first["confirmation_token"]
        second = data(await client.call_tool("add_member", {"email": NEW_EMAIL, "confirmation_token": token}))
        assert second["status"] == "done"
        assert NEW_EMAIL in _member_emails(sandbox)
        replay = error_text(
            await client.call_tool("add_member", {"email": NEW_EMAIL, "confirmation_token": token})
        )
    assert "already used" in replay


async def test_add_member_token_for_another_email_or_forged_changes_nothing(sandbox: RunningSandbox) -> None:
    other = "someone.else@acme-talent.example"
    async with connect(sandbox) as client:
        first = data(await client.call_tool("add_member", {"email": NEW_EMAIL}))
        token = first["confirmation_token"]
        mismatched = error_text(
            await client.call_tool("add_member", {"email": other, "confirmation_token": token})
        )
        forged = error_text(
            await client.call_tool(
                "add_member", {"email": NEW_EMAIL, "confirmation_token": token[:-4] + "AAAA"}
            )
        )
    assert "different arguments" in mismatched
    assert "forged" in forged
    assert not {NEW_EMAIL, other} & _member_emails(sandbox)


async def test_adding_an_existing_member_says_nothing_changed(sandbox: RunningSandbox) -> None:
    _, email, _ = _plain_member(sandbox)
    before = sandbox.store.members()
    async with connect(sandbox, confirm="off") as client:
        result = data(await client.call_tool("add_member", {"email": email}))
    assert result["status"] == "done"
    assert "already a member" in result["message"]
    assert sandbox.store.members() == before


async def test_add_member_with_a_malformed_email_is_rejected_before_anything_is_sent(
    sandbox: RunningSandbox,
) -> None:
    elicitor = Elicitor("accept")
    async with connect(sandbox, elicitor=elicitor) as client:
        sandbox.reset_request_counts()
        message = error_text(await client.call_tool("add_member", {"email": "not an email"}))
    assert "email" in message
    assert sandbox.request_counts()["total"] == 0
    assert elicitor.messages == []


async def test_accepted_remove_member_by_email_names_them_and_revokes_access(
    sandbox: RunningSandbox, era: Era
) -> None:
    member_id, email, name = _plain_member(sandbox)
    elicitor = Elicitor("accept")
    async with connect(sandbox, era=era, elicitor=elicitor) as client:
        result = data(await client.call_tool("remove_member", {"email": email.upper()}))
    assert len(elicitor.messages) == 1
    assert f"{name} <{email}>" in elicitor.messages[0]
    assert result["status"] == "done"
    assert result["member"]["id"] == member_id
    assert email not in _member_emails(sandbox)


async def test_remove_member_by_id_without_elicitation_needs_a_token_then_removes_once(
    sandbox: RunningSandbox, era: Era
) -> None:
    member_id, email, name = _plain_member(sandbox)
    async with connect(sandbox, era=era) as client:
        first = data(await client.call_tool("remove_member", {"member_id": member_id}))
        assert first["status"] == "confirmation_required"
        assert name in first["message"]
        assert email in _member_emails(sandbox)
        token = first["confirmation_token"]
        second = data(
            await client.call_tool("remove_member", {"member_id": member_id, "confirmation_token": token})
        )
        assert second["status"] == "done"
        assert email not in _member_emails(sandbox)
        replay = error_text(
            await client.call_tool("remove_member", {"member_id": member_id, "confirmation_token": token})
        )
    assert "already used" in replay


@pytest.mark.parametrize("action", ["decline", "cancel"])
async def test_declined_or_cancelled_remove_member_keeps_them(
    sandbox: RunningSandbox, era: Era, action: Refusal
) -> None:
    member_id, email, _ = _plain_member(sandbox)
    elicitor = Elicitor(action)
    async with connect(sandbox, era=era, elicitor=elicitor) as client:
        result = data(await client.call_tool("remove_member", {"member_id": member_id}))
    assert result["status"] == ("declined" if action == "decline" else "cancelled")
    assert email in _member_emails(sandbox)


async def test_remove_member_token_for_another_member_or_forged_changes_nothing(
    sandbox: RunningSandbox,
) -> None:
    members = [m for m in sandbox.store.members() if m.type != "owner"]
    before = _member_emails(sandbox)
    async with connect(sandbox) as client:
        first = data(await client.call_tool("remove_member", {"member_id": members[0].id}))
        token = first["confirmation_token"]
        mismatched = error_text(
            await client.call_tool("remove_member", {"member_id": members[1].id, "confirmation_token": token})
        )
        by_email = error_text(
            await client.call_tool("remove_member", {"email": members[0].email, "confirmation_token": token})
        )
        forged = error_text(
            await client.call_tool(
                "remove_member", {"member_id": members[0].id, "confirmation_token": token[:-4] + "AAAA"}
            )
        )
    assert "different arguments" in mismatched
    assert "different arguments" in by_email
    assert "forged" in forged
    assert _member_emails(sandbox) == before


@pytest.mark.parametrize("args", [{}, {"member_id": "a" * 24, "email": "x@example.com"}])
async def test_remove_member_needs_exactly_one_of_id_or_email(
    sandbox: RunningSandbox, era: Era, args: dict[str, str]
) -> None:
    elicitor = Elicitor("accept")
    async with connect(sandbox, era=era, elicitor=elicitor) as client:
        sandbox.reset_request_counts()
        message = error_text(await client.call_tool("remove_member", args))
    assert "exactly one of member_id or email" in message
    assert sandbox.request_counts()["total"] == 0
    assert elicitor.messages == []


@pytest.mark.parametrize("with_elicitation", [True, False])
async def test_removing_an_unknown_member_points_at_list_members(
    sandbox: RunningSandbox, with_elicitation: bool
) -> None:
    elicitor = Elicitor("accept") if with_elicitation else None
    before = _member_emails(sandbox)
    async with connect(sandbox, elicitor=elicitor) as client:
        message = error_text(await client.call_tool("remove_member", {"email": "nobody@example.com"}))
    assert "nobody@example.com" in message
    assert "list_members" in message
    assert elicitor is None or elicitor.messages == []
    assert _member_emails(sandbox) == before


async def test_the_account_owner_cannot_be_removed(sandbox: RunningSandbox) -> None:
    owner = sandbox.store.owner()
    async with connect(sandbox, confirm="off") as client:
        message = error_text(await client.call_tool("remove_member", {"member_id": owner.id}))
    assert "owns the account" in message
    assert owner.email in _member_emails(sandbox)


async def test_remove_member_with_a_malformed_id_is_rejected_before_anything_is_sent(
    sandbox: RunningSandbox,
) -> None:
    async with connect(sandbox) as client:
        sandbox.reset_request_counts()
        message = error_text(await client.call_tool("remove_member", {"member_id": "42"}))
    assert "member_id" in message
    assert sandbox.request_counts()["total"] == 0
