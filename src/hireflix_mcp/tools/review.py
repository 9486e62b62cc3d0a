"""Review: score, comment, shortlist/discard, share recordings.

STUBS: to be implemented.
"""

from __future__ import annotations

from typing import Any

from hireflix_mcp.tools.common import Ctx


async def score_interview(ctx: Ctx) -> dict[str, Any]:
    raise NotImplementedError


async def comment_on_interview(ctx: Ctx) -> dict[str, Any]:
    raise NotImplementedError


async def set_interview_status(ctx: Ctx) -> dict[str, Any]:
    raise NotImplementedError


async def share_interview(ctx: Ctx) -> dict[str, Any]:
    raise NotImplementedError
