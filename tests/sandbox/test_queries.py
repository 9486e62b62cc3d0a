"""Every Query field against demo data: positions, one position, one interview, account info."""

from __future__ import annotations

import itertools
import re
from typing import Any

from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.embedded import running_sandbox
from hireflix_sandbox.store import InterviewRecord

HEX24 = re.compile(r"^[0-9a-f]{24}$")
BASE62_8 = re.compile(r"^[0-9A-Za-z]{8}$")

INTERVIEW = """
query Interview($id: String!) {
  interview(id: $id) {
    id hash status answered createdAt updatedAt completedAt completed expires finalist shortlistedAt archived
    discardedAt externalId disableNotifications inviteSource language retakes timeToAnswer timeToThink
    thumbnail thumbnails ipAddresses userAgents userMetadata
    geolocation { ip country countryCode region city latitude longitude }
    url { public private short }
    externalLink { id url expires }
    candidate { name firstName lastName email phone fullName }
    position { id name }
    questions {
      id title description answered
      media { id type url thumbnail }
      answer {
        id url thumbnail meta { duration }
        transcription { languageCode text words { text start end } }
      }
    }
    score { value type }
    scores { id computedScore overridenScore { value } scorer { id email } }
    comments { id value createdAt author { id name email } }
  }
}
"""


def data(body: Any) -> Any:
    assert "errors" not in body, body["errors"]
    return body["data"]


def completed_interview(sandbox: RunningSandbox, *, language: str) -> InterviewRecord:
    for interview in sandbox.store.all_interviews():
        if interview.completed and interview.language == language and interview.score is not None:
            return interview
    raise AssertionError(f"demo data has no scored, completed {language} interview")


def test_positions_lists_every_position_including_archived(demo: RunningSandbox) -> None:
    positions = data(demo.graphql("{ positions { id name archived active questions { id title } } }"))[
        "positions"
    ]
    assert len(positions) == 6
    assert all(HEX24.match(p["id"]) for p in positions)
    archived = [p for p in positions if p["archived"] is not None]
    assert [p["name"] for p in archived] == ["Summer Intern 2024"]
    assert archived[0]["active"] is True
    assert all(3 <= len(p["questions"]) <= 5 for p in positions)


def test_position_by_id_returns_its_settings_and_questions(demo: RunningSandbox) -> None:
    record = demo.store.positions()[0]
    position = data(
        demo.graphql(
            "query($id: String!) { position(id: $id) { id name description location language tags "
            "createdAt updatedAt expires retakes timeToAnswer timeToThink "
            "questions { id title description timeToAnswer timeToThink retakes } } }",
            {"id": record.id},
        )
    )["position"]
    assert position["name"] == record.name
    assert position["questions"][0]["title"] == demo.store.questions(record.id)[0].title
    assert position["timeToAnswer"] == record.time_to_answer


def test_an_unknown_position_is_null(demo: RunningSandbox) -> None:
    assert data(demo.graphql('{ position(id: "000000000000000000000000") { id } }')) == {"position": None}


def test_an_unknown_interview_is_null(demo: RunningSandbox) -> None:
    assert data(demo.graphql('{ interview(id: "nope") { id } }')) == {"interview": None}


def test_the_legacy_interviews_field_lists_all_of_a_position(demo: RunningSandbox) -> None:
    record = demo.store.positions()[0]
    body = demo.graphql("query($id: String!) { position(id: $id) { interviews { id } } }", {"id": record.id})
    listed = [i["id"] for i in data(body)["position"]["interviews"]]
    assert listed == [i.id for i in demo.store.interviews(record.id)]


def test_a_completed_interview_has_answers_with_media_and_word_timed_transcripts(
    demo: RunningSandbox,
) -> None:
    record = completed_interview(demo, language="en")
    interview = data(demo.graphql(INTERVIEW, {"id": record.id}))["interview"]
    assert interview["status"] == "completed"
    assert interview["answered"] is True
    assert BASE62_8.match(interview["hash"])
    assert interview["url"] == {
        "short": f"https://hflx.io/c/{record.hash}",
        "public": f"https://app.hireflix.com/{record.hash}",
        "private": f"https://admin.hireflix.com/interviews/{record.id}",
    }
    questions = interview["questions"]
    assert len(questions) == len(demo.store.questions(record.position_id))
    for question in questions:
        answer = question["answer"]
        # Served by the sandbox itself (media.py), so a browser can play it.
        assert answer["url"].startswith(f"{demo.base_url}/media/interviews/{record.id}/answers/")
        assert answer["url"].endswith(".webm")
        assert answer["thumbnail"].endswith(".jpg")
        assert question["media"]["url"] == answer["url"]
        assert answer["meta"]["duration"] > 0
        transcription = answer["transcription"]
        assert transcription["languageCode"] == "en"
        words = transcription["words"]
        assert " ".join(w["text"] for w in words) == transcription["text"]
        assert all(w["start"] < w["end"] for w in words)
        assert all(a["end"] <= b["start"] for a, b in itertools.pairwise(words))
    assert interview["thumbnails"] == [q["answer"]["thumbnail"] for q in questions]
    assert interview["thumbnail"] == interview["thumbnails"][0]


def test_spanish_positions_have_spanish_transcripts(demo: RunningSandbox) -> None:
    record = completed_interview(demo, language="es")
    interview = data(demo.graphql(INTERVIEW, {"id": record.id}))["interview"]
    assert {q["answer"]["transcription"]["languageCode"] for q in interview["questions"]} == {"es"}


def test_an_interview_carries_access_info_scores_and_comments(demo: RunningSandbox) -> None:
    record = completed_interview(demo, language="en")
    interview = data(demo.graphql(INTERVIEW, {"id": record.id}))["interview"]
    assert interview["ipAddresses"] == record.ip_addresses
    assert len(set(interview["userAgents"])) == len(interview["userAgents"]) >= 1
    assert [g["ip"] for g in interview["geolocation"]] == record.ip_addresses
    assert interview["geolocation"][0]["countryCode"] is not None
    assert interview["score"] == {"value": record.score, "type": "manual"}
    assert interview["scores"][0]["computedScore"] == record.score
    assert interview["scores"][0]["scorer"]["email"].endswith("@acme-talent.example")
    assert interview["position"]["id"] == record.position_id
    assert interview["timeToAnswer"] == demo.store.position(record.position_id).time_to_answer  # type: ignore[union-attr]


def test_a_pending_interview_has_no_answers(demo: RunningSandbox) -> None:
    record = next(i for i in demo.store.all_interviews() if not i.completed)
    interview = data(demo.graphql(INTERVIEW, {"id": record.id}))["interview"]
    assert interview["status"] == "pending"
    assert interview["completedAt"] is None
    assert interview["thumbnail"] is None
    assert interview["thumbnails"] == []
    assert all(q["answer"] is None and q["answered"] is False for q in interview["questions"])


def test_candidate_names_include_a_full_name(demo: RunningSandbox) -> None:
    record = next(i for i in demo.store.all_interviews() if i.last_name)
    candidate = data(demo.graphql(INTERVIEW, {"id": record.id}))["interview"]["candidate"]
    assert candidate["fullName"] == candidate["name"] == f"{record.first_name} {record.last_name}"
    assert candidate["email"] == record.email


def test_info_names_the_user_and_company_with_members_webhooks_and_secret(demo: RunningSandbox) -> None:
    info = data(
        demo.graphql(
            "{ info { user { id name lastname email createdAt } company { id name webhookSecretKey "
            "members { id name email deleted type } webhooks { id url events active external } } } }"
        )
    )["info"]
    owner = demo.store.owner()
    assert info["user"]["id"] == owner.id
    assert info["user"]["email"] == owner.email
    company = info["company"]
    assert company["name"] == "Acme Talent"
    assert company["webhookSecretKey"] == demo.store.company().webhook_secret
    assert company["members"][0]["email"] == owner.email
    assert len(company["members"]) == 4
    assert company["webhooks"] == [
        {
            "id": demo.store.webhooks()[0].id,
            "url": "https://hooks.example.com/hireflix",
            "events": ["interview.finish", "interview.status-change"],
            "active": False,
            "external": "demo",
        }
    ]


def test_a_configured_webhook_secret_replaces_the_derived_one() -> None:
    with running_sandbox(webhook_secret="s3cret") as sandbox:
        body = sandbox.graphql("{ info { company { webhookSecretKey } } }")
        assert data(body)["info"]["company"]["webhookSecretKey"] == "s3cret"


def test_unions_and_interfaces_answer_typename(demo: RunningSandbox) -> None:
    body = demo.graphql(
        'mutation { archivePosition(input: {id: "missing"}) { __typename ... on PositionNotFoundError '
        "{ code name message } } }"
    )
    assert data(body)["archivePosition"] == {
        "__typename": "PositionNotFoundError",
        "code": 404,
        "name": "PositionNotFoundError",
        "message": "Position not found",
    }
