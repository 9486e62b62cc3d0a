"""The audit trail: one entry per tool call, written to the state store (`HIREFLIX_MCP_STATE_DB`).

`audited_call` wraps every catalogue tool once (`tools.registry.CatalogTool.run`). It records when the
call started, the person (`identity.current_caller()`: "local" over stdio and with the static bearer
token), the MCP client's name from its clientInfo, the tool, the outcome, the ids named by the arguments
(`interview_id`, `position_ids`, ...: only id-shaped values, never e-mails, names, comments or text), the
Hireflix operations sent (`hireflix.observe`), and how long it took. So the trail holds no candidate data.

Outcomes: `ok`; `error` (the tool raised: invalid arguments, Hireflix failed); `refused` (a confirmation
token that does not fit, a confirmation the client cannot show, a scope the caller lacks); and for
confirmed tools `confirmation_asked` (a preview and token went back, or, in the 2026-07-28 era, the round
that asks the client to show the prompt) and `declined` (the user said no or dismissed the prompt). Code
that knows better than "raised means error" says so with `mark(outcome)` during the call.

Writing the entry must not change the call's result: a store failure is logged (ERROR), not raised.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from typing import Any
from typing import TypeVar

import anyio
from mcp.types import InputRequiredResult

from hireflix_mcp.hireflix.observe import collecting_operations
from hireflix_mcp.identity import current_caller
from hireflix_mcp.sdk_compat import request_connection
from hireflix_mcp.store.base import MAX_OPERATIONS
from hireflix_mcp.store.base import AuditEntry
from hireflix_mcp.store.base import AuditTrail
from hireflix_mcp.store.base import Outcome
from hireflix_mcp.store.base import clean_ids

logger = logging.getLogger("hireflix_mcp.audit")

AUDIT_URI = "hireflix://audit"
ENTITIES = frozenset({"interview", "position", "member", "webhook"})
"""Whose ids the trail keeps: arguments named `<entity>_id` or `<entity>_ids`."""
T = TypeVar("T")


@dataclass
class _Call:
    outcome: Outcome | None = None
    ids: dict[str, list[str]] = field(default_factory=dict)


_current: ContextVar[_Call | None] = ContextVar("hireflix_mcp_audited_call", default=None)


def mark(outcome: Outcome) -> None:
    """Say how the tool call being handled ended, when raising or returning would say it wrong."""
    call = _current.get()
    if call is not None:
        call.outcome = outcome


def ids_of(arguments: Mapping[str, Any]) -> dict[str, list[str]]:
    """The ids a call's arguments name, by entity (`ENTITIES`): `interview_id` -> interview.

    Values that do not look like ids are dropped (`store.base.clean_ids`), so a wrong argument holding
    free text is not kept either.
    """
    found: dict[str, list[str]] = {}
    for name, value in arguments.items():
        entity = name.removesuffix("_ids").removesuffix("_id")
        if entity not in ENTITIES:  # external_id is the customer's own, kept out like other values
            continue
        values = value if isinstance(value, list | tuple) else [value]
        found.setdefault(entity, []).extend(v for v in values if isinstance(v, str))
    return clean_ids(found)


def client_name(context: Any) -> str | None:
    """The MCP client's name from its clientInfo (handshake or 2026-07-28 envelope), if it sent one."""
    try:
        params = request_connection(context.request_context).client_params
    except (AttributeError, LookupError, ValueError):
        return None
    info = getattr(params, "client_info", None)
    name = getattr(info, "name", None)
    return name[:100] if isinstance(name, str) and name else None


def _trail(context: Any) -> AuditTrail | None:
    try:
        state = context.request_context.lifespan_context
    except (AttributeError, LookupError, ValueError):
        return None
    trail = getattr(state, "audit", None)
    return trail if trail is not None and hasattr(trail, "record") else None


async def _write(trail: AuditTrail, entry: AuditEntry) -> None:
    try:
        # One short insert, on the event loop like the store's other calls (`store.postgres`).
        trail.record(entry)
    except Exception:
        logger.exception("audit: could not record a call of %s", entry.tool)


def entry_for(
    tool: str, outcome: Outcome, context: Any, started: float, ids: Mapping[str, list[str]], ops: list[str]
) -> AuditEntry:
    caller = current_caller()
    return AuditEntry(
        at=datetime.fromtimestamp(started, UTC),
        sub=caller.sub,
        person=caller.email or caller.name,
        client=client_name(context),
        tool=tool,
        outcome=outcome,
        ids=dict(ids),
        operations=tuple(ops[:MAX_OPERATIONS]),
        duration_ms=(time.time() - started) * 1000,
    )


@contextmanager
def _observed(arguments: Mapping[str, Any]) -> Iterator[tuple[_Call, list[str]]]:
    call = _Call(ids=ids_of(arguments))
    token = _current.set(call)
    try:
        with collecting_operations() as sent:
            yield call, sent
    finally:
        _current.reset(token)


async def audited_call(
    tool: str, arguments: Mapping[str, Any], context: Any, run: Callable[[], Awaitable[T]]
) -> T:
    """`run()`, recorded in the audit trail of the server `context` belongs to (if it has one)."""
    trail = _trail(context)
    if trail is None:
        return await run()
    started = time.time()
    outcome: Outcome = "error"
    with _observed(arguments) as (call, sent):
        try:
            result = await run()
            # 2026-07-28 elicitation: the first round asks the client to ask the user, and stops there.
            asked = isinstance(result, InputRequiredResult)
            outcome = call.outcome or ("confirmation_asked" if asked else "ok")
            return result
        except BaseException:
            outcome = call.outcome if call.outcome in ("refused", "declined") else "error"
            raise
        finally:
            with anyio.CancelScope(shield=True):
                await _write(trail, entry_for(tool, outcome, context, started, call.ids, sent))


async def record_refusal(tool: str, arguments: Mapping[str, Any], context: Any) -> None:
    """Record a call refused before its tool ran (a scope the caller lacks, a tool not enabled)."""
    trail = _trail(context)
    if trail is not None:
        await _write(trail, entry_for(tool, "refused", context, time.time(), ids_of(arguments), []))


def refusal_recorder(trail: AuditTrail) -> Callable[[str, dict[str, Any]], Awaitable[None]]:
    """What the HTTP scope gate calls for a call it refused before any handler ran (the person is set)."""

    async def refused(tool: str, arguments: dict[str, Any]) -> None:
        await _write(trail, entry_for(tool, "refused", None, time.time(), ids_of(arguments), []))

    return refused
