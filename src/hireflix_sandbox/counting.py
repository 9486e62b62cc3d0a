"""What the sandbox counts of `POST /me`: requests by operationName, root field and namespaced field.

Tests read the counts (`GET /_sandbox/requests`) to prove what a tool sent upstream, and how often.
"""

from __future__ import annotations

import functools
import json
import threading
from collections import Counter
from collections.abc import Sequence
from typing import Any

from graphql import DocumentNode
from graphql import FieldNode
from graphql import FragmentDefinitionNode
from graphql import FragmentSpreadNode
from graphql import GraphQLError
from graphql import GraphQLObjectType
from graphql import InlineFragmentNode
from graphql import OperationDefinitionNode
from graphql import OperationType
from graphql import SelectionSetNode
from graphql import get_named_type
from graphql import parse

from .resolvers import NAMESPACE_TYPES
from .resolvers import sandbox_schema


class RequestCounter:
    """How many `POST /me` requests arrived, by operationName and by root field (thread-safe).

    `by_root_field` counts every root field selection (ten aliased invites in one request count ten);
    `by_field` does the same but descends through the namespace fields, e.g. `Interview.score`,
    `Company.Member.add`.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._total = 0
        self._by_operation: Counter[str] = Counter()
        self._by_root: Counter[str] = Counter()
        self._by_field: Counter[str] = Counter()

    def record(self, operation_name: str | None, fields: Sequence[str]) -> None:
        with self._lock:
            self._total += 1
            self._by_operation[operation_name or "(anonymous)"] += 1
            for path in fields:
                self._by_root[path.split(".", 1)[0]] += 1
                self._by_field[path] += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total": self._total,
                "by_operation_name": dict(self._by_operation),
                "by_root_field": dict(self._by_root),
                "by_field": dict(self._by_field),
            }

    def reset(self) -> None:
        with self._lock:
            self._total = 0
            self._by_operation.clear()
            self._by_root.clear()
            self._by_field.clear()


def describe_request(body: bytes) -> tuple[str | None, tuple[str, ...]]:
    """The operationName (given, or the document's only operation's) and the field paths it selects."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None, ()
    if not isinstance(payload, dict):
        return None, ()
    name = payload.get("operationName") if isinstance(payload.get("operationName"), str) else None
    query = payload.get("query")
    if not isinstance(query, str):
        return name, ()
    return _describe_query(query, name)


@functools.lru_cache(maxsize=256)
def _describe_query(query: str, name: str | None) -> tuple[str | None, tuple[str, ...]]:
    try:
        document = parse(query, no_location=True)
    except GraphQLError:
        return name, ()
    operation = _select_operation(document, name)
    if operation is None:
        return name, ()
    if name is None and operation.name is not None:
        name = operation.name.value
    schema = sandbox_schema()
    root = schema.mutation_type if operation.operation == OperationType.MUTATION else schema.query_type
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    return name, tuple(_field_paths(operation.selection_set, root, fragments, "", frozenset()))


def _select_operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is not None:
        operations = [op for op in operations if op.name is not None and op.name.value == name]
    return operations[0] if len(operations) == 1 else None


def _field_paths(
    selection_set: SelectionSetNode,
    parent: GraphQLObjectType | None,
    fragments: dict[str, FragmentDefinitionNode],
    prefix: str,
    seen: frozenset[str],
) -> list[str]:
    paths: list[str] = []
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            name = selection.name.value
            if name.startswith("__"):
                continue
            field_def = parent.fields.get(name) if parent is not None else None
            named = get_named_type(field_def.type) if field_def is not None else None
            if (
                isinstance(named, GraphQLObjectType)
                and named.name in NAMESPACE_TYPES
                and selection.selection_set
            ):
                paths += _field_paths(selection.selection_set, named, fragments, f"{prefix}{name}.", seen)
            else:
                paths.append(prefix + name)
        elif isinstance(selection, InlineFragmentNode):
            paths += _field_paths(selection.selection_set, parent, fragments, prefix, seen)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None and fragment.name.value not in seen:
                paths += _field_paths(
                    fragment.selection_set, parent, fragments, prefix, seen | {fragment.name.value}
                )
    return paths
