"""Resources and resource templates (`hireflix://...`) and their completions. STUB: to be implemented."""

from __future__ import annotations

from typing import Any

from mcp.server import MCPServer


def register_resources(server: MCPServer[Any]) -> None:
    """Register every resource, template and completion handler on `server`."""
