"""A throwaway PostgreSQL cluster for the tests: started once per session, stopped and deleted at the end.

Usage: ask for the session fixture `postgres_url` (a `postgresql://postgres@127.0.0.1:PORT/DBNAME` URL of a
database created for this session; trust auth, no password) when one database for the whole session is
enough, or for `fresh_postgres_url` (function scope) when a test needs an empty database of its own (0.1 s
each: `CREATE DATABASE` from template0). Both stand on `postgres_cluster` (session scope, a
`PostgresCluster`): `.new_database(prefix)` makes another empty database and returns its URL, `.admin_url`
is the `postgres` maintenance database, `.port`/`.host` are where it listens. Connect with psycopg 3
(`psycopg.connect(url)`, `psycopg_pool.AsyncConnectionPool(url)`). The binaries (`initdb`, `postgres`) are
found on PATH or under /usr/lib/postgresql/*/bin; as root the cluster runs as the `postgres` system user
(PostgreSQL refuses root) in a temporary directory it owns, on a free loopback port, with fsync off: fast,
and only fit for tests. Without PostgreSQL installed the fixtures fail with a message saying so (CI installs
it: scripts/pg-setup). The cluster is shared by the whole session (pytest-xdist workers would each start
their own), so use a database of your own rather than dropping or altering anything shared.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.serving import free_port

START_TIMEOUT = 30.0
"""Seconds initdb + start may take on a loaded 2-core machine before the fixture gives up."""


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def _run_as(user: pwd.struct_passwd | None) -> dict[str, Any]:
    """Popen arguments that run a child as `user` (None: as we are), with that user's groups only."""
    if user is None:
        return {}
    groups = os.getgrouplist(user.pw_name, user.pw_gid)
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": groups}


@dataclass
class PostgresCluster:
    """A running throwaway cluster: trust auth on 127.0.0.1:`port`, superuser `postgres`."""

    port: int
    directory: Path
    process: subprocess.Popen[bytes]
    host: str = "127.0.0.1"
    databases: list[str] = field(default_factory=list)

    def url(self, database: str) -> str:
        return f"postgresql://postgres@{self.host}:{self.port}/{database}"

    @property
    def admin_url(self) -> str:
        return self.url("postgres")

    def new_database(self, prefix: str = "test") -> str:
        """Creates an empty database (UTF8, from template0) and returns its URL."""
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")  # name is ours
        self.databases.append(name)
        return self.url(name)


def _wait_ready(cluster: PostgresCluster, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if cluster.process.poll() is not None:
            tail = log.read_text()[-2000:]
            raise RuntimeError(f"postgres exited with {cluster.process.returncode}: {tail}")
        try:
            with psycopg.connect(cluster.admin_url, connect_timeout=2) as conn:
                conn.execute("SELECT 1")
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                tail = log.read_text()[-2000:]
                raise RuntimeError(f"postgres did not accept connections: {tail}") from None
            time.sleep(0.05)


@contextlib.contextmanager
def running_cluster() -> Iterator[PostgresCluster]:
    """Runs initdb and postgres in a fresh temporary directory; stops the server and deletes it all after."""
    initdb, postgres = _binary("initdb"), _binary("postgres")
    if initdb is None or postgres is None:
        pytest.fail("PostgreSQL server binaries (initdb, postgres) are not installed: run scripts/pg-setup")
    user = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
    directory = Path(tempfile.mkdtemp(prefix="hireflix-pg-"))
    if user is not None:
        os.chown(directory, user.pw_uid, user.pw_gid)
    data, log = directory / "data", directory / "postgres.log"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "LANG": "C"}
    as_user = _run_as(user)
    process: subprocess.Popen[bytes] | None = None
    try:
        subprocess.run(
            [initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "--no-sync", "--no-instructions",
             "-E", "UTF8", "--locale=C"],
            check=True, capture_output=True, env=env, cwd=directory, timeout=START_TIMEOUT, **as_user,
        )  # fmt: skip
        port = free_port()
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(port),
            "unix_socket_directories": str(directory),
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "300",
            "shared_buffers": "32MB",
        }
        args = [postgres, "-D", str(data)]
        for key, value in settings.items():
            args += ["-c", f"{key}={value}"]
        with log.open("wb") as sink:
            process = subprocess.Popen(
                args, stdout=sink, stderr=subprocess.STDOUT, env=env, cwd=directory, start_new_session=True,
                **as_user,
            )  # fmt: skip
        cluster = PostgresCluster(port=port, directory=directory, process=process)
        _wait_ready(cluster, log)
        yield cluster
    except subprocess.CalledProcessError as failed:
        raise RuntimeError(f"initdb failed: {failed.stderr.decode(errors='replace')[-2000:]}") from None
    finally:
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGINT)  # fast shutdown: disconnect clients, no checkpoint wait
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """One throwaway PostgreSQL cluster for the whole session (see the module docstring)."""
    with running_cluster() as cluster:
        yield cluster


@pytest.fixture(scope="session")
def postgres_url(postgres_cluster: PostgresCluster) -> str:
    """The URL of an empty database created for this session on the throwaway cluster."""
    return postgres_cluster.new_database("session")


@pytest.fixture
def fresh_postgres_url(postgres_cluster: PostgresCluster) -> str:
    """The URL of an empty database of this test's own on the throwaway cluster."""
    return postgres_cluster.new_database("test")
