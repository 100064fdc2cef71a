"""Windsurf (and the Codeium JetBrains plugin): `~/.codeium/windsurf/mcp_config.json`."""

from mcpir.discovery.client import Client, DisableKind, DisableMethod
from mcpir.discovery.clients.vscode import workspace_storage

CLIENT = Client(
    name="windsurf",
    title="Windsurf",
    references=("${env:%s}", "${env:%s}"),  # docs.windsurf.com: config interpolation
    user=(
        ".codeium/windsurf/mcp_config.json",
        ".codeium/windsurf-next/mcp_config.json",
        ".codeium/mcp_config.json",
    ),
    disable=DisableMethod(DisableKind.FLAG, key="disabled", value=True),
    projects=workspace_storage(("Windsurf",)),
)
