"""The user-facing documents stay true: the generated tool table, the install guide, server.json."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # no stubs installed; only validate() is used

from hireflix_mcp import __version__
from hireflix_mcp.settings import Settings
from hireflix_mcp.tools.catalog import TOOLS
from hireflix_mcp.tools.catalog_doc import TABLE_END, TABLE_START, render_page, render_table

ROOT = Path(__file__).resolve().parents[1]
TOOLS_MD = ROOT / "docs" / "tools.md"
INSTALL_MD = ROOT / "README.md"
README = ROOT / "README.md"
SERVER_JSON = ROOT / "server.json"
REGENERATE = "python -m hireflix_mcp.tools.catalog_doc > docs/tools.md"


def test_tools_page_is_generated_from_the_catalogue() -> None:
    assert TOOLS_MD.read_text() == render_page(), f"docs/tools.md is stale: run `{REGENERATE}`"


def test_tools_table_names_every_tool_once_in_catalogue_order() -> None:
    names = re.findall(r"^\| `([a-z_]+)` \|", render_table(), flags=re.MULTILINE)
    assert names == [spec.name for spec in TOOLS]


def test_readme_tool_table_is_current() -> None:
    text = README.read_text()
    assert TABLE_START in text, "README.md must embed the generated tool table"
    embedded = text.split(TABLE_START, 1)[1].split(TABLE_END, 1)[0]
    assert embedded.strip("\n") == render_table().strip("\n"), (
        "README.md's tool table is stale: replace it with `python -m hireflix_mcp.tools.catalog_doc --table`"
    )


def test_generator_prints_the_page_it_checks_against() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "hireflix_mcp.tools.catalog_doc"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert done.stdout == render_page()


# ------------------------------------------------------------------------------------ install guide


def _serve_help() -> str:
    done = subprocess.run(
        [sys.executable, "-m", "hireflix_mcp.cli", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return done.stdout


def _json_blocks(markdown: str) -> list[Any]:
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", markdown, flags=re.DOTALL)]


def test_install_guide_client_configs_are_valid_json_with_real_flags() -> None:
    configs = _json_blocks(INSTALL_MD.read_text())
    servers = [entry for config in configs for entry in config["mcpServers"].values()]
    assert len(servers) >= 3
    help_text = _serve_help()
    for entry in servers:
        assert set(entry) <= {"command", "args", "env"}
        args = entry["args"][entry["args"].index("serve") + 1 :]
        for flag in (a for a in args if a.startswith("--")):
            assert flag in help_text, f"{flag} is not a serve flag"
        assert all(name.startswith("HIREFLIX_") for name in entry.get("env", {}))


def test_install_guide_commands_use_only_real_serve_flags() -> None:
    help_text = _serve_help()
    lines = [ln for ln in INSTALL_MD.read_text().splitlines() if "hireflix-mcp serve" in ln]
    flags = {
        f for ln in lines for f in re.findall(r"(?<=\s)--[a-z][a-z-]+", ln.split("hireflix-mcp serve", 1)[1])
    }
    assert {"--sandbox", "--transport", "--toolsets", "--read-only"} <= flags
    unknown = sorted(
        f for f in flags if f not in help_text and f not in ("--header", "--method", "--tool-name")
    )
    assert not unknown


def test_install_guide_documents_every_environment_variable_the_server_reads() -> None:
    settings_source = (ROOT / "src" / "hireflix_mcp" / "settings.py").read_text()
    read = set(re.findall(r'"(HIREFLIX_[A-Z_]+)"', settings_source))
    assert "HIREFLIX_API_KEY" in read
    documented = set(re.findall(r"`(HIREFLIX_[A-Z_]+)`", INSTALL_MD.read_text()))
    assert read <= documented, f"undocumented: {sorted(read - documented)}"


# --------------------------------------------------------------------------------------- server.json

# The constraints of the registry's server.json format (schema 2025-12-11) this file relies on. No package
# on a registry this project uses ships the official schema, so the test holds its own summary of it.
SERVER_JSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["$schema", "name", "description", "version", "packages"],
    "properties": {
        "$schema": {"const": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"},
        "name": {
            "type": "string",
            "pattern": r"^[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+$",
            "minLength": 3,
            "maxLength": 200,
        },
        "title": {"type": "string", "minLength": 1, "maxLength": 100},
        "description": {"type": "string", "minLength": 1, "maxLength": 100},
        "version": {
            "type": "string",
            "maxLength": 255,
            "not": {"pattern": r"[\^~<>=*\s]|^latest$|(^|\.)[xX]($|\.)"},
        },
        "packages": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["registryType", "identifier", "version", "transport"],
                "properties": {
                    "registryType": {"enum": ["npm", "pypi", "nuget", "oci", "mcpb"]},
                    "registryBaseUrl": {"type": "string", "pattern": "^https://"},
                    "identifier": {"type": "string", "minLength": 1},
                    "version": {"type": "string", "minLength": 1, "not": {"const": "latest"}},
                    "runtimeHint": {"type": "string"},
                    "transport": {
                        "type": "object",
                        "required": ["type"],
                        "properties": {"type": {"enum": ["stdio", "streamable-http", "sse"]}},
                    },
                    "packageArguments": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["type"],
                            "properties": {
                                "type": {"enum": ["positional", "named"]},
                                "value": {"type": "string"},
                            },
                        },
                    },
                    "environmentVariables": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["name", "description"],
                            "additionalProperties": False,
                            "properties": {
                                "name": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]*$"},
                                "description": {"type": "string"},
                                "isRequired": {"type": "boolean"},
                                "isSecret": {"type": "boolean"},
                                "format": {"enum": ["string", "number", "boolean", "filepath"]},
                                "default": {"type": "string"},
                                "choices": {"type": "array", "items": {"type": "string"}},
                            },
                        },
                    },
                },
            },
        },
    },
}


def _server_json() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SERVER_JSON.read_text())
    return data


def test_server_json_follows_the_registry_format() -> None:
    jsonschema.validate(_server_json(), SERVER_JSON_SCHEMA)


def test_server_json_describes_this_package_at_this_version() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    data = _server_json()
    (package,) = data["packages"]
    assert data["version"] == package["version"] == project["version"] == __version__
    assert package["registryType"] == "pypi"
    assert package["identifier"] == project["name"]
    assert project["scripts"][package["identifier"]] == "hireflix_mcp.cli:main"
    assert [a["value"] for a in package["packageArguments"]] == ["serve"]
    assert package["transport"] == {"type": "stdio"}


def test_server_json_environment_variables_are_the_ones_settings_read_with_their_defaults() -> None:
    (package,) = _server_json()["packages"]
    variables = {v["name"]: v for v in package["environmentVariables"]}
    assert variables["HIREFLIX_API_KEY"]["isRequired"] is True
    assert variables["HIREFLIX_API_KEY"]["isSecret"] is True
    defaults = Settings()
    for name, variable in variables.items():
        sample = (
            variable.get("choices", ["token"])[-1] if "choices" in variable else "https://hireflix.test/me"
        )
        if name == "HIREFLIX_API_KEY":
            sample = "hfx-sample"
        assert Settings.from_env({name: sample}) != defaults, f"{name} is not read by Settings.from_env"
        if "default" in variable:
            assert Settings.from_env({name: variable["default"]}) == defaults, f"{name}'s default is wrong"


def test_readme_names_the_registry_entry_for_ownership_checks() -> None:
    name = _server_json()["name"]
    assert f"mcp-name: {name}" in README.read_text()
