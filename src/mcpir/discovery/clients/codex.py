"""Codex CLI / IDE / app: `[mcp_servers.<name>]` in `~/.codex/config.toml`."""

from mcpir.discovery.client import Client, DisableKind, DisableMethod, servers_under

CLIENT = Client(
    name="codex",
    title="Codex",
    user=(".codex/config.toml",),
    project=(".codex/config.toml",),
    env=(("CODEX_HOME", "config.toml"),),
    extract=servers_under(("mcp_servers",)),
    shared_files=("config.toml",),
    disable=DisableMethod(DisableKind.FLAG, key="enabled", value=False),
)
