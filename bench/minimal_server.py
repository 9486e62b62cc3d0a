"""The floor for cold start and memory: a minimal `MCPServer` with one tool over stdio."""

from mcp.server import MCPServer

server = MCPServer(name="minimal")


@server.tool()
def ping() -> str:
    """Answer pong."""
    return "pong"


if __name__ == "__main__":
    server.run()
