"""The GraphQL operations the client sends, loaded once from `operations/*.graphql`.

One file per operation, named after it (`ListPositions.graphql` holds `query ListPositions`).
`operations/_fragments.graphql` holds shared fragments; the loader appends to each operation
exactly the fragments it spreads (transitively), so every document sent is self-contained.

`OPERATIONS` maps each name to an `Operation`: its full document, its kind (query or mutation,
read from the document) and its retry policy (decided here, in one table, because whether a
request may be repeated is a property of the operation, not of the call site).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING
from typing import Literal

if TYPE_CHECKING:
    from graphql import DocumentNode
    from graphql import FragmentDefinitionNode
    from graphql import OperationDefinitionNode

# graphql-core is imported inside the loader functions, not here: it costs more to import than the
# rest of this package, and a server answers its first request (tools/list) without any document.

OperationKind = Literal["query", "mutation"]

RetryPolicy = Literal["read", "idempotent", "unsafe", "invite"]
"""How a failed request may be repeated.

- `read`: a query; repeat on any transient failure.
- `idempotent`: a mutation that sets a state to a value; repeating it is harmless.
- `unsafe`: a mutation that may have taken effect; repeat only when it provably did not
  (connection refused before sending, 429, 503 with Retry-After), else `OutcomeUnknownError`.
- `invite`: like `unsafe` in the transport; the client then checks by e-mail whether the
  invite landed before repeating it (see `HireflixClient.invite_candidate`).
"""

FRAGMENTS_FILE = "_fragments.graphql"

RETRY_POLICIES: Mapping[str, RetryPolicy] = {
    "ListPositions": "read",
    "GetPosition": "read",
    "GetPositionSummary": "read",
    "ListPositionsWithCounts": "read",
    "SearchInterviews": "read",
    "FindCandidate": "read",
    "GetInterview": "read",
    "GetInterviewTranscript": "read",
    "GetInterviewMedia": "read",
    "GetInterviewAccessInfo": "read",
    "GetInterviewNames": "read",
    "GetAccountLogs": "read",
    "ListMembers": "read",
    "ListWebhooks": "read",
    "GetWebhookSecret": "read",
    "WhoAmI": "read",
    "ListInterviewTranscripts": "read",
    "CheckInterviewsExist": "read",
    # Setting a field to a given value twice leaves the same state as setting it once.
    "UpdatePosition": "idempotent",
    "ArchivePosition": "idempotent",
    "ScoreInterview": "idempotent",
    "SetInterviewFinalist": "idempotent",
    "SetInterviewArchived": "idempotent",
    "UpdateWebhook": "idempotent",
    # Each of these creates something new, or fails differently the second time.
    "CreatePosition": "unsafe",
    "DeletePosition": "unsafe",
    "DeleteInterview": "unsafe",
    "CommentOnInterview": "unsafe",
    "ShareInterview": "unsafe",
    "AddMember": "unsafe",
    "RemoveMember": "unsafe",
    "CreateWebhook": "unsafe",
    "DeleteWebhook": "unsafe",
    "InviteCandidate": "invite",
}


@dataclass(frozen=True)
class Operation:
    name: str
    document: str
    """The text sent as `query`: the operation followed by the fragments it uses."""
    kind: OperationKind
    retry: RetryPolicy

    @property
    def is_mutation(self) -> bool:
        return self.kind == "mutation"


def _read(name: str) -> str:
    return (
        resources.files("hireflix_mcp.hireflix")
        .joinpath("operations")
        .joinpath(name)
        .read_text(encoding="utf-8")
    )


def operation_files() -> list[str]:
    """File names of the operation documents (fragments file excluded), sorted."""
    folder = resources.files("hireflix_mcp.hireflix").joinpath("operations")
    return sorted(
        entry.name
        for entry in folder.iterdir()
        if entry.name.endswith(".graphql") and entry.name != FRAGMENTS_FILE
    )


def _spreads(node: DocumentNode | FragmentDefinitionNode | OperationDefinitionNode) -> set[str]:
    from graphql import FragmentSpreadNode
    from graphql import Visitor
    from graphql import visit

    found: set[str] = set()

    class _Collect(Visitor):
        def enter_fragment_spread(self, spread: FragmentSpreadNode, *_: object) -> None:
            found.add(spread.name.value)

    visit(node, _Collect())
    return found


@functools.cache
def _fragment_sources() -> dict[str, tuple[str, frozenset[str]]]:
    """Fragment name -> (its source text, the fragments it spreads)."""
    from graphql import FragmentDefinitionNode
    from graphql import parse

    text = _read(FRAGMENTS_FILE)
    fragments: dict[str, tuple[str, frozenset[str]]] = {}
    for definition in parse(text).definitions:
        if not isinstance(definition, FragmentDefinitionNode) or definition.loc is None:
            raise ValueError(f"{FRAGMENTS_FILE} may hold only fragment definitions")
        source = text[definition.loc.start : definition.loc.end]
        fragments[definition.name.value] = (source, frozenset(_spreads(definition)))
    return fragments


def _needed_fragments(direct: set[str]) -> list[str]:
    fragments = _fragment_sources()
    needed: list[str] = []
    pending = sorted(direct)
    while pending:
        name = pending.pop(0)
        if name in needed:
            continue
        if name not in fragments:
            raise ValueError(f"fragment {name} is spread but not defined in {FRAGMENTS_FILE}")
        needed.append(name)
        pending.extend(sorted(fragments[name][1]))
    return sorted(needed)


def _load(file_name: str) -> Operation:
    from graphql import OperationDefinitionNode
    from graphql import OperationType
    from graphql import parse

    text = _read(file_name)
    definitions = parse(text).definitions
    operations = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or len(definitions) != 1 or operations[0].name is None:
        raise ValueError(f"{file_name} must hold exactly one named operation and nothing else")
    operation = operations[0]
    name = operation.name.value if operation.name else ""
    if f"{name}.graphql" != file_name:
        raise ValueError(f"{file_name} holds operation {name}; the file must be named after it")
    if name not in RETRY_POLICIES:
        raise ValueError(f"operation {name} has no retry policy in RETRY_POLICIES")
    fragments = _fragment_sources()
    parts = [text.strip(), *(fragments[f][0] for f in _needed_fragments(_spreads(operation)))]
    kind: OperationKind = "mutation" if operation.operation == OperationType.MUTATION else "query"
    return Operation(name=name, document="\n\n".join(parts) + "\n", kind=kind, retry=RETRY_POLICIES[name])


@functools.cache
def _all() -> dict[str, Operation]:
    loaded = [_load(file_name) for file_name in operation_files()]
    by_name = {op.name: op for op in loaded}
    missing = set(RETRY_POLICIES) - set(by_name)
    if missing:
        raise ValueError(f"retry policies name operations without a document: {sorted(missing)}")
    return by_name


class OperationRegistry(Mapping[str, Operation]):
    """Every operation by name; the files are read on first access and cached."""

    def __getitem__(self, name: str) -> Operation:
        return _all()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(_all())

    def __len__(self) -> int:
        return len(_all())

    def __repr__(self) -> str:
        return "OperationRegistry(operations/*.graphql)"


OPERATIONS: Mapping[str, Operation] = OperationRegistry()


def schema_sdl() -> str:
    """The committed schema (`schema.graphql`), against which every document is validated."""
    return resources.files("hireflix_mcp.hireflix").joinpath("schema.graphql").read_text(encoding="utf-8")
