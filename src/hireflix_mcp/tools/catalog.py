"""The one list of tools, in the order assistants see them, and the profile filter that picks which of them a
server registers.

Each tool is declared beside its function with `@tool` (`tools.registry`): name, title, description,
toolset, kind and confirmation travel with the code. This module only orders them and applies profiles
(`--toolsets`, `--tools`, `--exclude-tools`, `--read-only`) before registration, so a tool outside the
profile is not registered at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hireflix_mcp.tools import account, links, positions, review, webhooks
from hireflix_mcp.tools.interviews import bulk, delete, invite, read, search
from hireflix_mcp.tools.registry import Kind, Toolset, ToolSpec

__all__ = [
    "ALL_TOOLSETS",
    "DEFAULT_TOOLSETS",
    "TOOLS",
    "Kind",
    "Profile",
    "ToolSpec",
    "Toolset",
    "select_tools",
]

ALL_TOOLSETS: tuple[Toolset, ...] = ("positions", "interviews", "review", "links", "account", "webhooks")
DEFAULT_TOOLSETS: tuple[Toolset, ...] = ("positions", "interviews", "review", "links")

TOOLS: tuple[ToolSpec, ...] = (
    positions.list_positions,
    positions.get_position,
    positions.create_position,
    positions.update_position,
    positions.archive_position,
    positions.delete_position,
    invite.invite_candidate,
    bulk.invite_candidates,
    search.search_interviews,
    search.find_candidate,
    read.get_interview,
    read.get_interview_transcript,
    read.get_interview_media,
    read.get_interview_access_info,
    delete.delete_interview,
    delete.reinvite_candidate,
    review.score_interview,
    review.comment_on_interview,
    review.set_interview_status,
    review.share_interview,
    links.build_application_link,
    links.get_embed_code,
    account.get_account_logs,
    account.list_members,
    account.add_member,
    account.remove_member,
    webhooks.list_webhooks,
    webhooks.create_webhook,
    webhooks.delete_webhook,
    webhooks.list_webhook_events,
)


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


def select_tools(profile: Profile, catalog: Sequence[ToolSpec] = TOOLS) -> list[ToolSpec]:
    """Apply a profile to the catalogue, keeping catalogue order. Unknown names are an error."""
    known_sets: set[str] = {spec.toolset for spec in catalog}
    known_tools = {spec.name for spec in catalog}
    _reject_unknown("toolset", profile.toolsets, known_sets)
    _reject_unknown("tool", (*profile.tools, *profile.exclude_tools), known_tools)
    chosen = [
        spec
        for spec in catalog
        if (spec.toolset in profile.toolsets or spec.name in profile.tools)
        and spec.name not in profile.exclude_tools
    ]
    if profile.read_only:
        chosen = [spec for spec in chosen if spec.read_only]
    return chosen


def _reject_unknown(kind: str, names: Iterable[str], known: set[str]) -> None:
    unknown = sorted(set(names) - known)
    if unknown:
        raise ValueError(f"unknown {kind}(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}")
