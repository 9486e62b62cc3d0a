"""The tools as five agent frameworks load them: each a real MCP client of the server over stdio, in an
environment of its own, converting the tools as it would before sending them to a model (no model call).

The environments are built on first use by `bench.frameworks.ensure_envs` into .tools/frameworks-<hash>/,
at the exact versions of scripts/frameworks/*.txt (uv, from PyPI; cached, so later runs install nothing).
Where PyPI cannot be reached the tests skip, except in CI (`CI=true`), where that is a failure.
bench/frameworks.py prints the same measures as a table.
"""

from __future__ import annotations

import importlib
import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from hireflix_mcp.tools.catalog import TOOLS

if TYPE_CHECKING:  # mypy knows bench/ files as top-level modules (bench/ is not a package)
    import frameworks
else:  # pytest puts the repository root on sys.path (tests/ is a package), where bench/ is a namespace
    frameworks = importlib.import_module("bench.frameworks")

# A cold run builds both environments (~10 s from PyPI) and compiles what the first probe imports.
pytestmark = pytest.mark.timeout(300)

ALL_TOOLS = len(TOOLS)
NO_ARGUMENTS = {spec.name for spec in TOOLS if spec.name in ("list_members", "list_webhooks")}
"""Tools without arguments: OpenAI Agents sends them non-strict, as it cannot tell their schema
(`{"type": "object", "properties": {}}`) from an open object without `additionalProperties: false`,
which would fail every tool in google-genai. A tool without arguments has nothing a strict schema guards."""


@pytest.fixture(scope="module")
def envs() -> Path:
    try:
        return frameworks.ensure_envs()
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
        message = f"the framework environments could not be built: {exc}"
        if os.environ.get("CI", "").lower() in ("1", "true"):
            pytest.fail(message)
        pytest.skip(message)


def measure(name: str) -> frameworks.Summary:
    summary = frameworks.measure(frameworks.framework(name))
    assert summary.error is None, summary.error
    assert summary.tools == ALL_TOOLS, summary.failed
    return summary


def test_openai_agents_sends_every_tool_with_arguments_strict_with_optional_ones_still_optional(
    envs: Path,
) -> None:
    agents = measure("openai-agents")
    assert agents.loaded == ALL_TOOLS, agents.failed
    assert set(agents.not_strict) == NO_ARGUMENTS
    assert agents.strict == ALL_TOOLS - len(NO_ARGUMENTS)
    # Strict mode makes every argument required: a nullable one is still one the model may leave out.
    assert agents.optional.kept == agents.optional.total > 0, agents.optional.lost
    assert not agents.constraints.lost


def test_google_genai_converts_every_tool_of_an_mcp_session(envs: Path) -> None:
    genai = measure("google-genai")
    assert genai.loaded == ALL_TOOLS, genai.failed
    assert genai.optional.kept == genai.optional.total > 0, genai.optional.lost
    # Its MCP path keeps only the keywords its JSONSchema model spells the same: item counts go.
    assert genai.constraints.lost
    assert all(lost.endswith(("minItems", "maxItems")) for lost in genai.constraints.lost)
    # The README shows the dict form of the config because of this (google-genai deep-copies the config).
    assert any("GenerateContentConfig(tools=[session])" in note and "pickle" in note for note in genai.notes)


def test_langchain_passes_every_schema_through_and_strict_binding_takes_them_all(envs: Path) -> None:
    langchain = measure("langchain")
    assert langchain.loaded == langchain.strict == ALL_TOOLS, langchain.failed
    assert langchain.optional.kept == langchain.optional.total
    assert not langchain.constraints.lost


def test_pydantic_ai_sends_every_schema_to_an_openai_model_unchanged(envs: Path) -> None:
    pydantic_ai = measure("pydantic-ai")
    assert pydantic_ai.loaded == ALL_TOOLS, pydantic_ai.failed
    assert pydantic_ai.optional.kept == pydantic_ai.optional.total
    assert not pydantic_ai.constraints.lost


def test_llama_index_loads_every_tool_losing_only_bounds_and_the_fields_of_rows(envs: Path) -> None:
    llama = measure("llama-index")
    assert llama.loaded == ALL_TOOLS, llama.failed
    # It rebuilds each schema as a pydantic model: optional arguments stay optional (it adds null itself),
    # numbers and arrays lose their bounds, and an object inside an array becomes a plain dict (it keeps
    # one's fields only behind a $ref, which OpenAI Agents refuses; the README says so).
    assert all("[]." in lost for lost in llama.optional.lost), llama.optional.lost
    kinds = {lost.rsplit(" ", 1)[-1] for lost in llama.constraints.lost}
    assert kinds <= {"minimum", "maximum", "minItems", "maxItems", "(field)", "null"}, kinds
    assert all("[]." in lost for lost in llama.constraints.lost if lost.endswith(("(field)", "null")))
