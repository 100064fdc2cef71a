"""GitHub Copilot CLI: `~/.copilot/mcp-config.json`; in a repository `.github/mcp.json` (and
`.mcp.json`, read as Claude Code's). docs.github.com: copilot-cli, add MCP servers."""

from mcpir.discovery.client import Client, DisableKind, DisableMethod

CLIENT = Client(
    name="copilot-cli",
    title="Copilot CLI",
    user=(".copilot/mcp-config.json",),
    project=(".github/mcp.json",),
    env=(("COPILOT_HOME", "mcp-config.json"),),
    disable=DisableMethod(DisableKind.REMOVE, note="no per-server switch: remove the entry"),
)
