"""Argument types several toolsets share: ids (with where they come from), e-mail, the confirmation token.

Bad arguments never reach a tool body: pydantic rejects them, naming the field and the rule.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from hireflix_mcp.views.common import HEX_ID

# No description: list_positions says it gives the ids other tools need, the server's instructions say
# interview ids come from search_interviews and find_candidate, and a wrong id is told the same.
PositionId = Annotated[str, Field(pattern=HEX_ID)]
InterviewId = Annotated[str, Field(pattern=HEX_ID)]
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
Email = Annotated[str, Field(pattern=EMAIL_PATTERN, min_length=3, max_length=254)]
# No description: the confirmation_required result says exactly how to use the token it returns.
ConfirmationToken = Annotated[str | None, Field(max_length=400)]
