"""The Claude Desktop bundle (hireflix-mcp-<version>.mcpb) installs and starts as a host does it.

The bundle is unpacked into a temporary folder; the command comes from its own manifest through mcpb's
`getMcpConfigForManifest` (the library hosts use: `${__dirname}` and `${user_config.*}` replaced, the
user's choices over the defaults); `uv` is the pinned one from PyPI, standing in for the host's. Only
uv's machine settings are added (tests/release/conftest.py: cache, no Python downloads, CA bundle).
"""

from __future__ import annotations

import dataclasses
import json
import re
import struct
import subprocess
import time
import zipfile
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp import StdioServerParameters
from mcp.client.stdio import stdio_client

from hireflix_mcp.settings import ENVIRONMENT
from hireflix_mcp.settings import Settings
from hireflix_mcp.tools.catalog import DEFAULT_TOOLSETS
from hireflix_sandbox.embedded import running_sandbox
from tests.conformance.support import NODE
from tests.conftest import CANARY_API_KEY
from tests.release.conftest import LAUNCHER
from tests.release.conftest import MCPB_CLI
from tests.release.conftest import MCPB_PACKAGE
from tests.release.conftest import PROJECT
from tests.release.conftest import ROOT
from tests.release.conftest import VERSION
from tests.release.conftest import Built
from tests.release.conftest import clean_env
from tests.release.conftest import dev_tool
from tests.release.conftest import uv_machine_env
from tests.tools.conftest import data

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(420)]

HOST_CONFIG = Path(__file__).with_name("host_config.mjs")
FIRST_START_TIMEOUT = 180.0
"""From `uv run` to the first answer: with a cold uv cache uv downloads Python packages (~30 MB)."""
BUNDLE_FILES = {"manifest.json", "icon.png", "LICENSE", "pyproject.toml", "uv.lock", "server/main.py"}
MAX_BUNDLE_BYTES = 1_000_000


def _manifest(bundle: Path) -> dict[str, Any]:
    with zipfile.ZipFile(bundle) as archive:
        manifest: dict[str, Any] = json.loads(archive.read("manifest.json"))
    return manifest


@pytest.fixture(scope="module")
def unpacked(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundle unpacked as a host unpacks it on install."""
    folder = tmp_path_factory.mktemp("Claude Extensions") / "hireflix-mcp"
    with zipfile.ZipFile(built.bundle) as archive:
        archive.extractall(folder)
    return folder


def host_config(folder: Path, user_config: dict[str, Any]) -> dict[str, Any]:
    """The command, arguments and environment a host starts the installed bundle with."""
    env = clean_env(
        MCPB_CONFIG_JS=str(MCPB_PACKAGE / "dist" / "shared" / "config.js"),
        MANIFEST=str(folder / "manifest.json"),
        EXTENSION_PATH=str(folder),
        USER_CONFIG=json.dumps(user_config),
    )
    done = subprocess.run(
        [str(NODE), str(HOST_CONFIG)], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    config: dict[str, Any] = json.loads(done.stdout)
    return config


def host_params(folder: Path, user_config: dict[str, Any], cwd: Path) -> StdioServerParameters:
    config = host_config(folder, user_config)
    assert config["command"] == "uv"
    return StdioServerParameters(
        command=str(dev_tool("uv")),
        args=config["args"],
        env=clean_env(**uv_machine_env(), **config.get("env", {})),
        cwd=str(cwd),
    )


# ------------------------------------------------------------------------------------ what is packed


def test_bundle_holds_the_wheel_a_lock_a_launcher_and_nothing_a_user_does_not_need(built: Built) -> None:
    with zipfile.ZipFile(built.bundle) as archive:
        names = set(archive.namelist())
    assert names == {*BUNDLE_FILES, f"wheels/{built.wheel.name}"}
    assert built.bundle.stat().st_size < MAX_BUNDLE_BYTES
    with zipfile.ZipFile(built.bundle) as archive:
        assert archive.read(f"wheels/{built.wheel.name}") == built.wheel.read_bytes()


def test_dist_prints_size_and_sha256_of_each_file(built: Built) -> None:
    lines = built.printed.strip().splitlines()
    assert len(lines) == 3
    for path, line in zip((built.wheel, built.sdist, built.bundle), lines, strict=True):
        assert re.fullmatch(rf".*{re.escape(path.name)}  [\d,]+ bytes  sha256 [0-9a-f]{{64}}", line), line
        assert f"{path.stat().st_size:,} bytes" in line


def test_bundle_environment_pins_every_dependency_and_the_wheel_by_hash(built: Built, unpacked: Path) -> None:
    lock = (unpacked / "uv.lock").read_text()
    pyproject = (unpacked / "pyproject.toml").read_text()
    assert f'dependencies = ["{PROJECT["name"]}=={VERSION}"]' in pyproject
    assert f'path = "wheels/{built.wheel.name}"' in pyproject
    for dependency in ("mcp", "pydantic", "pydantic-core", "anyio", "graphql-core", "uvicorn"):
        assert re.search(rf'^name = "{dependency}"\nversion = ', lock, flags=re.MULTILINE), dependency
    assert "sha256:" in lock.split(f'filename = "{built.wheel.name}"', 1)[1].split("\n", 1)[0]
    # Wheels for the machines Claude Desktop runs on, not only this one.
    assert "macosx" in lock
    assert "win_amd64" in lock


# --------------------------------------------------------------------------------------- the manifest


def test_official_cli_validates_the_manifest(unpacked: Path) -> None:
    done = subprocess.run(
        [str(NODE), str(MCPB_CLI), "validate", str(unpacked / "manifest.json")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Manifest schema validation passes!" in done.stdout


def test_manifest_describes_this_release(built: Built) -> None:
    manifest = _manifest(built.bundle)
    urls = PROJECT["urls"]
    assert manifest["manifest_version"] == "0.4"
    assert (manifest["name"], manifest["version"]) == (PROJECT["name"], VERSION)
    assert manifest["display_name"] == "Hireflix"
    assert manifest["license"] == PROJECT["license"]
    assert manifest["keywords"] == PROJECT["keywords"]
    assert manifest["repository"] == {"type": "git", "url": urls["Repository"]}
    assert (manifest["homepage"], manifest["documentation"]) == (urls["Homepage"], urls["Documentation"])
    assert manifest["author"]["name"] == PROJECT["authors"][0]["name"]
    assert manifest["compatibility"] == {
        "platforms": ["darwin", "win32", "linux"],
        "runtimes": {"python": PROJECT["requires-python"]},
    }
    assert len(manifest["description"]) <= 100
    assert "API key" in manifest["long_description"]


def test_manifest_icon_is_the_drawn_512_pixel_png(built: Built) -> None:
    manifest = _manifest(built.bundle)
    with zipfile.ZipFile(built.bundle) as archive:
        icon = archive.read(manifest["icon"])
    assert icon == (ROOT / "bundle" / "icon.png").read_bytes()
    assert icon[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", icon[16:24]) == (512, 512)


def test_manifest_runs_the_launcher_with_uv_in_the_bundle_folder(built: Built) -> None:
    server = _manifest(built.bundle)["server"]
    assert server["type"] == "uv"
    assert server["entry_point"] == "server/main.py"
    config = server["mcp_config"]
    assert config["command"] == "uv"
    assert config["args"][0] == "run"
    assert "${__dirname}/" + server["entry_point"] in config["args"]
    assert config["args"][config["args"].index("--directory") + 1] == "${__dirname}"


def test_user_config_is_what_the_issue_asks_for_with_the_servers_own_defaults(built: Built) -> None:
    options = _manifest(built.bundle)["user_config"]
    assert list(options) == ["api_key", "api_url", "toolsets", "read_only", "confirm"]
    assert options["api_key"]["sensitive"] is True
    assert options["api_key"]["required"] is False
    assert options["api_url"]["default"] == Settings().api_url
    assert options["toolsets"]["default"] == ",".join(DEFAULT_TOOLSETS)
    assert options["read_only"] == {**options["read_only"], "type": "boolean", "default": False}
    assert options["confirm"]["default"] == Settings().confirm == "auto"
    for policy in ("auto", "token", "off"):
        assert f"{policy}:" in options["confirm"]["description"]
    assert all(not option.get("required", False) for option in options.values())


def test_every_setting_reaches_a_variable_the_server_or_the_launcher_reads(built: Built) -> None:
    manifest = _manifest(built.bundle)
    env: dict[str, str] = manifest["server"]["mcp_config"]["env"]
    read = set(ENVIRONMENT) | {LAUNCHER.TOOLSETS, LAUNCHER.READ_ONLY}
    assert set(env) <= read, sorted(set(env) - read)
    used = {m for value in env.values() for m in re.findall(r"\$\{user_config\.([a-z_]+)\}", value)}
    assert used == set(manifest["user_config"])


# ----------------------------------------------------------------------------------- starting it


async def test_unpacked_bundle_starts_as_its_manifest_says_and_serves_the_sandbox_without_a_key(
    unpacked: Path, tmp_path: Path
) -> None:
    manifest = json.loads((unpacked / "manifest.json").read_text())
    params = host_params(unpacked, {"api_key": ""}, cwd=tmp_path)
    log = tmp_path / "server.log"
    started = time.monotonic()
    with log.open("w") as errlog:
        try:
            with anyio.fail_after(FIRST_START_TIMEOUT):
                async with Client(stdio_client(params, errlog=errlog)) as client:
                    first_answer = time.monotonic() - started
                    tools = (await client.list_tools()).tools
                    prompts = (await client.list_prompts()).prompts
                    positions = data(await client.call_tool("list_positions", {}))["positions"]
                    info, instructions = client.server_info, client.instructions or ""
        except BaseException:
            print(log.read_text())
            raise
    assert info is not None
    assert (info.name, info.version) == ("hireflix-mcp", VERSION)
    assert "demo data" in instructions
    assert [{"name": t.name, "description": t.description} for t in tools] == manifest["tools"]
    assert [
        {"name": p.name, "description": p.description, "arguments": [a.name for a in p.arguments or []]}
        for p in prompts
    ] == [{k: p[k] for k in ("name", "description", "arguments")} for p in manifest["prompts"]]
    with running_sandbox() as sandbox:
        demo = {p.name for p in sandbox.store.positions() if p.archived is None}
    assert {p["name"] for p in positions} == demo
    print(f"first answer {first_answer:.1f} s after `uv run`")


async def test_installed_bundle_with_a_key_talks_to_that_hireflix_not_the_sandbox(
    unpacked: Path, tmp_path: Path
) -> None:
    with running_sandbox(api_key=CANARY_API_KEY) as hireflix:
        first = hireflix.store.positions()[0]
        hireflix.store.save(dataclasses.replace(first, name="Only in this account", archived=None))
        user_config = {"api_key": CANARY_API_KEY, "api_url": hireflix.url}
        params = host_params(unpacked, user_config, cwd=tmp_path)
        with (tmp_path / "server.log").open("w") as errlog, anyio.fail_after(FIRST_START_TIMEOUT):
            async with Client(stdio_client(params, errlog=errlog)) as client:
                positions = data(await client.call_tool("list_positions", {}))["positions"]
                instructions = client.instructions or ""
    assert "Only in this account" in {p["name"] for p in positions}
    assert "demo data" not in instructions
    assert CANARY_API_KEY not in (tmp_path / "server.log").read_text()


async def test_installed_bundle_honours_the_toolsets_and_read_only_settings(
    unpacked: Path, tmp_path: Path
) -> None:
    params = host_params(unpacked, {"toolsets": "all", "read_only": True}, cwd=tmp_path)
    with (tmp_path / "server.log").open("w") as errlog, anyio.fail_after(FIRST_START_TIMEOUT):
        async with Client(stdio_client(params, errlog=errlog)) as client:
            tools = (await client.list_tools()).tools
    names = {t.name for t in tools}
    assert {"list_members", "list_webhooks"} <= names  # from the opt-in toolsets
    assert all(t.annotations is not None and t.annotations.read_only_hint for t in tools)


# ------------------------------------------------------------------------------------------ the README


def test_readme_install_starts_with_the_bundle_then_code_pip_docker_and_http() -> None:
    readme = (ROOT / "README.md").read_text()
    install = readme.split("\n## Install\n", 1)[1].split("\n## ", 1)[0]
    headings = re.findall(r"^### (.+)$", install, flags=re.MULTILINE)
    assert headings == [
        "Claude Desktop: one click",
        "Claude Code",
        "uvx and pip",
        "Docker",
        "HTTP, for a team",
    ]
    assert "hireflix-mcp-<version>.mcpb" in install.split("### Claude Code", 1)[0]


def test_readme_names_every_field_of_the_install_dialog(built: Built) -> None:
    install = (ROOT / "README.md").read_text().split("\n## Install\n", 1)[1].split("\n## ", 1)[0]
    for option in _manifest(built.bundle)["user_config"].values():
        assert f"**{option['title']}**" in install, option["title"]
