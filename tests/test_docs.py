"""The user-facing documents stay true: the generated tool table, the install guide, the links between
the documents and the licence (server.json: tests/release/test_registry.py)."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

from hireflix_mcp.settings import ENVIRONMENT
from hireflix_mcp.tools.catalog import TOOLS
from hireflix_mcp.tools.catalog_doc import TABLE_END
from hireflix_mcp.tools.catalog_doc import TABLE_START
from hireflix_mcp.tools.catalog_doc import render_page
from hireflix_mcp.tools.catalog_doc import render_table

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
TOOLS_MD = ROOT / "docs" / "tools.md"
INSTALL_MD = ROOT / "README.md"
README = ROOT / "README.md"
REGENERATE = "python -m hireflix_mcp.tools.catalog_doc > docs/tools.md"


def test_tools_page_is_generated_from_the_catalogue() -> None:
    assert TOOLS_MD.read_text() == render_page(), f"docs/tools.md is stale: run `{REGENERATE}`"


def test_tools_table_names_every_tool_once_in_catalogue_order() -> None:
    names = re.findall(r"^\| `([a-z_]+)` \|", render_table(), flags=re.MULTILINE)
    assert names == [spec.name for spec in TOOLS]


def test_readme_tool_table_is_current() -> None:
    text = README.read_text()
    assert TABLE_START in text, "README.md must embed the generated tool table"
    embedded = text.split(TABLE_START, 1)[1].split(TABLE_END, 1)[0]
    assert embedded.strip("\n") == render_table().strip("\n"), (
        "README.md's tool table is stale: replace it with `python -m hireflix_mcp.tools.catalog_doc --table`"
    )


def test_generator_prints_the_page_it_checks_against() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "hireflix_mcp.tools.catalog_doc"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert done.stdout == render_page()


# ------------------------------------------------------------------------------------ install guide


def _serve_help() -> str:
    done = subprocess.run(
        [sys.executable, "-m", "hireflix_mcp.cli", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return done.stdout


def _json_blocks(markdown: str) -> list[Any]:
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", markdown, flags=re.DOTALL)]


def test_install_guide_client_configs_are_valid_json_with_real_flags() -> None:
    configs = _json_blocks(INSTALL_MD.read_text())
    servers = [entry for config in configs for entry in config["mcpServers"].values()]
    assert len(servers) >= 3
    help_text = _serve_help()
    for entry in servers:
        assert set(entry) <= {"command", "args", "env"}
        args = entry["args"][entry["args"].index("serve") + 1 :]
        for flag in (a for a in args if a.startswith("--")):
            assert flag in help_text, f"{flag} is not a serve flag"
        assert all(name.startswith("HIREFLIX_") for name in entry.get("env", {}))


def test_install_guide_commands_use_only_real_serve_flags() -> None:
    help_text = _serve_help()
    lines = [ln for ln in INSTALL_MD.read_text().splitlines() if "hireflix-mcp serve" in ln]
    flags = {
        f for ln in lines for f in re.findall(r"(?<=\s)--[a-z][a-z-]+", ln.split("hireflix-mcp serve", 1)[1])
    }
    assert {"--sandbox", "--transport", "--toolsets", "--read-only"} <= flags
    unknown = sorted(
        f for f in flags if f not in help_text and f not in ("--header", "--method", "--tool-name")
    )
    assert not unknown


def test_install_guide_desktop_commands_are_absolute_paths() -> None:
    # Claude Desktop does not use the shell's PATH: a bare command name does not start there.
    servers = [
        entry for config in _json_blocks(INSTALL_MD.read_text()) for entry in config["mcpServers"].values()
    ]
    bare = [entry["command"] for entry in servers if not entry["command"].startswith(("/", "C:\\"))]
    assert bare == []


def _is_os_environ(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _literal(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def environment_reads(tree: ast.AST) -> tuple[set[str], list[int]]:
    """The variables a module reads by name (`os.environ.get/pop/setdefault("X")`, `os.environ["X"]`,
    `"X" in os.environ`, `os.getenv("X")`), and the lines where it reaches the environment otherwise
    (a computed name, `os.environ` passed on, `from os import environ`)."""
    names: set[str] = set()
    by_name: set[int] = set()  # id() of the os.environ nodes that are part of a read by name
    for node in ast.walk(tree):
        key: ast.AST | None = None
        environ: ast.AST | None = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            if node.func.attr in ("get", "pop", "setdefault") and _is_os_environ(node.func.value):
                key, environ = node.args[0], node.func.value
            elif node.func.attr == "getenv":
                key = node.args[0]
        elif isinstance(node, ast.Subscript) and _is_os_environ(node.value):
            key, environ = node.slice, node.value
        elif isinstance(node, ast.Compare) and any(_is_os_environ(c) for c in node.comparators):
            key, environ = node.left, node.comparators[0]
        name = _literal(key) if key is not None else None
        if name is not None:
            names.add(name)
            by_name.add(id(environ))
    otherwise = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute | ast.ImportFrom)
        and (
            (_is_os_environ(node) and id(node) not in by_name)
            or (
                isinstance(node, ast.ImportFrom)
                and node.module == "os"
                and any(alias.name in ("environ", "getenv") for alias in node.names)
            )
        )
    ]
    return names, sorted(otherwise)


def _read_anywhere_in_src() -> set[str]:
    read = set(ENVIRONMENT)  # `Settings.from_env` reads through this table
    unexplained = []
    for path in sorted(SRC.rglob("*.py")):
        names, others = environment_reads(ast.parse(path.read_text(), filename=str(path)))
        read |= names
        if path != SRC / "hireflix_mcp" / "settings.py":
            unexplained += [f"{path.relative_to(ROOT)}:{line}" for line in others]
    assert unexplained == [], (
        "os.environ used other than by variable name: read the variables by name, or teach this test "
        f"how they are read: {unexplained}"
    )
    return read


def test_environment_reads_are_found_wherever_src_makes_them() -> None:
    module = (
        'import os\nos.environ.get("A")\nos.environ["B"]\nos.getenv("C")\nif "D" in os.environ: pass\n'
        "os.environ.get(name)\nfrom os import environ\n"
    )
    assert environment_reads(ast.parse(module)) == ({"A", "B", "C", "D"}, [6, 7])
    read = _read_anywhere_in_src()
    # The CLI reads this one itself, the sandbox its own; neither goes through Settings.
    assert {"HIREFLIX_API_KEY", "HIREFLIX_MCP_ALLOWED_HOSTS", "HIREFLIX_SANDBOX_DB"} <= read


def test_install_guide_documents_every_environment_variable_src_reads() -> None:
    documented = set(re.findall(r"`(HIREFLIX_[A-Z_]+)`", INSTALL_MD.read_text()))
    undocumented = sorted(_read_anywhere_in_src() - documented)
    assert undocumented == [], f"read in src/ but not named in README.md: {undocumented}"


# ------------------------------------------------------------------------------------ links, licence

MARKDOWN_FILES = [README, *sorted((ROOT / "docs").glob("*.md"))]
INLINE_LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", flags=re.MULTILINE)
HAS_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def _prose(markdown: str) -> str:
    """The text outside fenced code blocks and inline code spans, where links are links."""
    without_fences = re.sub(r"^(```|~~~).*?^\1[^\n]*$", "", markdown, flags=re.MULTILINE | re.DOTALL)
    return re.sub(r"(`+)(?:(?!\1).)+?\1", "", without_fences, flags=re.DOTALL)


def heading_anchors(markdown: str) -> set[str]:
    """The `#anchors` GitHub gives the headings of a Markdown file."""
    anchors: set[str] = set()
    seen: dict[str, int] = {}
    fences_removed = re.sub(r"^(```|~~~).*?^\1[^\n]*$", "", markdown, flags=re.MULTILINE | re.DOTALL)
    for heading in re.findall(r"^ {0,3}#{1,6}\s+(.+?)\s*#*\s*$", fences_removed, flags=re.MULTILINE):
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text only
        slug = re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def broken_links(markdown_file: Path) -> list[str]:
    """Relative links of a Markdown file that name no file, or no heading of it; web links are skipped."""
    prose = _prose(markdown_file.read_text())
    broken = []
    for target in [*INLINE_LINK.findall(prose), *REFERENCE_LINK.findall(prose)]:
        if HAS_SCHEME.match(target):
            continue
        path, _, anchor = target.partition("#")
        linked = (markdown_file.parent / path).resolve() if path else markdown_file
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in heading_anchors(linked.read_text()):
            broken.append(f"{target}: no heading with this anchor")
    return broken


def test_markdown_links_point_at_files_and_headings_that_exist() -> None:
    broken = {str(md.relative_to(ROOT)): broken_links(md) for md in MARKDOWN_FILES}
    assert {name: links for name, links in broken.items() if links} == {}


def test_link_check_reports_a_missing_file_and_a_missing_heading(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "tools.md").write_text("# Tools\n\n## The `list` tool\n")
    page = tmp_path / "README.md"
    page.write_text(
        "# Guide\n\n## Set up\n\n[ok](docs/tools.md#the-list-tool) [ok](#set-up) [web](https://x.test/a.md)\n"
        "[wrong dir](tools.md) [no heading](docs/tools.md#install) [missing](#nowhere)\n"
        "`[code](nowhere.md)`\n\n```md\n[fenced](nowhere.md)\n```\n\n[ref]: ./gone.md\n"
    )
    assert broken_links(page) == [
        "tools.md: no such file",
        "docs/tools.md#install: no heading with this anchor",
        "#nowhere: no heading with this anchor",
        "./gone.md: no such file",
    ]


def test_the_licence_file_is_the_mit_licence_that_pyproject_declares() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License\n")
    assert "Copyright (c) 2026 hireflix-mcp contributors" in text
    assert 'THE SOFTWARE IS PROVIDED "AS IS"' in text
