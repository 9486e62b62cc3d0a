"""What `serve` loads before its first answer: not graphql-core, not the sandbox.

Cold start is a benchmark figure (bench/run.py), and a client such as Claude Desktop waits on it. graphql-core
costs more to import than the rest of this package and is needed only to load the operation documents,
on the first upstream request; the sandbox is needed only under `--sandbox`. Run in a fresh interpreter,
since this test process has imported both long ago.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.serving import clean_env

PROBE = """
import json, sys
import anyio
from mcp import Client
from pydantic import SecretStr
import hireflix_mcp.cli
from hireflix_mcp.server import build_server
from hireflix_mcp.settings import Settings

async def first_answer() -> int:
    settings = Settings(api_url="http://127.0.0.1:9/me", api_key=SecretStr("k"), confirm="off")
    async with Client(build_server(settings)) as client:
        return len((await client.list_tools()).tools)

tools = anyio.run(first_answer)
heavy = sorted({name.split(".")[0] for name in sys.modules} & {"graphql", "hireflix_sandbox"})
print(json.dumps({"tools": tools, "heavy": heavy}))
"""


def test_building_the_server_and_listing_tools_imports_neither_graphql_nor_the_sandbox() -> None:
    env = clean_env()
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=30, check=False
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["tools"] > 0
    assert result["heavy"] == []
