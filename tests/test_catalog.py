"""The tool catalogue as assistants see it: every tool well described, annotated, and snapshotted.

Snapshots live in tests/snapshots/tools/<name>.json. When a change to what assistants see is intended,
regenerate them with `UPDATE_SNAPSHOTS=1 scripts/dev test tests/test_catalog.py` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.types import TextContent, Tool

from hireflix_mcp.server import build_server
from hireflix_mcp.settings import Settings
from hireflix_mcp.tools.catalog import ALL_TOOLSETS, DEFAULT_TOOLSETS, TOOLS, Profile, select_tools

pytestmark = pytest.mark.anyio

SNAPSHOTS = Path(__file__).parent / "snapshots" / "tools"
CATALOGUE_NAMES = [
    *("list_positions", "get_position", "create_position", "update_position"),
    *("archive_position", "delete_position", "invite_candidate", "invite_candidates"),
    *("search_interviews", "find_candidate", "get_interview", "get_interview_transcript"),
    *("get_interview_media", "get_interview_access_info", "delete_interview", "reinvite_candidate"),
    *("score_interview", "comment_on_interview", "set_interview_status", "share_interview"),
    *("build_application_link", "get_embed_code", "get_account_logs", "list_members"),
    *("add_member", "remove_member", "list_webhooks", "create_webhook"),
    *("delete_webhook", "list_webhook_events"),
]


SELF_EXPLANATORY = {
    *("first_name", "last_name", "email", "phone", "external_id", "include_archived", "name", "description"),
    *("max_score", "limit", "questions", "confirmation_token", "member_id", "webhook_id", "position_id"),
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


async def test_input_schemas_use_only_what_every_agent_framework_reads_alike() -> None:
    # No $ref/$defs (Gemini's schema rejects them), no boolean additionalProperties (google-genai reads
    # it as an object), no string patterns or lengths (validated by the server, with a sentence naming
    # the rule; some frameworks drop them silently).
    banned = {"$ref", "$defs", "additionalProperties", "pattern", "minLength", "maxLength", "title"}

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            assert not banned & node.keys(), f"{where}: {sorted(banned & node.keys())}"
            for key, value in node.items():
                if key == "properties" and isinstance(value, dict):  # argument names, not keywords
                    for name, prop in value.items():
                        walk(prop, f"{where}.{name}")
                else:
                    walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}[{index}]")

    for tool in await _listed(Profile(toolsets=ALL_TOOLSETS)):
        walk(tool.input_schema, tool.name)


def test_confirmed_tools_take_a_confirmation_token_and_destructive_ones_are_confirmed() -> None:
    for spec in TOOLS:
        if spec.kind == "destructive":
            assert spec.confirm, spec.name
    confirmed = {spec.name for spec in TOOLS if spec.confirm}
    assert confirmed == {
        "archive_position", "delete_position", "delete_interview", "reinvite_candidate", "share_interview",
        "add_member", "remove_member", "delete_webhook",
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


def test_the_catalogue_holds_every_declared_tool_under_its_own_toolset() -> None:
    import importlib

    from hireflix_mcp.tools.catalog import CATALOG, tool_names
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
