"""`python -m hireflix_mcp` is `hireflix-mcp`: the same commands, flags and exit statuses."""

import sys

from hireflix_mcp.cli import main

if __name__ == "__main__":
    sys.exit(main())
