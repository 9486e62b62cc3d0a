"""Argument types several toolsets share: ids (with where they come from), e-mail, the confirmation token.

Bad arguments never reach a tool body: pydantic rejects them, naming the field and the rule.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from hireflix_mcp.views.common import HEX_ID

PositionId = Annotated[str, Field(pattern=HEX_ID, description="From list_positions.")]
InterviewId = Annotated[str, Field(pattern=HEX_ID, description="From search_interviews or find_candidate.")]
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
Email = Annotated[
    str, Field(pattern=EMAIL_PATTERN, min_length=3, max_length=254, description="E-mail address.")
]
ConfirmationToken = Annotated[
    str | None,
    Field(
        max_length=400,
        description="Omit at first. After confirmation_required, and only once the user agrees, pass the "
        "returned token with the same arguments.",
    ),
]
