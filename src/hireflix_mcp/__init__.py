"""hireflix-mcp: run hiring on Hireflix from AI assistants over the Model Context Protocol."""

__version__ = "0.1.0"
