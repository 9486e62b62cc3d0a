"""Prompts that embed transcript resources. STUB: to be implemented."""

from __future__ import annotations

from typing import Any

from mcp.server import MCPServer


def register_prompts(server: MCPServer[Any]) -> None:
    """Register every prompt on `server`."""
