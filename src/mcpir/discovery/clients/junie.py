"""JetBrains Junie: `~/.junie/mcp/mcp.json` and a project's `.junie/mcp/mcp.json`."""

from mcpir.discovery.client import Client, DisableKind, DisableMethod

CLIENT = Client(
    name="junie",
    title="JetBrains Junie",
    user=(".junie/mcp/mcp.json",),
    project=(".junie/mcp/mcp.json",),
    disable=DisableMethod(DisableKind.REMOVE, note="no switch documented: remove the entry"),
)
