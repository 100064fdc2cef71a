"""Cursor: `~/.cursor/mcp.json` and a project's `.cursor/mcp.json`."""

from mcpir.discovery.client import Client, DisableKind, DisableMethod
from mcpir.discovery.clients.vscode import workspace_storage

CLIENT = Client(
    name="cursor",
    title="Cursor",
    references=("${env:%s}", "${env:%s}"),  # cursor.com/docs/mcp
    user=(".cursor/mcp.json",),
    project=(".cursor/mcp.json",),
    disable=DisableMethod(DisableKind.REMOVE, note="the on/off toggle lives in Cursor's UI state"),
    projects=workspace_storage(("Cursor",)),
)
