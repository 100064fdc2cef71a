"""Gemini CLI: `settings.json` (user, project, system) and extension manifests."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from mcpir.core.documents import Document
from mcpir.core.model import Server, Transport
from mcpir.discovery.client import Client, DisableKind, DisableMethod, Entry, mcp_servers
from mcpir.discovery.disabling import JsonEdits, Source


def _excluded(data: Any) -> set[str]:  # noqa: ANN401
    if not isinstance(data, Mapping):
        return set()
    mcp = data.get("mcp")
    lists = [
        data.get("excludeMCPServers"),
        mcp.get("excluded") if isinstance(mcp, Mapping) else None,
    ]
    return {str(n) for names in lists if isinstance(names, list) for n in names}


def extract(doc: Document, path: Path) -> Iterable[Entry]:
    excluded = _excluded(doc.data)
    for entry in mcp_servers(doc, path):
        yield dataclasses.replace(entry, enabled=False) if entry.name in excluded else entry


def disable_in_settings(source: Source, servers: list[Server], edits: JsonEdits) -> tuple[str, str]:
    names = [server.name for server in servers]
    text = edits.json_add_to_list(source.text, ("mcp",), "excluded", names, create_parents=True)
    return text, f"mcp.excluded += {', '.join(names)}"


CLIENT = Client(
    name="gemini",
    title="Gemini CLI",
    references=("${%s}", None),  # gemini-cli docs/tools/mcp-server.md: env values only
    user=(".gemini/settings.json", ".gemini/extensions/*/gemini-extension.json"),
    project=(".gemini/settings.json",),
    system=(
        "etc/gemini-cli/settings.json",
        "Library/Application Support/GeminiCli/settings.json",
        "ProgramData/gemini-cli/settings.json",
    ),
    extract=extract,
    # Gemini's `url` is SSE; streamable HTTP is spelled `httpUrl`.
    url_transport=Transport.SSE,
    shared_files=("settings.json",),
    disable=DisableMethod(DisableKind.LIST, key="mcp.excluded"),
    editors={"settings.json": disable_in_settings},
)
