"""Agent-framework bench: the server's tools loaded through five agent frameworks' own MCP clients.

    .venv/bin/python bench/frameworks.py [--src DIR] [--framework NAME ...] [--http] [--json]

Each framework runs in an environment of its own under .tools/frameworks-<hash>/ (built here on first use
from the exact versions in scripts/frameworks/*.txt: LangChain's MCP adapters pin mcp below 2, the others
are on mcp 2), as a real MCP client of `hireflix-mcp serve --sandbox --toolsets all` over stdio, through
tests/frameworks/probe.py. No model is called: the probe records the tools as each framework would send
them to one (see its docstring). Printed framework by framework, and asserted by tests/frameworks:

- tools: how many of the 30 the framework loaded and converted;
- strict: how many it would send in OpenAI's strict mode: OpenAI Agents with
  `convert_schemas_to_strict=True`; LangChain with `bind_tools(strict=True)`; pydantic-ai decides by
  itself on an OpenAI model (only tools whose every argument is required and has no default);
- optional: optional arguments (top level and in rows) that stay optional in what is sent: not
  required there, or nullable (null is "left out" on the server), or with a default to send;
- constraints: what the published schemas state that survives: enum, minimum, maximum, minItems,
  maxItems, null where accepted, and the fields of objects inside arrays;
- chars: characters of the tool definitions the framework would put in a request to a model.

`--src DIR` runs the server from another checkout's src/ (e.g. a `git worktree` of an older commit);
`--http` serves it over streamable HTTP on a loopback port, with a bearer token, instead of stdio.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / ".tools"
LOCKS = ROOT / "scripts" / "frameworks"
PROBE = ROOT / "tests" / "frameworks" / "probe.py"
PYTHON = ROOT / ".venv" / "bin" / "python"
PROBE_TIMEOUT_S = 150
"""One framework, cold: its imports (bytecode compiled on first use), the server, one stand-in request."""
INSTALL_TIMEOUT_S = 600


@dataclass(frozen=True)
class Framework:
    name: str
    """The probe's name for it."""
    label: str
    env: str
    """The environment it runs in: scripts/frameworks/<env>.txt."""


FRAMEWORKS = (
    Framework("openai-agents", "OpenAI Agents (strict)", "agents"),
    Framework("google-genai", "google-genai (MCP session)", "agents"),
    Framework("langchain", "LangChain MCP adapters", "langchain"),
    Framework("pydantic-ai", "pydantic-ai (OpenAI model)", "agents"),
    Framework("llama-index", "LlamaIndex (llama-index-tools-mcp)", "agents"),
)
ENVS = ("agents", "langchain")


def framework(name: str) -> Framework:
    return next(f for f in FRAMEWORKS if f.name == name)


# ------------------------------------------------------------------------------------ environments


def envs_dir() -> Path:
    """.tools/frameworks-<hash of the lock files>: a change of any pinned version is a new folder."""
    digest = hashlib.sha256(b"".join((LOCKS / f"{env}.txt").read_bytes() for env in ENVS)).hexdigest()
    return TOOLS / f"frameworks-{digest[:12]}"


def env_python(env: str) -> Path:
    return envs_dir() / env / "bin" / "python"


def installed() -> bool:
    return (envs_dir() / ".complete").exists()


def _uv() -> str:
    beside = Path(sys.executable).with_name("uv")
    found = str(beside) if beside.exists() else shutil.which("uv")
    if found is None:
        raise RuntimeError("uv is needed to build the framework environments: run scripts/dev setup")
    return found


def _uv_env() -> dict[str, str]:
    """uv on this machine: the project's cache, no Python downloads (only package registries are
    reachable), copies rather than links, the system's CA bundle."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "VIRTUAL_ENV", "PYTHONPATH"))}
    env.update(UV_CACHE_DIR=str(TOOLS / "uv-cache"), UV_PYTHON_DOWNLOADS="never", UV_LINK_MODE="copy")
    ca_bundle = Path("/etc/ssl/certs/ca-certificates.crt")
    if ca_bundle.exists():
        env.setdefault("SSL_CERT_FILE", str(ca_bundle))
    return env


def ensure_envs(log: Any = None) -> Path:
    """Build the framework environments unless they are there (one builder at a time); their folder."""
    target = envs_dir()
    if installed():
        return target
    TOOLS.mkdir(exist_ok=True)
    with (TOOLS / "frameworks.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if installed():  # built by another process while this one waited
            return target
        for stale in TOOLS.glob("frameworks-*"):
            shutil.rmtree(stale, ignore_errors=True)
        base = getattr(sys, "_base_executable", sys.executable)
        for env in ENVS:
            if log:
                log(f"installing scripts/frameworks/{env}.txt into {target / env}")
            python = str(target / env / "bin" / "python")
            _run_uv("venv", "--quiet", "--python", base, str(target / env))
            _run_uv("pip", "install", "--quiet", "--python", python, "-r", str(LOCKS / f"{env}.txt"))
        (target / ".complete").touch()
    return target


def _run_uv(*args: str) -> None:
    done = subprocess.run(
        [_uv(), *args], env=_uv_env(), capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"uv {' '.join(args[:2])} failed: {done.stderr.strip()[-2000:]}")


# ------------------------------------------------------------------------------------ running a probe


def server_command(src: Path | None = None) -> tuple[list[str], dict[str, str]]:
    """`hireflix-mcp serve --sandbox --toolsets all` over stdio, from this checkout's src/ or `src`, and
    the environment the probe and the server run in."""
    python = str(PYTHON) if PYTHON.exists() else sys.executable
    command = [python, "-m", "hireflix_mcp.cli", "serve", "--sandbox", "--toolsets", "all"]
    # Bytecode is written on first import, so only the first run of a cold environment compiles.
    dropped = ("HIREFLIX_", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE", "VIRTUAL_ENV")
    env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    env.update(HIREFLIX_MCP_LOG_LEVEL="WARNING", NO_PROXY="127.0.0.1,localhost")
    env["PYTHONPATH"] = str(src or ROOT / "src")  # this checkout's code, whatever .venv has installed
    return command, env


HTTP_TOKEN = "bench-frameworks"  # noqa: S105 - a loopback server's bearer token for this run only


@contextlib.contextmanager
def http_server(src: Path | None = None) -> Iterator[str]:
    """The same server over streamable HTTP on a free loopback port, with a bearer token; its /mcp URL."""
    command, env = server_command(src)
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        port = probe_socket.getsockname()[1]
    env["HIREFLIX_MCP_AUTH_TOKEN"] = HTTP_TOKEN
    server = subprocess.Popen(
        [*command, "--transport", "http", "--port", str(port)],
        env=env,
        cwd=str(src or ROOT),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(f"the HTTP server on port {port} did not start") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        server.terminate()
        server.wait(timeout=10)


def probe(fw: Framework, src: Path | None = None, url: str | None = None) -> dict[str, Any]:
    """The probe's report for one framework (tests/frameworks/probe.py), over stdio or at `url`."""
    command, env = server_command(src)
    where = ["--url", url, "--header", f"Authorization:Bearer {HTTP_TOKEN}"] if url else ["--", *command]
    done = subprocess.run(
        [str(env_python(fw.env)), str(PROBE), fw.name, *where],
        env=env,
        cwd=str(src or ROOT),
        capture_output=True,
        text=True,
        timeout=PROBE_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"{fw.name} probe exited {done.returncode}: {done.stderr[-2000:]}")
    report: dict[str, Any] = json.loads(done.stdout)
    return report


# ------------------------------------------------------------------------------------ analysis

CONSTRAINTS = ("enum", "minimum", "maximum", "minItems", "maxItems")


def parameters(sent: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters schema of a sent tool definition: OpenAI's `function.parameters`, or Gemini's."""
    if "function" in sent:
        found = sent["function"].get("parameters")
    else:
        found = sent.get("parameters") or sent.get("parametersJsonSchema")
    return dict(found) if isinstance(found, Mapping) else {}


def normalise(node: Any, root: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A schema node as plain JSON Schema with `type` always a list: `$ref`s resolved, an anyOf with
    null folded into its other member, Gemini's upper-case types and `nullable` read."""
    if not isinstance(node, Mapping):
        return {}
    root = root if root is not None else node
    out = dict(node)
    ref = out.pop("$ref", None)
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        target = root.get("$defs", {}).get(ref.removeprefix("#/$defs/"), {})
        out = {**target, **out}
    kinds: list[str] = []
    declared = out.pop("type", None)
    kinds += [declared] if isinstance(declared, str) else list(declared or [])
    for option in out.pop("anyOf", None) or ():
        folded = normalise(option, root)
        kinds += folded.pop("type")
        for key, value in folded.items():
            out.setdefault(key, value)
    if out.pop("nullable", False):
        kinds.append("null")
    out["type"] = list(dict.fromkeys(kind.lower() for kind in kinds))
    if isinstance(out.get("properties"), Mapping):
        out["properties"] = {name: normalise(prop, root) for name, prop in out["properties"].items()}
    if "items" in out:
        out["items"] = normalise(out["items"], root)
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float | str):
        try:
            return float(a) == float(b)
        except ValueError:
            return False
    return bool(a == b)


@dataclass
class Tally:
    kept: int = 0
    total: int = 0
    lost: list[str] = field(default_factory=list)

    def count(self, kept: bool, what: str) -> None:
        self.total += 1
        self.kept += kept
        if not kept:
            self.lost.append(what)

    def __str__(self) -> str:
        return f"{self.kept}/{self.total}"


def _compare(
    published: Mapping[str, Any],
    sent: Mapping[str, Any],
    *,
    root: Mapping[str, Any],
    where: str,
    optional: Tally,
    kept: Tally,
) -> None:
    """Count, for one object node, the optional arguments and constraints `sent` (normalised) keeps of
    `published` (whose `$ref`s point into `root`)."""
    required = set(published.get("required", ()))
    sent_required = set(sent.get("required", ()))
    sent_properties: Mapping[str, Any] = sent.get("properties") or {}
    nested = where != ""
    for name, raw in (published.get("properties") or {}).items():
        prop = normalise(raw, root)
        path = f"{where}.{name}" if nested else name
        got = sent_properties.get(name)
        if nested:
            kept.count(got is not None, f"{path} (field)")
        seen = got or {"type": []}  # a field the framework dropped keeps none of its rules
        if name not in required:
            still = got is not None and (
                name not in sent_required or "null" in seen["type"] or "default" in seen
            )
            optional.count(still, path)
        if "null" in prop["type"]:
            kept.count("null" in seen["type"], f"{path} null")
        for keyword in CONSTRAINTS:
            if keyword in prop:
                kept.count(_same(prop[keyword], seen.get(keyword)), f"{path} {keyword}")
        items = prop.get("items") or {}
        if items.get("properties"):
            nested_sent = seen.get("items") or {}
            _compare(items, nested_sent, root=root, where=f"{path}[]", optional=optional, kept=kept)


@dataclass
class Summary:
    framework: str
    label: str
    version: str
    tools: int
    loaded: int
    strict: int | None
    optional: Tally
    constraints: Tally
    chars: int
    seconds: float
    not_strict: list[str]
    failed: dict[str, str]
    notes: list[str]
    error: str | None


def summarise(fw: Framework, report: Mapping[str, Any]) -> Summary:
    optional, constraints = Tally(), Tally()
    chars = 0
    for tool in report["tools"]:
        if not tool["loaded"]:
            continue
        sent = normalise(parameters(tool["sent"]))
        published = tool["published"]
        _compare(published, sent, root=published, where="", optional=optional, kept=constraints)
        chars += len(json.dumps(tool["sent"], separators=(",", ":")))
    strict_known = any(tool["strict"] is not None for tool in report["tools"])
    return Summary(
        framework=fw.name,
        label=fw.label,
        version=report["version"],
        tools=len(report["tools"]),
        loaded=sum(tool["loaded"] for tool in report["tools"]),
        strict=sum(bool(tool["strict"]) for tool in report["tools"]) if strict_known else None,
        optional=optional,
        constraints=constraints,
        chars=chars,
        seconds=report["seconds"],
        not_strict=[t["name"] for t in report["tools"] if t["loaded"] and t["strict"] is False],
        failed={t["name"]: t["error"] or "not loaded" for t in report["tools"] if not t["loaded"]},
        notes=list(report["notes"]),
        error=report["error"],
    )


def measure(fw: Framework, src: Path | None = None, url: str | None = None) -> Summary:
    return summarise(fw, probe(fw, src, url))


# ------------------------------------------------------------------------------------ main


def _some(names: Sequence[str], shown: int = 8) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def table(rows: Sequence[Summary]) -> Iterator[str]:
    head = ("framework", "version", "tools", "strict", "optional kept", "constraints kept", "chars to model")
    cells = [
        (
            s.label,
            s.version,
            f"{s.loaded}/{s.tools}",
            "-" if s.strict is None else f"{s.strict}/{s.tools}",
            str(s.optional),
            str(s.constraints),
            f"{s.chars:,}",
        )
        for s in rows
    ]
    widths = [max(len(row[i]) for row in (head, *cells)) for i in range(len(head))]
    for row in (head, *cells):
        yield "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
    for s in rows:
        details = [f"error: {s.error}"] if s.error else []
        details += [f"not loaded: {name}: {why}" for name, why in s.failed.items()][:6]
        if s.not_strict:
            details.append(f"not strict: {_some(s.not_strict)}")
        if s.optional.lost:
            details.append(f"optional no longer optional: {_some(s.optional.lost)}")
        if s.constraints.lost:
            details.append(f"constraints lost: {_some(s.constraints.lost)}")
        details += s.notes
        for line in details:
            yield f"  {s.framework}: {line}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--src", type=Path, help="the src/ of another checkout to serve from")
    parser.add_argument("--framework", action="append", choices=[f.name for f in FRAMEWORKS])
    parser.add_argument("--http", action="store_true", help="serve over streamable HTTP instead of stdio")
    parser.add_argument("--json", action="store_true", help="print the summaries as JSON")
    args = parser.parse_args(argv)
    ensure_envs(log=lambda line: print(line, file=sys.stderr))
    chosen = [framework(name) for name in args.framework] if args.framework else list(FRAMEWORKS)
    src = args.src.resolve() if args.src else None
    rows = []
    with http_server(src) if args.http else contextlib.nullcontext() as url:
        for fw in chosen:
            started = time.monotonic()
            rows.append(measure(fw, src, url))
            print(f"{fw.name}: {time.monotonic() - started:.1f} s", file=sys.stderr)
    if args.json:
        print(json.dumps([asdict(row) for row in rows], indent=2))
    else:
        print("\n".join(table(rows)))
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
