"""Tool results as the model reads them: compact JSON text, without nulls or empty fields.

A result is the output model dumped in JSON mode, with every `null`, empty string, empty list and empty
object left out (they add tokens, not information; `0` and `false` stay), written without indentation or
spaces after separators. The server publishes no output schemas (`tools.registry` says why), so the text
block is the whole result.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel


def prune(value: Any) -> Any:
    """`value` without nulls and empty strings, lists and objects, at any depth."""
    if isinstance(value, dict):
        pruned = {key: prune(item) for key, item in value.items()}
        return {key: item for key, item in pruned.items() if not _empty(item)}
    if isinstance(value, list):
        return [prune(item) for item in value if not _empty(prune(item))]
    return value


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and len(value) == 0)


def compact_json(value: Any) -> str:
    """The model-facing text of a result: a model or plain data, pruned, as compact JSON."""
    data = value.model_dump(mode="json", by_alias=True) if isinstance(value, BaseModel) else value
    return json.dumps(prune(data), ensure_ascii=False, separators=(",", ":"))
