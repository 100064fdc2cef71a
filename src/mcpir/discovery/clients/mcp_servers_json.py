"""The file the security notes name: `mcp-servers.json` (also under `.claude/`)."""

from mcpir.discovery.client import Client, DisableKind, DisableMethod

CLIENT = Client(
    name="mcp-servers-json",
    title="mcp-servers.json",
    user=(".claude/mcp-servers.json",),
    project=("mcp-servers.json", ".claude/mcp-servers.json"),
    disable=DisableMethod(DisableKind.REMOVE, note="MCP-only file: move it aside"),
)
