"""The tool catalogue as assistants see it: every tool well described, annotated, and snapshotted.

Snapshots live in tests/snapshots/tools/<name>.json. When a change to what assistants see is intended,
regenerate them with `UPDATE_SNAPSHOTS=1 scripts/dev test tests/test_catalog.py` and review the diff.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.types import TextContent
from mcp.types import Tool

from hireflix_mcp.server import build_server
from hireflix_mcp.settings import Settings
from hireflix_mcp.tools.catalog import ALL_TOOLSETS
from hireflix_mcp.tools.catalog import DEFAULT_TOOLSETS
from hireflix_mcp.tools.catalog import TOOLS
from hireflix_mcp.tools.catalog import Profile
from hireflix_mcp.tools.catalog import select_tools

pytestmark = pytest.mark.anyio

SNAPSHOTS = Path(__file__).parent / "snapshots" / "tools"
CATALOGUE_NAMES = [
    *("list_positions", "get_position", "create_position", "update_position"),
    *("archive_position", "delete_position", "invite_candidate", "invite_candidates"),
    *("search_interviews", "find_candidate", "search_transcripts", "get_interview"),
    "get_interview_transcript",
    *("get_interview_media", "get_interview_access_info", "delete_interview", "reinvite_candidate"),
    *("score_interview", "comment_on_interview", "set_interview_status", "share_interview"),
    *("build_application_link", "get_embed_code", "get_account_logs", "list_members"),
    *("add_member", "remove_member", "list_webhooks", "create_webhook"),
    *("delete_webhook", "list_webhook_events"),
]


SELF_EXPLANATORY = {
    *("first_name", "last_name", "email", "phone", "external_id", "include_archived", "name", "description"),
    *("max_score", "limit", "questions", "confirmation_token", "member_id", "webhook_id", "position_id"),
    "interview_id",
    "status",  # an enum of the review statuses
    "query",  # its tool's description gives the syntax
}


async def _listed(profile: Profile) -> list[Tool]:
    server = build_server(Settings(), profile)
    return await server.list_tools()


def test_catalogue_holds_exactly_the_designed_tools_in_a_stable_order() -> None:
    assert [spec.name for spec in TOOLS] == CATALOGUE_NAMES


async def test_every_tool_has_a_short_description_and_explicit_annotations() -> None:
    titled = {spec.name: spec.title for spec in TOOLS}
    for tool in await _listed(Profile(toolsets=ALL_TOOLSETS)):
        assert titled[tool.name], (
            tool.name
        )  # titles the docs' tool table; not published (it repeats the name)
        assert tool.title is None, tool.name
        assert tool.description is not None
        assert 30 <= len(tool.description) <= 160, tool.name
        annotations = tool.annotations
        assert annotations is not None, tool.name
        # Read-only and open-world are never left to the protocol's defaults (false and true).
        assert annotations.read_only_hint is not None, tool.name
        assert annotations.open_world_hint is not None, tool.name
        if not annotations.read_only_hint:
            # The protocol's default destructiveHint is true: a write tool says whether it destroys.
            assert annotations.destructive_hint is not None, tool.name


async def test_input_schemas_are_plain_objects_without_top_level_combinators() -> None:
    for tool in await _listed(Profile(toolsets=ALL_TOOLSETS)):
        schema = tool.input_schema
        assert schema.get("type") == "object", tool.name
        assert not {"anyOf", "oneOf", "allOf"} & schema.keys(), tool.name
        for name, prop in schema.get("properties", {}).items():
            # An argument whose name says it all needs no description (each costs every turn's tokens);
            # ids come from the tools the server instructions and id errors name.
            if name not in SELF_EXPLANATORY:
                assert prop.get("description"), f"{tool.name}.{name} has no description"


async def test_no_tool_publishes_an_output_schema() -> None:
    # Models read the result's text block; hosts do not show them output schemas, which cost tokens in
    # tools/list and a validation on every call (see tools/registry.py).
    for tool in await _listed(Profile(toolsets=ALL_TOOLSETS)):
        assert tool.output_schema is None, tool.name


@dataclass(frozen=True)
class SchemaNode:
    """One node of a published input schema, with where it sits."""

    schema: dict[str, Any]
    where: str
    root: bool = False
    optional: bool = False
    """An argument (or a field of a row) that may be left out."""
    required: bool = False
    """An argument (or a field of a row) that must be given."""


def _types(node: SchemaNode) -> list[Any]:
    kind = node.schema.get("type")
    return kind if isinstance(kind, list) else [kind]


@dataclass(frozen=True)
class SchemaRule:
    """What every published input schema keeps to, why, and which framework needs it."""

    rule: str
    why: str
    broken: Callable[[SchemaNode], bool]


# The subset of JSON Schema that OpenAI Agents (strict), google-genai, LangChain's MCP adapters, pydantic-ai
# and LlamaIndex read alike, found by running them (tests/frameworks, bench/frameworks.py: versions in
# scripts/frameworks/*.txt). schema_compact.py publishes it; the server still validates the full rules.
PORTABLE_SCHEMA_RULES = (
    SchemaRule(
        "no $ref or $defs: definitions are written inline",
        "OpenAI Agents (convert_schemas_to_strict) refuses any $ref left in an MCP tool's schema ('target "
        "was not validated') and sends the tool non-strict",
        lambda node: bool({"$ref", "$defs"} & node.schema.keys()),
    ),
    SchemaRule(
        "no boolean additionalProperties",
        "google-genai's MCP path reads additionalProperties as a schema: one boolean fails the request "
        "with every tool (AttributeError); the server refuses unknown arguments itself",
        lambda node: isinstance(node.schema.get("additionalProperties"), bool),
    ),
    SchemaRule(
        "no open objects: an object argument declares its fields",
        "OpenAI Agents refuses an object that permits undeclared properties and sends the tool non-strict "
        "(metadata is a JSON object in a string for that reason)",
        lambda node: not node.root and "object" in _types(node) and not node.schema.get("properties"),
    ),
    SchemaRule(
        "no anyOf, oneOf, allOf or not: null is said with a type list",
        "google-genai folds an anyOf with null into `nullable` and drops the description beside it; "
        "OpenAI's strict mode refuses oneOf",
        lambda node: bool({"anyOf", "oneOf", "allOf", "not"} & node.schema.keys()),
    ),
    SchemaRule(
        "a type list is one type and null",
        "LlamaIndex keeps only the first type of a list, google-genai splits a union into anyOf",
        lambda node: len([kind for kind in _types(node) if kind != "null"]) > 1,
    ),
    SchemaRule(
        "a required argument is not nullable",
        "LlamaIndex keeps only the first type of a required argument (score_interview clears a score "
        "with 0, not null, for that reason)",
        lambda node: node.required and "null" in _types(node),
    ),
    SchemaRule(
        "an optional argument without a default is nullable",
        "strict converters (OpenAI Agents, LangChain's bind_tools(strict=True)) make every argument "
        "required: null is how a strict model leaves one out, and the server reads null as left out",
        lambda node: node.optional and "default" not in node.schema and "null" not in _types(node),
    ),
    SchemaRule(
        "an argument with a default is not nullable",
        "a strict model sends the default; null would only cost characters",
        lambda node: "default" in node.schema and "null" in _types(node),
    ),
    SchemaRule(
        "no pattern, minLength, maxLength, multipleOf or format",
        "LlamaIndex drops them all and google-genai lengths and multipleOf, silently; OpenAI's strict "
        "mode refuses lengths (pydantic-ai sends such tools non-strict): the server checks them, its "
        "error sentence names the rule, and descriptions say what a model needs",
        lambda node: bool({"pattern", "minLength", "maxLength", "multipleOf", "format"} & node.schema.keys()),
    ),
    SchemaRule(
        "an array says what its items are",
        "OpenAI's strict mode needs typed items (pydantic-ai refuses an untyped array there)",
        lambda node: "array" in _types(node) and "type" not in node.schema.get("items", {}),
    ),
    SchemaRule(
        "no titles",
        "the name says it, and every framework passes it on to the model as more characters",
        lambda node: "title" in node.schema,
    ),
)


def _schema_nodes(schema: dict[str, Any], where: str) -> Iterator[SchemaNode]:
    yield SchemaNode(schema, where, root=True)

    def below(node: dict[str, Any], path: str) -> Iterator[SchemaNode]:
        required = set(node.get("required", ()))
        for name, prop in (node.get("properties") or {}).items():
            at = f"{path}.{name}"
            yield SchemaNode(prop, at, optional=name not in required, required=name in required)
            yield from below(prop, at)
        items = node.get("items")
        if isinstance(items, dict):
            yield SchemaNode(items, f"{path}[]")
            yield from below(items, f"{path}[]")

    yield from below(schema, where)


async def test_input_schemas_keep_to_what_every_agent_framework_reads_alike() -> None:
    broken = [
        f"{node.where}: {rule.rule} ({rule.why})"
        for tool in await _listed(Profile(toolsets=ALL_TOOLSETS))
        for node in _schema_nodes(tool.input_schema, tool.name)
        for rule in PORTABLE_SCHEMA_RULES
        if rule.broken(node)
    ]
    assert not broken, "\n".join(broken)


def test_each_portable_schema_rule_catches_what_it_forbids() -> None:
    # One schema node each rule must refuse, so a rule that stops matching anything is noticed.
    forbidden = [
        SchemaNode({"$ref": "#/$defs/Row"}, "ref"),
        SchemaNode({"type": "object", "properties": {}, "additionalProperties": False}, "closed", root=True),
        SchemaNode({"type": "object"}, "metadata", optional=True),
        SchemaNode({"anyOf": [{"type": "string"}, {"type": "null"}]}, "any_of", optional=True),
        SchemaNode({"type": ["string", "number"]}, "union", required=True),
        SchemaNode({"type": ["number", "null"]}, "score", required=True),
        SchemaNode({"type": "string"}, "cursor", optional=True),
        SchemaNode({"type": ["integer", "null"], "default": 20}, "limit", optional=True),
        SchemaNode({"type": "string", "pattern": "^x$"}, "id", required=True),
        SchemaNode({"type": "array", "items": {}}, "rows", required=True),
        SchemaNode({"type": "string", "title": "Id"}, "titled", required=True),
    ]
    for node, rule in zip(forbidden, PORTABLE_SCHEMA_RULES, strict=True):
        assert rule.broken(node), rule.rule


def test_confirmed_tools_take_a_confirmation_token_and_destructive_ones_are_confirmed() -> None:
    for spec in TOOLS:
        if spec.kind == "destructive":
            assert spec.confirm, spec.name
    confirmed = {spec.name for spec in TOOLS if spec.confirm}
    assert confirmed == {
        "archive_position", "delete_position", "invite_candidates", "delete_interview", "reinvite_candidate",
        "share_interview", "add_member", "remove_member", "create_webhook", "delete_webhook",
    }  # fmt: skip


async def test_confirmed_tools_expose_the_token_but_never_the_approval() -> None:
    for tool in await _listed(Profile(toolsets=ALL_TOOLSETS)):
        properties = tool.input_schema.get("properties", {})
        assert "approval" not in properties, tool.name
        spec = next(s for s in TOOLS if s.name == tool.name)
        assert ("confirmation_token" in properties) == spec.confirm, tool.name


def test_default_profile_is_the_four_default_toolsets() -> None:
    chosen = select_tools(Profile())
    assert {spec.toolset for spec in chosen} == set(DEFAULT_TOOLSETS)
    assert [s.name for s in chosen] == [s.name for s in TOOLS if s.toolset in DEFAULT_TOOLSETS]


def test_read_only_wins_over_explicitly_added_write_tools() -> None:
    chosen = select_tools(Profile.parse("all", tools="delete_interview", read_only=True))
    assert chosen
    assert all(spec.kind == "read" for spec in chosen)
    assert "delete_interview" not in {spec.name for spec in chosen}


def test_tools_and_exclude_tools_adjust_a_toolset_selection() -> None:
    chosen = {
        s.name
        for s in select_tools(
            Profile.parse("positions", tools="list_members", exclude_tools="delete_position")
        )
    }
    assert "list_members" in chosen
    assert "delete_position" not in chosen
    assert "list_positions" in chosen
    assert "invite_candidate" not in chosen


@pytest.mark.parametrize(
    ("toolsets", "tools", "exclude", "message"),
    [("nope", None, None, "unknown toolset"), (None, "no_such_tool", None, "unknown tool"),
     (None, None, "no_such_tool", "unknown tool")],
)  # fmt: skip
def test_unknown_profile_names_are_rejected_with_the_known_ones(
    toolsets: str | None, tools: str | None, exclude: str | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        select_tools(Profile.parse(toolsets, tools, exclude))


async def test_read_only_server_lists_no_write_tool() -> None:
    tools = await _listed(Profile.parse("all", read_only=True))
    assert tools
    assert all(t.annotations is not None and t.annotations.read_only_hint for t in tools)


# The targets of the issue "What the model sees" (about 125 tokens per tool, ahead of Sentry's ~200, Stripe's
# ~212 and GitHub's ~256): compact JSON of what a model is shown (name, title, description, input schema,
# annotations), and of the whole tools/list.
MODEL_VISIBLE_BUDGET = {"default": 11_000, "all": 15_000}
WHOLE_BUDGET = {"default": 20_000, "all": 26_000}


def _compact_size(items: list[dict[str, Any]]) -> int:
    return len(json.dumps(items, separators=(",", ":")))


async def test_tool_definitions_stay_within_the_token_budget() -> None:
    for label, profile in (("default", Profile()), ("all", Profile(toolsets=ALL_TOOLSETS))):
        tools = [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in await _listed(profile)]
        keys = ("name", "title", "description", "inputSchema", "annotations")
        visible = _compact_size([{k: t[k] for k in keys if k in t} for t in tools])
        assert visible <= MODEL_VISIBLE_BUDGET[label], f"{label}: {visible} model-visible characters"
        assert _compact_size(tools) <= WHOLE_BUDGET[label], f"{label}: {_compact_size(tools)} characters"


async def test_a_catalogue_tool_outside_the_profile_says_how_to_enable_it() -> None:
    async with Client(build_server(Settings(), Profile())) as client:
        result = await client.call_tool("get_account_logs", {})
        assert result.is_error
        text = result.content[0].text if isinstance(result.content[0], TextContent) else ""
        assert "account toolset" in text
        assert "--toolsets" in text
        unknown = await client.call_tool("no_such_tool", {})
        assert unknown.is_error


async def test_read_only_server_explains_why_a_write_tool_is_missing() -> None:
    async with Client(build_server(Settings(), Profile(read_only=True))) as client:
        result = await client.call_tool("delete_interview", {"interview_id": "0" * 24})
        assert result.is_error
        assert isinstance(result.content[0], TextContent)
        assert "--read-only" in result.content[0].text


def test_instructions_name_the_toolsets_left_out() -> None:
    server = build_server(Settings(), Profile())
    assert server.instructions is not None
    assert "account (get_account_logs" in server.instructions
    assert "webhooks (list_webhooks" in server.instructions
    everything = build_server(Settings(), Profile(toolsets=ALL_TOOLSETS))
    assert "Not enabled" not in (everything.instructions or "")


def _snapshot(tool: Tool) -> dict[str, Any]:
    return tool.model_dump(mode="json", by_alias=True, exclude_none=True)


async def test_tool_schemas_match_their_committed_snapshots() -> None:
    tools = await _listed(Profile(toolsets=ALL_TOOLSETS))
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOTS.mkdir(parents=True, exist_ok=True)
        for stale in SNAPSHOTS.glob("*.json"):
            stale.unlink()
        for tool in tools:
            (SNAPSHOTS / f"{tool.name}.json").write_text(
                json.dumps(_snapshot(tool), indent=2, sort_keys=True) + "\n"
            )
    committed = {path.stem for path in SNAPSHOTS.glob("*.json")}
    assert committed == {t.name for t in tools}, "snapshots missing or stale: run with UPDATE_SNAPSHOTS=1"
    for tool in tools:
        expected = json.loads((SNAPSHOTS / f"{tool.name}.json").read_text())
        assert _snapshot(tool) == expected, f"{tool.name} changed: review, then run with UPDATE_SNAPSHOTS=1"


def test_the_tool_modules_declare_exactly_the_tools_the_catalogue_lists() -> None:
    import importlib

    from hireflix_mcp.tools.catalog import CATALOG
    from hireflix_mcp.tools.catalog import tool_names
    from hireflix_mcp.tools.registry import ToolSpec

    declared: dict[str, str] = {}
    for _toolset, module, _names in CATALOG:
        loaded = importlib.import_module(f"hireflix_mcp.tools.{module}")
        for value in vars(loaded).values():
            if isinstance(value, ToolSpec):
                declared[value.name] = value.toolset
    assert declared == tool_names()


def test_a_server_without_the_opt_in_toolsets_never_imports_them() -> None:
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from hireflix_mcp.server import build_server\n"
        "from hireflix_mcp.settings import Settings\n"
        "from hireflix_mcp.tools.catalog import Profile\n"
        "build_server(Settings(), Profile())\n"
        "print(sorted(m for m in sys.modules if m.startswith('hireflix_mcp.tools.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    loaded = done.stdout
    assert "hireflix_mcp.tools.positions" in loaded
    assert "hireflix_mcp.tools.account" not in loaded
    assert "hireflix_mcp.tools.webhooks" not in loaded
