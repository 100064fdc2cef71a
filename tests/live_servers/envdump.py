"""An MCP server whose one tool's description is its environment's names and cwd."""

from __future__ import annotations

import json
import os

from mcp.server.mcpserver import MCPServer

app = MCPServer("envdump")
SEEN = json.dumps({"env": dict(os.environ), "cwd": os.getcwd()})


@app.tool(description=SEEN)
def env() -> str:
    return "env"


if __name__ == "__main__":
    app.run()
