"""The input schemas assistants are shown: what a model needs to call a tool right, in the part of JSON
Schema that every agent framework reads the same way, and nothing else.

Tool lists cost an assistant context on every turn, and agent frameworks convert schemas before a model
sees them, each losing or refusing something different (README, "Use from an agent framework";
tests/test_catalog.py holds the rules with the framework behind each, tests/frameworks runs the
frameworks). The published schema is therefore a copy of the pydantic model's schema; validation is
unaffected, because the SDK validates arguments with the pydantic model, not with this copy, and an
invalid argument gets one sentence naming it, what was wrong and what is allowed
(`views.errors.describe_invalid_arguments`). In the copy:
- an optional argument without a default has `null` in its type (`["string", "null"]`, never an anyOf):
  strict converters make every argument required, and null is how a strict model leaves one out (the
  server reads it as left out); a required argument, or one with a default, has no `null`;
- no `title` on any node and no `"default": null` (they say nothing the rest does not);
- no string `pattern`, `minLength`, `maxLength`, `format` and no `multipleOf` (ids, e-mails, phones, free
  text, half steps): frameworks drop them, descriptions and the error sentence carry the rule; numbers
  keep their bounds and arrays their item counts, which models use;
- no `additionalProperties` (unknown arguments are refused with a sentence naming them);
- no `$defs`/`$ref`: definitions are written inline where they are used.
"""

from __future__ import annotations

from typing import Any

_SCHEMA_MAPS = ("properties", "patternProperties")
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SCHEMA_VALUES = ("items", "not", "contains")
_DROPPED = frozenset(
    {"title", "pattern", "minLength", "maxLength", "format", "multipleOf", "additionalProperties", "$defs"}
)


def compact_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The published copy of a tool's input schema (see the module docstring)."""
    definitions: dict[str, Any] = schema.get("$defs", {})
    return _compact(schema, definitions, top=True)


def _compact(schema: dict[str, Any], definitions: dict[str, Any], *, top: bool = False) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        target = definitions[ref.removeprefix("#/$defs/")]
        merged = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
        return _compact(merged, definitions)
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _DROPPED or (key == "default" and value is None):
            continue
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {
                name: _compact(sub, definitions) if isinstance(sub, dict) else sub
                for name, sub in value.items()
            }
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            out[key] = [_compact(sub, definitions) if isinstance(sub, dict) else sub for sub in value]
        elif key in _SCHEMA_VALUES and isinstance(value, dict):
            out[key] = _compact(value, definitions)
        else:
            out[key] = value
    out = _fold_nullable(out)
    if isinstance(out.get("properties"), dict):
        required = set(out.get("required", ()))
        out["properties"] = {
            name: _nullable(prop) if name not in required and "default" not in prop else _drop_null(prop)
            for name, prop in out["properties"].items()
        }
    return out


def _nullable(prop: dict[str, Any]) -> dict[str, Any]:
    """An optional argument without a default accepts null, which the server reads as left out."""
    kind = prop.get("type")
    if isinstance(kind, str):
        return {**prop, "type": [kind, "null"]}
    return prop


def _drop_null(prop: Any) -> Any:
    """A required argument, or one with a default, is published without `null` in its type."""
    if isinstance(prop, dict) and isinstance(prop.get("type"), list) and "null" in prop["type"]:
        kinds = [kind for kind in prop["type"] if kind != "null"]
        return {**prop, "type": kinds[0] if len(kinds) == 1 else kinds}
    return prop


def _fold_nullable(node: dict[str, Any]) -> dict[str, Any]:
    options = node.get("anyOf")
    if not isinstance(options, list) or len(options) != 2 or {"type": "null"} not in options:
        return node
    other = next(option for option in options if option != {"type": "null"})
    kind = other.get("type") if isinstance(other, dict) else None
    if not isinstance(kind, str):
        return node
    merged = {k: v for k, v in node.items() if k != "anyOf"}
    for key, value in other.items():
        merged.setdefault(key, value)
    merged["type"] = [kind, "null"]
    return merged
