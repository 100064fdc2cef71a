"""VS Code (Copilot): `mcp.json` per profile and workspace, legacy `"mcp"` in settings.json."""

from __future__ import annotations

from mcpir.discovery.client import (
    Client,
    DisableKind,
    DisableMethod,
    servers_under,
    vscode_user_dirs,
)

_USER = vscode_user_dirs(("Code", "Code - Insiders", "VSCodium"))

CLIENT = Client(
    name="vscode",
    title="VS Code",
    user=tuple(f"{d}/mcp.json" for d in _USER)
    + tuple(f"{d}/profiles/*/mcp.json" for d in _USER)
    + tuple(f"{d}/settings.json" for d in _USER),
    project=(".vscode/mcp.json", ".vscode/settings.json"),
    extract=servers_under(("servers",), ("mcp", "servers"), ("mcpServers",)),
    shared_files=("settings.json",),
    disable=DisableMethod(
        DisableKind.REMOVE,
        note='no per-server flag; "chat.mcp.access": "none" in settings.json turns MCP off',
    ),
)
