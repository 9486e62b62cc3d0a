"""Position(id) { save }, archivePosition and deletePosition with their union outcomes."""

from __future__ import annotations

from typing import Any

from hireflix_sandbox.embedded import RunningSandbox
from tests.support import id_mutation

SAVE = """
mutation Save($id: String, $position: PositionInputType!) {
  Position(id: $id) {
    save(position: $position) {
      id name description location language archived active createdAt updatedAt
      questions { id title description timeToAnswer timeToThink retakes }
    }
  }
}
"""


def save(sandbox: RunningSandbox, position_id: str | None, position: dict[str, Any]) -> Any:
    return sandbox.graphql(SAVE, {"id": position_id, "position": position})


def saved(body: Any) -> Any:
    assert "errors" not in body, body["errors"]
    return body["data"]["Position"]["save"]


def test_save_without_an_id_creates_a_position_with_its_questions(sandbox: RunningSandbox) -> None:
    created = saved(
        save(
            sandbox,
            None,
            {
                "name": "  Data Analyst ",
                "description": "SQL and dashboards",
                "language": "es",
                "questions": [
                    {"title": "Why data?"},
                    {"title": "A query you are proud of", "timeToAnswer": 300},
                ],
            },
        )
    )
    assert created["name"] == "Data Analyst"
    assert created["language"] == "es"
    assert created["archived"] is None
    assert [q["title"] for q in created["questions"]] == ["Why data?", "A query you are proud of"]
    assert created["questions"][1]["timeToAnswer"] == 300
    assert created["questions"][0]["timeToAnswer"] == 120
    listed = sandbox.graphql("{ positions { id } }")["data"]["positions"]
    assert listed[0] == {"id": created["id"]}
    assert sandbox.store.audit_entries()[0].action == "position.create"


def test_creating_needs_a_name_and_questions(sandbox: RunningSandbox) -> None:
    for position in (
        {"name": "No questions", "questions": []},
        {"name": "No questions either"},
        {"questions": [{"title": "Q"}]},
        {"name": "x" * 101, "questions": [{"title": "Q"}]},
        {"name": "Blank question", "questions": [{"title": "  "}]},
    ):
        body = save(sandbox, None, position)
        assert body["data"]["Position"]["save"] is None
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert len(sandbox.store.positions()) == 6


def test_save_with_an_id_renames_and_keeps_the_rest(sandbox: RunningSandbox) -> None:
    position = sandbox.store.positions()[0]
    updated = saved(save(sandbox, position.id, {"name": "Renamed role"}))
    assert updated["id"] == position.id
    assert updated["name"] == "Renamed role"
    assert updated["description"] == position.description
    assert updated["updatedAt"] > position.updated_at
    assert sandbox.store.audit_entries()[0].action == "position.update"


def test_save_can_clear_a_description_and_replace_questions_in_place(sandbox: RunningSandbox) -> None:
    position = sandbox.store.positions()[0]
    old_questions = sandbox.store.questions(position.id)
    updated = saved(
        save(sandbox, position.id, {"description": None, "questions": [{"title": "Only one now"}]})
    )
    assert updated["description"] is None
    assert [(q["id"], q["title"]) for q in updated["questions"]] == [(old_questions[0].id, "Only one now")]


def test_saving_identical_values_is_not_audited(sandbox: RunningSandbox) -> None:
    position = sandbox.store.positions()[0]
    before = len(sandbox.store.audit_entries())
    saved(save(sandbox, position.id, {"name": position.name}))
    assert len(sandbox.store.audit_entries()) == before


def test_saving_an_unknown_position_is_not_found(sandbox: RunningSandbox) -> None:
    body = save(sandbox, "ffffffffffffffffffffffff", {"name": "Ghost"})
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_an_invalid_rename_is_refused(sandbox: RunningSandbox) -> None:
    position = sandbox.store.positions()[0]
    body = save(sandbox, position.id, {"name": ""})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert sandbox.store.position(position.id) == position


def test_archive_position_sets_archived_and_keeps_active(sandbox: RunningSandbox) -> None:
    position = next(p for p in sandbox.store.positions() if p.archived is None)
    archived = id_mutation(sandbox, "archivePosition", position.id, "id archived active")
    assert archived["archived"] is not None
    assert archived["active"] is True
    assert sandbox.store.audit_entries()[0].action == "position.archive"
    refused = sandbox.graphql(
        "mutation($p: String!) { inviteCandidateToInterview(input: {positionId: $p, "
        'candidate: {email: "a@b.co", firstName: "A"}}) { __typename } }',
        {"p": position.id},
    )
    assert (
        refused["data"]["inviteCandidateToInterview"]["__typename"] == "PositionNotReadyToAcceptInvitesError"
    )


def test_archiving_an_unknown_position_is_position_not_found(sandbox: RunningSandbox) -> None:
    body = sandbox.graphql('mutation { archivePosition(input: {id: "nope"}) { __typename } }')
    assert body["data"]["archivePosition"] == {"__typename": "PositionNotFoundError"}


def test_delete_position_removes_it_with_its_interviews(sandbox: RunningSandbox) -> None:
    position = sandbox.store.positions()[0]
    interview_ids = [i.id for i in sandbox.store.interviews(position.id)]
    assert interview_ids
    deleted = id_mutation(
        sandbox, "deletePosition", position.id, "id name questions { title } interviews { id }"
    )
    assert deleted["name"] == position.name
    assert len(deleted["questions"]) >= 3
    assert sandbox.store.position(position.id) is None
    assert all(sandbox.store.interview(i) is None for i in interview_ids)
    assert sandbox.graphql("query($id: String!) { position(id: $id) { id } }", {"id": position.id})[
        "data"
    ] == {"position": None}
    assert sandbox.store.audit_entries()[0].action == "position.delete"


def test_deleting_an_unknown_position_is_position_not_found(sandbox: RunningSandbox) -> None:
    body = sandbox.graphql(
        'mutation { deletePosition(input: {id: "nope"}) { __typename '
        "... on PositionNotFoundError { code } } }"
    )
    assert body["data"]["deletePosition"] == {"__typename": "PositionNotFoundError", "code": 404}
