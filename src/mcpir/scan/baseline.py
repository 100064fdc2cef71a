"""The known-good baseline: what every server looked like when someone reviewed it.

`mcp-baseline.json` is safe to commit: it holds names, commands, redacted arguments and URLs,
and the *names* of env vars and headers, never a value.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcpir.core.documents import DocumentError, parse_json, read_text
from mcpir.core.errors import UsageError
from mcpir.core.fileio import atomic_write_text
from mcpir.core.model import ConfigFile, Location, Server
from mcpir.core.paths import Scopes
from mcpir.core.redact import redact_args, redact_text
from mcpir.launchers.commands import container_run

VERSION = 1
FILENAME = "mcp-baseline.json"
FIELDS = ("transport", "command", "image", "args", "env_keys", "header_keys", "url", "description")


def server_key(server: Server, scopes: Scopes) -> str:
    return redact_text(f"{server.client}:{scopes.display(server.path)}:{server.name}")


def server_entry(server: Server) -> dict[str, Any]:
    run = container_run(server)
    return {
        "transport": server.transport.value,
        "command": redact_text(server.command) if server.command else None,
        "image": run.image if run else None,
        "args": redact_args(server.args),
        "env_keys": sorted(server.env),
        "header_keys": sorted(server.headers),
        "url": redact_text(server.url) if server.url else None,
        "description": redact_text(server.description) if server.description else None,
    }


def snapshot(files: Iterable[ConfigFile], scopes: Scopes) -> dict[str, Any]:
    servers = {
        server_key(server, scopes): server_entry(server)
        for config in files
        for server in config.servers
    }
    return {"version": VERSION, "servers": dict(sorted(servers.items()))}


def write(path: Path, document: Mapping[str, Any]) -> None:
    atomic_write_text(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def load(path: Path) -> dict[str, Any]:
    try:
        data = parse_json(read_text(path)).data  # a repository may ship it: bounded parse
    except DocumentError as exc:
        raise UsageError(f"--baseline {path}: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict) or not isinstance(data.get("servers"), dict):
        raise UsageError(f"--baseline {path}: not an mcpir baseline")
    if data.get("version") != VERSION:
        raise UsageError(
            f"--baseline {path}: version {data.get('version')!r} is not supported",
            hint=f"this mcpir writes version {VERSION}; re-record with --update-baseline",
        )
    return data


@dataclass(frozen=True)
class Drift:
    key: str
    change: str  # "added" | "removed" | "changed"
    field: str | None
    before: Any
    after: Any
    location: Location | None

    @property
    def server(self) -> str:
        return self.key.rsplit(":", 1)[-1]

    def describe(self) -> str:
        if self.change == "added":
            return f"server {self.server} was added since the baseline"
        if self.change == "removed":
            return f"server {self.server} was removed since the baseline"
        return f"server {self.server}: {self.field} changed"

    def evidence(self) -> str:
        if self.change != "changed":
            return self.key
        before, after = (json.dumps(v, ensure_ascii=False) for v in (self.before, self.after))
        return f"{self.field}: {before} -> {after}"


def drift(baseline: Mapping[str, Any], files: Iterable[ConfigFile], scopes: Scopes) -> list[Drift]:
    old: Mapping[str, Any] = baseline["servers"]
    servers = {server_key(s, scopes): s for config in files for s in config.servers}
    changes: list[Drift] = []
    for key, server in servers.items():
        entry = server_entry(server)
        if key not in old:
            changes.append(Drift(key, "added", None, None, entry, server.location))
            continue
        before = old[key] if isinstance(old[key], Mapping) else {}
        changes.extend(
            Drift(key, "changed", name, before.get(name), entry[name], server.location)
            for name in FIELDS
            if before.get(name) != entry[name]
        )
    changes.extend(
        Drift(key, "removed", None, old[key], None, None)
        for key in sorted(old.keys() - servers.keys())
    )
    return changes
