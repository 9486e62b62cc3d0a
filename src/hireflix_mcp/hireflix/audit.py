"""Reading the account's audit log by time range.

Hireflix's audit query has no time filter, only skip/limit over the log, newest first; a range is found
by reading pages and filtering here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hireflix_mcp.hireflix.models import AuditLogEntry
from hireflix_mcp.hireflix.models import AuditLogWindow

if TYPE_CHECKING:
    from hireflix_mcp.hireflix.client import HireflixClient

AUDIT_PAGE_MAX = 100
"""The most audit entries asked for in one request (the sandbox's cap; Hireflix documents none)."""
AUDIT_READ_REQUESTS = 10
"""Requests one `read_account_logs` call may spend finding its range: at most 1,000 entries read."""


async def read_window(
    client: HireflixClient,
    *,
    since: float | None = None,
    until: float | None = None,
    skip: int = 0,
    limit: int = 20,
    max_requests: int = AUDIT_READ_REQUESTS,
) -> AuditLogWindow:
    """Up to `limit` audit entries with `since <= timestamp <= until` (epoch ms, None: open), newest
    first, reading the log from offset `skip`.

    Hireflix's audit query has no time filter, only skip/limit over the log newest first, so the
    log is read page by page and filtered here: entries newer than `until` are passed over and the
    first one older than `since` ends the range. Reading stops after `max_requests` requests (the
    window then says `stopped_early`; `next_skip` reads on). With a range, entries without a
    timestamp are left out. `next_skip` is an offset in the whole log: entries written between two
    calls shift it, so a next page may repeat a few entries.
    """
    entries: list[AuditLogEntry] = []
    offset, scanned, total = skip, 0, None
    # The log is newest first: once an entry at or before `until` is seen, so are all later ones.
    in_range = until is None

    def window(next_skip: int | None, stopped_early: bool = False) -> AuditLogWindow:
        return AuditLogWindow(
            entries=entries,
            next_skip=next_skip,
            total=total,
            scanned=scanned,
            stopped_early=stopped_early,
        )

    for _ in range(max_requests):
        # Before the range, whole pages pass over newer entries quickly; inside it, one entry more
        # than needed tells whether the range goes on (the log's total cannot say where it ends).
        wanted = limit - len(entries) + (1 if since is not None else 0)
        size = AUDIT_PAGE_MAX if not in_range else min(AUDIT_PAGE_MAX, wanted)
        page = await client.get_account_logs(skip=offset, limit=size)
        total = page.total if page.total is not None else total
        scanned += len(page.results)
        for entry in page.results:
            at = entry.timestamp
            if (at is None and not (since is None and until is None)) or (
                at is not None and until is not None and at > until
            ):
                offset += 1
                continue
            in_range = True
            if at is not None and since is not None and at < since:
                return window(None)
            if len(entries) == limit:
                return window(offset)
            entries.append(entry)
            offset += 1
        ended = offset >= total if total is not None else len(page.results) < size
        if not page.results or ended:
            return window(None)
        if len(entries) == limit:
            return window(offset)
    return window(offset, stopped_early=True)
