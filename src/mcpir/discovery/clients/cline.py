"""Cline (VS Code extension and CLI): `cline_mcp_settings.json`."""

from mcpir.discovery.client import Client, DisableKind, DisableMethod, vscode_user_dirs

_REL = "globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json"

CLIENT = Client(
    name="cline",
    title="Cline",
    user=tuple(f"{d}/{_REL}" for d in vscode_user_dirs())
    + (".cline/data/settings/cline_mcp_settings.json",),
    disable=DisableMethod(DisableKind.FLAG, key="disabled", value=True),
)
