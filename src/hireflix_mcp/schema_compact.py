"""Make published JSON Schemas smaller without changing what they accept.

Tool lists cost an assistant context on every turn. Pydantic's schemas carry a `title` on every node,
`"default": null` on every optional field and `anyOf: [{type: X}, {type: null}]` for each nullable one;
none of that tells a model anything the rest of the schema does not. An optional argument is published
without `null` (omitting it means the same). Validation is unaffected: the SDK validates arguments with
the pydantic model, not with this published copy, and still accepts an explicit null.
"""

from __future__ import annotations

from typing import Any

_SCHEMA_MAPS = ("properties", "$defs", "patternProperties")
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SCHEMA_VALUES = ("items", "additionalProperties", "not", "contains")


def compact_schema(schema: dict[str, Any], *, output: bool = False) -> dict[str, Any]:
    """A copy of `schema` without titles and null defaults, with `anyOf [X, null]` folded into X.

    `output=True` (an output schema) also drops descriptions, except those that mark untrusted
    candidate content: a client validates results against it, and the model reads the tool's
    description, not this.
    """
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "title" and isinstance(value, str):
            continue
        if key == "default" and value is None:
            continue
        if output and key == "description" and isinstance(value, str) and not value.startswith("Untrusted"):
            continue
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {
                name: compact_schema(sub, output=output) if isinstance(sub, dict) else sub
                for name, sub in value.items()
            }
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            out[key] = [compact_schema(sub, output=output) if isinstance(sub, dict) else sub for sub in value]
        elif key in _SCHEMA_VALUES and isinstance(value, dict):
            out[key] = compact_schema(value, output=output)
        else:
            out[key] = value
    out = _fold_nullable(out)
    if not output and isinstance(out.get("properties"), dict):
        required = set(out.get("required", ()))
        out["properties"] = {
            name: prop if name in required else _drop_null(prop) for name, prop in out["properties"].items()
        }
    return out


def _drop_null(prop: Any) -> Any:
    """An optional argument needs no `null` in its published type: leaving it out says the same."""
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
    if not isinstance(kind, str) or "$ref" in other:
        return node
    merged = {k: v for k, v in node.items() if k != "anyOf"}
    for key, value in other.items():
        merged.setdefault(key, value)
    merged["type"] = [kind, "null"]
    return merged
