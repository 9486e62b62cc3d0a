"""Account: audit logs and team members.

STUBS: to be implemented.
"""

from __future__ import annotations

from typing import Any

from hireflix_mcp.tools.common import Ctx


async def get_account_logs(ctx: Ctx) -> dict[str, Any]:
    raise NotImplementedError


async def list_members(ctx: Ctx) -> dict[str, Any]:
    raise NotImplementedError


async def add_member(ctx: Ctx) -> dict[str, Any]:
    raise NotImplementedError


async def remove_member(ctx: Ctx) -> dict[str, Any]:
    raise NotImplementedError
