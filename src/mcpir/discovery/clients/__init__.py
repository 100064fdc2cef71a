"""Every client discovery knows, registered in one place. Adding a client: one module, one line."""

from mcpir.discovery.client import Client
from mcpir.discovery.clients import (
    amazonq,
    antigravity,
    claude_code,
    claude_desktop,
    cline,
    codex,
    continue_dev,
    copilot_cli,
    cursor,
    gemini,
    junie,
    kiro,
    mcp_servers_json,
    opencode,
    roo,
    vscode,
    windsurf,
    zed,
)

CLIENTS: tuple[Client, ...] = (
    claude_code.CLIENT,
    claude_desktop.CLIENT,
    cursor.CLIENT,
    vscode.CLIENT,
    copilot_cli.CLIENT,
    windsurf.CLIENT,
    gemini.CLIENT,
    codex.CLIENT,
    zed.CLIENT,
    cline.CLIENT,
    roo.CLIENT,
    continue_dev.CLIENT,
    junie.CLIENT,
    mcp_servers_json.CLIENT,
    kiro.CLIENT,
    opencode.CLIENT,
    amazonq.CLIENT,
    antigravity.CLIENT,
)

BY_NAME: dict[str, Client] = {client.name: client for client in CLIENTS}
