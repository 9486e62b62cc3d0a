"""Errors as the model reads them: Hireflix failures (what failed, where ids come from, whether to retry)
and invalid arguments (one sentence per argument: what was wrong, what is allowed).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from hireflix_mcp.hireflix.errors import HireflixError
from hireflix_mcp.hireflix.errors import NotFoundError

# Where a model finds valid ids, by the kind of object Hireflix could not find.
WHERE_IDS_COME_FROM = {
    "position": "list_positions",
    "interview": "search_interviews or find_candidate",
    "webhook": "list_webhooks",
    "member": "list_members",
}


def describe_upstream_error(exc: HireflixError) -> str:
    """The model-facing text for a Hireflix failure: what failed, where valid ids come from, and the
    retry advice built from the error's structured hint (`retryable`, `retry_after`)."""
    text = str(exc)
    if isinstance(exc, NotFoundError) and exc.kind in WHERE_IDS_COME_FROM:
        text += f" Valid {exc.kind} ids come from {WHERE_IDS_COME_FROM[exc.kind]}."
    return f"{text} {exc.retry_advice()}"


# ------------------------------------------------------------------------------- invalid arguments

_WHAT_IDS_ARE = {
    "position_id": "a 24-character hex id from list_positions",
    "interview_id": "a 24-character hex id from search_interviews or find_candidate",
    "member_id": "a 24-character hex id from list_members",
    "webhook_id": "a 24-character hex id from list_webhooks",
}


def _field(loc: tuple[int | str, ...]) -> str:
    """('candidates', 3, 'email') -> 'candidates[3].email'."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "arguments"


def _got(value: Any) -> str:
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f" (got {json.dumps(shown, ensure_ascii=False)})"
    if isinstance(value, bool | int | float) or value is None:
        return f" (got {json.dumps(value)})"
    return f" (got {type(value).__name__})"


def _problem(error: Mapping[str, Any], known: Sequence[str]) -> str:
    """One argument's problem as a clause: what was wrong and what is allowed."""
    loc = tuple(error.get("loc", ()))
    last = str(loc[-1]) if loc else ""
    kind = str(error.get("type", ""))
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    value = error.get("input")
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return f"is not an argument of this tool (it takes {', '.join(known)})"
    if kind == "string_pattern_mismatch":
        if last in _WHAT_IDS_ARE:
            return f"must be {_WHAT_IDS_ARE[last]}{_got(value)}"
        if "email" in last or "@" in str(ctx.get("pattern", "")):
            return f"must be an e-mail address such as jane@example.com{_got(value)}"
        if last == "phone":
            return f"must be in E.164 form, + then country code and number, e.g. +14155550123{_got(value)}"
        return f"has the wrong format{_got(value)}"
    if kind in ("string_too_short", "too_short"):
        unit = "character" if kind.startswith("string") else "item"
        n = ctx.get("min_length", 1)
        got = _got(value) if unit == "character" else ""
        return f"must have at least {n} {unit}{'s' if n != 1 else ''}{got}"
    if kind in ("string_too_long", "too_long"):
        unit = "characters" if kind.startswith("string") else "items"
        return f"must have at most {ctx.get('max_length')} {unit}"
    bounds = {
        "greater_than_equal": f"must be at least {ctx.get('ge')}",
        "greater_than": f"must be more than {ctx.get('gt')}",
        "less_than_equal": f"must be at most {ctx.get('le')}",
        "less_than": f"must be less than {ctx.get('lt')}",
        "multiple_of": f"must be a multiple of {ctx.get('multiple_of')}",
    }
    if kind in bounds:
        return bounds[kind] + _got(value)
    if kind in ("literal_error", "enum"):
        return f"must be one of {ctx.get('expected', '')}{_got(value)}".replace("'", "")
    simple = {
        "int_parsing": "must be a whole number",
        "int_type": "must be a whole number",
        "int_from_float": "must be a whole number",
        "float_parsing": "must be a number",
        "float_type": "must be a number",
        "bool_parsing": "must be true or false",
        "bool_type": "must be true or false",
        "string_type": "must be a string",
        "list_type": "must be a list",
        "dict_type": "must be an object",
        "model_type": "must be an object",
        "model_attributes_type": "must be an object",
    }
    if kind in simple:
        return simple[kind] + _got(value)
    message = str(error.get("msg", "is not valid"))
    message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    message = message.removeprefix(f"{last} ")  # "phone must be ..." after the field's own name
    return message[0].lower() + message[1:] if message else "is not valid"


def describe_invalid_arguments(tool: str, errors: Sequence[Mapping[str, Any]], known: Sequence[str]) -> str:
    """Pydantic's validation errors as one short sentence per argument, for the model.

    Each names the argument, what was wrong and what is allowed, and the text ends by saying nothing
    was sent (validation runs before any request to Hireflix).
    """
    sentences: list[str] = []
    seen: set[str] = set()
    for error in errors:
        loc = tuple(p for p in error.get("loc", ()) if not (isinstance(p, str) and p.startswith("function-")))
        field = _field(loc)
        if field in seen:  # one sentence per argument: the first problem is enough to fix it
            continue
        seen.add(field)
        sentences.append(f"{field} {_problem({**error, 'loc': loc}, known)}.")
    problems = " ".join(sentences) or "The arguments are not valid."
    return f"Invalid arguments for {tool}: {problems} Nothing was sent to Hireflix; fix and call again."
