"""The Claude Desktop bundle's entry point: `uv run` starts it in the bundle's environment.

What the person chose in the install dialog arrives as environment variables (the manifest's
`server.mcp_config.env`): HIREFLIX_API_KEY, HIREFLIX_API_URL and HIREFLIX_MCP_CONFIRM, which the server
reads itself, and two that only this launcher reads and turns into flags, HIREFLIX_MCP_TOOLSETS
(`--toolsets`) and HIREFLIX_MCP_READ_ONLY (`--read-only`, "true" or "false"). An empty value, or a
`${user_config.*}` placeholder a host left unreplaced, counts as not set. With no API key the server runs
on the embedded sandbox, with demo data, and its instructions say so.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping

TOOLSETS = "HIREFLIX_MCP_TOOLSETS"
READ_ONLY = "HIREFLIX_MCP_READ_ONLY"
TRUE = ("true", "1", "yes", "on")
FALSE = ("false", "0", "no", "off", "")

_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")


def _given(value: str | None) -> str:
    """The value as set, or "" for unset, empty or a placeholder the host did not replace."""
    value = (value or "").strip()
    return "" if _PLACEHOLDER.fullmatch(value) else value


class Refused(ValueError):
    """A setting this launcher reads is invalid: one line naming it and what it accepts."""


def serve_command(environ: Mapping[str, str]) -> tuple[list[str], dict[str, str]]:
    """The `hireflix-mcp` arguments and the environment to run them with, from the bundle's environment."""
    env = {name: value for name, value in environ.items() if not name.startswith("HIREFLIX_")}
    env.update(
        {
            name: _given(value)
            for name, value in environ.items()
            if name.startswith("HIREFLIX_") and name not in (TOOLSETS, READ_ONLY) and _given(value)
        }
    )
    argv = ["serve"]
    if "HIREFLIX_API_KEY" not in env:
        argv.append("--sandbox")
        env.pop("HIREFLIX_API_URL", None)  # the sandbox's own address replaces it
    toolsets = _given(environ.get(TOOLSETS))
    if toolsets:
        argv += ["--toolsets", toolsets]
    read_only = _given(environ.get(READ_ONLY)).lower()
    if read_only not in TRUE + FALSE:
        raise Refused(f"{READ_ONLY}={environ.get(READ_ONLY)!r} is invalid: expected true or false")
    if read_only in TRUE:
        argv.append("--read-only")
    return argv, env


def main() -> int:
    try:
        argv, env = serve_command(os.environ)
    except Refused as refused:
        print(f"hireflix-mcp: {refused}", file=sys.stderr)
        return 2
    os.environ.clear()
    os.environ.update(env)
    from hireflix_mcp.cli import main as hireflix_mcp

    return hireflix_mcp(argv)


if __name__ == "__main__":
    sys.exit(main())
