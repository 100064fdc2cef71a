"""Google Antigravity: `mcp_config.json` under `~/.gemini/antigravity`, and its editor's settings.

Where Antigravity reads MCP servers:

- `~/.gemini/antigravity/mcp_config.json` (`mcpServers`: `command`/`args`/`env`, or `serverUrl`
  with `headers`), the file behind "Manage MCP Servers > View raw config"
  (antigravity.google/docs/mcp; the same path on Windows under `%USERPROFILE%`). There is no
  project-level file (discuss.ai.google.dev "Support for per-workspace MCP config").
- `~/.gemini/config/mcp_config.json`, which snyk/agent-scan (`agents/vscode/antigravity.py`)
  reads as the config the Antigravity CLI and IDE share.
- The editor, a VS Code fork, keeps `User/settings.json` in its app dir: `Antigravity` for 1.x,
  `Antigravity IDE` for 2.0, under `~/Library/Application Support` (macOS), `~/.config` (Linux)
  and `%APPDATA%` (Windows); VS Code's `"mcp": {"servers": …}` (or the dotted
  `"mcp.servers"`) there is read like the peer does.

Antigravity writes `"disabled": false` beside each entry it adds and reads `"disabled": true`
as off (observed in live `mcp_config.json` files: e.g. a Go client library's
`NewAntigravity`, "Only `disabled` and optional `headers` accompany `serverUrl`"); the file
holds only servers, so containment renames it. The editor's settings have no per-server switch
that is known to work, so their MCP section is moved aside, keeping every other byte. No
env-var reference syntax is documented.

For `investigate`, not yet read: conversations are kept under `~/.gemini/antigravity/`
(`conversations/`, `brain/`), in a format not documented.
"""

from __future__ import annotations

from mcpir.core.model import Server
from mcpir.discovery.client import Client, DisableKind, DisableMethod, app_dirs, servers_under
from mcpir.discovery.disabling import JsonEdits, Source, aside_key

_EDITOR = tuple(
    f"{d}/User/settings.json" for d in (*app_dirs("Antigravity"), *app_dirs("Antigravity IDE"))
)


def disable_in_settings(source: Source, servers: list[Server], edits: JsonEdits) -> tuple[str, str]:
    """The editor's servers section (`mcp`, `mcp.servers`) renamed aside; nothing else moves."""
    text, moved = source.text, []
    for key in sorted({str(server.keys[0]) for server in servers if server.keys}):
        aside = aside_key(source.data, key)
        text = edits.json_rename_key(text, (), key, aside)
        moved.append(f"{key} moved aside to {aside}")
    return text, "server section " + ", ".join(moved)


CLIENT = Client(
    name="antigravity",
    title="Google Antigravity",
    user=(
        ".gemini/antigravity/mcp_config.json",
        ".gemini/config/mcp_config.json",
        *_EDITOR,
    ),
    extract=servers_under(("mcpServers",), ("mcp", "servers"), ("mcp.servers",)),
    shared_files=("settings.json",),
    disable=DisableMethod(DisableKind.FLAG, key="disabled", value=True),
    editors={"settings.json": disable_in_settings},
)
