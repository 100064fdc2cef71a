"""Codex CLI / IDE / app: `[mcp_servers.<name>]` in `~/.codex/config.toml`, its profiles and
the system file.

A profile is a layer file `<CODEX_HOME>/<name>.config.toml` (`codex --profile <name>`;
developers.openai.com/codex/config-advanced, openai/codex#17141); the system layer is
`/etc/codex/config.toml`, `%ProgramData%/OpenAI/Codex/config.toml` on Windows (codex-rs
config/src/loader: SYSTEM_CONFIG_TOML_FILE_UNIX).
"""

from collections.abc import Iterator
from pathlib import Path

from mcpir.core.model import Format
from mcpir.core.paths import Scopes
from mcpir.discovery.client import Client, DisableKind, DisableMethod, servers_under
from mcpir.discovery.projects import ProjectHint


def recorded_projects(home: Path, scopes: Scopes) -> Iterator[ProjectHint]:
    """The projects Codex was run in: its `[projects."/abs/path"]` tables (`trust_level`) in
    `~/.codex/config.toml` (and `$CODEX_HOME` on this machine). A project's `.codex/` layers
    are read from the folders above it too, so those are looked at as well."""
    from mcpir.discovery.state import keys_of_projects

    files = [home / ".codex" / "config.toml"]
    moved = (scopes.environ or {}).get("CODEX_HOME")
    if moved:
        files.append(Path(moved).expanduser() / "config.toml")
    yield from keys_of_projects(files, scopes, Format.TOML)


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
    projects=recorded_projects,
)
