"""The business rules as pure functions: invite validation, scores, shares, statuses, names, webhooks."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Any

import pytest

from hireflix_sandbox.rules import DAY_MS
from hireflix_sandbox.rules import InviteCandidate
from hireflix_sandbox.rules import QuestionInput
from hireflix_sandbox.rules import RuleViolation
from hireflix_sandbox.rules import audit_window_start
from hireflix_sandbox.rules import check_comment
from hireflix_sandbox.rules import check_position_name
from hireflix_sandbox.rules import check_questions
from hireflix_sandbox.rules import check_score
from hireflix_sandbox.rules import check_share_days
from hireflix_sandbox.rules import check_skip_limit
from hireflix_sandbox.rules import check_webhook_events
from hireflix_sandbox.rules import check_webhook_url
from hireflix_sandbox.rules import filter_status
from hireflix_sandbox.rules import invite_field_errors
from hireflix_sandbox.rules import json_depth
from hireflix_sandbox.rules import metadata_problem
from hireflix_sandbox.rules import normalize_invite
from hireflix_sandbox.rules import quota_period_start


def invite(
    *,
    email: str = "jane@example.com",
    first_name: str = "Jane",
    last_name: str | None = None,
    phone: str | None = None,
    external_id: str | None = None,
    metadata: Any = None,
) -> InviteCandidate:
    return InviteCandidate(email, first_name, last_name, phone, external_id, metadata)


def test_a_minimal_invite_has_no_field_errors() -> None:
    assert invite_field_errors(invite()) == {}


@pytest.mark.parametrize("phone", ["+14155550123", "+34612345678", "+4479460000"])
def test_e164_phones_are_accepted(phone: str) -> None:
    assert invite_field_errors(invite(phone=phone)) == {}


@pytest.mark.parametrize(
    "phone", ["4155550123", "+0123456789", "+1 415 555 0123", "+123456", "+1234567890123456"]
)
def test_phones_outside_e164_are_refused_under_candidate_phone(phone: str) -> None:
    assert set(invite_field_errors(invite(phone=phone))) == {"candidate.phone"}


def test_first_name_is_measured_after_trimming() -> None:
    assert invite_field_errors(invite(first_name="  " + "a" * 50 + "  ")) == {}
    assert "candidate.firstName" in invite_field_errors(invite(first_name="a" * 51))
    assert "candidate.firstName" in invite_field_errors(invite(first_name="   "))


def test_last_name_may_be_absent_but_not_longer_than_fifty() -> None:
    assert invite_field_errors(invite(last_name=None)) == {}
    assert invite_field_errors(invite(last_name="b" * 50)) == {}
    assert set(invite_field_errors(invite(last_name="b" * 51))) == {"candidate.lastName"}


def test_external_id_is_limited_to_255_characters() -> None:
    assert invite_field_errors(invite(external_id="x" * 255)) == {}
    assert set(invite_field_errors(invite(external_id="x" * 256))) == {"externalId"}


def test_metadata_allows_25_keys_and_three_levels() -> None:
    assert metadata_problem({f"k{i}": i for i in range(25)}) is None
    assert metadata_problem({"a": {"b": {"c": 1}}}) is None
    assert metadata_problem({f"k{i}": i for i in range(26)}) is not None
    assert metadata_problem({"a": {"b": {"c": {"d": 1}}}}) is not None
    assert metadata_problem(["not", "an", "object"]) is not None


def test_json_depth_counts_objects_and_arrays() -> None:
    assert json_depth(1) == 0
    assert json_depth({}) == 1
    assert json_depth({"a": [1, 2]}) == 2
    assert json_depth({"a": [{"b": 1}]}) == 3


def test_every_broken_rule_is_reported_at_once() -> None:
    errors = invite_field_errors(invite(first_name="", phone="123", external_id="x" * 300, metadata=[1]))
    assert set(errors) == {"candidate.firstName", "candidate.phone", "externalId", "metadata"}


def test_normalising_trims_names_and_drops_a_blank_last_name() -> None:
    normal = normalize_invite(invite(email=" jane@example.com ", first_name=" Jane ", last_name="  "))
    assert (normal.email, normal.first_name, normal.last_name) == ("jane@example.com", "Jane", None)


@pytest.mark.parametrize(("archived", "finalist", "completed", "status"), [
    (None, None, False, "pending"),
    (None, None, True, "to_evaluate"),
    (None, 1.0, True, "shortlisted"),
    (1.0, 1.0, True, "discarded"),
    (1.0, None, False, "discarded"),
])  # fmt: skip
def test_filter_status_prefers_discarded_then_shortlisted_then_pending(
    archived: float | None, finalist: float | None, completed: bool, status: str
) -> None:
    assert filter_status(archived=archived, finalist=finalist, completed=completed) == status


@pytest.mark.parametrize("score", [0.5, 1.0, 2.5, 4.5, 5.0])
def test_scores_in_half_steps_are_accepted(score: float) -> None:
    assert check_score(score) == score


def test_a_null_score_clears() -> None:
    assert check_score(None) is None


@pytest.mark.parametrize("score", [0.0, 0.25, 5.5, -1.0, 3.3, float("nan"), float("inf")])
def test_scores_off_the_half_step_scale_are_refused(score: float) -> None:
    with pytest.raises(RuleViolation, match=r"steps of 0\.5"):
        check_score(score)


def test_share_defaults_to_75_days_and_allows_1_to_365() -> None:
    assert check_share_days(None) == 75
    assert check_share_days(1) == 1
    assert check_share_days(365) == 365
    for days in (0, 366, -5):
        with pytest.raises(RuleViolation):
            check_share_days(days)


def test_invite_quota_periods_start_at_the_first_of_the_month_utc() -> None:
    now = datetime(2025, 3, 17, 15, 30, tzinfo=UTC).timestamp() * 1000
    assert quota_period_start(now) == datetime(2025, 3, 1, tzinfo=UTC).timestamp() * 1000


def test_the_audit_window_is_sixty_days() -> None:
    assert audit_window_start(100 * DAY_MS) == 40 * DAY_MS


def test_position_names_are_trimmed_and_limited() -> None:
    assert check_position_name("  Designer ") == "Designer"
    for bad in (None, "", "   ", "x" * 101):
        with pytest.raises(RuleViolation):
            check_position_name(bad)


def test_a_position_needs_at_least_one_titled_question() -> None:
    assert [q.title for q in check_questions([QuestionInput(title=" Why us? ")])] == ["Why us?"]
    with pytest.raises(RuleViolation):
        check_questions([])
    with pytest.raises(RuleViolation):
        check_questions([QuestionInput(title="  ")])
    with pytest.raises(RuleViolation):
        check_questions([QuestionInput(title="Q", time_to_answer=0)])


def test_comments_are_trimmed_and_must_not_be_empty() -> None:
    assert check_comment("  fine  ") == "fine"
    with pytest.raises(RuleViolation):
        check_comment(" \n ")


def test_webhook_urls_must_be_http_or_https() -> None:
    assert check_webhook_url("https://hooks.example.com/x") == "https://hooks.example.com/x"
    assert check_webhook_url("http://127.0.0.1:9000/hook") == "http://127.0.0.1:9000/hook"
    for bad in ("ftp://example.com", "example.com/hook", "https://", "javascript:alert(1)"):
        with pytest.raises(RuleViolation):
            check_webhook_url(bad)


def test_webhook_events_must_be_known_and_are_deduplicated() -> None:
    assert check_webhook_events(["interview.finish", "interview.finish", "interview.create"]) == [
        "interview.finish",
        "interview.create",
    ]
    with pytest.raises(RuleViolation, match=r"interview\.finished"):
        check_webhook_events(["interview.finished"])
    with pytest.raises(RuleViolation):
        check_webhook_events([])


def test_skip_and_limit_default_cap_and_refuse_negatives() -> None:
    assert check_skip_limit(None, None) == (0, 20)
    assert check_skip_limit(5, 500) == (5, 100)
    with pytest.raises(RuleViolation):
        check_skip_limit(-1, 10)
    with pytest.raises(RuleViolation):
        check_skip_limit(0, 0)
