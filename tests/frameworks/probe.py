"""Loads the server's tools through one agent framework's own MCP client and records what it would send
to a model. Run by the framework's environment (`scripts/tools-setup` builds them under .tools/), not by
the project's: it imports nothing from the project.

    <env>/bin/python tests/frameworks/probe.py FRAMEWORK (--url URL [--header K:V] | -- COMMAND ARGS...)

FRAMEWORK is one of openai-agents, google-genai, langchain, pydantic-ai, llama-index. The server is
started over stdio from COMMAND (or reached over streamable HTTP at URL). Prints one JSON object:
`{"framework", "version", "transport", "tools": [{"name", "published", "loaded", "strict", "error",
"sent"}], "notes", "error", "seconds"}`, where `published` is the tool's input schema as the framework's
MCP client received it and `sent` the tool's definition exactly as the framework puts it in a request to
a model (null when the framework could not convert it).

No model is called. Where the framework sends requests itself (OpenAI Agents, google-genai, pydantic-ai)
its model client is pointed at a stand-in endpoint on 127.0.0.1 that records each request body and
answers with a plain text reply; LangChain and LlamaIndex are asked for the OpenAI tool definitions their
chat models send (`convert_to_openai_tool`, `ToolMetadata.to_openai_tool`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import importlib.metadata
import json
import logging
import os
import sys
import threading
import time
from collections.abc import AsyncIterator
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any
from typing import ClassVar

FRAMEWORKS = ("openai-agents", "google-genai", "langchain", "pydantic-ai", "llama-index")
DISTRIBUTIONS = {
    "openai-agents": "openai-agents",
    "google-genai": "google-genai",
    "langchain": "langchain-mcp-adapters",
    "pydantic-ai": "pydantic-ai-slim",
    "llama-index": "llama-index-tools-mcp",
}
TIMEOUT_S = 90.0
"""The whole probe: start the server, list tools, convert, one stand-in request."""


def module(name: str) -> Any:
    """A framework module (typed Any: the frameworks are not installed where the project is type-checked)."""
    return importlib.import_module(name)


@dataclass
class Server:
    """Where the framework finds the server: a command over stdio, or a URL over streamable HTTP."""

    command: list[str] = field(default_factory=list)
    url: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def transport(self) -> str:
        return "http" if self.url else "stdio"


@dataclass
class Report:
    framework: str
    version: str
    transport: str
    tools: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0

    def add(
        self,
        tool: Any,
        sent: dict[str, Any] | None,
        *,
        strict: bool | None = None,
        error: str | None = None,
    ) -> None:
        """One tool: as the framework's MCP client received it, and as the framework would send it."""
        published = tool.input_schema if hasattr(tool, "input_schema") else tool.inputSchema
        self.tools.append(
            {
                "name": tool.name,
                "published": published,
                "loaded": sent is not None,
                "strict": strict,
                "error": error,
                "sent": sent,
            }
        )


def describe(exc: BaseException) -> str:
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= 400 else text[:399] + "…"


# ------------------------------------------------------------------------------- the stand-in model


class StandIn:
    """An HTTP endpoint on 127.0.0.1 that records request bodies and answers as a model that says "ok"."""

    CHAT: ClassVar[dict[str, Any]] = {
        "id": "chatcmpl-probe",
        "object": "chat.completion",
        "created": 0,
        "model": "gpt-4o",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
    GEMINI: ClassVar[dict[str, Any]] = {
        "candidates": [{"content": {"role": "model", "parts": [{"text": "ok"}]}, "finishReason": "STOP"}],
        "usageMetadata": {"promptTokenCount": 1, "candidatesTokenCount": 1, "totalTokenCount": 2},
    }

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, Any]]] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                stand_in.requests.append((self.path, body))
                answer = stand_in.GEMINI if "generateContent" in self.path else stand_in.CHAT
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the report says what was asked

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    @contextlib.contextmanager
    def running(self) -> Iterator[StandIn]:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()

    def only_request(self) -> dict[str, Any]:
        if len(self.requests) != 1:
            raise RuntimeError(f"expected one request to the stand-in model, got {len(self.requests)}")
        return self.requests[0][1]


# ------------------------------------------------------------------------------- the frameworks


async def openai_agents(server: Server, report: Report) -> None:
    """`Agent(mcp_servers=[...], mcp_config={"convert_schemas_to_strict": True})`, one run on a chat model."""
    agents = module("agents")
    mcp = module("agents.mcp")
    strict_schema = module("agents.strict_schema")
    openai = module("openai")
    agents.set_tracing_disabled(True)  # traces would go to OpenAI
    if server.url:
        params: dict[str, Any] = {"url": server.url, "headers": server.headers}
        mcp_server = mcp.MCPServerStreamableHttp(params=params, client_session_timeout_seconds=60)
    else:
        stdio = {"command": server.command[0], "args": server.command[1:], "env": dict(os.environ)}
        mcp_server = mcp.MCPServerStdio(params=stdio, client_session_timeout_seconds=60)
    with StandIn().running() as stand_in:
        client = openai.AsyncOpenAI(base_url=stand_in.url, api_key="probe", max_retries=0)
        model = agents.OpenAIChatCompletionsModel(model="gpt-4o", openai_client=client)
        async with mcp_server:
            agent = agents.Agent(
                name="probe",
                model=model,
                mcp_servers=[mcp_server],
                mcp_config={"convert_schemas_to_strict": True},
            )
            listed = await mcp_server.list_tools()
            await agents.Runner.run(agent, "ok?")
        sent = {tool["function"]["name"]: tool for tool in stand_in.only_request().get("tools", [])}
    for tool in listed:
        definition = sent.get(tool.name)
        strict = bool(definition and definition["function"].get("strict"))
        error = None
        if definition and not strict:  # why the SDK fell back to a non-strict schema (it only logs it)
            schema = tool.input_schema if hasattr(tool, "input_schema") else tool.inputSchema
            try:
                strict_schema.ensure_strict_json_schema(
                    json.loads(json.dumps(schema)), _reject_open_objects=True
                )
            except Exception as exc:  # noqa: BLE001 - the reason is the report
                error = describe(exc)
        report.add(tool, definition, strict=strict, error=error)


@contextlib.asynccontextmanager
async def mcp_session(server: Server) -> AsyncIterator[Any]:
    """A plain `mcp.ClientSession`, as google-genai and LlamaIndex take one."""
    mcp = module("mcp")
    if server.url:
        http = module("mcp.client.streamable_http")
        httpx2 = module("httpx2")  # mcp 2's HTTP client (google-genai and LlamaIndex run on mcp 2 here)
        async with (
            httpx2.AsyncClient(headers=server.headers, timeout=60) as http_client,
            http.streamable_http_client(server.url, http_client=http_client) as streams,
            mcp.ClientSession(streams[0], streams[1]) as session,
        ):
            await session.initialize()
            yield session
    else:
        params = mcp.StdioServerParameters(
            command=server.command[0], args=server.command[1:], env=dict(os.environ)
        )
        async with (
            mcp.stdio_client(params) as (read, write),
            mcp.ClientSession(read, write) as session,
        ):
            await session.initialize()
            yield session


async def google_genai(server: Server, report: Report) -> None:
    """`generate_content(config={"tools": [session]})`: google-genai converts the session's tools itself.

    The documented `config=types.GenerateContentConfig(tools=[session])` is tried first: google-genai
    deep-copies that config, session included, which fails (noted); the dict form is what works.
    """
    genai = module("google.genai")
    types = module("google.genai.types")
    mcp_utils = module("google.genai._mcp_utils")
    model = "gemini-2.5-flash"
    no_afc = {"disable": True}  # the stand-in's answer calls no tool anyway; this keeps the SDK quiet
    with StandIn().running() as stand_in:
        client = genai.Client(api_key="probe", http_options=types.HttpOptions(base_url=stand_in.url))
        async with mcp_session(server) as session:
            listed = (await session.list_tools()).tools
            try:
                config = types.GenerateContentConfig(tools=[session], automatic_function_calling=no_afc)
                await client.aio.models.generate_content(model=model, contents="ok?", config=config)
            except Exception as exc:  # noqa: BLE001 - the known bug; the dict form below works
                report.notes.append(f"GenerateContentConfig(tools=[session]): {describe(exc)}")
            else:
                report.notes.append("GenerateContentConfig(tools=[session]) works")
            stand_in.requests.clear()
            try:
                await client.aio.models.generate_content(
                    model=model,
                    contents="ok?",
                    config={"tools": [session], "automatic_function_calling": no_afc},
                )
            except Exception as exc:  # noqa: BLE001 - one tool it cannot convert fails them all
                report.error = describe(exc)
                sent: dict[str, Any] = {}
            else:
                sent = {
                    declaration["name"]: declaration
                    for tool in stand_in.only_request().get("tools", [])
                    for declaration in tool.get("functionDeclarations", [])
                }
    for tool in listed:
        error = None
        if tool.name not in sent:  # convert it alone, to say which tools fail and why
            try:
                mcp_utils.mcp_to_gemini_tool(tool)
            except Exception as exc:  # noqa: BLE001 - the reason is the report
                error = describe(exc)
            else:
                error = "converts alone; another tool failed the request"
        report.add(tool, sent.get(tool.name), error=error)


async def langchain(server: Server, report: Report) -> None:
    """`MultiServerMCPClient(...).get_tools()`, as `bind_tools` sends them to an OpenAI chat model.

    `strict` says whether `bind_tools(strict=True)` would give OpenAI a schema its strict mode takes:
    LangChain closes every object and marks every field required.
    """
    client_module = module("langchain_mcp_adapters.client")
    function_calling = module("langchain_core.utils.function_calling")
    if server.url:
        connection: dict[str, Any] = {
            "transport": "streamable_http",
            "url": server.url,
            "headers": server.headers,
        }
    else:
        connection = {
            "transport": "stdio",
            "command": server.command[0],
            "args": server.command[1:],
            "env": dict(os.environ),
        }
    client = client_module.MultiServerMCPClient({"hireflix": connection})
    async with client.session("hireflix") as session:
        listed = {tool.name: tool for tool in (await session.list_tools()).tools}
    for tool in await client.get_tools():
        try:
            definition = function_calling.convert_to_openai_tool(tool)
            strict_definition = function_calling.convert_to_openai_tool(tool, strict=True)
        except Exception as exc:  # noqa: BLE001 - the reason is the report
            report.add(listed[tool.name], None, error=describe(exc))
            continue
        strict = _strict_valid(strict_definition["function"]["parameters"])
        report.add(listed[tool.name], definition, strict=strict)


def _strict_valid(schema: Any) -> bool:
    """What OpenAI's strict mode takes: every object closed, with every property required, and no `$ref`
    beside other keywords."""
    if isinstance(schema, list):
        return all(_strict_valid(item) for item in schema)
    if not isinstance(schema, dict):
        return True
    if "$ref" in schema and len(schema) > 1:
        return False
    properties = schema.get("properties")
    if schema.get("type") == "object" or properties is not None:
        if schema.get("additionalProperties") is not False or not isinstance(properties, dict):
            return False
        if set(schema.get("required", ())) != set(properties):
            return False
    return all(_strict_valid(value) for key, value in schema.items() if key not in ("enum", "default"))


async def pydantic_ai(server: Server, report: Report) -> None:
    """`Agent(model, toolsets=[MCPToolset(...)])`, one run on an OpenAI chat model (which decides strict)."""
    pai = module("pydantic_ai")
    pai_mcp = module("pydantic_ai.mcp")
    openai_models = module("pydantic_ai.models.openai")
    openai_provider = module("pydantic_ai.providers.openai")
    if server.url:
        toolset = pai_mcp.MCPToolset(server.url, headers=server.headers)
    else:
        transports = module("fastmcp.client.transports")
        stdio = transports.StdioTransport(
            command=server.command[0], args=server.command[1:], env=dict(os.environ)
        )
        toolset = pai_mcp.MCPToolset(stdio)
    with StandIn().running() as stand_in:
        provider = openai_provider.OpenAIProvider(base_url=stand_in.url, api_key="probe")
        model = openai_models.OpenAIChatModel("gpt-4o", provider=provider)
        agent = pai.Agent(model, toolsets=[toolset])
        async with agent:
            listed = await toolset.list_tools()
            await agent.run("ok?")
        sent = {tool["function"]["name"]: tool for tool in stand_in.only_request().get("tools", [])}
    for tool in listed:
        definition = sent.get(tool.name)
        report.add(tool, definition, strict=bool(definition and definition["function"].get("strict")))


async def llama_index(server: Server, report: Report) -> None:
    """`McpToolSpec(client).to_tool_list_async()`, as LlamaIndex's OpenAI LLM sends them."""
    tools_mcp = module("llama_index.tools.mcp")
    async with mcp_session(server) as session:
        spec = tools_mcp.McpToolSpec(client=session)
        listed = (await session.list_tools()).tools
        try:
            tools = await spec.to_tool_list_async()
        except Exception as exc:  # noqa: BLE001 - the reason is the report
            report.error = describe(exc)
            tools = []
    sent = {tool.metadata.name: tool.metadata.to_openai_tool() for tool in tools}
    for tool in listed:
        report.add(tool, sent.get(tool.name))


PROBES = {
    "openai-agents": openai_agents,
    "google-genai": google_genai,
    "langchain": langchain,
    "pydantic-ai": pydantic_ai,
    "llama-index": llama_index,
}


async def probe(framework: str, server: Server) -> Report:
    version = importlib.metadata.version(DISTRIBUTIONS[framework])
    report = Report(framework=framework, version=version, transport=server.transport)
    started = time.monotonic()
    try:
        await asyncio.wait_for(PROBES[framework](server, report), TIMEOUT_S)
    except Exception as exc:  # noqa: BLE001 - a framework that cannot load the tools at all is the report
        report.error = describe(exc)
    report.seconds = round(time.monotonic() - started, 2)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("framework", choices=FRAMEWORKS)
    parser.add_argument("--url", help="the server's streamable HTTP endpoint")
    parser.add_argument("--header", action="append", default=[], help="K:V, sent to the server over HTTP")
    parser.add_argument("command", nargs="*", help="the server's stdio command (after --)")
    args = parser.parse_args(argv)
    if bool(args.url) == bool(args.command):
        parser.error("give either --url or a command after --")
    headers = dict(item.split(":", 1) for item in args.header)
    server = Server(command=args.command, url=args.url, headers=headers)
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    report = asyncio.run(probe(args.framework, server))
    json.dump(report.__dict__, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
