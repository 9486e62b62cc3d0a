"""The bundle's icon is the picture bundle/draw_icon.py draws, byte for byte."""

from __future__ import annotations

import subprocess
import sys

from tests.release.conftest import ROOT


def test_committed_icon_is_what_the_script_draws() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bundle" / "draw_icon.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
