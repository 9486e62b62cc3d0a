"""Fixtures of the sandbox's own tests (the suite's are in tests/conftest.py)."""

from __future__ import annotations

import pytest

from hireflix_sandbox.embedded import RunningSandbox


@pytest.fixture(scope="module")
def demo(shared_sandbox: RunningSandbox) -> RunningSandbox:
    """The module's `shared_sandbox`, named for what the tests here read in it: its demo data. For tests
    that change nothing another test of the module reads."""
    return shared_sandbox
