"""The throwaway PostgreSQL cluster the store tests stand on."""

from __future__ import annotations

import os
import pwd

import psycopg

from tests.pg_cluster import PostgresCluster


def test_the_session_database_accepts_connections_and_is_postgres_15(postgres_url: str) -> None:
    with psycopg.connect(postgres_url) as conn:
        row = conn.execute("SHOW server_version_num").fetchone()
    assert row is not None
    assert int(row[0]) // 10000 == 15


def test_each_fresh_database_is_empty_and_separate(postgres_cluster: PostgresCluster) -> None:
    first, second = postgres_cluster.new_database("a"), postgres_cluster.new_database("b")
    assert first != second
    with psycopg.connect(first, autocommit=True) as conn:
        conn.execute("CREATE TABLE only_here (x int)")
    with psycopg.connect(second) as conn:
        row = conn.execute("SELECT count(*) FROM pg_tables WHERE tablename = 'only_here'").fetchone()
    assert row == (0,)


def test_the_cluster_runs_as_the_postgres_user_when_we_are_root(postgres_cluster: PostgresCluster) -> None:
    expected = pwd.getpwnam("postgres").pw_uid if os.geteuid() == 0 else os.geteuid()
    assert postgres_cluster.directory.stat().st_uid == expected
    assert postgres_cluster.process.pid > 0
    with open(f"/proc/{postgres_cluster.process.pid}/status") as status:
        uid_line = next(line for line in status if line.startswith("Uid:"))
    assert int(uid_line.split()[1]) == expected
