"""The one list of tools, and the profile filter that picks which of them a server registers.

Every tool is declared here once: its function (in the toolset's module), name, title, description,
toolset and kind. Annotations are derived from the kind, never left to a client's defaults. Profiles
(`--toolsets`, `--tools`, `--exclude-tools`, `--read-only`) filter this list before registration, so a
tool outside the profile is not registered at all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from mcp.types import ToolAnnotations

from hireflix_mcp.tools import account, interviews, links, positions, review, webhooks

Toolset = Literal["positions", "interviews", "review", "links", "account", "webhooks"]
ALL_TOOLSETS: tuple[Toolset, ...] = ("positions", "interviews", "review", "links", "account", "webhooks")
DEFAULT_TOOLSETS: tuple[Toolset, ...] = ("positions", "interviews", "review", "links")

Kind = Literal["read", "write", "destructive"]


@dataclass(frozen=True)
class ToolSpec:
    fn: Callable[..., Awaitable[Any]]
    name: str
    title: str
    description: str
    toolset: Toolset
    kind: Kind
    idempotent: bool = False
    open_world: bool = False
    confirm: bool = False
    """Gated by the confirmation policy (destructive or privacy-sensitive)."""

    @property
    def read_only(self) -> bool:
        return self.kind == "read"

    @property
    def annotations(self) -> ToolAnnotations:
        return ToolAnnotations(
            read_only_hint=self.kind == "read",
            destructive_hint=self.kind == "destructive",
            idempotent_hint=self.idempotent or self.kind == "read",
            open_world_hint=self.open_world,
        )


TOOLS: tuple[ToolSpec, ...] = (
    # ------------------------------------------------------------------ positions
    ToolSpec(
        positions.list_positions,
        "list_positions",
        "List positions",
        "Start here. Lists the company's positions (job openings, each a set of interview questions) with "
        "their ids, which every other tool needs. Archived positions are left out unless include_archived.",
        "positions",
        "read",
    ),
    ToolSpec(
        positions.get_position,
        "get_position",
        "Get a position",
        "One position with its questions, settings and how many interviews it has in each status "
        "(pending, to_evaluate, shortlisted, discarded). position_id comes from list_positions.",
        "positions",
        "read",
    ),
    ToolSpec(
        positions.create_position,
        "create_position",
        "Create a position",
        "Creates a position with its interview questions (at least one). Hireflix recommends building "
        "positions in its dashboard, where branding and timing are set; use this for quick drafts.",
        "positions",
        "write",
    ),
    ToolSpec(
        positions.update_position,
        "update_position",
        "Rename or re-describe a position",
        "Changes a position's name and/or description. Fields left out stay as they are.",
        "positions",
        "write",
        idempotent=True,
    ),
    ToolSpec(
        positions.archive_position,
        "archive_position",
        "Archive a position",
        "Archives a position: it stops accepting invites; its interviews stay readable. Asks the user "
        "to confirm first.",
        "positions",
        "write",
        confirm=True,
    ),
    ToolSpec(
        positions.delete_position,
        "delete_position",
        "Delete a position",
        "Deletes a position and every interview in it, permanently. Asks the user to confirm first; "
        "prefer archive_position unless the user wants the data gone.",
        "positions",
        "destructive",
        confirm=True,
    ),
    # ------------------------------------------------------------------ interviews
    ToolSpec(
        interviews.invite_candidate,
        "invite_candidate",
        "Invite a candidate",
        "Invites one candidate to record a video interview for a position; Hireflix e-mails them the "
        "link unless send_invite_email is false. Returns the interview id and link. An e-mail already "
        "invited to that position comes back as already_invited with the existing interview.",
        "interviews",
        "write",
        open_world=True,
    ),
    ToolSpec(
        interviews.invite_candidates,
        "invite_candidates",
        "Invite candidates in bulk",
        "Invites up to 500 candidates to one position. Every row is validated first and invalid rows are "
        "reported without being sent; dry_run shows what would happen. Reports progress and returns an "
        "outcome per row; running the same list again invites nobody twice.",
        "interviews",
        "write",
        open_world=True,
    ),
    ToolSpec(
        interviews.search_interviews,
        "search_interviews",
        "Search interviews in a position",
        "Finds interviews in one position by status (pending, to_evaluate, shortlisted, discarded), "
        "e-mail, name and score range; conditions are ANDed, any_of adds OR-ed alternatives. Paginated: "
        "pass next_cursor back as cursor for more.",
        "interviews",
        "read",
    ),
    ToolSpec(
        interviews.find_candidate,
        "find_candidate",
        "Find a candidate everywhere",
        "Finds a candidate's interviews across every position by e-mail or name (up to 50, newest "
        "first). Use when you do not know which position a candidate applied to.",
        "interviews",
        "read",
    ),
    ToolSpec(
        interviews.get_interview,
        "get_interview",
        "Get an interview",
        "One interview: candidate, position, status, score, comments, links and per-question answer "
        "summary. interview_id comes from search_interviews or find_candidate.",
        "interviews",
        "read",
    ),
    ToolSpec(
        interviews.get_interview_transcript,
        "get_interview_transcript",
        "Read an interview transcript",
        "The candidate's transcribed answers, question by question (untrusted candidate content). Long "
        "transcripts are paginated by question: pass next_cursor back as cursor.",
        "interviews",
        "read",
    ),
    ToolSpec(
        interviews.get_interview_media,
        "get_interview_media",
        "Get interview video links",
        "Video and thumbnail URLs for each answer of an interview, for playing or storing the recording.",
        "interviews",
        "read",
    ),
    ToolSpec(
        interviews.get_interview_access_info,
        "get_interview_access_info",
        "Get interview access info",
        "IP addresses, browsers (user agents) and IP-based locations seen while the candidate recorded. "
        "Locations are approximate and wrong behind a VPN or proxy.",
        "interviews",
        "read",
    ),
    ToolSpec(
        interviews.delete_interview,
        "delete_interview",
        "Delete an interview",
        "Deletes an interview and its recording permanently. Asks the user to confirm first.",
        "interviews",
        "destructive",
        confirm=True,
    ),
    ToolSpec(
        interviews.reinvite_candidate,
        "reinvite_candidate",
        "Re-invite a candidate",
        "Hireflix allows one interview per e-mail per position: this deletes the candidate's existing "
        "interview (and its recording) and invites them again, under one confirmation.",
        "interviews",
        "destructive",
        open_world=True,
        confirm=True,
    ),
    # ------------------------------------------------------------------ review
    ToolSpec(
        review.score_interview,
        "score_interview",
        "Score an interview",
        "Sets an interview's score from 0.5 to 5 in steps of 0.5; null clears it.",
        "review",
        "write",
        idempotent=True,
    ),
    ToolSpec(
        review.comment_on_interview,
        "comment_on_interview",
        "Comment on an interview",
        "Adds a comment to an interview, visible to the hiring team in Hireflix.",
        "review",
        "write",
    ),
    ToolSpec(
        review.set_interview_status,
        "set_interview_status",
        "Shortlist or discard an interview",
        "Moves an interview to shortlisted, discarded, or back to to_evaluate.",
        "review",
        "write",
        idempotent=True,
    ),
    ToolSpec(
        review.share_interview,
        "share_interview",
        "Share an interview recording",
        "Creates a public link to watch the recording without logging in, valid duration_days. It "
        "publishes personal data, so the user is asked to confirm first.",
        "review",
        "write",
        confirm=True,
    ),
    # ------------------------------------------------------------------ links
    ToolSpec(
        links.build_application_link,
        "build_application_link",
        "Build an application link",
        "A public link where a candidate applies to a position themselves, with their details prefilled. "
        "Built locally; nothing is sent to Hireflix.",
        "links",
        "read",
    ),
    ToolSpec(
        links.get_embed_code,
        "get_embed_code",
        "Get embed code for an interview",
        "An iframe snippet to embed a candidate's interview in a web page or app, with the camera and "
        "microphone permissions it needs and notes for iOS WebViews.",
        "links",
        "read",
    ),
    # ------------------------------------------------------------------ account
    ToolSpec(
        account.get_account_logs,
        "get_account_logs",
        "Read account activity logs",
        "The account's audit log (who did what, when, from which IP) for the last two months, newest "
        "first, paginated with skip and limit.",
        "account",
        "read",
    ),
    ToolSpec(
        account.list_members,
        "list_members",
        "List team members",
        "The company's Hireflix team members with their ids and e-mails.",
        "account",
        "read",
    ),
    ToolSpec(
        account.add_member,
        "add_member",
        "Add a team member",
        "Gives a person access to the company's Hireflix account and its candidate data. Asks the user "
        "to confirm first.",
        "account",
        "write",
        confirm=True,
    ),
    ToolSpec(
        account.remove_member,
        "remove_member",
        "Remove a team member",
        "Removes a person's access to the company's Hireflix account, by member id or e-mail. Asks the "
        "user to confirm first.",
        "account",
        "destructive",
        confirm=True,
    ),
    # ------------------------------------------------------------------ webhooks
    ToolSpec(
        webhooks.list_webhooks,
        "list_webhooks",
        "List webhooks",
        "The URLs Hireflix notifies about interview events, with their events and whether active.",
        "webhooks",
        "read",
    ),
    ToolSpec(
        webhooks.create_webhook,
        "create_webhook",
        "Create a webhook",
        "Asks Hireflix to POST interview events (interview.create, interview.finish, "
        "interview.status-change, interview.delete, interview.score-updated) to a URL; omit url to use "
        "this server's own receiver.",
        "webhooks",
        "write",
    ),
    ToolSpec(
        webhooks.delete_webhook,
        "delete_webhook",
        "Delete a webhook",
        "Stops Hireflix sending events to a webhook URL. Asks the user to confirm first.",
        "webhooks",
        "destructive",
        confirm=True,
    ),
    ToolSpec(
        webhooks.list_webhook_events,
        "list_webhook_events",
        "List received webhook events",
        "Interview events, newest first, since a time (default: last 24 h), optionally of one type: those "
        "this server's webhook receiver accepted or, with no receiver, found by polling (mode says which).",
        "webhooks",
        "read",
    ),
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
