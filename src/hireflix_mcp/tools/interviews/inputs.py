"""Arguments of the interview tools: candidate fields and their rules, search conditions, cursors.

`gather` (bulk invites run their lookups with it) is the client's, re-exported here.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
from collections.abc import Mapping
from typing import Annotated
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import AfterValidator
from pydantic import BaseModel
from pydantic import BeforeValidator
from pydantic import ConfigDict
from pydantic import Field
from pydantic import StringConstraints
from pydantic import WithJsonSchema
from pydantic import model_validator

from hireflix_mcp.hireflix.search import gather as gather  # re-exported for bulk.py
from hireflix_mcp.tools.inputs import EMAIL_PATTERN
from hireflix_mcp.views.interviews import ReviewStatus

logger = logging.getLogger("hireflix_mcp.tools.interviews")

CONCURRENCY = 8
"""Requests in flight at once for bulk invites."""

BULK_MAX_ROWS = 500
BULK_MAX_RETRIES = 8
"""Retries of each row's invite in a bulk run (more if the client is configured with more)."""
BULK_RETRY_BUDGET_S = 60.0
"""How long, from its first attempt, each row of a bulk invite may keep being retried."""
BULK_REASONS_BUDGET = 8_000
"""Characters of a bulk invite result that problem rows' reasons may fill (invited rows are always listed)."""

TRANSCRIPT_PAGE_BUDGET = 12_000
"""Characters of transcript text and word timings per page, so a page stays under ~16,000 characters."""

SEARCH_MAX_LIMIT = 100

FIND_MAX_RESULTS = 50

# --------------------------------------------------------------------------------------------- inputs

PHONE_PATTERN = r"^\+[1-9]\d{6,14}$"
METADATA_MAX_KEYS = 25
METADATA_MAX_DEPTH = 3


def _json_depth(value: Any) -> int:
    """Nesting levels of objects and arrays, as Hireflix counts them: a flat object is 1."""
    if isinstance(value, dict):
        return 1 + max((_json_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_json_depth(v) for v in value), default=0)
    return 0


def _metadata_object(value: Any) -> Any:
    """Metadata arrives as a string holding a JSON object (as published), or as the object itself."""
    if not isinstance(value, str):
        return value
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise ValueError('must be a string holding a JSON object, e.g. {"source": "ats"}')
    return parsed


# Messages start at the verb: the argument's (or the row field's) name is put before them.
def _check_metadata(value: dict[str, Any]) -> dict[str, Any]:
    if len(value) > METADATA_MAX_KEYS:
        raise ValueError(f"must have at most {METADATA_MAX_KEYS} keys (got {len(value)})")
    if _json_depth(value) > METADATA_MAX_DEPTH:
        raise ValueError(f"must be at most {METADATA_MAX_DEPTH} levels deep")
    return value


def _check_phone(value: str) -> str:
    if not re.fullmatch(PHONE_PATTERN, value):
        raise ValueError("must be in E.164 format: + country code and number, digits only (+14155550123)")
    return value


FirstNameValue = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
LastNameValue = Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)]
PhoneValue = Annotated[
    str, AfterValidator(_check_phone), WithJsonSchema({"type": "string", "pattern": PHONE_PATTERN})
]
ExternalIdValue = Annotated[str, StringConstraints(min_length=1, max_length=255)]
# Published as a string holding a JSON object: an open object has no form a strict schema can hold
# (OpenAI Agents falls back to a non-strict schema for the whole tool), while a string reads the same in
# every framework. Objects are still accepted.
MetadataValue = Annotated[
    dict[str, Any],
    BeforeValidator(_metadata_object),
    AfterValidator(_check_metadata),
    WithJsonSchema({"type": "string"}),
]

PHONE_HELP = "E.164."
EXTERNAL_ID_HELP = "Your own id (an ATS's); unique per position."
METADATA_HELP = "A JSON object in a string (<=25 keys)."
SEND_EMAIL_HELP = "false: no e-mail; you share interview_url."

FirstName = FirstNameValue
LastName = LastNameValue | None
Phone = Annotated[PhoneValue | None, Field(description=PHONE_HELP)]
ExternalId = Annotated[ExternalIdValue | None, Field(description=EXTERNAL_ID_HELP)]
Metadata = Annotated[MetadataValue | None, Field(description=METADATA_HELP)]
SendInviteEmail = Annotated[bool, Field(description=SEND_EMAIL_HELP)]

Score = Annotated[float, Field(ge=0, le=5)]
NamePart = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class CandidateRow(BaseModel):
    # One row of invite_candidates (and the checked arguments of invite_candidate). No docstring or field
    # descriptions: they would be repeated in the published schema, and the list's description covers them.
    model_config = ConfigDict(extra="forbid")

    email: Annotated[str, Field(pattern=EMAIL_PATTERN, min_length=3, max_length=254)]
    first_name: FirstNameValue
    last_name: LastNameValue | None = None
    phone: PhoneValue | None = None
    external_id: ExternalIdValue | None = None
    metadata: MetadataValue | None = None


# Rows are accepted as anything and validated one by one (`_validate_row`), so one bad row is reported
# as invalid instead of failing the whole call; the published schema still describes a row.
RowInput = Annotated[Any, WithJsonSchema(CandidateRow.model_json_schema())]


class Condition(BaseModel):
    # One alternative of search_interviews' any_of; described by that argument, not repeated here.
    model_config = ConfigDict(extra="forbid")

    # The published item schema gives only types: the same arguments at the top level show their values.
    email: Annotated[str, Field(pattern=EMAIL_PATTERN, min_length=3, max_length=254)] | None = None
    name: NamePart | None = None
    status: Annotated[ReviewStatus | None, WithJsonSchema({"type": "string"})] = None
    min_score: Annotated[Score | None, WithJsonSchema({"type": "number"})] = None
    max_score: Annotated[Score | None, WithJsonSchema({"type": "number"})] = None

    @model_validator(mode="after")
    def _sensible(self) -> Condition:
        if all(v is None for v in (self.email, self.name, self.status, self.min_score, self.max_score)):
            raise ValueError(
                "an any_of condition needs at least one of email, name, status, min_score, max_score"
            )
        if self.min_score is not None and self.max_score is not None and self.min_score > self.max_score:
            raise ValueError("min_score must not be greater than max_score")
        return self


def encode_cursor(payload: Mapping[str, Any]) -> str:
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error):
        value = None
    if not isinstance(value, dict):
        raise ToolError("cursor is not one this tool returned: pass next_cursor back unchanged, or omit it.")
    return value
