"""`interviewList` semantics as pure functions: filters, sorting and cursor pagination.

- A filter object ANDs its fields; `and: [...]` needs every sub-filter, `or: [...]` at least one; both nest.
  An empty `and`/`or` list adds no condition.
- String fields take `{equal}` (exact; case-insensitive for e-mail) and/or `{regex}` (Python `re` syntax,
  searched, case-insensitive; matched in linear time within a step budget per listing, see regex_filter.py,
  so no pattern can stall the sandbox). `score` takes numeric comparisons; an interview without a score
  only matches `notEqual`.
- Sort is a list of `{field, direction}` (default `createdAt DESC`); missing values sort last; ties are
  broken by id ascending, so the order is total and pages never overlap or skip.
- `lastCursor` is opaque (base64 of the sort key of the page's last item); the next page holds the items
  strictly after it. An empty page ends the walk and echoes the cursor it was given.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .regex_filter import Budget
from .regex_filter import RegexRefused
from .regex_filter import compile_search
from .rules import RuleViolation
from .rules import filter_status
from .store import InterviewRecord

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_REGEX_LENGTH = 1000

Predicate = Callable[[InterviewRecord], bool]

_STRING_FIELDS: dict[str, Callable[[InterviewRecord], str | None]] = {
    "id": lambda r: r.id,
    "email": lambda r: r.email,
    "firstName": lambda r: r.first_name,
    "lastName": lambda r: r.last_name,
    "status": lambda r: interview_filter_status(r),
}

_SORT_FIELDS: dict[str, Callable[[InterviewRecord], float | None]] = {
    "createdAt": lambda r: r.created_at,
    "updatedAt": lambda r: r.updated_at,
    "completedAt": lambda r: r.completed_at,
    "score": lambda r: r.score,
}


def interview_filter_status(record: InterviewRecord) -> str:
    return filter_status(archived=record.archived, finalist=record.finalist, completed=record.completed)


# ---------------------------------------------------------------- filters


def compile_filter(spec: Mapping[str, Any] | None, budget: Budget | None = None) -> Predicate:
    """Turn an `InterviewListFilter` input into a predicate; a bad regex raises `RuleViolation`, and so does
    running its regexes past `budget` (one for the whole filter)."""
    if not spec:
        return lambda _record: True
    budget = budget if budget is not None else Budget()
    checks: list[Predicate] = []
    for name, value in spec.items():
        if value is None:
            continue
        if name == "and":
            checks.append(_all_of([compile_filter(sub, budget) for sub in value]))
        elif name == "or":
            if value:
                checks.append(_any_of([compile_filter(sub, budget) for sub in value]))
        elif name == "score":
            checks.append(_number_check(_SORT_FIELDS["score"], value))
        elif name in _STRING_FIELDS:
            checks.append(_string_check(name, _STRING_FIELDS[name], value, budget))
        else:
            raise RuleViolation(f"Unknown filter field {name!r}")
    return _all_of(checks)


def _all_of(predicates: list[Predicate]) -> Predicate:
    return lambda record: all(p(record) for p in predicates)


def _any_of(predicates: list[Predicate]) -> Predicate:
    return lambda record: any(p(record) for p in predicates)


def _string_check(
    name: str, get: Callable[[InterviewRecord], str | None], spec: Mapping[str, Any], budget: Budget
) -> Predicate:
    checks: list[Callable[[str], bool]] = []
    equal = spec.get("equal")
    if equal is not None:
        if name == "email":
            wanted = str(equal).casefold()
            checks.append(lambda v: v.casefold() == wanted)
        else:
            checks.append(lambda v: v == equal)
    pattern_text = spec.get("regex")
    if pattern_text is not None:
        if len(pattern_text) > MAX_REGEX_LENGTH:
            raise RuleViolation(f"regex for {name!r} is longer than {MAX_REGEX_LENGTH} characters")
        try:
            checks.append(compile_search(pattern_text, re.IGNORECASE, budget))
        except re.error as exc:
            raise RuleViolation(f"Invalid regex for {name!r}: {exc}") from exc
        except RegexRefused as exc:
            raise RuleViolation(f"Regex for {name!r} refused: {exc}") from exc
    return lambda r: all(check(get(r) or "") for check in checks)


def _number_check(get: Callable[[InterviewRecord], float | None], spec: Mapping[str, Any]) -> Predicate:
    comparisons: dict[str, Callable[[float, float], bool]] = {
        "equal": lambda a, b: a == b,
        "greaterThan": lambda a, b: a > b,
        "greaterThanOrEqual": lambda a, b: a >= b,
        "lessThan": lambda a, b: a < b,
        "lessThanOrEqual": lambda a, b: a <= b,
    }
    wanted = [
        (comparisons[op], float(bound))
        for op, bound in spec.items()
        if bound is not None and op in comparisons
    ]
    not_equal = spec.get("notEqual")

    def check(record: InterviewRecord) -> bool:
        value = get(record)
        if not_equal is not None and value == float(not_equal):
            return False
        if value is None:
            return not wanted
        return all(compare(value, bound) for compare, bound in wanted)

    return check


# ---------------------------------------------------------------- sorting and cursors


@dataclass(frozen=True, slots=True)
class SortSpec:
    field: str
    descending: bool


DEFAULT_SORT = (SortSpec("createdAt", descending=True),)

SortKey = tuple[Any, ...]


def parse_sort(spec: Sequence[Mapping[str, Any]] | None) -> tuple[SortSpec, ...]:
    if not spec:
        return DEFAULT_SORT
    parsed = []
    for item in spec:
        field = str(item["field"])
        if field not in _SORT_FIELDS:
            raise RuleViolation(f"Cannot sort by {field!r}")
        parsed.append(SortSpec(field, descending=str(item["direction"]) == "DESC"))
    return tuple(parsed)


def _key_from_values(values: Sequence[float | None], record_id: str, sort: Sequence[SortSpec]) -> SortKey:
    parts: list[Any] = []
    for value, spec in zip(values, sort, strict=True):
        if value is None:
            parts.append((1, 0.0))  # missing values last, whatever the direction
        else:
            parts.append((0, -value if spec.descending else value))
    parts.append(record_id)
    return tuple(parts)


def sort_values(record: InterviewRecord, sort: Sequence[SortSpec]) -> list[float | None]:
    return [_SORT_FIELDS[spec.field](record) for spec in sort]


def encode_cursor(record: InterviewRecord, sort: Sequence[SortSpec]) -> str:
    payload = json.dumps({"v": sort_values(record, sort), "id": record.id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: Sequence[SortSpec]) -> SortKey:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
        values = payload["v"]
        record_id = payload["id"]
        if not isinstance(values, list) or not isinstance(record_id, str) or len(values) != len(sort):
            raise ValueError("cursor does not match the sort")
        numbers = [None if v is None else float(v) for v in values]
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise RuleViolation(
            "Invalid lastCursor: pass back a lastCursor from the same query unchanged"
        ) from exc
    return _key_from_values(numbers, record_id, sort)


# ---------------------------------------------------------------- the whole list operation


@dataclass(frozen=True, slots=True)
class Page:
    results: list[InterviewRecord]
    last_cursor: str | None
    count: int
    total: int


def list_interviews(
    records: Sequence[InterviewRecord],
    *,
    filter_spec: Mapping[str, Any] | None = None,
    sort_spec: Sequence[Mapping[str, Any]] | None = None,
    pagination: Mapping[str, Any] | None = None,
) -> Page:
    """Filter, sort and cut one page out of `records`, exactly as `Position.interviewList` does."""
    predicate = compile_filter(filter_spec)
    sort = parse_sort(sort_spec)
    pagination = pagination or {}
    limit = pagination.get("limit")
    limit = DEFAULT_LIMIT if limit is None else int(limit)
    if limit < 1:
        raise RuleViolation("pagination.limit must be at least 1")
    limit = min(limit, MAX_LIMIT)
    cursor = pagination.get("lastCursor")
    backward = pagination.get("direction") == "BACKWARD"

    def key(record: InterviewRecord) -> SortKey:
        return _key_from_values(sort_values(record, sort), record.id, sort)

    matching = sorted((r for r in records if predicate(r)), key=key)
    total = len(matching)
    if cursor:
        after = decode_cursor(cursor, sort)
        if backward:
            matching = [r for r in matching if key(r) < after]
        else:
            matching = [r for r in matching if key(r) > after]
    page = matching[-limit:] if backward else matching[:limit]
    if page:
        edge = page[0] if backward else page[-1]
        last_cursor: str | None = encode_cursor(edge, sort)
    else:
        last_cursor = cursor or None
    return Page(results=page, last_cursor=last_cursor, count=len(page), total=total)
