"""Property-based arguments for every tool, generated from the input schema it publishes.

Two properties per tool, through the real Client against a sandbox (one per test function, shared by
its examples):
- valid arguments never crash: the result is a success or a tool error with a message, never a protocol
  error or a bare "Error executing tool X"; with the `token` confirmation policy no gated tool acts;
- invalid arguments (wrong types, out of range, bad patterns, not in the enum, missing required, too many
  or too few items, unknown keys where the schema forbids them) return a tool error naming the offending
  argument, and nothing is sent to Hireflix for them (argument validation runs before any resolver).

`hypothesis-jsonschema` is not a dependency, so `valid` and `invalid_call` below cover the subset of JSON
Schema the tools publish: object/properties/required, type (also ["number", "null"]), enum, pattern,
min/maxLength, minimum/maximum, multipleOf, items, min/maxItems, $ref to $defs, additionalProperties.
Invalid values are chosen to be invalid for pydantic's lax mode too ("y" is a valid boolean there, so
wrong-type strings use letters that spell no boolean, number or JSON literal).
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from anyio.from_thread import BlockingPortal
from anyio.from_thread import start_blocking_portal
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp.types import CallToolResult
from mcp.types import Tool

from hireflix_mcp.tools.catalog import TOOLS
from hireflix_sandbox.embedded import RunningSandbox
from tests.tools.conftest import connect
from tests.tools.conftest import data as parsed
from tests.tools.conftest import text

Schema = Mapping[str, Any]
Strategy = st.SearchStrategy[Any]

TOOL_NAMES = [spec.name for spec in TOOLS]
CONFIRMED = {spec.name for spec in TOOLS if spec.confirm}
LOCAL_ONLY = {"build_application_link"}
"""Tools that never call Hireflix, even with valid arguments."""
LENIENT_ITEMS = {("invite_candidates", "candidates")}
"""Arrays whose items are validated one by one inside the tool (a bad row is reported, not an error)."""

FUZZ = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        # One sandbox and one client per test function, shared by its examples on purpose.
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)

TEXT = st.characters(codec="utf-8")
WRONG_LETTERS = "qxz"
"""Spell no boolean ("y", "t", "on"...), number, or JSON literal, so strings of them stay wrong types."""
MAX_VALID_ITEMS = 3
MAX_VALID_CHARS = 60


# ------------------------------------------------------------------------------------ schema walking


def resolve(schema: Schema, root: Schema) -> Schema:
    ref = schema.get("$ref")
    if not isinstance(ref, str):
        return schema
    target: Schema = root["$defs"][ref.rsplit("/", 1)[-1]]
    return {**target, **{k: v for k, v in schema.items() if k != "$ref"}}


def types_of(schema: Schema) -> list[str]:
    kind = schema.get("type")
    if isinstance(kind, list):
        return [str(k) for k in kind]
    if isinstance(kind, str):
        return [kind]
    return ["object"] if "properties" in schema else []


def valid(schema: Schema, root: Schema, ids: Mapping[str, list[str]], name: str = "") -> Strategy:
    """Values the schema accepts (the tool may still refuse them: unknown ids, business rules)."""
    schema = resolve(schema, root)
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kinds = types_of(schema)
    if len(kinds) > 1:
        return st.one_of([valid({**schema, "type": k}, root, ids, name) for k in kinds])
    kind = kinds[0] if kinds else "string"
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(schema.get("minimum", -(10**6)), schema.get("maximum", 10**6))
    if kind == "number":
        low, high = schema.get("minimum", -1e6), schema.get("maximum", 1e6)
        step = schema.get("multipleOf")
        if step:
            return st.integers(math.ceil(low / step), math.floor(high / step)).map(lambda k: k * step)
        return st.floats(low, high, allow_nan=False, allow_infinity=False)
    if kind == "string":
        return _valid_string(schema, ids.get(name, []))
    if kind == "array":
        items = valid(schema.get("items", {}), root, ids)
        low = schema.get("minItems", 0)
        return st.lists(
            items, min_size=low, max_size=max(low, min(schema.get("maxItems", 10), MAX_VALID_ITEMS))
        )
    return _valid_object(schema, root, ids)


def _valid_string(schema: Schema, known: list[str]) -> Strategy:
    low = schema.get("minLength", 0)
    high = schema.get("maxLength", 10_000)
    pattern = schema.get("pattern")
    if pattern is not None:
        generated = st.from_regex(pattern, fullmatch=True, alphabet=TEXT).filter(
            lambda s: low <= len(s) <= high
        )
        # Mostly ids that exist, so calls get past "not found" into the tools' real work.
        return st.one_of(st.sampled_from(known), st.sampled_from(known), generated) if known else generated
    if known:  # an id argument the published schema gives no pattern for: ids that exist
        return st.sampled_from(known)
    return st.text(TEXT, min_size=low, max_size=max(low, min(high, MAX_VALID_CHARS)))


def _valid_object(schema: Schema, root: Schema, ids: Mapping[str, list[str]]) -> Strategy:
    properties: Mapping[str, Schema] = schema.get("properties", {})
    if not properties:  # a free-form JSON object, such as invite metadata
        leaf = st.one_of(st.none(), st.booleans(), st.integers(-1000, 1000), st.text(TEXT, max_size=20))
        return st.dictionaries(st.text(TEXT, min_size=1, max_size=10), leaf, max_size=4)
    required = set(schema.get("required", ()))
    return st.fixed_dictionaries(
        {n: valid(s, root, ids, n) for n, s in properties.items() if n in required},
        optional={n: valid(s, root, ids, n) for n, s in properties.items() if n not in required},
    )


# ------------------------------------------------------------------------------------ invalid values


def wrong_type(schema: Schema) -> Strategy:
    """Values of none of the schema's types, wrong for pydantic's lax mode as well."""
    kinds = set(types_of(schema))
    letters = st.text(WRONG_LETTERS, min_size=1, max_size=6)
    options: list[Strategy] = []
    if "string" not in kinds:
        options.append(letters)
    if not kinds & {"integer", "number", "string", "boolean"}:
        options.append(st.integers(2, 10**6))
    if "string" in kinds:  # pydantic turns no number or boolean into a string
        options += [st.integers(), st.booleans(), st.floats(allow_nan=False)]
    if "array" not in kinds:
        options.append(st.lists(st.integers(2, 9), min_size=1, max_size=2))
    if "object" not in kinds:
        options.append(
            st.dictionaries(
                st.text(WRONG_LETTERS, min_size=1, max_size=3), st.integers(2, 9), min_size=1, max_size=2
            )
        )
    return st.one_of(options)


def violations(
    schema: Schema, root: Schema, ids: Mapping[str, list[str]], *, lenient_items: bool = False
) -> list[Strategy]:
    """Strategies for values that break one of the schema's constraints (its type, range, pattern...)."""
    schema = resolve(schema, root)
    found = [wrong_type(schema)] if types_of(schema) else []
    if "enum" in schema:
        allowed = set(schema["enum"])
        found.append(
            st.text(string.ascii_letters + "._-", min_size=1, max_size=20).filter(lambda s: s not in allowed)
        )
    kinds = set(types_of(schema))
    if "string" in kinds:
        if "maxLength" in schema:
            over = schema["maxLength"] + 1
            found.append(st.text(string.ascii_letters, min_size=over, max_size=over + 5))
        if schema.get("minLength", 0) > 0:
            found.append(st.text(string.ascii_letters, max_size=schema["minLength"] - 1))
        if "pattern" in schema:
            pattern = re.compile(schema["pattern"])
            # Printable ASCII, where Python's and pydantic's regex engines agree on \s and $.
            found.append(
                st.text(string.printable, max_size=30).filter(lambda s: pattern.fullmatch(s) is None)
            )
    if kinds & {"integer", "number"}:
        low, high = schema.get("minimum"), schema.get("maximum")
        if "number" in kinds:
            if low is not None:
                found.append(st.floats(low - 1e6, low, exclude_max=True))
            if high is not None:
                found.append(st.floats(high, high + 1e6, exclude_min=True))
        else:
            if low is not None:
                found.append(st.integers(low - 10**6, low - 1))
            if high is not None:
                found.append(st.integers(high + 1, high + 10**6))
            found.append(
                st.integers(low if low is not None else 0, 100 if high is None else high - 1).map(
                    lambda k: k + 0.5
                )
            )
        step = schema.get("multipleOf")
        if step:
            first, last = math.ceil((low or 0) / step), math.floor((10 if high is None else high) / step)
            found.append(st.integers(first, last - 1).map(lambda k: k * step + step / 2))
    if "array" in kinds:
        items = schema.get("items", {})
        if schema.get("minItems", 0) > 0:
            found.append(st.just([]))
        if "maxItems" in schema:
            over = schema["maxItems"] + 1
            found.append(valid(items, root, ids).map(lambda item: [item] * over))
        if not lenient_items:
            found += [st.lists(v, min_size=1, max_size=1) for v in violations(items, root, ids)]
    if "object" in kinds:
        properties: Mapping[str, Schema] = resolve(schema, root).get("properties", {})
        if properties:
            base = _valid_object(schema, root, ids)
            for prop, sub in properties.items():
                found += [st.tuples(base, bad).map(_setter(prop)) for bad in violations(sub, root, ids)]
        if schema.get("additionalProperties") is False:
            found.append(_valid_object(schema, root, ids).map(lambda obj: {**obj, "qxz_unknown": 1}))
    return found


def _setter(key: str) -> Callable[[tuple[dict[str, Any], Any]], dict[str, Any]]:
    """(object, value) -> the object with `key` set to the value."""
    return lambda pair: {**pair[0], key: pair[1]}


@st.composite
def invalid_call(draw: st.DrawFn, tool: Tool, ids: Mapping[str, list[str]]) -> tuple[dict[str, Any], str]:
    """Valid arguments with one argument broken (or a required one left out), and its name.

    Broken against the published schema; valid values for ids come from what exists in the sandbox.
    The published schema leaves id and e-mail patterns and lengths to the server, so those violations are
    covered by the tools' own tests (tests/tools), not generated here.
    """
    schema = tool.input_schema
    base: dict[str, Any] = draw(_valid_object(schema, schema, ids))
    choices: list[tuple[str, Strategy | None]] = [(name, None) for name in schema.get("required", ())]
    for name, sub in schema.get("properties", {}).items():
        lenient = (tool.name, name) in LENIENT_ITEMS
        choices += [(name, bad) for bad in violations(sub, schema, ids, lenient_items=lenient)]
    name, bad = draw(st.sampled_from(choices))
    if bad is None:
        base.pop(name, None)
    else:
        base[name] = draw(bad)
    return base, name


# ------------------------------------------------------------------------------------ the harness


@dataclass
class Session:
    """A sandbox and an MCP client on one event loop in a portal thread, shared by a test's examples."""

    sandbox: RunningSandbox
    portal: BlockingPortal
    client: Client
    tools: dict[str, Tool]
    ids: dict[str, list[str]]

    def call(self, name: str, arguments: dict[str, Any]) -> CallToolResult:
        """`name` called with `arguments`; a protocol error (instead of a result) fails the test."""
        try:
            result: CallToolResult = self.portal.call(self.client.call_tool, name, arguments)
        except MCPError as exc:
            pytest.fail(f"{name}({arguments!r}) raised a protocol error: {exc}")
        return result

    def upstream_requests(self) -> int:
        total: int = self.sandbox.request_counts()["total"]
        return total


@pytest.fixture
def session(sandbox: RunningSandbox) -> Iterator[Session]:
    store = sandbox.store
    ids = {
        "position_id": [p.id for p in store.positions()],
        "interview_id": [i.id for i in store.all_interviews()],
        "member_id": [m.id for m in store.members()],
        "webhook_id": [w.id for w in store.webhooks()],
    }
    with (
        start_blocking_portal("asyncio") as portal,
        portal.wrap_async_context_manager(connect(sandbox, confirm="token")) as client,
    ):
        listed = portal.call(client.list_tools)
        tools = {tool.name: tool for tool in listed.tools}
        assert set(tools) == set(TOOL_NAMES)
        yield Session(sandbox, portal, client, tools, {k: v for k, v in ids.items() if v})


def _crashed(name: str, result: CallToolResult) -> bool:
    message = text(result).strip()
    return message in ("", f"Error executing tool {name}") or message.endswith(f"Error executing tool {name}")


def for_each_tool(names: list[str]) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """A property run once per tool in `names` (its `name` argument), on `FUZZ` examples drawn from `data`."""

    def decorate(test: Callable[..., None]) -> Callable[..., None]:
        per_tool: Callable[..., None] = pytest.mark.parametrize("name", names)(
            FUZZ(given(data=st.data())(test))
        )
        return per_tool

    return decorate


@for_each_tool(TOOL_NAMES)
def test_valid_arguments_from_the_published_schema_never_crash_a_tool(
    session: Session, name: str, data: st.DataObject
) -> None:
    tool = session.tools[name]
    arguments = data.draw(valid(tool.input_schema, tool.input_schema, session.ids), label="arguments")
    before = session.upstream_requests() if name in LOCAL_ONLY else 0
    result = session.call(name, arguments)
    assert not _crashed(name, result), f"{name}({arguments!r}) crashed: {text(result)!r}"
    content = None if result.is_error else parsed(result)
    # invite_candidates asks only above 10 rows (it e-mails that many people).
    unasked = name == "invite_candidates" and len(arguments.get("candidates") or []) <= 10
    if name in CONFIRMED and content is not None and not unasked:
        # The token policy: without the user's token, a gated tool only previews.
        assert content["status"] == "confirmation_required", content
    if name in LOCAL_ONLY:
        assert session.upstream_requests() == before


INVALID_TOOLS = [spec.name for spec in TOOLS if spec.name not in ("list_members", "list_webhooks")]
"""Every tool with an argument to get wrong (list_members and list_webhooks take none)."""


@for_each_tool(INVALID_TOOLS)
def test_invalid_arguments_are_a_tool_error_naming_the_argument_and_send_nothing_upstream(
    session: Session, name: str, data: st.DataObject
) -> None:
    arguments, field = data.draw(invalid_call(session.tools[name], session.ids), label="arguments")
    before = session.upstream_requests()
    result = session.call(name, arguments)
    message = text(result)
    assert result.is_error, f"{name} accepted {field}={arguments.get(field)!r}: {text(result)}"
    assert field in message, f"{name}: the error does not name {field}: {message}"
    assert session.upstream_requests() == before, f"{name} sent a request for invalid {field}"


def test_an_unknown_argument_name_is_a_tool_error_naming_it_and_sends_nothing(session: Session) -> None:
    interview_id = session.ids["interview_id"][0]
    before = session.upstream_requests()
    result = session.call("get_interview", {"interview_id": interview_id, "include_everything": True})
    assert session.upstream_requests() == before
    assert result.is_error
    assert "include_everything" in text(result)
