"""hireflix-mcp: run hiring on Hireflix from AI assistants over the Model Context Protocol."""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version

try:
    __version__ = version("hireflix-mcp")
    """The installed distribution's version: pyproject.toml is its one source."""
except PackageNotFoundError:  # pragma: no cover - the source tree on sys.path without an install
    __version__ = "0+unknown"
