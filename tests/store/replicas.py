"""Several `hireflix-mcp serve --transport http` processes on one sandbox and one PostgreSQL database:
the replicas of a team deployment, each on its own loopback port (no tests here)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from hireflix_sandbox.embedded import RunningSandbox
from tests import serving
from tests.serving import free_port
from tests.serving import serve_command
from tests.serving import server_env
from tests.serving import stop
from tests.serving import wait_for_http

CONFIRM_SECRET = "replicas-share-this-confirm-secret"
WEBHOOK_SECRET = "replicas-share-this-webhook-secret"


@dataclass(frozen=True)
class Replica(serving.Replica):
    """A replica started here: its process and the file its stderr goes to."""

    process: subprocess.Popen[bytes]
    log: Path

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no shutdown, connections dropped mid-request (a crashed or evicted replica)."""
        self.process.kill()
        self.process.wait(timeout=10)


@contextmanager
def running_replicas(
    sandbox: RunningSandbox, state_db: str, logs: Path, count: int = 3
) -> Iterator[list[Replica]]:
    """`count` replicas sharing `state_db`, the confirmation secret and the webhook secret; started
    together, stopped at the end (a killed one is left as it is)."""
    env = server_env(
        sandbox,
        HIREFLIX_MCP_STATE_DB=state_db,
        HIREFLIX_MCP_CONFIRM="token",
        HIREFLIX_MCP_CONFIRM_SECRET=CONFIRM_SECRET,
        HIREFLIX_WEBHOOK_SECRET=WEBHOOK_SECRET,
        HIREFLIX_MCP_INDEX_SYNC="false",
        HIREFLIX_MCP_LOG_LEVEL=os.environ.get("LOGLEVEL", "WARNING"),
    )
    replicas: list[Replica] = []
    with ExitStack() as stack:

        def start(index: int) -> Replica:
            name = "ABCDEFGH"[index]
            port = free_port()
            log = logs / f"replica-{name}.log"
            errors = stack.enter_context(log.open("ab"))
            process = subprocess.Popen(
                serve_command(port, "--toolsets", "all"), env=env, stdout=subprocess.DEVNULL, stderr=errors
            )
            replica = Replica(port=port, name=name, process=process, log=log)
            stack.callback(lambda: stop(replica.process) if replica.alive else None)
            replicas.append(replica)
            return replica

        for replica in [start(index) for index in range(count)]:
            wait_for_http(f"{replica.base_url}/healthz", replica.process, replica.log)
        yield replicas
