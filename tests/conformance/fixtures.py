"""The official MCP conformance suite's fixtures: tools, resources and prompts it calls by name.

Most scenarios of `@modelcontextprotocol/conformance` call tools, resources and prompts with fixed names
(`test_simple_text`, `test://static-text`, `test_simple_prompt`, ...). `add_conformance_fixtures` adds
them to the very server object the product builds (tests/conformance/launcher.py serves it), so the
suite exercises the same `MCPServer`, transport stack and middleware that users get; names and
behaviours follow the suite's scenarios and the Python SDK's reference "everything" server, which
passes the whole suite.

Test code only: these fixtures are not Hireflix tools, and nothing in the product can turn them on. The
production server passes the fixture-free scenarios without them (test_conformance.py).

It adds a handler only for a method the product leaves out: `logging/setLevel` (deprecated in
2026-07-28; the product sends no log messages). `resources/subscribe` and `resources/unsubscribe` are
the product's own (served when a webhook secret is configured, as the launcher does), so the suite's
subscription scenarios test the product's handler; the launcher refuses any fixture that would replace
a product handler.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import warnings
from typing import Annotated
from typing import Any

from mcp.server import MCPServer
from mcp.server import ServerRequestContext
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.prompts.base import Prompt
from mcp.server.mcpserver.prompts.base import UserMessage
from mcp.shared.exceptions import MCPDeprecationWarning
from mcp.shared.exceptions import MCPError
from mcp.types import MISSING_REQUIRED_CLIENT_CAPABILITY
from mcp.types import AudioContent
from mcp.types import CompleteRequestParams
from mcp.types import CompleteResult
from mcp.types import Completion
from mcp.types import CreateMessageRequest
from mcp.types import CreateMessageRequestParams
from mcp.types import CreateMessageResult
from mcp.types import ElicitRequest
from mcp.types import ElicitRequestFormParams
from mcp.types import ElicitResult
from mcp.types import EmbeddedResource
from mcp.types import EmptyResult
from mcp.types import ImageContent
from mcp.types import InputRequest
from mcp.types import InputRequiredResult
from mcp.types import ListRootsRequest
from mcp.types import ListRootsResult
from mcp.types import LoggingLevel
from mcp.types import SamplingMessage
from mcp.types import SetLevelRequestParams
from mcp.types import TextContent
from mcp.types import TextResourceContents
from pydantic import BaseModel
from pydantic import Field

from hireflix_mcp.sdk_compat import lowlevel_server

logger = logging.getLogger("tests.conformance.fixtures")

Ctx = Context[Any, Any]

# A 1x1 PNG and a tiny WAV: the exact bytes the suite's reference server returns.
TEST_IMAGE_BASE64 = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)
TEST_AUDIO_BASE64 = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA="

NAME_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"name": {"type": "string"}},
    "required": ["name"],
}
CONFIRM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"ok": {"type": "boolean"}},
    "required": ["ok"],
}

JSON_SCHEMA_2020_12_INPUT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "$defs": {
        "address": {
            "$anchor": "addressDef",
            "type": "object",
            "properties": {"street": {"type": "string"}, "city": {"type": "string"}},
        }
    },
    "properties": {
        "name": {"type": "string"},
        "address": {"$ref": "#/$defs/address"},
        "contactMethod": {"type": "string", "enum": ["phone", "email"]},
        "phone": {"type": "string"},
        "email": {"type": "string"},
    },
    "allOf": [{"anyOf": [{"required": ["phone"]}, {"required": ["email"]}]}],
    "if": {"properties": {"contactMethod": {"const": "phone"}}, "required": ["contactMethod"]},
    "then": {"required": ["phone"]},
    "else": {"required": ["email"]},
    "additionalProperties": False,
}


async def _log(ctx: Ctx, text: str) -> None:
    """A `notifications/message` to the client: the logging scenarios check for them."""
    # Logging is deprecated in 2026-07-28 but the handshake-era scenarios still test it.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MCPDeprecationWarning)
        await ctx.log("info", text)


def _name_elicitation(message: str = "What is your name?") -> ElicitRequest:
    return ElicitRequest(params=ElicitRequestFormParams(message=message, requested_schema=NAME_SCHEMA))


def _elicited(answer: object, key: str) -> object:
    if isinstance(answer, ElicitResult) and answer.content:
        return answer.content.get(key)
    return None


class UserResponse(BaseModel):
    response: str = Field(description="User's response")


class SEP1034DefaultsSchema(BaseModel):
    """Elicitation with a default value for every primitive type (SEP-1034)."""

    name: str = Field(default="John Doe", description="User name")
    age: int = Field(default=30, description="User age")
    score: float = Field(default=95.5, description="User score")
    status: str = Field(
        default="active",
        description="User status",
        json_schema_extra={"enum": ["active", "inactive", "pending"]},
    )
    verified: bool = Field(default=True, description="Verification status")


class EnumSchemasTestSchema(BaseModel):
    """Every enum shape of SEP-1330; the camelCase field names are the suite's."""

    untitledSingle: str = Field(
        description="Simple enum without titles",
        json_schema_extra={"enum": ["active", "inactive", "pending"]},
    )
    titledSingle: str = Field(
        description="Enum with titled options (oneOf)",
        json_schema_extra={
            "oneOf": [
                {"const": "low", "title": "Low Priority"},
                {"const": "medium", "title": "Medium Priority"},
                {"const": "high", "title": "High Priority"},
            ]
        },
    )
    untitledMulti: list[str] = Field(
        description="Multi-select without titles",
        json_schema_extra={"items": {"type": "string", "enum": ["read", "write", "execute"]}},
    )
    titledMulti: list[str] = Field(
        description="Multi-select with titled options",
        json_schema_extra={
            "items": {
                "anyOf": [
                    {"const": "feature", "title": "New Feature"},
                    {"const": "bug", "title": "Bug Fix"},
                    {"const": "docs", "title": "Documentation"},
                ]
            }
        },
    )
    legacyEnum: str = Field(
        description="Legacy enum with enumNames",
        json_schema_extra={
            "enum": ["small", "medium", "large"],
            "enumNames": ["Small Size", "Medium Size", "Large Size"],
        },
    )


# ------------------------------------------------------------------------------------------- tools


def test_simple_text() -> str:
    """Tests simple text content response"""
    return "This is a simple text response for testing."


def test_image_content() -> list[ImageContent]:
    """Tests image content response"""
    return [ImageContent(type="image", data=TEST_IMAGE_BASE64, mime_type="image/png")]


def test_audio_content() -> list[AudioContent]:
    """Tests audio content response"""
    return [AudioContent(type="audio", data=TEST_AUDIO_BASE64, mime_type="audio/wav")]


def test_embedded_resource() -> list[EmbeddedResource]:
    """Tests embedded resource content response"""
    return [
        EmbeddedResource(
            type="resource",
            resource=TextResourceContents(
                uri="test://embedded-resource",
                mime_type="text/plain",
                text="This is an embedded resource content.",
            ),
        )
    ]


def test_multiple_content_types() -> list[TextContent | ImageContent | EmbeddedResource]:
    """Tests response with multiple content types (text, image, resource)"""
    return [
        TextContent(type="text", text="Multiple content types test:"),
        ImageContent(type="image", data=TEST_IMAGE_BASE64, mime_type="image/png"),
        EmbeddedResource(
            type="resource",
            resource=TextResourceContents(
                uri="test://mixed-content-resource",
                mime_type="application/json",
                text='{"test": "data", "value": 123}',
            ),
        ),
    ]


async def test_tool_with_logging(ctx: Ctx) -> str:
    """Tests tool that emits log messages during execution"""
    await _log(ctx, "Tool execution started")
    await asyncio.sleep(0.05)
    await _log(ctx, "Tool processing data")
    await asyncio.sleep(0.05)
    await _log(ctx, "Tool execution completed")
    return "Tool with logging executed successfully"


async def test_tool_with_progress(ctx: Ctx) -> str:
    """Tests tool that reports progress notifications"""
    for done in (0, 50, 100):
        await ctx.report_progress(progress=done, total=100, message=f"Completed step {done} of 100")
        if done < 100:
            await asyncio.sleep(0.05)
    meta = ctx.request_context.meta
    return str(meta.get("progress_token") if meta else 0)


async def test_sampling(prompt: str, ctx: Ctx) -> str:
    """Tests server-initiated sampling (LLM completion request)"""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MCPDeprecationWarning)
            # related_request_id: otherwise the request goes to the standalone GET stream.
            result = await ctx.session.create_message(
                messages=[SamplingMessage(role="user", content=TextContent(type="text", text=prompt))],
                max_tokens=100,
                related_request_id=ctx.request_id,
            )
    except MCPError as exc:
        return f"Sampling not supported or error: {exc}"
    content = result.content
    text = content.text if isinstance(content, TextContent) else "No response"
    return f"LLM response: {text}"


async def _elicit_form(ctx: Ctx, message: str, schema: type[BaseModel], label: str) -> str:
    try:
        result = await ctx.elicit(message=message, schema=schema)
    except MCPError as exc:
        return f"Elicitation not supported or error: {exc}"
    content = result.data.model_dump_json() if result.action == "accept" else "{}"
    return f"{label}: action={result.action}, content={content}"


async def test_elicitation(message: str, ctx: Ctx) -> str:
    """Tests server-initiated elicitation (user input request)"""
    return await _elicit_form(ctx, message, UserResponse, "User response")


async def test_elicitation_sep1034_defaults(ctx: Ctx) -> str:
    """Tests elicitation with default values for all primitive types (SEP-1034)"""
    return await _elicit_form(
        ctx, "Please provide user information", SEP1034DefaultsSchema, "Elicitation result"
    )


async def test_elicitation_sep1330_enums(ctx: Ctx) -> str:
    """Tests elicitation with enum schema variations per SEP-1330"""
    return await _elicit_form(
        ctx,
        "Please select values using different enum schema types",
        EnumSchemasTestSchema,
        "Elicitation completed",
    )


def test_error_handling() -> str:
    """Tests error response handling"""
    raise RuntimeError("This tool intentionally returns an error for testing")


def test_x_mcp_header(
    region: Annotated[
        str,
        Field(
            description="Mirrored into the Mcp-Param-Region header",
            json_schema_extra={"x-mcp-header": "Region"},
        ),
    ] = "<none>",  # noqa: PT028 - a fixture named test_*, not a pytest test
) -> str:
    """Tests SEP-2243 Mcp-Param-* server-side validation."""
    return f"region={region}"


async def test_missing_capability(ctx: Ctx) -> str:
    """Requires the client's sampling capability; without it, a protocol error naming it."""
    capabilities = ctx.session.client_capabilities
    if capabilities is None or capabilities.sampling is None:
        raise MCPError(
            code=MISSING_REQUIRED_CLIENT_CAPABILITY,
            message="This tool requires the client 'sampling' capability",
            data={"requiredCapabilities": {"sampling": {}}},
        )
    return "Client declared sampling capability; proceeding."


async def test_input_required_result_elicitation(ctx: Ctx) -> str | InputRequiredResult:
    """Tests InputRequiredResult with a single elicitation request"""
    responses = ctx.input_responses
    if responses and "user_name" in responses:
        return f"Hello, {_elicited(responses['user_name'], 'name') or '?'}!"
    return InputRequiredResult(input_requests={"user_name": _name_elicitation()})


async def test_input_required_result_sampling(ctx: Ctx) -> str | InputRequiredResult:
    """Tests InputRequiredResult with a single sampling request"""
    responses = ctx.input_responses
    if responses and "capital_question" in responses:
        answer = responses["capital_question"]
        text = "?"
        if isinstance(answer, CreateMessageResult) and isinstance(answer.content, TextContent):
            text = answer.content.text
        return f"Model said: {text}"
    question = SamplingMessage(
        role="user", content=TextContent(type="text", text="What is the capital of France?")
    )
    return InputRequiredResult(
        input_requests={
            "capital_question": CreateMessageRequest(
                params=CreateMessageRequestParams(messages=[question], max_tokens=100)
            )
        }
    )


async def test_input_required_result_list_roots(ctx: Ctx) -> str | InputRequiredResult:
    """Tests InputRequiredResult with a single roots/list request"""
    responses = ctx.input_responses
    if responses and "client_roots" in responses:
        answer = responses["client_roots"]
        count = len(answer.roots) if isinstance(answer, ListRootsResult) else 0
        return f"Client exposed {count} root(s)."
    return InputRequiredResult(input_requests={"client_roots": ListRootsRequest()})


async def test_input_required_result_request_state(ctx: Ctx) -> str | InputRequiredResult:
    """Tests requestState round-tripping in the InputRequiredResult flow"""
    responses = ctx.input_responses
    if responses and "confirm" in responses and ctx.request_state == "request-state-nonce":
        return "state-ok: confirmation received"
    confirm = ElicitRequest(
        params=ElicitRequestFormParams(message="Please confirm", requested_schema=CONFIRM_SCHEMA)
    )
    return InputRequiredResult(input_requests={"confirm": confirm}, request_state="request-state-nonce")


async def test_input_required_result_multiple_inputs(ctx: Ctx) -> str | InputRequiredResult:
    """Tests InputRequiredResult carrying elicitation, sampling and roots requests together"""
    responses = ctx.input_responses
    if responses and {"user_name", "greeting", "client_roots"} <= responses.keys():
        return "All inputs received."
    greeting = SamplingMessage(role="user", content=TextContent(type="text", text="Generate a greeting"))
    return InputRequiredResult(
        input_requests={
            "user_name": _name_elicitation(),
            "greeting": CreateMessageRequest(
                params=CreateMessageRequestParams(messages=[greeting], max_tokens=50)
            ),
            "client_roots": ListRootsRequest(),
        },
        request_state="multiple-inputs",
    )


async def test_input_required_result_multi_round(ctx: Ctx) -> str | InputRequiredResult:
    """Tests a three-round InputRequiredResult flow with evolving requestState"""
    state: dict[str, Any] = json.loads(ctx.request_state) if ctx.request_state else {"round": 0}
    responses = ctx.input_responses or {}
    step1 = InputRequiredResult(
        input_requests={"step1": _name_elicitation("Step 1: What is your name?")},
        request_state=json.dumps({"round": 1}),
    )
    if state["round"] == 1 and "step1" in responses:
        color_schema = {"type": "object", "properties": {"color": {"type": "string"}}, "required": ["color"]}
        ask_color = ElicitRequestFormParams(
            message="Step 2: What is your favorite color?", requested_schema=color_schema
        )
        return InputRequiredResult(
            input_requests={"step2": ElicitRequest(params=ask_color)},
            request_state=json.dumps({"round": 2, "name": _elicited(responses["step1"], "name")}),
        )
    if state["round"] == 2 and "step2" in responses:
        return f"{state.get('name')} likes {_elicited(responses['step2'], 'color')}."
    # Round 0, or a missing or out-of-order answer: start again.
    return step1


async def test_input_required_result_tampered_state(ctx: Ctx) -> str | InputRequiredResult:
    """The SDK's request-state boundary rejects a tampered requestState before this runs."""
    if ctx.request_state is None:
        confirm = ElicitRequest(
            params=ElicitRequestFormParams(message="Please confirm", requested_schema=CONFIRM_SCHEMA)
        )
        return InputRequiredResult(input_requests={"confirm": confirm}, request_state="round-1")
    return f"state-ok: {ctx.request_state}"


async def test_input_required_result_capabilities(ctx: Ctx) -> InputRequiredResult:
    """Tests that inputRequests only include methods the client declared support for"""
    caps = ctx.client_capabilities
    requests: dict[str, InputRequest] = {}
    if caps is None or caps.sampling is not None:
        hello = SamplingMessage(role="user", content=TextContent(type="text", text="Say hello"))
        requests["sample"] = CreateMessageRequest(
            params=CreateMessageRequestParams(messages=[hello], max_tokens=50)
        )
    if caps is None or caps.elicitation is not None:
        requests["ask"] = _name_elicitation()
    return InputRequiredResult(input_requests=requests, request_state="capability-gated")


def json_schema_2020_12_tool() -> str:
    """Tests JSON Schema 2020-12 keyword preservation in tools/list."""
    return "json_schema_2020_12_tool"


async def test_reconnection(ctx: Ctx) -> str:
    """Tests SSE polling by closing stream mid-call (SEP-1699)"""
    await _log(ctx, "Before disconnect")
    await ctx.close_sse_stream()
    await asyncio.sleep(0.2)  # the client reconnects with Last-Event-ID meanwhile
    await _log(ctx, "After reconnect")
    return "Reconnection test completed"


def _dynamic() -> str:
    """Registered and removed at once by the list-change triggers."""
    return "dynamic"


# ---------------------------------------------------------------------------------------- prompts


def test_simple_prompt() -> list[UserMessage]:
    """A simple prompt without arguments"""
    return [
        UserMessage(
            role="user", content=TextContent(type="text", text="This is a simple prompt for testing.")
        )
    ]


def test_prompt_with_arguments(arg1: str, arg2: str) -> list[UserMessage]:
    """A prompt with required arguments"""
    text = f"Prompt with arguments: arg1='{arg1}', arg2='{arg2}'"
    return [UserMessage(role="user", content=TextContent(type="text", text=text))]


def test_prompt_with_embedded_resource(resourceUri: str) -> list[UserMessage]:
    """A prompt that includes an embedded resource"""
    resource = TextResourceContents(
        uri=resourceUri, mime_type="text/plain", text="Embedded resource content for testing."
    )
    return [
        UserMessage(role="user", content=EmbeddedResource(type="resource", resource=resource)),
        UserMessage(
            role="user", content=TextContent(type="text", text="Please process the embedded resource above.")
        ),
    ]


def test_prompt_with_image() -> list[UserMessage]:
    """A prompt that includes image content"""
    return [
        UserMessage(
            role="user", content=ImageContent(type="image", data=TEST_IMAGE_BASE64, mime_type="image/png")
        ),
        UserMessage(role="user", content=TextContent(type="text", text="Please analyze the image above.")),
    ]


async def test_input_required_result_prompt(ctx: Ctx) -> list[UserMessage] | InputRequiredResult:
    """Tests InputRequiredResult from prompts/get (SEP-2322 non-tool request)"""
    responses = ctx.input_responses
    if responses and "user_context" in responses:
        text = f"Use the following context: {_elicited(responses['user_context'], 'context') or '?'}"
        return [UserMessage(role="user", content=TextContent(type="text", text=text))]
    schema = {"type": "object", "properties": {"context": {"type": "string"}}, "required": ["context"]}
    ask = ElicitRequestFormParams(message="What context should the prompt use?", requested_schema=schema)
    return InputRequiredResult(input_requests={"user_context": ElicitRequest(params=ask)})


# -------------------------------------------------------------------------------------- resources


def static_text_resource() -> str:
    """A static text resource for testing"""
    return "This is the content of the static text resource."


def static_binary_resource() -> bytes:
    """A static binary resource (image) for testing"""
    return base64.b64decode(TEST_IMAGE_BASE64)


def template_resource(id: str) -> str:
    """A resource template with parameter substitution"""
    return json.dumps({"id": id, "templateTest": True, "data": f"Data for ID: {id}"})


def watched_resource() -> str:
    """A resource that can be subscribed to for updates"""
    return "Watched resource content"


# ------------------------------------------------------------------------------------ registration


TOOLS = (
    test_simple_text,
    test_image_content,
    test_audio_content,
    test_embedded_resource,
    test_multiple_content_types,
    test_tool_with_logging,
    test_tool_with_progress,
    test_sampling,
    test_elicitation,
    test_elicitation_sep1034_defaults,
    test_elicitation_sep1330_enums,
    test_error_handling,
    test_x_mcp_header,
    test_missing_capability,
    test_input_required_result_elicitation,
    test_input_required_result_sampling,
    test_input_required_result_list_roots,
    test_input_required_result_request_state,
    test_input_required_result_multiple_inputs,
    test_input_required_result_multi_round,
    test_input_required_result_tampered_state,
    test_input_required_result_capabilities,
    json_schema_2020_12_tool,
    test_reconnection,
)
PROMPTS = (
    test_simple_prompt,
    test_prompt_with_arguments,
    test_prompt_with_embedded_resource,
    test_prompt_with_image,
    test_input_required_result_prompt,
)


async def complete_nothing(ctx: ServerRequestContext[Any], params: CompleteRequestParams) -> CompleteResult:
    """The suite checks only that completion/complete answers with a values array."""
    return CompleteResult(completion=Completion(values=[], total=0, has_more=False))


class FixtureState:
    """What the setLevel handler records (per server object)."""

    def __init__(self) -> None:
        self.log_level: LoggingLevel | None = None


def add_conformance_fixtures(server: MCPServer[Any]) -> FixtureState:
    """Register the suite's fixture tools, resources and prompts, and `logging/setLevel`, on `server`.

    Call it through `launcher.add_fixtures`, which fails if this replaced any handler `server` had.
    """
    for fn in TOOLS:
        server.add_tool(fn)
    # The suite checks that 2020-12 keywords survive tools/list verbatim, so the published input schema
    # is set by hand (`MCPServer` has no public override; this is what the SDK's reference server does).
    fixture = server._tool_manager.get_tool("json_schema_2020_12_tool")
    assert fixture is not None
    fixture.parameters = JSON_SCHEMA_2020_12_INPUT_SCHEMA

    async def test_trigger_tool_change(ctx: Ctx) -> str:
        """Mutates the tool list and announces it to subscriptions/listen streams (SEP-2575)"""
        server.add_tool(_dynamic, name="test_dynamic_tool")
        server.remove_tool("test_dynamic_tool")
        await ctx.notify_tools_changed()
        return "tool list changed"

    async def test_trigger_prompt_change(ctx: Ctx) -> str:
        """Mutates the prompt list and announces it to subscriptions/listen streams (SEP-2575)"""
        server.add_prompt(Prompt.from_function(_dynamic, name="test_dynamic_prompt", description="dynamic"))
        server.remove_prompt("test_dynamic_prompt")
        await ctx.notify_prompts_changed()
        return "prompt list changed"

    server.add_tool(test_trigger_tool_change)
    server.add_tool(test_trigger_prompt_change)

    server.resource("test://static-text")(static_text_resource)
    server.resource("test://static-binary")(static_binary_resource)
    server.resource("test://template/{id}/data")(template_resource)
    server.resource("test://watched-resource")(watched_resource)
    for prompt in PROMPTS:
        server.prompt()(prompt)

    state = FixtureState()

    async def set_level(ctx: ServerRequestContext[Any], params: SetLevelRequestParams) -> EmptyResult:
        state.log_level = params.level
        logger.info("client asked for log level %s", params.level)
        return EmptyResult()

    lowlevel = lowlevel_server(server)
    if lowlevel.get_request_handler("logging/setLevel") is None:
        lowlevel.add_request_handler("logging/setLevel", SetLevelRequestParams, set_level)

    if lowlevel.get_request_handler("completion/complete") is None:
        # The product's own completion handler (ids for Hireflix arguments) answers other refs with an
        # empty completion, which is all the suite asks; add one only when there is none.
        lowlevel.add_request_handler("completion/complete", CompleteRequestParams, complete_nothing)

    return state
