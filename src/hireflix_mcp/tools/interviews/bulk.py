"""invite_candidates: up to 500 rows validated one by one, sent a few at a time, one outcome per row."""

from __future__ import annotations

import functools
import logging
import math
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import anyio
import pydantic_core
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import (
    BaseModel,
    Field,
    ValidationError,
)

from hireflix_mcp.hireflix.client import HireflixClient
from hireflix_mcp.hireflix.errors import (
    AuthenticationError,
    ExternalIdConflictError,
    HireflixError,
    InterviewAlreadyExistsError,
    InviteQuotaExceededError,
    NotFoundError,
    OutcomeUnknownError,
    PositionNotAcceptingInvitesError,
    RateLimitedError,
    ValidationFailed,
)
from hireflix_mcp.sanitize import CandidateText, candidate_text
from hireflix_mcp.state import Ctx, hireflix
from hireflix_mcp.tools.inputs import PositionId
from hireflix_mcp.tools.interviews.inputs import (
    BULK_MAX_ROWS,
    BULK_OUTPUT_BUDGET,
    BULK_RETRY_BUDGET_S,
    CONCURRENCY,
    SEARCH_MAX_LIMIT,
    CandidateRow,
    RowInput,
    SendInviteEmail,
    gather,
)
from hireflix_mcp.tools.interviews.invite import invite_request
from hireflix_mcp.tools.registry import tool
from hireflix_mcp.views.common import (
    Compact,
)

logger = logging.getLogger("hireflix_mcp.tools.interviews")


RowOutcome = Literal["invited", "would_invite", "already_invited", "invalid", "duplicate_in_list", "failed"]


class BulkRow(Compact):
    row: int = Field(description="Index of the row in the candidates list (0-based).")
    email: CandidateText | None = None
    outcome: RowOutcome
    interview_id: str | None = None
    reason: str | None = None


class BulkInviteResult(BaseModel):
    position_id: str
    position_name: str | None = None
    dry_run: bool
    total_rows: int
    totals: dict[str, int] = Field(description="Rows per outcome (outcomes with no rows are left out).")
    rows_by_outcome: dict[str, str] = Field(
        description="Every row's outcome: outcome -> row indexes as ranges, e.g. '0-3,7'."
    )
    rows: list[BulkRow]
    rows_complete: bool = Field(
        description="False when rows lists only some rows to keep this result short; rows_by_outcome has all."
    )
    message: str


# --------------------------------------------------------------------------------------------- bulk invite


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
    reason: str | None = None

    def finish(self, outcome: RowOutcome, interview_id: str | None = None, reason: str | None = None) -> None:
        self.outcome, self.interview_id, self.reason = outcome, interview_id, reason

    def out(self) -> BulkRow:
        assert self.outcome is not None
        return BulkRow(
            row=self.index,
            email=self.email,
            outcome=self.outcome,
            interview_id=self.interview_id,
            reason=self.reason,
        )


def _short_reason(exc: HireflixError) -> str:
    if isinstance(exc, ValidationFailed):
        fields = "; ".join(f"{k}: {v}" for k, v in exc.field_errors.items())
        return f"Hireflix rejected it: {fields or exc.message}"
    if isinstance(exc, ExternalIdConflictError):
        return "external_id is already used by another interview in this position"
    if isinstance(exc, InviteQuotaExceededError):
        return "the plan's invite allowance is used up"
    if isinstance(exc, PositionNotAcceptingInvitesError):
        return "the position is not accepting invites"
    if isinstance(exc, OutcomeUnknownError):
        return "the invite's answer was lost and it could not be confirmed; rerun the list to settle it"
    return candidate_text(str(exc), max_chars=240)


# Failures that say nothing about one row but about the whole call: the remaining rows are not sent.
_HALTING = (InviteQuotaExceededError, PositionNotAcceptingInvitesError, AuthenticationError, NotFoundError)


class _BulkRun:
    """Sends the valid rows of one invite_candidates call, CONCURRENCY at a time."""

    def __init__(self, ctx: Ctx, position_id: str, rows: list[_Row], send_invite_email: bool) -> None:
        self.ctx = ctx
        self.hf = hireflix(ctx)
        self.position_id = position_id
        self.rows = rows
        self.send_invite_email = send_invite_email
        self.deadline = time.monotonic() + BULK_RETRY_BUDGET_S
        self.resume_at = 0.0
        """Monotonic time before which no row is sent: set when a 429 escapes the client's own retries."""
        self.halted: str | None = None
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

    async def _send(self, row: _Row) -> None:
        assert row.valid is not None
        request = invite_request(self.position_id, row.valid, self.send_invite_email)
        attempt = 0
        uncertain = False
        while True:
            if self.halted is not None:
                row.finish("failed", reason=f"not sent: {self.halted}")
                return
            wait = self.resume_at - time.monotonic()
            if wait > 0:
                await anyio.sleep(wait)
            attempt += 1
            try:
                result = await self.hf.invite_candidate(request)
            except InterviewAlreadyExistsError as exc:
                # After an attempt whose answer was lost, "already exists" is that attempt having landed.
                row.finish("invited" if uncertain else "already_invited", exc.existing_interview_id)
                return
            except _HALTING as exc:
                if self.halted is None:
                    self.halted = f"stopped after row {row.index}: {_short_reason(exc)}"
                row.finish("failed", reason=_short_reason(exc))
                return
            except HireflixError as exc:
                retry = exc.retryable or isinstance(exc, OutcomeUnknownError)
                delay = exc.retry_after if exc.retry_after is not None else min(5.0, 0.2 * 2**attempt)
                if not retry or time.monotonic() + delay > self.deadline:
                    row.finish("failed", reason=_short_reason(exc))
                    return
                uncertain = uncertain or isinstance(exc, OutcomeUnknownError)
                if isinstance(exc, RateLimitedError):
                    self.resume_at = max(self.resume_at, time.monotonic() + delay)
                logger.info(
                    "bulk invite row %d: %s, retrying in %.2f s", row.index, type(exc).__name__, delay
                )
                await anyio.sleep(delay * (0.5 + random.random() / 2) if exc.retry_after is None else delay)
                continue
            row.finish("invited", result.interview.id)
            return


async def _existing_by_email(hf: HireflixClient, position_id: str, emails: Sequence[str]) -> dict[str, str]:
    """casefolded e-mail -> id of its interview in the position, for `emails`, in as few requests as possible:
    one listing of the whole position, or one lookup per e-mail, whichever needs fewer."""
    first = await hf.search_interviews(position_id, None, limit=SEARCH_MAX_LIMIT)
    total = first.total if first.total is not None else len(first.results)
    wanted = {e.casefold() for e in emails}
    found: dict[str, str] = {}
    if math.ceil(total / SEARCH_MAX_LIMIT) <= len(wanted):
        page = first
        while True:
            for interview in page.results:
                key = ((interview.candidate.email if interview.candidate else None) or "").casefold()
                if key in wanted and key not in found:
                    found[key] = interview.id
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
            found[email.casefold()] = result.id
    return found


def _bulk_result(
    position_id: str, position_name: str | None, rows: list[_Row], dry_run: bool, halted: str | None
) -> BulkInviteResult:
    out = [r.out() for r in rows]
    by: dict[str, list[int]] = {}
    for r in out:
        by.setdefault(r.outcome, []).append(r.row)
    totals = {outcome: len(indexes) for outcome, indexes in by.items()}
    sent = totals.get("invited", 0)
    if dry_run:
        message = (
            f"Dry run, nothing was sent: {totals.get('would_invite', 0)} would be invited, "
            f"{totals.get('already_invited', 0)} already have an interview."
        )
    else:
        message = (
            f"Invited {sent} of {len(rows)}; {totals.get('already_invited', 0)} already had an interview."
        )
    problems = sum(totals.get(k, 0) for k in ("invalid", "duplicate_in_list", "failed"))
    if problems:
        message += f" {problems} need attention (see rows with outcome invalid, duplicate_in_list or failed)."
    if halted:
        message += f" Sending {halted}."
    if not dry_run:
        message += " Running the same list again is safe: nobody is invited twice."

    def build(listed: list[BulkRow], complete: bool) -> BulkInviteResult:
        return BulkInviteResult(
            position_id=position_id,
            position_name=position_name,
            dry_run=dry_run,
            total_rows=len(rows),
            totals=totals,
            rows_by_outcome={outcome: _ranges(indexes) for outcome, indexes in by.items()},
            rows=listed,
            rows_complete=complete,
            message=message,
        )

    def size(result: BulkInviteResult) -> int:
        return len(pydantic_core.to_json(result, indent=2))

    full = build(out, True)
    if size(full) <= BULK_OUTPUT_BUDGET:
        return full
    # Too long: rows_by_outcome summarises every row; list only the rows that need attention, as
    # many as fit.
    notable = [r for r in out if r.outcome in ("invalid", "duplicate_in_list", "failed")]
    low, high = 0, len(notable)
    while low < high:
        middle = (low + high + 1) // 2
        # Leaves room for the note added to the message below.
        if size(build(notable[:middle], False)) <= BULK_OUTPUT_BUDGET - 300:
            low = middle
        else:
            high = middle - 1
    message += (
        " To keep this short, rows lists only rows that need attention"
        + (f" (the first {low} of {len(notable)})" if low < len(notable) else "")
        + "; rows_by_outcome gives every row's outcome, and search_interviews lists the interviews."
    )
    return build(notable[:low], False)


@tool(
    toolset="interviews",
    kind="write",
    title="Invite candidates in bulk",
    description=(
        "Invites up to 500 candidates to a position, one outcome per row; invalid rows are not sent; "
        "reruns invite nobody twice."
    ),
    open_world=True,
)
async def invite_candidates(
    position_id: PositionId,
    candidates: Annotated[
        list[RowInput],
        Field(
            min_length=1,
            max_length=BULK_MAX_ROWS,
            description="Rows with invite_candidate's fields and rules.",
        ),
    ],
    ctx: Ctx,
    send_invite_email: SendInviteEmail = True,
    dry_run: Annotated[
        bool,
        Field(description="Report only; send nothing."),
    ] = False,
) -> BulkInviteResult:
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

    valid = [r for r in rows if r.valid is not None]
    hf = hireflix(ctx)
    position_name: str | None = None
    halted: str | None = None
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
                if found:
                    r.finish("already_invited", found)
                else:
                    r.finish("would_invite")
        else:
            run = _BulkRun(ctx, position_id, rows, send_invite_email)
            await run.run()
            halted = run.halted
    return _bulk_result(position_id, position_name, rows, dry_run, halted)
