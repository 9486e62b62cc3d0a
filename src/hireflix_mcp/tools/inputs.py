"""Argument types several toolsets share: ids (with where they come from), e-mail, times, the confirmation
token.

Bad arguments never reach a tool body: pydantic rejects them, naming the field and the rule.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator
from pydantic import Field

from hireflix_mcp.views.common import HEX_ID
from hireflix_mcp.views.common import time_bound

# No description: list_positions says it gives the ids other tools need, the server's instructions say
# interview ids come from search_interviews and find_candidate, and a wrong id is told the same.
PositionId = Annotated[str, Field(pattern=HEX_ID)]
InterviewId = Annotated[str, Field(pattern=HEX_ID)]
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
Email = Annotated[str, Field(pattern=EMAIL_PATTERN, min_length=3, max_length=254)]
# No description: the confirmation_required result says exactly how to use the token it returns.
ConfirmationToken = Annotated[str | None, Field(max_length=400)]


def _iso_date_or_time(value: str) -> str:
    try:
        time_bound(value)
    except (ValueError, OverflowError):
        raise ValueError(
            "must be an ISO 8601 date or time, e.g. 2026-03-01 or 2026-03-01T09:00:00Z"
        ) from None
    return value.strip()


# A string, not a datetime: pydantic would read a number as seconds since 1970, which no model means.
TimeBound = Annotated[str, Field(max_length=40), AfterValidator(_iso_date_or_time)]
