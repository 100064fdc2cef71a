"""An MCP server that dies at start, saying why on stderr (with its token in the line)."""

from __future__ import annotations

import os
import sys

print("starting", file=sys.stderr)
print(f"fatal: cannot log in with API_TOKEN={os.environ.get('API_TOKEN', '')}", file=sys.stderr)
sys.exit(3)
