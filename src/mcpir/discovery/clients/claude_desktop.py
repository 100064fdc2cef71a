"""Claude Desktop: `claude_desktop_config.json` and installed desktop extensions (.mcpb/.dxt)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from mcpir.core.documents import Document, DocumentError, read_text
from mcpir.core.model import ConfigFile, Format, Server
from mcpir.discovery.client import Client, DisableKind, DisableMethod, Entry, app_dirs, mcp_servers
from mcpir.discovery.disabling import JsonEdits, encode, load

if TYPE_CHECKING:
    from mcpir.incident.journal import PlannedChange

_DIRS = app_dirs("Claude")


def _extension_settings(manifest: Path) -> Path:
    """Where Claude Desktop keeps an installed extension's `isEnabled`."""
    return (
        manifest.parent.parent.parent
        / "Claude Extensions Settings"
        / f"{manifest.parent.name}.json"
    )


def _extension_enabled(manifest: Path) -> bool:
    settings = _extension_settings(manifest)
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


def disable_extension(
    config: ConfigFile, servers: list[Server], edits: JsonEdits
) -> PlannedChange | None:
    """An extension is switched off in its settings file, as the app's toggle does: its
    manifest is replaced on update."""
    from mcpir.incident.journal import PlannedChange

    if config.path.name != "manifest.json":
        return None
    target = _extension_settings(config.path)
    if target.exists():
        source = load(target, Format.JSON)
        text = edits.json_set_member(source.text, (), "isEnabled", False)
        return PlannedChange("edit", source.path, f"{target}: isEnabled false",
                             encode(source, text), before=source.raw,
                             servers=tuple(s.name for s in servers))  # fmt: skip
    return PlannedChange("create", target, f"{target}: created with isEnabled false",
                         b'{\n  "isEnabled": false\n}\n',
                         servers=tuple(s.name for s in servers))  # fmt: skip


CLIENT = Client(
    name="claude-desktop",
    title="Claude Desktop",
    user=tuple(f"{d}/claude_desktop_config.json" for d in _DIRS)
    + tuple(f"{d}/Claude Extensions/*/manifest.json" for d in _DIRS),
    extract=extract,
    shared_files=("claude_desktop_config.json",),
    disable=DisableMethod(DisableKind.REMOVE, note="no per-server switch: remove the entry"),
    elsewhere=disable_extension,
)
