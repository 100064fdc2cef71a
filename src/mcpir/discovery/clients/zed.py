"""Zed: `context_servers` in the user and project `settings.json` (JSONC)."""

from mcpir.discovery.client import Client, DisableKind, DisableMethod, servers_under

CLIENT = Client(
    name="zed",
    title="Zed",
    user=(".config/zed/settings.json", "AppData/Roaming/Zed/settings.json"),
    project=(".zed/settings.json",),
    env=(("XDG_CONFIG_HOME", "zed/settings.json"),),
    extract=servers_under(("context_servers",)),
    shared_files=("settings.json",),
    disable=DisableMethod(DisableKind.FLAG, key="enabled", value=False),
)
