"""Webhooks: subscriptions and the events this server received.

STUBS: to be implemented.
"""

from __future__ import annotations

from typing import Any

from hireflix_mcp.tools.common import Ctx


async def list_webhooks(ctx: Ctx) -> dict[str, Any]:
    raise NotImplementedError


async def create_webhook(ctx: Ctx) -> dict[str, Any]:
    raise NotImplementedError


async def delete_webhook(ctx: Ctx) -> dict[str, Any]:
    raise NotImplementedError


async def list_webhook_events(ctx: Ctx) -> dict[str, Any]:
    raise NotImplementedError
