"""The operation documents: well-formed, valid against schema.graphql, free of pasted values, and
every guessed ([I]) name of the schema used in at most one file."""

from __future__ import annotations

import ast
import os
from importlib import resources
from pathlib import Path

import pytest
from graphql import BooleanValueNode
from graphql import DocumentNode
from graphql import EnumValueNode
from graphql import FloatValueNode
from graphql import FragmentDefinitionNode
from graphql import GraphQLSchema
from graphql import IntValueNode
from graphql import ObjectFieldNode
from graphql import OperationDefinitionNode
from graphql import StringValueNode
from graphql import TypeInfo
from graphql import TypeInfoVisitor
from graphql import Visitor
from graphql import build_schema
from graphql import get_named_type
from graphql import parse
from graphql import validate
from graphql import visit

from hireflix_mcp.hireflix import OPERATIONS
from hireflix_mcp.hireflix.operations import FRAGMENTS_FILE
from hireflix_mcp.hireflix.operations import RETRY_POLICIES
from hireflix_mcp.hireflix.operations import operation_files
from hireflix_mcp.hireflix.operations import schema_sdl

OPERATIONS_DIR = Path(str(resources.files("hireflix_mcp.hireflix").joinpath("operations")))
# The project's shared reference material lives beside the repository (`../shared`), not inside it.
SHARED_SCHEMA = Path(__file__).resolve().parents[2].parent / "shared" / "hireflix" / "schema.graphql"

EXPECTED_OPERATIONS = {
    "ListPositions", "GetPosition", "CreatePosition", "UpdatePosition", "ArchivePosition", "DeletePosition",
    "ListPositionsWithCounts", "GetPositionSummary",
    "InviteCandidate", "SearchInterviews", "FindCandidate", "GetInterview", "GetInterviewTranscript",
    "GetInterviewMedia", "GetInterviewAccessInfo", "GetInterviewNames", "DeleteInterview", "ScoreInterview",
    "CommentOnInterview", "SetInterviewFinalist", "SetInterviewArchived", "ShareInterview", "GetAccountLogs",
    "ListMembers",
    "AddMember", "RemoveMember",
    "ListWebhooks", "GetWebhookSecret", "CreateWebhook", "UpdateWebhook", "DeleteWebhook", "WhoAmI",
    "ListInterviewTranscripts", "CheckInterviewsExist",
}  # fmt: skip

# Every schema coordinate marked [I] in schema.graphql, listed by hand from its comments (a line's
# mark covers each name on it; "[I] name; fields [C]" covers only the name). The filter combinators
# and the extra sort values reach the API through variables, so they live in search.py instead.
INFERRED = {
    "JSON",
    "Info.user", "User.id", "User.name", "User.lastname", "User.email", "User.createdAt",
    "Company.id", "Company.name", "Company.members", "Company.webhooks", "Company.webhookSecretKey",
    "Position.questions",
    "InterviewSortField.updatedAt", "InterviewSortField.completedAt", "InterviewSortField.score",
    "SortDirection.ASC", "InterviewListFilter.and", "InterviewListFilter.or",
    "InterviewType.geolocation", "IpGeolocation", "IpGeolocation.ip", "IpGeolocation.country",
    "IpGeolocation.countryCode", "IpGeolocation.region", "IpGeolocation.city", "IpGeolocation.latitude",
    "IpGeolocation.longitude",
    "Webhook", "Webhook.id", "Webhook.url", "Webhook.events", "Webhook.active", "Webhook.external",
    "Mutation.deletePosition", "Mutation.deleteInterview", "Mutation.createWebhook", "Mutation.updateWebhook",
    "Mutation.deleteWebhook", "Error", "InterviewNotFoundError", "InterviewIdInput", "InterviewIdInput.id",
    "MutationDeletePositionSuccess", "MutationDeleteInterviewSuccess", "MutationDeletePositionResult",
    "MutationDeleteInterviewResult", "CreateWebhookInput", "UpdateWebhookInput", "WebhookIdInput",
    "WebhookIdInput.id", "PositionInputType.description", "PositionInputType.location",
    "PositionInputType.language", "PositionQuestionInput.description", "PositionQuestionInput.timeToAnswer",
    "PositionQuestionInput.timeToThink", "PositionQuestionInput.retakes",
}  # fmt: skip


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema(schema_sdl())


def source_files() -> list[Path]:
    return sorted(OPERATIONS_DIR.glob("*.graphql"))


def coordinates_used(document: DocumentNode, schema: GraphQLSchema) -> set[str]:
    """Schema names a document mentions: Type.field selections, types named in variable definitions
    and type conditions, input fields and enum values written as literals."""
    used: set[str] = set()
    type_info = TypeInfo(schema)

    class Collect(Visitor):
        def enter_field(self, node: object, *_: object) -> None:
            parent = type_info.get_parent_type()
            if parent is not None:
                used.add(f"{parent.name}.{node.name.value}")  # type: ignore[attr-defined]

        def enter_named_type(self, node: object, *_: object) -> None:
            used.add(node.name.value)  # type: ignore[attr-defined]

        def enter_object_field(self, node: ObjectFieldNode, *_: object) -> None:
            parent = type_info.get_parent_input_type()
            if parent is not None:
                used.add(f"{get_named_type(parent).name}.{node.name.value}")

        def enter_enum_value(self, node: EnumValueNode, *_: object) -> None:
            enum = type_info.get_input_type()
            if enum is not None:
                used.add(f"{get_named_type(enum).name}.{node.value}")

    visit(document, TypeInfoVisitor(type_info, Collect()))
    return used


def test_the_shared_schema_copy_is_byte_identical() -> None:
    if not SHARED_SCHEMA.exists():
        # CI (`.ci/run` sets CI=1) has the sibling checkout, so there a missing copy is a failure.
        assert not os.environ.get("CI"), f"CI needs the shared schema at {SHARED_SCHEMA}"
        pytest.skip(f"the shared schema is not on this machine ({SHARED_SCHEMA})")
    assert schema_sdl().encode() == SHARED_SCHEMA.read_bytes()


def test_every_operation_file_holds_one_named_operation_named_like_the_file() -> None:
    names = []
    for file_name in operation_files():
        document = parse((OPERATIONS_DIR / file_name).read_text())
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        assert len(document.definitions) == 1, file_name
        assert len(operations) == 1, file_name
        assert operations[0].name is not None, file_name
        assert f"{operations[0].name.value}.graphql" == file_name
        names.append(operations[0].name.value)
    assert set(names) == EXPECTED_OPERATIONS


def test_the_fragments_file_holds_only_fragments() -> None:
    document = parse((OPERATIONS_DIR / FRAGMENTS_FILE).read_text())
    assert document.definitions
    assert all(isinstance(d, FragmentDefinitionNode) for d in document.definitions)


def test_registry_exposes_every_operation_with_a_consistent_kind_and_retry_policy() -> None:
    assert set(OPERATIONS) == EXPECTED_OPERATIONS == set(RETRY_POLICIES)
    for name, operation in OPERATIONS.items():
        assert operation.name == name
        assert (operation.kind == "query") == (operation.retry == "read"), name


@pytest.mark.parametrize("name", sorted(EXPECTED_OPERATIONS))
def test_every_sent_document_validates_against_the_schema(name: str, schema: GraphQLSchema) -> None:
    errors = validate(schema, parse(OPERATIONS[name].document))
    assert [e.message for e in errors] == []


def test_documents_carry_only_the_fragments_they_use() -> None:
    webhooks = OPERATIONS["ListWebhooks"].document
    assert "fragment WebhookFields" in webhooks
    assert "fragment PositionFields" not in webhooks
    assert "fragment" not in OPERATIONS["WhoAmI"].document


class LiteralFinder(Visitor):
    """Collects literal values written into a document; `limit` integers are kept apart."""

    def __init__(self) -> None:
        super().__init__()
        self.offenders: list[str] = []
        self.limits: list[int] = []

    def enter_string_value(self, node: StringValueNode, *_: object) -> None:
        self.offenders.append(f'"{node.value}"')

    def enter_float_value(self, node: FloatValueNode, *_: object) -> None:
        self.offenders.append(node.value)

    def enter_boolean_value(self, node: BooleanValueNode, *_: object) -> None:
        self.offenders.append(str(node.value))

    def enter_object_field(self, node: ObjectFieldNode, *_: object) -> None:
        if isinstance(node.value, IntValueNode):
            if node.name.value == "limit":
                self.limits.append(int(node.value.value))
            else:
                self.offenders.append(f"{node.name.value}: {node.value.value}")


def test_no_document_pastes_a_value_that_should_be_a_variable() -> None:
    for path in source_files():
        finder = LiteralFinder()
        visit(parse(path.read_text()), finder)
        assert finder.offenders == [], path.name
        # The only literal allowed: `pagination: {limit: 1}` where GetPosition reads just `total`.
        assert all(limit == 1 for limit in finder.limits), path.name


def test_every_guessed_schema_name_is_used_in_at_most_one_file(schema: GraphQLSchema) -> None:
    users: dict[str, list[str]] = {name: [] for name in INFERRED}
    for path in source_files():
        for coordinate in coordinates_used(parse(path.read_text()), schema) & INFERRED:
            users[coordinate].append(path.name)
    shared = {name: files for name, files in users.items() if len(files) > 1}
    assert shared == {}


def test_the_guessed_names_list_names_real_schema_coordinates(schema: GraphQLSchema) -> None:
    for coordinate in INFERRED:
        type_name, _, member = coordinate.partition(".")
        graphql_type = schema.get_type(type_name)
        assert graphql_type is not None, coordinate
        if member:
            fields = getattr(graphql_type, "fields", None) or getattr(graphql_type, "values", None)
            assert fields is not None, coordinate
            assert member in fields, coordinate


def test_guessed_variable_names_are_spelled_once_in_the_python_client() -> None:
    # The [I] names the client sends inside variables (filter combinators) are defined once in search.py.
    package = Path(str(resources.files("hireflix_mcp.hireflix")))
    literal_and_or: list[str] = []
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and node.value in ("and", "or"):
                literal_and_or.append(path.name)
    assert literal_and_or == ["search.py", "search.py"]


def test_the_client_package_imports_neither_mcp_nor_the_sandbox() -> None:
    package = Path(str(resources.files("hireflix_mcp.hireflix")))
    imported: set[str] = set()
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
    assert "mcp" not in imported
    assert "hireflix_sandbox" not in imported


def test_the_package_exports_a_deliberate_surface() -> None:
    import hireflix_mcp.hireflix as package

    assert set(package.__all__) == {
        "INTERVIEW_STATUSES", "OPERATIONS", "APIError", "AlreadyExistsError", "Answer", "AuditLogEntry",
        "AuditLogPage", "AuthenticationError", "PermissionDenied", "Candidate", "ConnectionFailed",
        "ExternalIdConflictError",
        "GraphQLRequestError", "HireflixClient", "HireflixError", "Identity", "Interview",
        "InterviewAccessInfo",
        "InterviewAlreadyExistsError", "InterviewComment", "InterviewCondition", "InterviewCounts",
        "InterviewDetail", "InterviewMedia", "InterviewPage", "InterviewQuestion", "InterviewSort",
        "InterviewStatus", "InterviewTranscript", "InviteQuotaExceededError", "InviteRequest", "InviteResult",
        "IpGeolocation", "MalformedResponseError", "NotFoundError", "Operation", "OutcomeUnknownError",
        "Position", "PositionDetail", "PositionWithCounts", "PositionNotAcceptingInvitesError",
        "PositionQuestion",
        "PositionQuestionInput", "RateLimitedError", "RetryPolicy", "ServerError", "ShareLink", "TeamMember",
        "Timeout", "TranscriptWord", "Transcription", "TransportError", "ValidationFailed", "Webhook",
        "WebhookEvent", "build_interview_filter",
        "ClientConfig", "SearchPage", "FoundPage", "FoundInterview", "FailedPosition", "InvalidCursorError",
    }  # fmt: skip
    assert all(hasattr(package, name) for name in package.__all__)
