"""Claude Desktop: `claude_desktop_config.json` and installed desktop extensions (.mcpb/.dxt)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from mcpir.core.documents import Document, DocumentError, read_text
from mcpir.discovery.client import Client, DisableKind, DisableMethod, Entry, app_dirs, mcp_servers

_DIRS = app_dirs("Claude")


def _extension_enabled(manifest: Path) -> bool:
    settings = (
        manifest.parent.parent.parent
        / "Claude Extensions Settings"
        / (manifest.parent.name + ".json")
    )
    try:
        data = json.loads(read_text(settings))
    except (DocumentError, ValueError, RecursionError):
        return True
    return not (isinstance(data, Mapping) and data.get("isEnabled") is False)


def extract(doc: Document, path: Path) -> Iterable[Entry]:
    if path.name != "manifest.json":
        yield from mcp_servers(doc, path)
        return
    data = doc.data
    server = data.get("server") if isinstance(data, Mapping) else None
    config = server.get("mcp_config") if isinstance(server, Mapping) else None
    if isinstance(config, Mapping):
        name = data.get("name") or path.parent.name
        yield Entry(str(name), config, ("server", "mcp_config"), enabled=_extension_enabled(path))


CLIENT = Client(
    name="claude-desktop",
    title="Claude Desktop",
    user=tuple(f"{d}/claude_desktop_config.json" for d in _DIRS)
    + tuple(f"{d}/Claude Extensions/*/manifest.json" for d in _DIRS),
    extract=extract,
    shared_files=("claude_desktop_config.json",),
    disable=DisableMethod(DisableKind.REMOVE, note="no per-server switch: remove the entry"),
)
