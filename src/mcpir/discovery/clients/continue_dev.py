"""Continue: `mcpServers` as a *list* in `config.yaml`; block files in `.continue/mcpServers/`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from mcpir.core.documents import Document
from mcpir.discovery.client import Client, DisableKind, DisableMethod, Entry, mcp_servers

_BLOCKS = tuple(f".continue/mcpServers/*.{ext}" for ext in ("yaml", "yml", "json"))


def extract(doc: Document, path: Path) -> Iterable[Entry]:
    data = doc.data
    servers = data.get("mcpServers") if isinstance(data, Mapping) else None
    if not isinstance(servers, list):
        yield from mcp_servers(doc, path)
        return
    for index, raw in enumerate(servers):
        if isinstance(raw, Mapping):
            yield Entry(str(raw.get("name") or f"#{index}"), raw, ("mcpServers", index))


CLIENT = Client(
    name="continue",
    title="Continue",
    user=(".continue/config.yaml", *_BLOCKS),
    project=_BLOCKS,
    extract=extract,
    shared_files=("config.yaml",),
    disable=DisableMethod(DisableKind.REMOVE, note="no switch: remove the entry or block file"),
)
