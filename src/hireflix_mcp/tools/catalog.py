"""The one list of tools, in the order assistants see them, and the profile filter that picks which of them a
server registers.

Each tool is declared beside its function with `@tool` (`tools.registry`): name, title, description,
kind and confirmation travel with the code. This module orders them, puts each in its toolset (written
only here: a profile picks toolsets without importing the modules of those it leaves out) and applies
profiles (`--toolsets`, `--tools`, `--exclude-tools`, `--read-only`) before registration, so a tool
outside the profile is not registered at all.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass

from hireflix_mcp.tools.registry import Kind
from hireflix_mcp.tools.registry import Toolset
from hireflix_mcp.tools.registry import ToolSpec

__all__ = [
    "ALL_TOOLSETS",
    "CATALOG",
    "DEFAULT_TOOLSETS",
    "TOOLS",
    "Kind",
    "Profile",
    "ToolSpec",
    "Toolset",
    "select_tools",
    "spec_of",
    "tool_names",
]

ALL_TOOLSETS: tuple[Toolset, ...] = ("positions", "interviews", "review", "links", "account", "webhooks")
DEFAULT_TOOLSETS: tuple[Toolset, ...] = ("positions", "interviews", "review", "links")

_PACKAGE = "hireflix_mcp.tools."
CATALOG: tuple[tuple[Toolset, str, tuple[str, ...]], ...] = (
    # (toolset, module under hireflix_mcp.tools, its tools in the order assistants see them)
    ("positions", "positions", ("list_positions", "get_position", "create_position", "update_position")),
    ("positions", "positions", ("archive_position", "delete_position")),
    ("interviews", "interviews.invite", ("invite_candidate",)),
    ("interviews", "interviews.bulk", ("invite_candidates",)),
    ("interviews", "interviews.search", ("search_interviews", "find_candidate")),
    ("interviews", "transcripts", ("search_transcripts",)),
    ("interviews", "interviews.read", ("get_interview", "get_interview_transcript")),
    ("interviews", "interviews.read", ("get_interview_media", "get_interview_access_info")),
    ("interviews", "interviews.delete", ("delete_interview", "reinvite_candidate")),
    ("review", "review", ("score_interview", "comment_on_interview", "set_interview_status")),
    ("review", "review", ("share_interview",)),
    ("links", "links", ("build_application_link", "get_embed_code")),
    ("account", "account", ("get_account_logs", "list_members", "add_member", "remove_member")),
    ("webhooks", "webhooks", ("list_webhooks", "create_webhook", "delete_webhook", "list_webhook_events")),
)
"""Every tool by name, toolset and module: what a profile selects is imported, nothing else (the opt-in
toolsets cost no start-up time when they are off)."""


def tool_names() -> dict[str, Toolset]:
    """Every catalogue tool's name and toolset, in catalogue order, without importing any tool module."""
    return {name: toolset for toolset, _module, names in CATALOG for name in names}


def spec_of(name: str) -> ToolSpec | None:
    """A catalogue tool's spec by name (importing only its module), or None for a name not in it."""
    for _toolset, module, names in CATALOG:
        if name in names:
            return _spec(module, name)
    return None


def _spec(module: str, name: str) -> ToolSpec:
    spec = getattr(importlib.import_module(_PACKAGE + module), name)
    if not isinstance(spec, ToolSpec):  # pragma: no cover - a declaration bug
        raise TypeError(f"{module}.{name} is not declared with @tool")
    return spec


def _specs(wanted: Iterable[str] | None = None) -> list[ToolSpec]:
    keep = None if wanted is None else set(wanted)
    return [
        _spec(module, name)
        for _toolset, module, names in CATALOG
        for name in names
        if keep is None or name in keep
    ]


TOOLS: tuple[ToolSpec, ...]  # provided by __getattr__ below, on first use


def __getattr__(attribute: str) -> tuple[ToolSpec, ...]:
    """`TOOLS`: every tool's spec, in catalogue order (imports every tool module on first use)."""
    if attribute == "TOOLS":
        return tuple(_specs())
    raise AttributeError(attribute)


@dataclass(frozen=True)
class Profile:
    """Which tools a server registers."""

    toolsets: tuple[str, ...] = DEFAULT_TOOLSETS
    tools: tuple[str, ...] = ()
    exclude_tools: tuple[str, ...] = ()
    read_only: bool = False

    @classmethod
    def parse(
        cls,
        toolsets: str | None = None,
        tools: str | None = None,
        exclude_tools: str | None = None,
        read_only: bool = False,
    ) -> Profile:
        def split(value: str | None) -> tuple[str, ...]:
            return tuple(part.strip() for part in (value or "").split(",") if part.strip())

        chosen = split(toolsets) or DEFAULT_TOOLSETS
        if "all" in chosen:
            chosen = ALL_TOOLSETS
        return cls(
            toolsets=chosen, tools=split(tools), exclude_tools=split(exclude_tools), read_only=read_only
        )


def select_tools(profile: Profile, catalog: Sequence[ToolSpec] | None = None) -> list[ToolSpec]:
    """Apply a profile to the catalogue, keeping catalogue order. Unknown names are an error.

    Only the modules of the selected tools are imported.
    """
    names = tool_names() if catalog is None else {spec.name: spec.toolset for spec in catalog}
    _reject_unknown("toolset", profile.toolsets, set(names.values()))
    _reject_unknown("tool", (*profile.tools, *profile.exclude_tools), set(names))
    wanted = [
        name
        for name, toolset in names.items()
        if (toolset in profile.toolsets or name in profile.tools) and name not in profile.exclude_tools
    ]
    chosen = _specs(wanted) if catalog is None else [spec for spec in catalog if spec.name in wanted]
    if profile.read_only:
        chosen = [spec for spec in chosen if spec.read_only]
    return chosen


def _reject_unknown(kind: str, names: Iterable[str], known: set[str]) -> None:
    unknown = sorted(set(names) - known)
    if unknown:
        raise ValueError(f"unknown {kind}(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}")
