"""CHANGELOG.md keeps the Keep a Changelog form, so a release only moves Unreleased under a version."""

from __future__ import annotations

import re

from tests.release.conftest import ROOT

CHANGELOG = ROOT / "CHANGELOG.md"
KINDS = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


def test_changelog_has_an_unreleased_section_dated_versions_and_only_the_standard_kinds() -> None:
    text = CHANGELOG.read_text()
    assert text.startswith("# Changelog\n")
    assert "[Keep a Changelog](https://keepachangelog.com/" in text
    releases = re.findall(r"^## \[([^\]]+)\](.*)$", text, flags=re.MULTILINE)
    assert releases[0] == ("Unreleased", "")
    for version, date in releases[1:]:
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), version
        assert re.fullmatch(r" - \d{4}-\d{2}-\d{2}", date), f"{version}{date}"
    assert set(re.findall(r"^### (.+)$", text, flags=re.MULTILINE)) <= KINDS
    for version, _ in releases:
        assert re.search(rf"^\[{re.escape(version)}\]: https://", text, flags=re.MULTILINE), version
