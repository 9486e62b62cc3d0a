"""The app factory, its configuration and the `hireflix-mcp sandbox` command line."""

from __future__ import annotations

import dataclasses

import pytest

from hireflix_sandbox.app import SandboxConfig
from hireflix_sandbox.app import build_parser
from hireflix_sandbox.app import create_app
from hireflix_sandbox.app import main
from hireflix_sandbox.app import runtime_of


def test_the_default_config_is_in_memory_with_seed_one() -> None:
    config = SandboxConfig()
    assert (config.db_path, config.api_key, config.seed, config.invite_quota) == (":memory:", None, 1, None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.seed = 2  # type: ignore[misc]  # proving the dataclass is frozen


def test_create_app_opens_and_seeds_the_store() -> None:
    app = create_app(SandboxConfig(seed=3))
    runtime = runtime_of(app)
    try:
        assert len(runtime.store.positions()) == 6
        assert runtime.owner.type == "owner"
        assert runtime.webhook_secret == runtime.store.company().webhook_secret
    finally:
        runtime.store.close()


def test_the_parser_reads_every_flag() -> None:
    args = build_parser().parse_args(
        ["--host", "::1", "--port", "9000", "--db", "x.db", "--api-key", "k", "--seed", "7",
         "--invite-quota", "5", "--faults", "latency:ms=10", "--no-demo-data"]
    )  # fmt: skip
    assert (args.host, args.port, args.db, args.api_key, args.seed, args.invite_quota, args.faults) == (
        "::1",
        9000,
        "x.db",
        "k",
        7,
        5,
        "latency:ms=10",
    )
    assert args.no_demo_data is True


def test_the_parser_falls_back_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HIREFLIX_SANDBOX_DB", "/tmp/env.db")
    monkeypatch.setenv("HIREFLIX_SANDBOX_API_KEY", "env-key")
    monkeypatch.setenv("HIREFLIX_SANDBOX_FAULTS", "latency:ms=5")
    args = build_parser().parse_args([])
    assert (args.db, args.api_key, args.faults) == ("/tmp/env.db", "env-key", "latency:ms=5")
    assert build_parser().parse_args(["--api-key", "flag-key"]).api_key == "flag-key"


def test_main_refuses_a_bad_fault_spec_before_serving(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--faults", "explode:now=1"]) == 2
    assert "--faults" in capsys.readouterr().err


def test_main_refuses_a_negative_quota(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--invite-quota", "-1"]) == 2
    assert "--invite-quota" in capsys.readouterr().err


def test_list_fields_prints_what_the_sandbox_implements(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list-fields"]) == 0
    printed = capsys.readouterr().out.split()
    assert "Mutation.inviteCandidateToInterview" in printed
    assert "CompanyMemberMutations.remove" in printed
