"""server.json, the MCP registry entry: valid against the registry's published schema, the PyPI package
and the Claude Desktop bundle at this version, and the bundle entry as the registry's publish step checks it.

`server.schema.2025-12-11.json` beside this file is a verbatim copy of the schema the registry publishes
at the `$schema` URL server.json names (the registry repository keeps it as
internal/validators/schemas/2025-12-11.json); its sha256 is pinned below so an edit shows. The registry
checks more than the schema when publishing an `mcpb` package (internal/validators/registries/mcpb.go): a
fileSha256, no registryBaseUrl, and an https release-asset URL on GitHub or GitLab containing "mcp".
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import jsonschema  # type: ignore[import-untyped]  # no stubs installed
import pytest

from hireflix_mcp import __version__
from hireflix_mcp.settings import Settings
from tests.release.conftest import PROJECT
from tests.release.conftest import ROOT
from tests.release.conftest import VERSION
from tests.release.conftest import load_script

SCHEMA_COPY = Path(__file__).with_name("server.schema.2025-12-11.json")
SCHEMA_SHA256 = "d4c163f299ece68b7432f4e44c4108f2fdb663d99dc088c8344142e5b0a4b520"
SERVER_JSON = ROOT / "server.json"
GITHUB_RELEASE_ASSET = re.compile(
    r"^/([a-zA-Z0-9]([a-zA-Z0-9\-]{0,37}[a-zA-Z0-9])?)/([a-zA-Z0-9._\-]+)/releases/download/([^/]+)/([^/]+)$"
)
"""The registry's own pattern for a GitHub release asset's path (mcpb.go)."""


def _server_json(path: Path = SERVER_JSON) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _package(kind: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    packages: list[dict[str, Any]] = (data or _server_json())["packages"]
    (package,) = [p for p in packages if p["registryType"] == kind]
    return package


def _validate(data: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA_COPY.read_text())
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]
    assert errors == []


def test_schema_copy_is_the_published_one_that_server_json_names() -> None:
    assert hashlib.sha256(SCHEMA_COPY.read_bytes()).hexdigest() == SCHEMA_SHA256
    assert json.loads(SCHEMA_COPY.read_text())["$id"] == _server_json()["$schema"]


def test_server_json_is_valid_against_the_registry_schema() -> None:
    _validate(_server_json())


def test_schema_copy_rejects_what_the_registry_rejects() -> None:
    data = _server_json()
    with pytest.raises(AssertionError):
        _validate({**data, "description": "x" * 101})
    with pytest.raises(AssertionError):
        _validate({**data, "packages": [{**_package("mcpb", data), "fileSha256": "not-a-hash"}]})


def test_server_json_lists_the_pypi_package_then_the_bundle_at_this_version() -> None:
    data = _server_json()
    assert [p["registryType"] for p in data["packages"]] == ["pypi", "mcpb"]
    versions = {data["version"], *(p["version"] for p in data["packages"])}
    assert versions == {VERSION} == {__version__}


def test_pypi_package_runs_hireflix_mcp_serve_over_stdio() -> None:
    package = _package("pypi")
    assert package["identifier"] == PROJECT["name"]
    assert PROJECT["scripts"][package["identifier"]] == "hireflix_mcp.cli:main"
    assert [a["value"] for a in package["packageArguments"]] == ["serve"]
    assert package["transport"] == {"type": "stdio"}


def test_pypi_package_environment_variables_are_the_ones_settings_read_with_their_defaults() -> None:
    variables = {v["name"]: v for v in _package("pypi")["environmentVariables"]}
    assert variables["HIREFLIX_API_KEY"]["isRequired"] is True
    assert variables["HIREFLIX_API_KEY"]["isSecret"] is True
    defaults = Settings()
    for name, variable in variables.items():
        sample = variable["choices"][-1] if "choices" in variable else "https://hireflix.test/me"
        if name == "HIREFLIX_API_KEY":
            sample = "hfx-sample"
        assert Settings.from_env({name: sample}) != defaults, f"{name} is not read by Settings.from_env"
        if "default" in variable:
            assert Settings.from_env({name: variable["default"]}) == defaults, f"{name}'s default is wrong"


def test_bundle_entry_passes_the_registrys_publish_checks() -> None:
    package = _package("mcpb")
    assert re.fullmatch(r"[a-f0-9]{64}", package.get("fileSha256", "")), "scripts/dev dist fills it in"
    assert "registryBaseUrl" not in package
    url = urlsplit(package["identifier"])
    assert url.scheme == "https"
    assert url.hostname == "github.com"
    assert GITHUB_RELEASE_ASSET.match(url.path)
    assert "mcp" in package["identifier"].lower()
    assert package["transport"] == {"type": "stdio"}


def test_bundle_entry_is_this_versions_release_asset_of_this_repository() -> None:
    repository = PROJECT["urls"]["Repository"]
    expected = f"{repository}/releases/download/v{VERSION}/{PROJECT['name']}-{VERSION}.mcpb"
    assert _package("mcpb")["identifier"] == expected


def test_readme_names_the_registry_entry_for_ownership_checks() -> None:
    assert f"mcp-name: {_server_json()['name']}" in (ROOT / "README.md").read_text()


# ----------------------------------------------------------------------- filled in by scripts/dev dist


def _dist_module(server_json: Path) -> ModuleType:
    module = load_script(ROOT / "bundle" / "dist.py", "hireflix_dist")
    setattr(module, "SERVER_JSON", server_json)  # noqa: B010 - a module loaded from its file
    return module


def test_dist_fills_in_the_bundles_sha256_and_leaves_the_rest_valid(tmp_path: Path) -> None:
    copy = tmp_path / "server.json"
    shutil.copy2(SERVER_JSON, copy)
    bundle = tmp_path / f"{PROJECT['name']}-{VERSION}.mcpb"
    bundle.write_bytes(b"a bundle")
    dist = _dist_module(copy)

    dist.update_server_json(bundle)
    once = copy.read_text()
    dist.update_server_json(bundle)

    assert copy.read_text() == once
    updated = _server_json(copy)
    assert _package("mcpb", updated)["fileSha256"] == hashlib.sha256(b"a bundle").hexdigest()
    assert _package("pypi", updated) == _package("pypi")
    _validate(updated)


def test_dist_adds_the_bundle_entry_to_a_server_json_without_one(tmp_path: Path) -> None:
    copy = tmp_path / "server.json"
    data = _server_json()
    copy.write_text(json.dumps({**data, "packages": [_package("pypi", data)]}))
    bundle = tmp_path / "bundle.mcpb"
    bundle.write_bytes(b"another bundle")

    _dist_module(copy).update_server_json(bundle)

    updated = _server_json(copy)
    assert [p["registryType"] for p in updated["packages"]] == ["pypi", "mcpb"]
    _validate(updated)
