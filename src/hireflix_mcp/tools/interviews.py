"""Interviews: invite (one or in bulk), search, find, read, transcripts, media, access, delete, re-invite.

STUBS: signatures fixed by the lead; bodies to be implemented.
"""

from __future__ import annotations

from typing import Any

from hireflix_mcp.tools.common import Ctx


async def invite_candidate(ctx: Ctx) -> dict[str, Any]:
    raise NotImplementedError


async def invite_candidates(ctx: Ctx) -> dict[str, Any]:
    raise NotImplementedError


async def search_interviews(ctx: Ctx) -> dict[str, Any]:
    raise NotImplementedError


async def find_candidate(ctx: Ctx) -> dict[str, Any]:
    raise NotImplementedError


async def get_interview(ctx: Ctx) -> dict[str, Any]:
    raise NotImplementedError


async def get_interview_transcript(ctx: Ctx) -> dict[str, Any]:
    raise NotImplementedError


async def get_interview_media(ctx: Ctx) -> dict[str, Any]:
    raise NotImplementedError


async def get_interview_access_info(ctx: Ctx) -> dict[str, Any]:
    raise NotImplementedError


async def delete_interview(ctx: Ctx) -> dict[str, Any]:
    raise NotImplementedError


async def reinvite_candidate(ctx: Ctx) -> dict[str, Any]:
    raise NotImplementedError
