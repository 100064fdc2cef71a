"""`mcpir servers`: the inventory of MCP servers, as data ready for any renderer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mcpir.core.model import ConfigFile, Server
from mcpir.core.paths import Scopes
from mcpir.core.redact import redact_args, redact_text


@dataclass(frozen=True)
class ServerListing:
    files: tuple[ConfigFile, ...]

    @property
    def servers(self) -> list[Server]:
        return [server for config in self.files for server in config.servers]

    @property
    def problems(self) -> list[ConfigFile]:
        return [config for config in self.files if config.error]


def list_servers(scopes: Scopes) -> ServerListing:
    from mcpir.config.project import load_policy
    from mcpir.discovery import discover

    root = scopes.root
    exclude = load_policy(root).discovery.exclude if root is not None else ()
    return ServerListing(tuple(discover(scopes, exclude)))


def server_row(server: Server) -> dict[str, Any]:
    """The `--json` contract for one server; values of env and headers are never included."""
    return {
        "client": server.client,
        "scope": server.scope.value,
        "path": str(server.path),
        "line": server.line,
        "name": redact_text(server.name),
        "transport": server.transport.value,
        "command": redact_text(server.command) if server.command else None,
        "args": redact_args(server.args),
        "url": redact_text(server.url) if server.url else None,
        "env_keys": sorted(map(redact_text, server.env)),
        "header_keys": sorted(map(redact_text, server.headers)),
        "enabled": server.enabled,
    }


def problem_row(config: ConfigFile) -> dict[str, Any]:
    return {
        "client": config.client,
        "scope": config.scope.value,
        "path": str(config.path),
        "error": redact_text(config.error or ""),
    }


def listing_rows(listing: ServerListing) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for config in listing.files:
        if config.error:
            rows.append(problem_row(config))
        rows.extend(server_row(server) for server in config.servers)
    return rows
