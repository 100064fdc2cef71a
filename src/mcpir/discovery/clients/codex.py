"""Codex CLI / IDE / app: `[mcp_servers.<name>]` in `~/.codex/config.toml`, its profiles and
the system file.

A profile is a layer file `<CODEX_HOME>/<name>.config.toml` (`codex --profile <name>`;
developers.openai.com/codex/config-advanced, openai/codex#17141); the system layer is
`/etc/codex/config.toml`, `%ProgramData%/OpenAI/Codex/config.toml` on Windows (codex-rs
config/src/loader: SYSTEM_CONFIG_TOML_FILE_UNIX).
"""

from mcpir.discovery.client import Client, DisableKind, DisableMethod, servers_under

CLIENT = Client(
    name="codex",
    title="Codex",
    user=(".codex/config.toml", ".codex/*.config.toml"),
    project=(".codex/config.toml",),
    system=("etc/codex/config.toml", "ProgramData/OpenAI/Codex/config.toml"),
    env=(("CODEX_HOME", "config.toml"), ("CODEX_HOME", "*.config.toml")),
    extract=servers_under(("mcp_servers",)),
    shared_files=("config.toml",),
    disable=DisableMethod(DisableKind.FLAG, key="enabled", value=False),
)
