"""Account: the two-month audit log, team members and webhooks."""

from __future__ import annotations

from typing import Any

import pytest

from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.ids import epoch_ms
from hireflix_sandbox.rules import DAY_MS
from hireflix_sandbox.store import AuditRecord

AUDIT = """
query Audit($pagination: SkipLimitInput) {
  info { company { logs { audit(pagination: $pagination) {
    count total results { actor { id email } timestamp object ip action host referer medium }
  } } } }
}
"""
MEMBERS = "{ info { company { members { id name email deleted type } } } }"
WEBHOOKS = "{ info { company { webhooks { id url events active external } } } }"
WEBHOOK_FIELDS = "id url events active external"
UPDATE_WEBHOOK = (
    f"mutation($input: UpdateWebhookInput!) {{ updateWebhook(input: $input) {{ {WEBHOOK_FIELDS} }} }}"
)


def data(body: Any) -> Any:
    assert "errors" not in body, body["errors"]
    return body["data"]


def audit(sandbox: RunningSandbox, **pagination: int) -> Any:
    body = sandbox.graphql(AUDIT, {"pagination": pagination or None})
    return data(body)["info"]["company"]["logs"]["audit"]


def members(sandbox: RunningSandbox) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = data(sandbox.graphql(MEMBERS))["info"]["company"]["members"]
    return result


def member_call(sandbox: RunningSandbox, call: str) -> Any:
    return sandbox.graphql(f"mutation {{ Company {{ Member {{ {call} }} }} }}")


# ---------------------------------------------------------------- audit log


def test_the_audit_log_returns_only_the_last_two_months_newest_first(sandbox: RunningSandbox) -> None:
    everything = sandbox.store.audit_entries()
    cutoff = epoch_ms() - 60 * DAY_MS
    recent = [e for e in everything if e.timestamp >= cutoff]
    assert len(everything) > len(recent) > 0, "demo data holds entries on both sides of the window"
    page = audit(sandbox, limit=100)
    assert page["total"] == page["count"] == len(recent)
    timestamps = [r["timestamp"] for r in page["results"]]
    assert timestamps == sorted(timestamps, reverse=True)
    assert min(timestamps) >= cutoff


def test_an_entry_just_outside_the_window_is_not_returned(sandbox: RunningSandbox) -> None:
    owner = sandbox.store.owner()
    for age_days, action in ((59.9, "inside.window"), (60.1, "outside.window")):
        sandbox.store.insert(
            AuditRecord(
                id=f"{int(age_days * 10):024x}",
                actor_id=owner.id,
                actor_email=owner.email,
                timestamp=epoch_ms() - age_days * DAY_MS,
                object={"id": owner.id, "type": "MEMBER"},
                ip=None,
                action=action,
                host=None,
                referer=None,
                medium="ADMIN",
            )
        )
    returned = {r["action"] for r in audit(sandbox, limit=100)["results"]}
    assert "inside.window" in returned
    assert "outside.window" not in returned


def test_skip_and_limit_page_through_the_log(sandbox: RunningSandbox) -> None:
    whole = audit(sandbox, limit=100)["results"]
    first = audit(sandbox, skip=0, limit=5)
    second = audit(sandbox, skip=5, limit=5)
    assert first["count"] == second["count"] == 5
    assert first["total"] == len(whole)
    assert first["results"] + second["results"] == whole[:10]
    beyond = audit(sandbox, skip=len(whole), limit=5)
    assert (beyond["count"], beyond["results"]) == (0, [])


def test_the_default_audit_page_is_twenty(sandbox: RunningSandbox) -> None:
    assert audit(sandbox)["count"] == 20


def test_a_negative_skip_is_refused(sandbox: RunningSandbox) -> None:
    body = sandbox.graphql(AUDIT, {"pagination": {"skip": -1}})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_an_api_mutation_appears_at_the_top_of_the_log(sandbox: RunningSandbox) -> None:
    member_call(sandbox, 'add(email: "auditor@acme.example")')
    entry = audit(sandbox, limit=1)["results"][0]
    owner = sandbox.store.owner()
    added = sandbox.store.member_by_email("auditor@acme.example")
    assert added is not None
    assert entry["action"] == "member.add"
    assert entry["actor"] == {"id": owner.id, "email": owner.email}
    assert entry["object"] == {"id": added.id, "type": "MEMBER"}
    assert entry["medium"] == "API_KEY"
    assert entry["ip"] == "127.0.0.1"


# ---------------------------------------------------------------- members


def test_members_lists_the_team_with_the_owner_first(sandbox: RunningSandbox) -> None:
    team = members(sandbox)
    assert team[0]["email"] == sandbox.store.owner().email
    assert team[0]["type"] == "owner"
    assert all(m["deleted"] is False for m in team)


def test_adding_a_member_returns_true_and_lists_them(sandbox: RunningSandbox) -> None:
    body = member_call(sandbox, 'add(email: "new.hire@acme.example")')
    assert data(body) == {"Company": {"Member": {"add": True}}}
    assert "new.hire@acme.example" in [m["email"] for m in members(sandbox)]


def test_adding_an_existing_member_returns_false(sandbox: RunningSandbox) -> None:
    existing = members(sandbox)[1]["email"]
    before = len(sandbox.store.audit_entries())
    body = member_call(sandbox, f'add(email: "{existing.upper()}")')
    assert data(body)["Company"]["Member"]["add"] is False
    assert len(members(sandbox)) == 4
    assert len(sandbox.store.audit_entries()) == before


def test_adding_an_invalid_email_is_refused(sandbox: RunningSandbox) -> None:
    body = member_call(sandbox, 'add(email: "not an email")')
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_removing_by_id_or_email(sandbox: RunningSandbox) -> None:
    team = members(sandbox)
    assert data(member_call(sandbox, f'remove(id: "{team[1]["id"]}")'))["Company"]["Member"]["remove"] is True
    assert (
        data(member_call(sandbox, f'remove(email: "{team[2]["email"]}")'))["Company"]["Member"]["remove"]
        is True
    )
    remaining = [m["id"] for m in members(sandbox)]
    assert remaining == [team[0]["id"], team[3]["id"]]
    assert [e.action for e in sandbox.store.audit_entries()[:2]] == ["member.remove", "member.remove"]


def test_removing_someone_who_is_not_a_member_returns_false(sandbox: RunningSandbox) -> None:
    assert (
        data(member_call(sandbox, 'remove(email: "stranger@example.com")'))["Company"]["Member"]["remove"]
        is False
    )
    assert (
        data(member_call(sandbox, 'remove(id: "ffffffffffffffffffffffff")'))["Company"]["Member"]["remove"]
        is False
    )


def test_removing_with_an_id_and_email_of_different_members_returns_false(sandbox: RunningSandbox) -> None:
    team = members(sandbox)
    body = member_call(sandbox, f'remove(id: "{team[1]["id"]}", email: "{team[2]["email"]}")')
    assert data(body)["Company"]["Member"]["remove"] is False
    assert len(members(sandbox)) == 4


def test_removing_needs_an_id_or_an_email(sandbox: RunningSandbox) -> None:
    body = member_call(sandbox, "remove")
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_the_account_owner_cannot_be_removed(sandbox: RunningSandbox) -> None:
    body = member_call(sandbox, f'remove(id: "{sandbox.store.owner().id}")')
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_a_removed_member_can_be_added_back(sandbox: RunningSandbox) -> None:
    team = members(sandbox)
    member_call(sandbox, f'remove(id: "{team[3]["id"]}")')
    assert data(member_call(sandbox, f'add(email: "{team[3]["email"]}")'))["Company"]["Member"]["add"] is True
    assert team[3]["id"] in [m["id"] for m in members(sandbox)]


def test_comments_by_a_removed_member_still_name_them(sandbox: RunningSandbox) -> None:
    comment = next(
        c
        for i in sandbox.store.all_interviews()
        for c in sandbox.store.comments(i.id)
        if c.author_id != sandbox.store.owner().id
    )
    member_call(sandbox, f'remove(id: "{comment.author_id}")')
    body = sandbox.graphql(
        "query($id: String!) { interview(id: $id) { comments { id author { id deleted } } } }",
        {"id": comment.interview_id},
    )
    authors = {c["id"]: c["author"] for c in data(body)["interview"]["comments"]}
    assert authors[comment.id] == {"id": comment.author_id, "deleted": True}


# ---------------------------------------------------------------- webhooks


def create_webhook(sandbox: RunningSandbox, url: str, events: list[str], external: str | None = None) -> Any:
    return sandbox.graphql(
        f"mutation($input: CreateWebhookInput!) {{ createWebhook(input: $input) {{ {WEBHOOK_FIELDS} }} }}",
        {"input": {"url": url, "events": events, "external": external}},
    )


def test_create_list_update_and_delete_a_webhook(sandbox: RunningSandbox) -> None:
    created = data(create_webhook(sandbox, "https://ats.example.com/hooks", ["interview.finish"], "ats"))[
        "createWebhook"
    ]
    assert created["active"] is True
    assert created["events"] == ["interview.finish"]
    assert created["external"] == "ats"
    listed = data(sandbox.graphql(WEBHOOKS))["info"]["company"]["webhooks"]
    assert created in listed
    updated = data(
        sandbox.graphql(
            UPDATE_WEBHOOK,
            {
                "input": {
                    "id": created["id"],
                    "events": ["interview.create", "interview.delete"],
                    "active": False,
                }
            },
        )
    )["updateWebhook"]
    assert updated == {**created, "events": ["interview.create", "interview.delete"], "active": False}
    deleted = sandbox.graphql(
        "mutation($id: String!) { deleteWebhook(input: {id: $id}) }", {"id": created["id"]}
    )
    assert data(deleted) == {"deleteWebhook": True}
    again = sandbox.graphql(
        "mutation($id: String!) { deleteWebhook(input: {id: $id}) }", {"id": created["id"]}
    )
    assert data(again) == {"deleteWebhook": False}
    actions = [e.action for e in sandbox.store.audit_entries()[:3]]
    assert actions == ["webhook.delete", "webhook.update", "webhook.create"]


@pytest.mark.parametrize(
    ("url", "events"),
    [
        ("ftp://example.com/hook", ["interview.finish"]),
        ("not a url", ["interview.finish"]),
        ("https://example.com/hook", ["interview.finished"]),
        ("https://example.com/hook", []),
    ],
)
def test_an_invalid_webhook_is_a_bad_user_input_error(
    sandbox: RunningSandbox, url: str, events: list[str]
) -> None:
    body = create_webhook(sandbox, url, events)
    assert body["data"]["createWebhook"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert len(sandbox.store.webhooks()) == 1


def test_updating_an_unknown_webhook_is_not_found(sandbox: RunningSandbox) -> None:
    body = sandbox.graphql('mutation { updateWebhook(input: {id: "nope", active: true}) { id } }')
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_updating_with_an_unknown_event_is_refused(sandbox: RunningSandbox) -> None:
    hook = sandbox.store.webhooks()[0]
    body = sandbox.graphql(
        'mutation($id: String!) { updateWebhook(input: {id: $id, events: ["nope"]}) { id } }', {"id": hook.id}
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert sandbox.store.webhook(hook.id) == hook
