"""The workflow bench (bench/workflows.py) at small scale against the working tree: it runs to the end.

Size targets (workflow 1 in one call, result characters against the baseline) live in the bench, which
prints them ok/MISS; a timed test on a shared machine is no place for them. This checks that every
workflow completes over a real stdio session without a protocol error, that the ten bad inputs come
back as ten tool errors each naming the argument at fault, and that every figure is positive.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

import anyio
import pytest

if TYPE_CHECKING:  # mypy knows bench/ files as top-level modules (bench/ is not a package)
    import workflows
else:  # pytest puts the repository root on sys.path (tests/ is a package), where bench/ is a namespace
    workflows = importlib.import_module("bench.workflows")

pytestmark = pytest.mark.anyio

SRC = Path(__file__).resolve().parent.parent / "src"


@pytest.mark.timeout(180)
async def test_workflows_at_small_scale() -> None:
    # A hang guard, not a speed target (bench/workflows.py measures speed): ~8 s alone, several times that
    # beside the container build on a 2-core machine.
    with anyio.fail_after(150):
        results = await workflows.run_workflows(SRC, "small")

    assert [r.number for r in results] == [1, 2, 3, 4, 5, 6, 7]
    for result in results:
        assert result.completed, f"workflow {result.number} ({result.title}): {result.failure}"
        assert result.tally.protocol_errors == 0
        assert result.calls > 0, result.number
        assert result.tally.text_chars > 0, result.number
        assert result.result_chars >= result.tally.text_chars
        assert result.definition_chars > 0, result.number
        assert result.answer, f"workflow {result.number} concluded nothing"

    bad = results[6]
    assert len(bad.bad_inputs) == 10
    assert bad.tally.calls == 10
    assert bad.tally.errors == 10
    for item in bad.bad_inputs:
        assert item.is_error, f"{item.label} was accepted: {item.text!r}"
        assert not item.protocol_error, f"{item.label}: {item.text!r}"
        assert item.names_argument, f"{item.label}: {item.text!r} does not name {item.argument}"
