"""GitHub Copilot CLI: `~/.copilot/mcp-config.json` (its project file is `.mcp.json`)."""

from mcpir.discovery.client import Client, DisableKind, DisableMethod

CLIENT = Client(
    name="copilot-cli",
    title="Copilot CLI",
    user=(".copilot/mcp-config.json",),
    env=(("COPILOT_HOME", "mcp-config.json"),),
    disable=DisableMethod(DisableKind.REMOVE, note="no per-server switch: remove the entry"),
)
