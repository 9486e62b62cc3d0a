"""Which schema fields the sandbox implements: every entry point of the API has a resolver."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import GraphQLObjectType
from graphql import GraphQLScalarType

from hireflix_sandbox.resolvers import ROOT_TYPES
from hireflix_sandbox.resolvers import SCHEMA_PATH
from hireflix_sandbox.resolvers import implemented_fields
from hireflix_sandbox.resolvers import load_schema_sdl
from hireflix_sandbox.resolvers import sandbox_schema

PROJECT_SCHEMA = Path(__file__).resolve().parents[2] / "src" / "hireflix_mcp" / "hireflix" / "schema.graphql"


def test_the_sandbox_executes_the_projects_schema_file() -> None:
    assert SCHEMA_PATH == PROJECT_SCHEMA
    assert load_schema_sdl() == PROJECT_SCHEMA.read_text(encoding="utf-8")


def test_the_schema_is_built_once() -> None:
    assert sandbox_schema() is sandbox_schema()


@pytest.mark.parametrize("type_name", ROOT_TYPES)
def test_every_field_of_the_entry_point_types_has_a_resolver(type_name: str) -> None:
    object_type = sandbox_schema().get_type(type_name)
    assert isinstance(object_type, GraphQLObjectType)
    missing = [name for name, field in object_type.fields.items() if field.resolve is None]
    assert missing == []
    assert {f"{type_name}.{name}" for name in object_type.fields} <= set(implemented_fields())


def test_implemented_fields_names_real_schema_fields() -> None:
    schema = sandbox_schema()
    for coordinate in implemented_fields():
        type_name, field_name = coordinate.split(".")
        object_type = schema.get_type(type_name)
        assert isinstance(object_type, GraphQLObjectType)
        assert field_name in object_type.fields
    assert "Mutation.inviteCandidateToInterview" in implemented_fields()
    assert "InterviewMutations.share" in implemented_fields()


def test_custom_scalars_have_coercion_functions() -> None:
    schema = sandbox_schema()
    email = schema.get_type("EmailAddress")
    json_scalar = schema.get_type("JSON")
    assert isinstance(email, GraphQLScalarType)
    assert isinstance(json_scalar, GraphQLScalarType)
    assert email.coerce_input_value("a@example.com") == "a@example.com"
    with pytest.raises(ValueError, match="e-mail"):
        email.coerce_input_value("nope")
    assert json_scalar.coerce_output_value({"a": [1]}) == {"a": [1]}
