"""`hireflix-mcp doctor`: the key check, every document validated against the live schema, each
mismatch named with its operation, schema coordinate and confidence mark; the mark parser."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from graphql import build_schema
from graphql import graphql
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from hireflix_mcp import cli
from hireflix_mcp import doctor
from hireflix_mcp.doctor import check_documents
from hireflix_mcp.doctor import diff_guesses
from hireflix_mcp.hireflix.marks import parse_marks
from hireflix_mcp.hireflix.operations import OPERATIONS
from hireflix_mcp.hireflix.operations import schema_sdl
from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.embedded import serving as serving_app
from tests.client.test_client_documents import INFERRED

FAKE_KEY = "fake-hireflix-key-0123456789"
WRONG_KEY = "wrong-key-7d1e5c0b9a8f"


def renamed(old: str, new: str) -> str:
    """The committed schema with one exact piece of text replaced (it must occur exactly once)."""
    sdl = schema_sdl()
    assert sdl.count(old) == 1, old
    return sdl.replace(old, new)


def fake_hireflix(sdl: str) -> Starlette:
    """A Hireflix-like `/me` executing `sdl` with graphql-core's default resolvers over fixed data."""
    schema = build_schema(sdl)
    root = {"info": {"company": {"id": "c" * 24, "name": "Renamed Co"}, "user": {"id": "u" * 24}}}

    async def me(request: Request) -> JSONResponse:
        if request.headers.get("x-api-key") != FAKE_KEY:
            error = {"message": "Unauthorized", "extensions": {"code": "UNAUTHENTICATED"}}
            return JSONResponse({"errors": [error]}, status_code=401)
        body = await request.json()
        result = await graphql(
            schema,
            body["query"],
            root_value=root,
            variable_values=body.get("variables"),
            operation_name=body.get("operationName"),
        )
        return JSONResponse(result.formatted)

    return Starlette(routes=[Route("/me", me, methods=["POST"])])


@contextmanager
def serving(app: Starlette) -> Iterator[str]:
    """Serve `app` on a loopback port in a background thread; yield its `/me` URL."""
    with serving_app(app) as (base_url, _server):
        yield f"{base_url}/me"


def run_doctor(capsys: pytest.CaptureFixture[str], url: str, key: str | None, *flags: str) -> tuple[int, str]:
    environ = {"HIREFLIX_API_URL": url, "HIREFLIX_MAX_RETRIES": "0"}
    if key is not None:
        environ["HIREFLIX_API_KEY"] = key
    code = doctor.main(list(flags), environ=environ)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def run_doctor_json(capsys: pytest.CaptureFixture[str], url: str, key: str | None) -> tuple[int, Any]:
    code, out = run_doctor(capsys, url, key, "--json")
    return code, json.loads(out)


# ---------------------------------------------------------------------------------- end to end
def test_doctor_passes_against_the_sandbox_with_every_operation_valid(
    sandbox: RunningSandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = run_doctor_json(capsys, sandbox.url, sandbox.api_key)
    assert code == 0
    assert report["ok"] is True
    assert report["identity"]["company"]["name"] == "Acme Talent"
    assert {op["name"] for op in report["operations"]} == set(OPERATIONS)
    assert all(op["valid"] for op in report["operations"])
    assert report["mismatches"] == []
    assert report["warnings"] == []


def test_cli_doctor_with_sandbox_flag_prints_a_passing_text_report(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["doctor", "--sandbox"]) == 0
    out = capsys.readouterr().out
    assert "key       accepted: company Acme Talent" in out
    assert f"documents {len(OPERATIONS)} checked, {len(OPERATIONS)} valid\n" in out
    assert "Every operation document validates against the live schema." in out


@pytest.mark.parametrize(
    ("old", "new", "operation", "coordinate", "suggestion"),
    [
        (
            "  deleteInterview(input:",
            "  removeInterview(input:",
            "DeleteInterview",
            "Mutation.deleteInterview",
            "Did you mean 'removeInterview'",
        ),
        # Too far from "members" for graphql-core to suggest it.
        ("  members: [TeamMember!]", "  teamMembers: [TeamMember!]", "ListMembers", "Company.members", ""),
    ],
)
def test_a_renamed_guessed_field_is_the_only_mismatch_named_with_its_operation_and_mark(
    capsys: pytest.CaptureFixture[str], old: str, new: str, operation: str, coordinate: str, suggestion: str
) -> None:
    with serving(fake_hireflix(renamed(old, new))) as url:
        code, report = run_doctor_json(capsys, url, FAKE_KEY)
        text_code, text = run_doctor(capsys, url, FAKE_KEY)

    assert code == text_code == 1
    [mismatch] = report["mismatches"]
    assert (mismatch["operation"], mismatch["coordinate"], mismatch["mark"]) == (operation, coordinate, "I")
    type_name, field_name = coordinate.split(".")
    assert mismatch["message"].startswith(f"Cannot query field '{field_name}' on type '{type_name}'.")
    assert suggestion in mismatch["message"]
    assert mismatch["file"].endswith(f"operations/{operation}.graphql")
    assert [op["name"] for op in report["operations"] if not op["valid"]] == [operation]
    assert report["warnings"] == []  # the same name is not reported twice
    assert f"MISMATCH  {operation}  {coordinate}  [I]" in text
    assert text.count("MISMATCH") == 1


def test_a_renamed_guess_no_document_uses_is_a_warning_and_the_check_passes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    sdl = renamed("lastname: String", "lastName: String")
    with serving(fake_hireflix(sdl)) as url:
        code, report = run_doctor_json(capsys, url, FAKE_KEY)
    assert code == 0
    assert report["mismatches"] == []
    [warning] = report["warnings"]
    assert (warning["coordinate"], warning["mark"]) == ("User.lastname", "I")
    assert "'lastName'" in warning["message"]


def test_a_wrong_guess_in_whoami_itself_is_reported_instead_of_stopping_the_check(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with serving(fake_hireflix(renamed("  user: User ", "  account: User "))) as url:
        code, report = run_doctor_json(capsys, url, FAKE_KEY)
    assert code == 1
    assert report["identity"] is None
    assert "WhoAmI failed" in report["identity_note"]
    assert [(m["operation"], m["coordinate"], m["mark"]) for m in report["mismatches"]] == [
        ("WhoAmI", "Info.user", "I")
    ]


def test_a_wrong_key_exits_2_with_what_to_fix_and_never_the_key(
    sandbox: RunningSandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = run_doctor(capsys, sandbox.url, WRONG_KEY)
    json_code, report = run_doctor_json(capsys, sandbox.url, WRONG_KEY)
    assert code == json_code == 2
    assert "HIREFLIX_API_KEY" in text
    assert "rejected" in report["problem"]
    assert WRONG_KEY not in text
    assert WRONG_KEY not in json.dumps(report)
    assert report["operations"] == []


def test_a_missing_key_exits_2_and_points_to_the_dashboard_and_the_sandbox(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, text = run_doctor(capsys, "http://127.0.0.1:9/me", None)
    assert code == 2
    assert "HIREFLIX_API_KEY is not set" in text
    assert "--sandbox" in text


def test_an_unreachable_endpoint_exits_2_naming_it_without_the_key(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, text = run_doctor(capsys, f"http://127.0.0.1:{port}/me", WRONG_KEY)
    assert code == 2
    assert f"127.0.0.1:{port}" in text
    assert "HIREFLIX_API_URL" in text
    assert WRONG_KEY not in text


# ---------------------------------------------------------------------------------- documents
def test_a_field_renamed_inside_a_shared_fragment_points_at_the_fragments_file() -> None:
    live = build_schema(renamed("  hash: String    ", "  code: String    "))
    mismatches = [m for check in check_documents(live) for m in check.mismatches]
    assert mismatches
    assert {m.coordinate for m in mismatches} == {"InterviewType.hash"}
    assert {m.mark for m in mismatches} == {"C"}
    assert {(m.file.rsplit("/", 1)[-1], m.fragment) for m in mismatches} == {
        ("_fragments.graphql", "InterviewSummaryFields")
    }


def test_a_renamed_argument_is_named_as_field_and_argument_with_a_line_in_the_operation_file() -> None:
    live = build_schema(renamed("share(durationInDays: Int = 75)", "share(days: Int = 75)"))
    checks = {check.name: check for check in check_documents(live)}
    [mismatch] = checks["ShareInterview"].mismatches
    assert mismatch.coordinate == "InterviewMutations.share(durationInDays:)"
    assert mismatch.mark == "C"
    assert (mismatch.line, mismatch.column) == (3, 11)
    assert sum(len(c.mismatches) for c in checks.values()) == 1


def test_a_renamed_guessed_input_field_is_named_as_that_input_field() -> None:
    live = build_schema(
        renamed("input InterviewIdInput { id: String! }", "input InterviewIdInput { ref: String! }")
    )
    checks = {check.name: check for check in check_documents(live)}
    coordinates = {m.coordinate for m in checks["DeleteInterview"].mismatches}
    assert "InterviewIdInput.id" in coordinates
    assert all(m.mark == "I" for m in checks["DeleteInterview"].mismatches)


def test_a_missing_guessed_type_is_one_warning_not_one_per_field() -> None:
    sdl = renamed("type IpGeolocation {", "type Geolocation {").replace("[IpGeolocation!]", "[Geolocation!]")
    warnings = diff_guesses(build_schema(sdl))
    assert [w.coordinate for w in warnings] == ["IpGeolocation"]
    assert "'Geolocation'" in warnings[0].message


def test_the_committed_schema_has_no_guess_differences_from_itself() -> None:
    live = build_schema(schema_sdl())
    assert diff_guesses(live) == []
    assert all(check.valid for check in check_documents(live))


# ---------------------------------------------------------------------------------- mark parser
def test_a_name_takes_the_mark_on_its_own_line() -> None:
    marks = parse_marks("type Query {\n  a: Int # [C]\n  b: Int   # [I] guessed\n}\n")
    assert (str(marks["Query.a"]), str(marks["Query.b"])) == ("[C]", "[I]")
    assert marks["Query.b"].comment == "[I] guessed"
    assert marks["Query.b"].line == 3


def test_a_name_without_a_mark_takes_its_blocks_mark_even_under_a_plain_comment() -> None:
    sdl = "input In {   # [C] all fields\n  a: Int\n  b: Int   # at most 255 characters\n  c: Int # [S]\n}\n"
    marks = parse_marks(sdl)
    assert marks["In"].levels == ("C",)
    assert marks["In.a"].levels == marks["In.b"].levels == ("C",)
    assert marks["In.c"].levels == ("S",)


def test_a_one_line_type_marks_itself_and_every_field_and_value() -> None:
    marks = parse_marks("type U { id: String name: String }   # [I]\nenum E { A B }  # [C] A, [I] B\n")
    assert {c: m.weakest for c, m in marks.items()} == {
        "U": "I", "U.id": "I", "U.name": "I", "E": "I", "E.A": "I", "E.B": "I",
    }  # fmt: skip
    assert marks["E.A"].levels == ("C", "I")


def test_arguments_take_their_own_mark_or_their_fields() -> None:
    sdl = "type M {\n  f(\n    a: Int # [I]\n    b: Int\n  ): Int # [S]\n  g(x: Int): Int # [C]\n}\n"
    marks = parse_marks(sdl)
    assert marks["M.f(a:)"].levels == ("I",)
    assert marks["M.g(x:)"].levels == ("C",)
    assert "M" not in marks


def test_a_type_without_a_mark_takes_the_nearest_mark_in_the_comments_just_above() -> None:
    sdl = (
        "# ---- webhooks (all names [I], shapes [C])\n"
        "type W { id: String }\n"
        "\n"
        "# [C] a note\n"
        "\n"
        "type X { id: String }\n"
    )
    marks = parse_marks(sdl)
    assert marks["W"].levels == marks["W.id"].levels == ("I", "C")
    assert marks["W"].weakest == "I"
    assert "X" not in marks  # a blank line ends the comments that belong to a definition


def test_same_repeats_the_marks_of_the_line_above() -> None:
    sdl = "input F {\n  and: [F!] # [S] the seed says so; names [I]\n  or: [F!]  # [S] same\n}\n"
    marks = parse_marks(sdl)
    assert marks["F.or"].levels == ("S", "I")
    assert marks["F.or"].weakest == "I"


def test_mark_variants_with_extra_words_count_by_their_letter() -> None:
    marks = parse_marks("type P { save: Int }  # [C] updates; without id it creates [C, unverified]\n")
    assert marks["P.save"].levels == ("C",)
    assert parse_marks("type Q { a: Int }  # [X] [CI] not marks\n") == {}


def test_every_hand_listed_guess_in_the_committed_schema_is_marked_inferred() -> None:
    marks = parse_marks(schema_sdl())
    assert {c for c in INFERRED if not (c in marks and marks[c].is_guess)} == set()
    assert marks["Mutation.deleteInterview"].weakest == "I"
    assert marks["Company.members"].weakest == "I"
    assert marks["Position.interviewList(input:)"].levels == ("C",)
    assert marks["InterviewType.ipAddresses"].levels == ("C", "S")
