"""invite_candidates: up to 500 rows validated one by one, sent a few at a time, one outcome per row.

What the model reads back is grouped by outcome, so that a 500-row call stays a few pages long: every
invited (or already invited) row as `[row, email, interview_id, interview_url]`, and the other outcomes as
row ranges with their reason. Retrying a row is the client's job (`with_options` gives it this tool's
budget); the run only adds what spans rows: a rate limit that outlasts the client's retries pauses every
row, and a failure that concerns the whole call (the plan's invite allowance used up, the position gone)
stops it: rows not yet sent are never sent and come back as not_attempted.

Above CONFIRM_ABOVE_ROWS rows to send, the user confirms first (`preview_bulk_invite`): Hireflix e-mails
every one of those people, and an e-mail cannot be called back.
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated
from typing import Any
from typing import Literal
from typing import get_args

import anyio
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel
from pydantic import Field
from pydantic import ValidationError

from hireflix_mcp.hireflix import models as hx
from hireflix_mcp.hireflix.client import HireflixClient
from hireflix_mcp.hireflix.errors import AuthenticationError
from hireflix_mcp.hireflix.errors import ExternalIdConflictError
from hireflix_mcp.hireflix.errors import HireflixError
from hireflix_mcp.hireflix.errors import InterviewAlreadyExistsError
from hireflix_mcp.hireflix.errors import InviteQuotaExceededError
from hireflix_mcp.hireflix.errors import NotFoundError
from hireflix_mcp.hireflix.errors import OutcomeUnknownError
from hireflix_mcp.hireflix.errors import PositionNotAcceptingInvitesError
from hireflix_mcp.hireflix.errors import RateLimitedError
from hireflix_mcp.hireflix.errors import ValidationFailed
from hireflix_mcp.sanitize import candidate_text
from hireflix_mcp.state import Ctx
from hireflix_mcp.state import hireflix
from hireflix_mcp.tools.inputs import PositionId
from hireflix_mcp.tools.interviews.inputs import BULK_MAX_RETRIES
from hireflix_mcp.tools.interviews.inputs import BULK_MAX_ROWS
from hireflix_mcp.tools.interviews.inputs import BULK_REASONS_BUDGET
from hireflix_mcp.tools.interviews.inputs import BULK_RETRY_BUDGET_S
from hireflix_mcp.tools.interviews.inputs import CONCURRENCY
from hireflix_mcp.tools.interviews.inputs import SEARCH_MAX_LIMIT
from hireflix_mcp.tools.interviews.inputs import CandidateRow
from hireflix_mcp.tools.interviews.inputs import RowInput
from hireflix_mcp.tools.interviews.inputs import SendInviteEmail
from hireflix_mcp.tools.interviews.inputs import gather
from hireflix_mcp.tools.interviews.invite import invite_request
from hireflix_mcp.tools.registry import Preview
from hireflix_mcp.tools.registry import tool
from hireflix_mcp.views.common import interview_url
from hireflix_mcp.views.common import quoted
from hireflix_mcp.views.common import quoted_email

logger = logging.getLogger("hireflix_mcp.tools.interviews")


RowOutcome = Literal[
    "invited", "already_invited", "would_invite", "invalid", "duplicate_in_list", "failed", "not_attempted"
]
LISTED: tuple[RowOutcome, ...] = ("invited", "already_invited")
"""Outcomes whose rows come back one by one, with their interview."""
GROUPED: tuple[RowOutcome, ...] = ("invalid", "duplicate_in_list", "failed", "not_attempted")
"""Outcomes whose rows come back as ranges per reason."""

InterviewRow = tuple[int, str, str | None, str | None]
"""[row, email, interview_id, interview_url]; an unknown id or link is left off the end."""

LISTED_LAYOUT = "invited and already_invited list [row, email, interview_id, interview_url]."
RANGES_LAYOUT = "{} give 0-based row indexes as ranges ('0-3,7')."
LEFT_OUT = "reasons left out to keep this result short: send these rows again on their own to see them"


class RowGroup(BaseModel):
    rows: str
    reason: str


class BulkInviteResult(BaseModel):
    # Each row appears under exactly one outcome key; `message` says how to read them.
    position_id: str
    position_name: str | None = None
    dry_run: bool
    total_rows: int
    totals: dict[str, int]
    message: str
    invited: list[InterviewRow] = Field(default_factory=list)
    already_invited: list[InterviewRow] = Field(default_factory=list)
    would_invite: str | None = None
    invalid: list[RowGroup] = Field(default_factory=list)
    duplicate_in_list: list[RowGroup] = Field(default_factory=list)
    failed: list[RowGroup] = Field(default_factory=list)
    not_attempted: list[RowGroup] = Field(default_factory=list)


# --------------------------------------------------------------------------------------------- rows


def _error_text(error: Mapping[str, Any]) -> str:
    field = ".".join(str(part) for part in error["loc"]) or "row"
    kind = error["type"]
    if kind == "missing":
        problem = "is required"
    elif kind == "extra_forbidden":
        problem = f"is not a known field (known: {', '.join(CandidateRow.model_fields)})"
    elif kind == "string_pattern_mismatch" and field == "email":
        problem = "is not a valid e-mail address"
    else:
        problem = str(error["msg"]).removeprefix("Value error, ")
    return f"{field}: {problem}"


def _validate_row(raw: Any) -> CandidateRow | str:
    """The row as a valid `CandidateRow`, or why not (every problem, each naming its field and rule)."""
    if not isinstance(raw, dict):
        return f"row: must be an object with email and first_name, got {type(raw).__name__}"
    try:
        return CandidateRow.model_validate(raw)
    except ValidationError as exc:
        return "; ".join(_error_text(e) for e in exc.errors())


def _row_email(raw: Any) -> str | None:
    value = raw.get("email") if isinstance(raw, dict) else None
    return value[:254] if isinstance(value, str) else None


def _ranges(indexes: Sequence[int]) -> str:
    """[0, 1, 2, 5, 7, 8] -> '0-2,5,7-8'."""
    parts: list[str] = []
    start = prev = None
    for index in sorted(indexes):
        if start is None:
            start = prev = index
        elif prev is not None and index == prev + 1:
            prev = index
        else:
            parts.append(f"{start}-{prev}" if start != prev else str(start))
            start = prev = index
    if start is not None:
        parts.append(f"{start}-{prev}" if start != prev else str(start))
    return ",".join(parts)


@dataclass
class _Row:
    index: int
    email: str | None
    valid: CandidateRow | None
    outcome: RowOutcome | None = None
    interview_id: str | None = None
    interview_url: str | None = None
    reason: str | None = None

    def finish(
        self,
        outcome: RowOutcome,
        *,
        interview: hx.Interview | None = None,
        interview_id: str | None = None,
        reason: str | None = None,
    ) -> None:
        self.outcome, self.reason = outcome, reason
        self.interview_id = interview.id if interview is not None else interview_id
        self.interview_url = interview_url(interview) if interview is not None else None

    def listed(self) -> InterviewRow:
        return (self.index, candidate_text(self.email or ""), self.interview_id, self.interview_url)


def _short_reason(exc: HireflixError) -> str:
    if isinstance(exc, ValidationFailed):
        fields = "; ".join(f"{k}: {v}" for k, v in exc.field_errors.items())
        return f"Hireflix rejected it: {fields or exc.message}"
    if isinstance(exc, ExternalIdConflictError):
        return "external_id is already used by another interview in this position"
    if isinstance(exc, InviteQuotaExceededError):
        return (
            "the plan's invite allowance for this period is used up (upgrade the plan or wait for the next "
            "period)"
        )
    if isinstance(exc, PositionNotAcceptingInvitesError):
        return "the position is not accepting invites"
    if isinstance(exc, RateLimitedError):
        return "Hireflix kept rate-limiting it until its retry time ran out; nothing was created"
    if isinstance(exc, OutcomeUnknownError):
        return (
            "sent, but the answer was lost and checking by e-mail failed: it may or may not have landed; "
            "running the list again settles it"
        )
    return candidate_text(str(exc), max_chars=240)


# Failures that say nothing about one row but about the whole call: the rows not yet sent are not sent.
_HALTING = (InviteQuotaExceededError, PositionNotAcceptingInvitesError, AuthenticationError, NotFoundError)


# --------------------------------------------------------------------------------------------- sending


class _BulkRun:
    """Sends the valid rows of one invite_candidates call, CONCURRENCY at a time."""

    def __init__(self, ctx: Ctx, position_id: str, rows: list[_Row], send_invite_email: bool) -> None:
        self.ctx = ctx
        self.hf = hireflix(ctx)
        self.max_retries = max(self.hf.config.max_retries, BULK_MAX_RETRIES)
        self.position_id = position_id
        self.rows = rows
        self.send_invite_email = send_invite_email
        self.resume_at = 0.0
        """Monotonic time before which no row is sent: set when a 429 outlasts the client's retries."""
        self.halted_by: tuple[int, str] | None = None
        """The row whose failure stopped the run, and why; from then on no row is sent."""
        self.stopped = anyio.Event()
        self.done = sum(1 for r in rows if r.outcome is not None)
        # Kept up to date as rows finish: recounting every row after each one made a 500-row call quadratic.
        self.counts: dict[str, int] = {}
        for r in rows:
            if r.outcome is not None:
                self.counts[r.outcome] = self.counts.get(r.outcome, 0) + 1

    async def run(self) -> None:
        await self._progress()
        limiter = anyio.CapacityLimiter(CONCURRENCY)

        async def one(row: _Row) -> None:
            async with limiter:
                await self._send(row)
            self.done += 1
            if row.outcome is not None:
                self.counts[row.outcome] = self.counts.get(row.outcome, 0) + 1
            await self._progress()

        async with anyio.create_task_group() as group:
            for row in self.rows:
                if row.outcome is None:
                    group.start_soon(one, row)

    async def _progress(self) -> None:
        counts = self.counts
        await self.ctx.report_progress(
            self.done,
            len(self.rows),
            f"{self.done}/{len(self.rows)} rows: {counts.get('invited', 0)} invited, "
            f"{counts.get('already_invited', 0)} already invited, {counts.get('failed', 0)} failed",
        )

    async def _clear_to_send(self) -> bool:
        """Waits out a rate-limit pause; False once the run has stopped, when nothing more may be sent."""
        while not self.stopped.is_set() and (wait := self.resume_at - time.monotonic()) > 0:
            with anyio.move_on_after(wait):
                await self.stopped.wait()
        return not self.stopped.is_set()

    def _stop(self, row: _Row, reason: str) -> None:
        """Stop the run because of `row`'s failure: from now on no row is sent."""
        if self.halted_by is None:
            self.halted_by = (row.index, reason)
            self.stopped.set()

    async def _send(self, row: _Row) -> None:
        assert row.valid is not None
        request = invite_request(self.position_id, row.valid, self.send_invite_email)
        deadline = time.monotonic() + BULK_RETRY_BUDGET_S
        # The client retries each send itself (backoff, Retry-After, a lost invite checked by e-mail
        # before it is sent again), as often and as long as this row's budget allows.
        hf = self.hf.with_options(max_retries=self.max_retries, deadline=deadline)
        lost: OutcomeUnknownError | None = None
        while True:
            if not await self._clear_to_send():
                if lost is not None:
                    row.finish("failed", reason=_short_reason(lost))
                else:
                    assert self.halted_by is not None
                    stopper, why = self.halted_by
                    row.finish("not_attempted", reason=f"never sent: sending stopped at row {stopper}: {why}")
                return
            try:
                result = await hf.invite_candidate(request)
            except InterviewAlreadyExistsError as exc:
                # After a send whose answer was lost, "already exists" is that send having landed.
                outcome: RowOutcome = "invited" if lost is not None else "already_invited"
                row.finish(outcome, interview_id=exc.existing_interview_id)
            except _HALTING as exc:
                reason = _short_reason(exc)
                self._stop(row, reason)
                row.finish("failed", reason=reason)
            except RateLimitedError as exc:
                # Still refused after the client's retries: pause every row, then send this one again.
                pause = exc.retry_after or 0.0
                if time.monotonic() + pause >= deadline:
                    row.finish("failed", reason=_short_reason(exc))
                    return
                self.resume_at = max(self.resume_at, time.monotonic() + pause)
                logger.info(
                    "bulk invite row %d: still rate-limited; every row waits %.2f s", row.index, pause
                )
                continue
            except OutcomeUnknownError as exc:
                # The client could not settle it (its retries ran out, or its check by e-mail failed).
                # Sent once more, a lost send that landed comes back as "already exists".
                if lost is not None or time.monotonic() >= deadline:
                    row.finish("failed", reason=_short_reason(exc))
                    return
                lost = exc
                continue
            except HireflixError as exc:
                row.finish("failed", reason=_short_reason(exc))
            else:
                row.finish("invited", interview=result.interview)
            return


async def _existing_by_email(
    hf: HireflixClient, position_id: str, emails: Sequence[str]
) -> dict[str, hx.Interview]:
    """casefolded e-mail -> its interview in the position, for `emails`, in as few requests as possible:
    one listing of the whole position, or one lookup per e-mail, whichever needs fewer."""
    first = await hf.search_interviews(position_id, None, limit=SEARCH_MAX_LIMIT)
    total = first.total if first.total is not None else len(first.results)
    wanted = {e.casefold() for e in emails}
    found: dict[str, hx.Interview] = {}
    if math.ceil(total / SEARCH_MAX_LIMIT) <= len(wanted):
        page = first
        while True:
            for interview in page.results:
                key = ((interview.candidate.email if interview.candidate else None) or "").casefold()
                if key in wanted and key not in found:
                    found[key] = interview
            if page.next_cursor is None:
                return found
            page = await hf.search_interviews(
                position_id, None, limit=SEARCH_MAX_LIMIT, cursor=page.next_cursor
            )
    lookups = await gather([functools.partial(hf.find_interview_by_email, position_id, e) for e in emails])
    for email, result in zip(emails, lookups, strict=True):
        if isinstance(result, HireflixError):
            raise result
        if result is not None:
            found[email.casefold()] = result
    return found


async def _add_missing_links(hf: HireflixClient, position_id: str, rows: list[_Row]) -> bool:
    """Give rows that have an interview but not its link (already invited, or found after a lost answer)
    their link; False when it could not be read."""
    missing = [r for r in rows if r.outcome in LISTED and r.interview_url is None and r.valid is not None]
    if not missing:
        return True
    try:
        existing = await _existing_by_email(hf, position_id, [r.valid.email for r in missing if r.valid])
    except HireflixError as exc:
        logger.info("bulk invite: could not read the links of existing interviews (%s)", type(exc).__name__)
        return False
    for r in missing:
        assert r.valid is not None
        found = existing.get(r.valid.email.casefold())
        if found is not None:
            r.interview_id, r.interview_url = found.id, interview_url(found)
    return all(r.interview_url is not None for r in missing)


# --------------------------------------------------------------------------------------------- result


def _groups(rows: Sequence[_Row], budget: int) -> tuple[list[RowGroup], int]:
    """`rows` as ranges per reason, in row order, within `budget` characters of reasons; the rows whose
    reasons do not fit share one group saying so. Also the budget left."""
    by_reason: dict[str, list[int]] = {}
    for r in rows:
        by_reason.setdefault(r.reason or "", []).append(r.index)
    groups: list[RowGroup] = []
    left_out: list[int] = []
    for reason, indexes in by_reason.items():
        cost = len(reason) + len(_ranges(indexes))
        if left_out or cost > budget:
            left_out.extend(indexes)
            continue
        budget -= cost
        groups.append(RowGroup(rows=_ranges(indexes), reason=reason))
    if left_out:
        groups.append(RowGroup(rows=_ranges(left_out), reason=LEFT_OUT))
    return groups, budget


def _bulk_result(
    position_id: str,
    position_name: str | None,
    rows: list[_Row],
    *,
    dry_run: bool,
    send_invite_email: bool,
    halted_by: tuple[int, str] | None = None,
    links_read: bool = True,
) -> BulkInviteResult:
    by: dict[RowOutcome, list[_Row]] = {outcome: [] for outcome in get_args(RowOutcome)}
    for r in rows:
        assert r.outcome is not None
        by[r.outcome].append(r)
    totals = {outcome: len(listed) for outcome, listed in by.items() if listed}

    def count(outcome: RowOutcome) -> int:
        return totals.get(outcome, 0)

    if dry_run:
        message = (
            f"Dry run, nothing was sent: {count('would_invite')} of {len(rows)} rows would be invited, "
            f"{count('already_invited')} already have an interview."
        )
    else:
        message = f"Invited {count('invited')} of {len(rows)} rows."
        if count("already_invited"):
            message += f" {count('already_invited')} already had an interview: nothing was sent to them."
        if count("invited"):
            message += (
                " Hireflix e-mails each invited candidate their link."
                if send_invite_email
                else " No e-mail was sent: share each interview_url yourself."
            )
    if halted_by is not None:
        stopper, why = halted_by
        message += (
            f" Sending stopped when Hireflix refused row {stopper}: {why}. {count('not_attempted')} rows "
            "were never sent (not_attempted); rows already on their way ended as listed"
        )
        refused = [r.index for r in by["failed"] if r.reason == why]
        if refused and any(r.index > min(refused) for r in by["invited"]):
            message += (
                f" (rows go {CONCURRENCY} at a time, so a later row can take an invite before an earlier one)"
            )
        message += "."
    problems = [o for o in GROUPED if o != "not_attempted" and count(o)]
    if problems:
        needing = sum(count(o) for o in problems)
        where = " and ".join([", ".join(problems[:-1]), problems[-1]] if len(problems) > 1 else problems)
        message += f" {needing} need attention: see why under {where}."
    if not links_read:
        message += " Some links could not be read just now: search_interviews by email gives them."
    listed = any(count(o) for o in LISTED)
    if listed:
        message += f" {LISTED_LAYOUT}"
    if any(count(o) for o in (*GROUPED, "would_invite")):
        message += " " + RANGES_LAYOUT.format("Other outcomes" if listed else "Outcomes")
    if not dry_run:
        message += " Running the same list again is safe: nobody is invited twice."

    budget = BULK_REASONS_BUDGET
    grouped: dict[RowOutcome, list[RowGroup]] = {}
    for outcome in GROUPED:
        grouped[outcome], budget = _groups(by[outcome], budget)
    return BulkInviteResult(
        position_id=position_id,
        position_name=position_name,
        dry_run=dry_run,
        total_rows=len(rows),
        totals=totals,
        message=message,
        invited=[r.listed() for r in by["invited"]],
        already_invited=[r.listed() for r in by["already_invited"]],
        would_invite=_ranges([r.index for r in by["would_invite"]]) or None,
        invalid=grouped["invalid"],
        duplicate_in_list=grouped["duplicate_in_list"],
        failed=grouped["failed"],
        not_attempted=grouped["not_attempted"],
    )


def _planned_rows(candidates: Sequence[Any]) -> list[_Row]:
    """One `_Row` per candidate: valid rows to send, and the others already finished (invalid, duplicate)."""
    rows: list[_Row] = []
    seen_email: dict[str, int] = {}
    seen_external: dict[str, int] = {}
    for index, raw in enumerate(candidates):
        checked = _validate_row(raw)
        row = _Row(index, _row_email(raw), checked if isinstance(checked, CandidateRow) else None)
        rows.append(row)
        if isinstance(checked, str):
            row.finish("invalid", reason=checked)
            continue
        key = checked.email.casefold()
        if key in seen_email:
            row.valid = None
            row.finish("duplicate_in_list", reason=f"same e-mail as row {seen_email[key]}; sent once")
            continue
        seen_email[key] = index
        if checked.external_id is not None:
            if checked.external_id in seen_external:
                row.valid = None
                row.finish(
                    "invalid",
                    reason=f"external_id: same as row {seen_external[checked.external_id]}; "
                    "external ids must be unique per position",
                )
                continue
            seen_external[checked.external_id] = index
    return rows


CONFIRM_ABOVE_ROWS = 10
"""Bulk invites sending more rows than this are confirmed by the user first."""
PREVIEW_EMAILS = 3
"""Addresses a bulk invite's preview names."""


async def preview_bulk_invite(
    ctx: Ctx, position_id: str, candidates: list[Any], send_invite_email: bool, dry_run: bool
) -> Preview | None:
    """Only a call that would send more than CONFIRM_ABOVE_ROWS rows needs confirmation (None: this one
    does not): it names the count, the position and the first few addresses."""
    if dry_run:
        return None
    sending = [row.valid for row in _planned_rows(candidates) if row.valid is not None]
    if len(sending) <= CONFIRM_ABOVE_ROWS:
        return None
    position = await hireflix(ctx).get_position(position_id)
    if position.archived is not None:
        return None  # the tool refuses an archived position before sending anything: nothing to confirm
    named = ", ".join(quoted_email(row.email) for row in sending[:PREVIEW_EMAILS])
    rest = len(sending) - PREVIEW_EMAILS
    mail = (
        "Hireflix e-mails each of them an interview link, which cannot be called back"
        if send_invite_email
        else "no e-mail is sent, but each interview counts against the plan's invites"
    )
    return Preview(
        f"Invite {len(sending)} candidates to {quoted(position.name)}: {named} and {rest} more? {mail}."
    )


@tool(
    kind="write",
    title="Invite candidates in bulk",
    description=(
        "Invites up to 500 candidates, one outcome per row; bad rows are not sent; "
        "reruns invite nobody twice. Over 10 rows, the user confirms first."
    ),
    open_world=True,
    confirm=preview_bulk_invite,
)
async def invite_candidates(
    position_id: PositionId,
    candidates: Annotated[
        list[RowInput],
        Field(
            min_length=1,
            max_length=BULK_MAX_ROWS,
            description="invite_candidate's fields.",
        ),
    ],
    ctx: Ctx,
    send_invite_email: SendInviteEmail = True,
    dry_run: Annotated[
        bool,
        Field(description="Report only; send nothing."),
    ] = False,
) -> BulkInviteResult:
    rows = _planned_rows(candidates)
    valid = [r for r in rows if r.valid is not None]
    hf = hireflix(ctx)
    position_name: str | None = None
    run: _BulkRun | None = None
    links_read = True
    if valid:
        position = await hf.get_position(position_id)
        position_name = position.name
        if position.archived is not None:
            raise ToolError(
                f"Position '{position.name}' ({position_id}) is archived and accepts no invites; nothing was "
                "sent. Choose an open position from list_positions."
            )
        if dry_run:
            existing = await _existing_by_email(hf, position_id, [r.valid.email for r in valid if r.valid])
            for r in valid:
                assert r.valid is not None
                found = existing.get(r.valid.email.casefold())
                if found is not None:
                    r.finish("already_invited", interview=found)
                else:
                    r.finish("would_invite")
        else:
            run = _BulkRun(ctx, position_id, rows, send_invite_email)
            await run.run()
            links_read = await _add_missing_links(hf, position_id, rows)
    return _bulk_result(
        position_id,
        position_name,
        rows,
        dry_run=dry_run,
        send_invite_email=send_invite_email,
        halted_by=run.halted_by if run is not None else None,
        links_read=links_read,
    )
