"""Documents that public client code (and Hireflix's own docs) send to the real Hireflix must be valid
against schema.graphql and must run on the sandbox without top-level errors.

The fixtures live in tests/fixtures/public_documents/, each headed by where it came from. Values the
original code pasted into the text stay as `${name}` placeholders and are filled in here, escaped.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLSchema
from graphql import OperationDefinitionNode
from graphql import build_schema
from graphql import parse
from graphql import validate

from hireflix_mcp.hireflix.operations import schema_sdl
from hireflix_sandbox.embedded import RunningSandbox

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "public_documents"

# Public documents that disagree with schema.graphql; each is expected to fail until the disagreement
# is settled (strict: the test fails as soon as the document starts passing, so the mark gets removed).
DISAGREEMENTS = {
    "tener_invite.graphql": (
        "selects `fieldErrors { flattenedPath message }`; schema.graphql types fieldErrors as the JSON "
        "scalar, which another public client selected and then removed in a fix"
    ),
}


def fixture_params() -> list[Any]:
    params = []
    for path in sorted(FIXTURES.glob("*.graphql")):
        marks = (
            [pytest.mark.xfail(strict=True, reason=DISAGREEMENTS[path.name])]
            if path.name in DISAGREEMENTS
            else []
        )
        params.append(pytest.param(path.name, marks=marks, id=path.stem))
    return params


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema(schema_sdl())


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace each `${name}` placeholder by its value, escaped for a GraphQL string literal."""
    for name, value in values.items():
        text = text.replace("${" + name + "}", json.dumps(value)[1:-1])
    code = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    assert "${" not in code, "a placeholder was left unfilled"
    return text


def sandbox_values(sandbox: RunningSandbox) -> dict[str, str]:
    position = next(p for p in sandbox.store.positions() if p.archived is None)
    interview = next(i for i in sandbox.store.interviews(position.id) if i.status == "completed")
    return {
        "positionId": position.id,
        "interviewId": interview.id,
        "email": f"public-doc-{secrets.token_hex(4)}@example.com",
        "existingEmail": interview.email,
        "firstName": 'Zoë "Z"',
        "lastName": "O'Brien",
        "escapedTitle": "Public document position",
        "question1": "Tell us about yourself.",
        "question2": "Why this role?",
        "comment": "Reviewed through a public document.",
    }


def validation_values() -> dict[str, str]:
    """Values of the right shape for validation alone (no sandbox needed)."""
    return {
        "positionId": "a" * 24,
        "interviewId": "b" * 24,
        "email": "x@example.com",
        "existingEmail": "y@example.com",
        "firstName": "X",
        "lastName": "Y",
        "escapedTitle": "T",
        "question1": "Q1",
        "question2": "Q2",
        "comment": "C",
    }


def variables_for(file_name: str, values: Mapping[str, str]) -> dict[str, Any]:
    """The variables each public document is sent with (documents with inline values get none)."""
    by_file: dict[str, dict[str, Any]] = {
        "tener_invite.graphql": {
            "input": {
                "positionId": values["positionId"],
                "candidate": {"email": values["email"], "firstName": "Tee", "lastName": "Ner"},
            }
        },
        "tener_interview.graphql": {"id": values["interviewId"]},
        "tener_save_position.graphql": {
            "position": {"name": "Tener assessment", "questions": [{"title": "Q1"}, {"title": "Q2"}]}
        },
        "existing_interview_by_email.graphql": {
            "positionId": values["positionId"],
            "email": values["existingEmail"],
        },
        "hireflix_docs_ip_user_agent_thumbnails.graphql": {"id": values["interviewId"]},
    }
    return by_file.get(file_name, {})


def test_there_are_public_documents_for_each_required_shape() -> None:
    texts = "\n".join(path.read_text() for path in FIXTURES.glob("*.graphql"))
    for needle in (
        "validationMessage: message",
        "interviewList(input",
        "audit(pagination",
        "userAgents",
        "share(durationInDays",
        "finalist(finalist",
        "archive(archive",
        "score(score",
        "comment(comment",
    ):
        assert needle in texts, needle
    assert all(path.read_text().startswith("# Source:") for path in FIXTURES.glob("*.graphql"))


@pytest.mark.parametrize("file_name", fixture_params())
def test_public_document_validates_against_the_schema(file_name: str, schema: GraphQLSchema) -> None:
    text = fill((FIXTURES / file_name).read_text(), validation_values())
    assert [e.message for e in validate(schema, parse(text))] == []


@pytest.mark.parametrize("file_name", fixture_params())
def test_public_document_runs_on_the_sandbox_without_errors(file_name: str, sandbox: RunningSandbox) -> None:
    values = sandbox_values(sandbox)
    text = fill((FIXTURES / file_name).read_text(), values)
    operation = next(d for d in parse(text).definitions if isinstance(d, OperationDefinitionNode))
    name = operation.name.value if operation.name else None
    body = sandbox.graphql(text, variables_for(file_name, values), name)
    assert "errors" not in body, body.get("errors")
    assert isinstance(body.get("data"), dict)
    invite = body["data"].get("inviteCandidateToInterview")
    if invite is not None:
        assert invite["__typename"] == "InterviewType", invite
