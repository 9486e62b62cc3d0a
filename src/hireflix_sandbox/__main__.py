"""`python -m hireflix_sandbox [flags]`: the same as `hireflix-mcp sandbox [flags]`."""

from __future__ import annotations

import sys

from .app import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
