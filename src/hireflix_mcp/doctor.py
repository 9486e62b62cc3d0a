"""`hireflix-mcp doctor`: is the key accepted, and does every document the project sends still fit the
live Hireflix schema?

    hireflix-mcp doctor            # HIREFLIX_API_KEY / HIREFLIX_API_URL from the environment
    hireflix-mcp doctor --sandbox  # against the local Hireflix (a demo: everything passes)
    hireflix-mcp doctor --json     # machine-readable

Steps: `WhoAmI` (endpoint reachable, key accepted, whose key), then introspection of the live schema,
then graphql-core's `validate` of every document in `OPERATIONS` against it. Each validation error is
reported with its operation, the schema coordinate it concerns (`Mutation.deleteInterview`,
`Position.interviewList(input:)`, `InterviewIdInput`) and the confidence mark that schema.graphql
gives that name ([C] confirmed, [S] seen in the seed, [I] inferred), so a wrong guess is found in one
run. Names marked [I] that no document uses are checked too, by name, and reported as warnings.

Exit status: 0 every document validates, 1 at least one mismatch, 2 the check could not run
(no key, unreachable endpoint, rejected key, introspection refused). The key is never printed.

This module sits beside the client layer: it must not import `mcp`.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import sys
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import anyio
from graphql import ArgumentNode
from graphql import DirectiveNode
from graphql import DocumentNode
from graphql import EnumValueNode
from graphql import FieldNode
from graphql import FragmentDefinitionNode
from graphql import FragmentSpreadNode
from graphql import GraphQLEnumType
from graphql import GraphQLError
from graphql import GraphQLInputObjectType
from graphql import GraphQLInterfaceType
from graphql import GraphQLNamedType
from graphql import GraphQLObjectType
from graphql import GraphQLSchema
from graphql import GraphQLUnionType
from graphql import InlineFragmentNode
from graphql import ListTypeNode
from graphql import NamedTypeNode
from graphql import Node
from graphql import NonNullTypeNode
from graphql import ObjectFieldNode
from graphql import OperationDefinitionNode
from graphql import TypeInfo
from graphql import TypeInfoVisitor
from graphql import ValueNode
from graphql import VariableDefinitionNode
from graphql import Visitor
from graphql import build_client_schema
from graphql import build_schema
from graphql import get_named_type
from graphql import is_introspection_type
from graphql import is_specified_scalar_type
from graphql import parse
from graphql import validate
from graphql import visit
from graphql.pyutils import suggestion_list
from pydantic import SecretStr
from pydantic import ValidationError

from hireflix_mcp.hireflix.client import HireflixClient
from hireflix_mcp.hireflix.errors import AuthenticationError
from hireflix_mcp.hireflix.errors import GraphQLRequestError
from hireflix_mcp.hireflix.errors import HireflixError
from hireflix_mcp.hireflix.errors import MalformedResponseError
from hireflix_mcp.hireflix.marks import WEAKEST_FIRST
from hireflix_mcp.hireflix.marks import Mark
from hireflix_mcp.hireflix.marks import MarkLevel
from hireflix_mcp.hireflix.marks import parse_marks
from hireflix_mcp.hireflix.models import Identity
from hireflix_mcp.hireflix.operations import FRAGMENTS_FILE
from hireflix_mcp.hireflix.operations import OPERATIONS
from hireflix_mcp.hireflix.operations import Operation
from hireflix_mcp.hireflix.operations import schema_sdl
from hireflix_mcp.settings import Settings

__all__ = [
    "DoctorReport",
    "GuessWarning",
    "Mark",
    "Mismatch",
    "check_documents",
    "diagnose",
    "diff_guesses",
    "main",
    "parse_marks",
    "render_text",
]

EXIT_OK = 0
EXIT_MISMATCH = 1
EXIT_CANNOT_CHECK = 2

OPERATIONS_FOLDER = "hireflix_mcp/hireflix/operations"
SCHEMA_FILE = "hireflix_mcp/hireflix/schema.graphql"


# ---------------------------------------------------------------------------------- report
@dataclass(frozen=True)
class Mismatch:
    """One validation error of one operation document against the live schema."""

    operation: str
    coordinate: str | None
    """What the error concerns, named as in the committed schema (`Mutation.deleteInterview`)."""
    message: str
    mark: MarkLevel | None
    marks: tuple[MarkLevel, ...]
    comment: str | None
    schema_line: int | None
    file: str
    """Where to correct the document: the operation's file, or the fragments file."""
    line: int | None = None
    column: int | None = None
    fragment: str | None = None


@dataclass(frozen=True)
class GuessWarning:
    """A name marked [I] in schema.graphql that the live schema does not have (used or not)."""

    coordinate: str
    message: str
    mark: MarkLevel
    comment: str
    schema_line: int


@dataclass(frozen=True)
class OperationCheck:
    name: str
    kind: str
    mismatches: list[Mismatch]

    @property
    def valid(self) -> bool:
        return not self.mismatches


@dataclass
class DoctorReport:
    endpoint: str
    identity: Identity | None = None
    identity_note: str | None = None
    """Why the identity is unknown although the check went on (WhoAmI itself uses guessed names)."""
    problem: str | None = None
    """Why the check could not run (exit 2): what failed and what to fix."""
    live_types: int = 0
    operations: list[OperationCheck] = field(default_factory=list)
    warnings: list[GuessWarning] = field(default_factory=list)

    @property
    def mismatches(self) -> list[Mismatch]:
        return [m for check in self.operations for m in check.mismatches]

    @property
    def exit_code(self) -> int:
        if self.problem is not None:
            return EXIT_CANNOT_CHECK
        return EXIT_MISMATCH if self.mismatches else EXIT_OK

    def to_json(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "exit_code": self.exit_code,
            "ok": self.exit_code == EXIT_OK,
            "problem": self.problem,
            "identity": self.identity.model_dump() if self.identity is not None else None,
            "identity_note": self.identity_note,
            "live_schema_types": self.live_types,
            "operations": [{"name": c.name, "kind": c.kind, "valid": c.valid} for c in self.operations],
            "mismatches": [asdict(m) for m in self.mismatches],
            "warnings": [asdict(w) for w in self.warnings],
        }


# ---------------------------------------------------------------------------------- documents
_NodeKey = tuple[str, int, int]


def _key(node: Node) -> _NodeKey | None:
    return (node.kind, node.loc.start, node.loc.end) if node.loc is not None else None


def _node_coordinates(schema: GraphQLSchema, document: DocumentNode) -> dict[_NodeKey, str]:
    """Each node of a document that names something in `schema`, with that thing's coordinate."""
    type_info = TypeInfo(schema)
    found: dict[_NodeKey, str] = {}
    fields: list[str] = []
    inputs: list[str] = []
    directive: list[str] = []
    fragments = {
        d.name.value: d.type_condition.name.value
        for d in document.definitions
        if isinstance(d, FragmentDefinitionNode)
    }

    def note(node: Node, coordinate: str) -> None:
        key = _key(node)
        if key is not None:
            found[key] = coordinate

    class Locate(Visitor):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: object) -> None:
            root = schema.get_root_type(node.operation)
            if root is not None:
                note(node, root.name)

        def enter_field(self, node: FieldNode, *_: object) -> None:
            parent = type_info.get_parent_type()
            coordinate = f"{parent.name}.{node.name.value}" if parent is not None else node.name.value
            fields.append(coordinate)
            note(node, coordinate)

        def leave_field(self, *_: object) -> None:
            fields.pop()

        def enter_directive(self, node: DirectiveNode, *_: object) -> None:
            directive.append(f"@{node.name.value}")
            note(node, directive[-1])

        def leave_directive(self, *_: object) -> None:
            directive.pop()

        def enter_argument(self, node: ArgumentNode, *_: object) -> None:
            owner = directive[-1] if directive else fields[-1] if fields else ""
            inputs.append(f"{owner}({node.name.value}:)")
            note(node, inputs[-1])

        def leave_argument(self, *_: object) -> None:
            inputs.pop()

        def enter_object_field(self, node: ObjectFieldNode, *_: object) -> None:
            parent = type_info.get_parent_input_type()
            owner = get_named_type(parent).name if parent is not None else "?"
            inputs.append(f"{owner}.{node.name.value}")
            note(node, inputs[-1])

        def leave_object_field(self, *_: object) -> None:
            inputs.pop()

        def enter(self, node: Node, *_: object) -> None:
            # Any other value (a variable, an object or list literal) stands for the input it fills.
            if isinstance(node, ValueNode) and inputs:
                note(node, inputs[-1])

        def enter_enum_value(self, node: EnumValueNode, *_: object) -> None:
            enum = type_info.get_input_type()
            if enum is not None:
                note(node, f"{get_named_type(enum).name}.{node.value}")

        def enter_named_type(self, node: NamedTypeNode, *_: object) -> None:
            note(node, node.name.value)

        def enter_variable_definition(self, node: VariableDefinitionNode, *_: object) -> None:
            named = node.type
            while isinstance(named, ListTypeNode | NonNullTypeNode):
                named = named.type
            if isinstance(named, NamedTypeNode):
                note(node, named.name.value)

        def enter_inline_fragment(self, node: InlineFragmentNode, *_: object) -> None:
            parent = type_info.get_parent_type()
            if node.type_condition is not None:
                note(node, node.type_condition.name.value)
            elif parent is not None:
                note(node, parent.name)

        def enter_fragment_definition(self, node: FragmentDefinitionNode, *_: object) -> None:
            note(node, node.type_condition.name.value)

        def enter_fragment_spread(self, node: FragmentSpreadNode, *_: object) -> None:
            if node.name.value in fragments:
                note(node, fragments[node.name.value])

    visit(document, TypeInfoVisitor(type_info, Locate()))
    return found


def _where(
    document: DocumentNode, operation: Operation, error: GraphQLError
) -> tuple[str, int | None, int | None, str | None]:
    """(file, line, column, fragment) of an error: in the operation's own file, or in a fragment."""
    own_file = f"{OPERATIONS_FOLDER}/{operation.name}.graphql"
    node = error.nodes[0] if error.nodes else None
    if node is None or node.loc is None:
        return own_file, None, None, None
    for definition in document.definitions:
        loc = definition.loc
        if (
            isinstance(definition, FragmentDefinitionNode)
            and loc is not None
            and loc.start <= node.loc.start < loc.end
        ):
            return f"{OPERATIONS_FOLDER}/{FRAGMENTS_FILE}", None, None, definition.name.value
    # The document begins with the operation file's text, so its lines are that file's lines.
    return own_file, node.loc.start_token.line, node.loc.start_token.column, None


def _pick(coordinates: Sequence[str], marks: Mapping[str, Mark]) -> str | None:
    """The coordinate an error is reported under: the least certain marked one, else the first."""
    marked = [c for c in coordinates if c in marks]
    if marked:
        return min(marked, key=lambda c: WEAKEST_FIRST.index(marks[c].weakest))
    return coordinates[0] if coordinates else None


@functools.cache
def _committed(sdl: str) -> tuple[GraphQLSchema, Mapping[str, Mark]]:
    return build_schema(sdl), parse_marks(sdl)


def check_documents(
    live: GraphQLSchema,
    operations: Mapping[str, Operation] = OPERATIONS,
    committed_sdl: str | None = None,
) -> list[OperationCheck]:
    """Validate every operation document against the live schema; one check per operation, by name."""
    committed, marks = _committed(committed_sdl if committed_sdl is not None else schema_sdl())
    checks: list[OperationCheck] = []
    for name in sorted(operations):
        operation = operations[name]
        document = parse(operation.document)
        errors = validate(live, document)
        coordinates = _node_coordinates(committed, document) if errors else {}
        mismatches: list[Mismatch] = []
        for error in errors:
            keys = [_key(node) for node in error.nodes or ()]
            coordinate = _pick([coordinates[k] for k in keys if k is not None and k in coordinates], marks)
            mark = marks.get(coordinate) if coordinate is not None else None
            file, line, column, fragment = _where(document, operation, error)
            mismatches.append(
                Mismatch(
                    operation=name,
                    coordinate=coordinate,
                    message=error.message,
                    mark=mark.weakest if mark else None,
                    marks=mark.levels if mark else (),
                    comment=mark.comment if mark else None,
                    schema_line=mark.line if mark else None,
                    file=file,
                    line=line,
                    column=column,
                    fragment=fragment,
                )
            )
        checks.append(OperationCheck(name=name, kind=operation.kind, mismatches=mismatches))
    return checks


# ---------------------------------------------------------------------------------- [I] names
def _kind(graphql_type: GraphQLNamedType) -> str:
    kinds: tuple[tuple[type[GraphQLNamedType], str], ...] = (
        (GraphQLObjectType, "object type"),
        (GraphQLInterfaceType, "interface"),
        (GraphQLUnionType, "union"),
        (GraphQLEnumType, "enum"),
        (GraphQLInputObjectType, "input type"),
    )
    return next((label for cls, label in kinds if isinstance(graphql_type, cls)), "scalar")


def _members(graphql_type: GraphQLNamedType) -> list[str]:
    if isinstance(graphql_type, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
        return list(graphql_type.fields)
    if isinstance(graphql_type, GraphQLEnumType):
        return list(graphql_type.values)
    return []


def _missing(what: str, name: str, candidates: Sequence[str]) -> str:
    similar = suggestion_list(name, list(candidates))[:3]
    hint = f"; did you mean {', '.join(repr(s) for s in similar)}?" if similar else ""
    return f"{what} is not in the live schema{hint}"


def diff_guesses(
    live: GraphQLSchema, committed_sdl: str | None = None, skip: frozenset[str] = frozenset()
) -> list[GuessWarning]:
    """Every name marked [I] that the live schema lacks (or has as another kind), except `skip`.

    A missing type is reported once, not once per field.
    """
    committed, marks = _committed(committed_sdl if committed_sdl is not None else schema_sdl())
    warnings: list[GuessWarning] = []

    def warn(coordinate: str, message: str) -> None:
        mark = marks[coordinate]
        if coordinate not in skip:
            warnings.append(GuessWarning(coordinate, message, mark.weakest, mark.comment, mark.line))

    def guessed(coordinate: str) -> bool:
        return coordinate in marks and marks[coordinate].is_guess

    live_names = [n for n in live.type_map if not n.startswith("__")]
    for name, ours in sorted(committed.type_map.items()):
        if is_introspection_type(ours) or is_specified_scalar_type(ours):
            continue
        theirs = live.type_map.get(name)
        if theirs is None:
            if guessed(name):
                warn(name, _missing(f"{_kind(ours)} {name}", name, live_names))
            continue
        if _kind(theirs) != _kind(ours):
            if guessed(name):
                warn(name, f"{name} is a {_kind(theirs)} in the live schema, a {_kind(ours)} here")
            continue
        live_members = _members(theirs)
        for member in _members(ours):
            coordinate = f"{name}.{member}"
            if member not in live_members:
                if guessed(coordinate):
                    warn(coordinate, _missing(coordinate, member, live_members))
                continue
            if isinstance(ours, GraphQLObjectType | GraphQLInterfaceType) and isinstance(
                theirs, GraphQLObjectType | GraphQLInterfaceType
            ):
                live_args = list(theirs.fields[member].args)
                for argument in ours.fields[member].args:
                    arg_coordinate = f"{coordinate}({argument}:)"
                    if argument not in live_args and guessed(arg_coordinate):
                        warn(arg_coordinate, _missing(arg_coordinate, argument, live_args))
        if isinstance(ours, GraphQLUnionType) and isinstance(theirs, GraphQLUnionType) and guessed(name):
            live_members = [t.name for t in theirs.types]
            for member_type in ours.types:
                if member_type.name not in live_members:
                    warn(name, f"the live union {name} has no member {member_type.name}")
    return warnings


# ---------------------------------------------------------------------------------- the run
async def diagnose(settings: Settings) -> DoctorReport:
    """Run every check against `settings.api_url` with `settings.api_key`."""
    report = DoctorReport(endpoint=settings.api_url)
    if settings.api_key is None or not settings.api_key.get_secret_value():
        report.problem = (
            "HIREFLIX_API_KEY is not set. Create a key in Hireflix under My account -> API keys and "
            "export it, or run `hireflix-mcp doctor --sandbox` to try the local Hireflix."
        )
        return report
    async with HireflixClient(settings.client_config()) as client:
        try:
            report.identity = await client.whoami()
        except (GraphQLRequestError, MalformedResponseError) as exc:
            # WhoAmI selects guessed names itself; the introspection below tells whether the key works.
            report.identity_note = (
                f"not confirmed: WhoAmI failed ({type(exc).__name__}); the schema check goes on"
            )
        except AuthenticationError as exc:
            report.problem = str(exc)
            return report
        except HireflixError as exc:
            report.problem = f"The check stopped at WhoAmI ({settings.api_url}). {exc}"
            return report
        try:
            introspection = await client.introspect()
        except HireflixError as exc:
            report.problem = (
                f"The live schema could not be introspected, so the documents could not be checked. {exc}"
            )
            return report
    try:
        live = build_client_schema(introspection)  # type: ignore[arg-type]  # a dict shaped by the server
    except (TypeError, ValueError, GraphQLError) as exc:
        report.problem = f"The introspection answer is not a usable schema ({exc})."
        return report
    report.live_types = len([n for n in live.type_map if not n.startswith("__")])
    report.operations = check_documents(live)
    reported = frozenset(m.coordinate for m in report.mismatches if m.coordinate is not None)
    report.warnings = diff_guesses(live, skip=reported)
    return report


def _identity_text(identity: Identity) -> str:
    parts = []
    if identity.company is not None:
        parts.append(f"company {identity.company.name or '(no name)'} ({identity.company.id or 'no id'})")
    if identity.user is not None:
        parts.append(f"user {identity.user.email or identity.user.id or '(unknown)'}")
    return ", ".join(parts) or "(no company or user returned)"


def _mark_text(mark: str | None, comment: str | None, line: int | None) -> str:
    if mark is None:
        return "[unmarked]"
    return f'[{mark}]  ({SCHEMA_FILE}:{line}: "{comment}")'


def render_text(report: DoctorReport) -> str:
    """The human report."""
    out = [f"Hireflix doctor: {report.endpoint}"]
    if report.identity is not None:
        out.append(f"  key       accepted: {_identity_text(report.identity)}")
    elif report.identity_note is not None:
        out.append(f"  key       {report.identity_note}")
    if report.problem is not None:
        out += ["", f"FAILED  {report.problem}", "", "Nothing else was checked (exit 2)."]
        return "\n".join(out) + "\n"
    checks = report.operations
    broken = [c for c in checks if not c.valid]
    out.append(f"  schema    introspected: {report.live_types} types")
    summary = f"{len(checks)} checked, {len(checks) - len(broken)} valid"
    out.append(f"  documents {summary}" + (f", {len(broken)} with mismatches" if broken else ""))
    for mismatch in report.mismatches:
        where = (
            f"{mismatch.file} (fragment {mismatch.fragment})"
            if mismatch.fragment
            else f"{mismatch.file}:{mismatch.line}:{mismatch.column}"
        )
        out += [
            "",
            f"MISMATCH  {mismatch.operation}  {mismatch.coordinate or '(no schema name)'}  "
            f"[{mismatch.mark or 'unmarked'}]",
            f"    {mismatch.message}",
            f"    guess:    {_mark_text(mismatch.mark, mismatch.comment, mismatch.schema_line)}",
            f"    document: {where}",
        ]
    for warning in report.warnings:
        out += [
            "",
            f"WARNING   {warning.coordinate}  [{warning.mark}]",
            f"    {warning.message}",
            f"    guess:    {_mark_text(warning.mark, warning.comment, warning.schema_line)}",
        ]
    out.append("")
    if broken:
        out.append(
            f"{len(report.mismatches)} mismatch(es) in {len(broken)} operation document(s): correct each "
            f"name in its document and in {SCHEMA_FILE} (exit 1)."
        )
    else:
        tail = f"; {len(report.warnings)} guessed name(s) to review" if report.warnings else ""
        out.append(f"Every operation document validates against the live schema{tail}.")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------- command line
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hireflix-mcp doctor",
        description="Check the Hireflix key and endpoint (HIREFLIX_API_KEY, HIREFLIX_API_URL), then "
        "validate every operation document against the live schema. Exit 0: all valid; 1: mismatches; "
        "2: the check could not run.",
    )
    parser.add_argument("--sandbox", action="store_true", help="check against a local Hireflix sandbox")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    return parser


@contextlib.contextmanager
def _sandbox(settings: Settings) -> Iterator[Settings]:
    from hireflix_sandbox.embedded import running_sandbox

    with running_sandbox() as sandbox:
        yield settings.model_copy(update={"api_url": sandbox.url, "api_key": SecretStr(sandbox.api_key)})


def _redact(text: str, key: SecretStr | None) -> str:
    """Belt and braces: the client never puts the key in a message; this makes sure none is printed."""
    secret = key.get_secret_value() if key is not None else ""
    return text.replace(secret, "***") if secret else text


def main(argv: Sequence[str] | None = None, *, environ: Mapping[str, str] | None = None) -> int:
    """`hireflix-mcp doctor [--sandbox] [--json]`; returns the exit status."""
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    key: SecretStr | None = None
    try:
        settings = Settings.from_env(environ)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        report = DoctorReport(endpoint="(invalid settings)", problem=f"Invalid settings: {problems}")
    else:
        with _sandbox(settings) if args.sandbox else contextlib.nullcontext(settings) as effective:
            key = effective.api_key
            report = anyio.run(diagnose, effective)
    text = json.dumps(report.to_json(), indent=2) + "\n" if args.json else render_text(report)
    sys.stdout.write(_redact(text, key))
    return report.exit_code
