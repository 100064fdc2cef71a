"""`mcpir servers`: the inventory of MCP servers, as data ready for any renderer."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcpir.core.model import ConfigFile, Server
from mcpir.core.paths import Scopes
from mcpir.core.redact import redact_args, redact_text
from mcpir.discovery.projects import Collection, Project, ProjectState


@dataclass(frozen=True)
class ServerListing:
    files: tuple[ConfigFile, ...]
    # Every project looked at: `--root`, those the clients recorded (with their state), and
    # folders above them that hold a config; `dropped` recorded projects over the bound.
    projects: tuple[Project, ...] = ()
    dropped: int = 0

    @property
    def servers(self) -> list[Server]:
        return [server for config in self.files for server in config.servers]

    @property
    def problems(self) -> list[ConfigFile]:
        return [config for config in self.files if config.error]


def list_servers(scopes: Scopes) -> ServerListing:
    from mcpir.config.project import load_policy
    from mcpir.discovery import discover
    from mcpir.discovery.clients import CLIENTS
    from mcpir.discovery.projects import collect

    root = scopes.root
    exclude = load_policy(root).discovery.exclude if root is not None else ()
    collection = Collection()
    if scopes.projects is None and not scopes.only_root:
        collection = collect(scopes, CLIENTS)
        scopes = dataclasses.replace(scopes, projects=collection.readable)
    files = tuple(discover(scopes, exclude))
    return ServerListing(files, _looked_at(collection, files, scopes), collection.dropped)


def _looked_at(
    collection: Collection, files: tuple[ConfigFile, ...], scopes: Scopes
) -> tuple[Project, ...]:
    projects = list(collection.projects)
    if not projects and scopes.root is not None:
        projects.append(Project(scopes.root, ProjectState.OK, ("--root",), str(scopes.root)))
    listed = {project.path for project in projects}
    parents = set(collection.parents)
    for config in files:
        folder = config.project
        if folder is not None and folder in parents and folder not in listed:
            listed.add(folder)
            projects.append(Project(folder, ProjectState.OK, ("parent folder",), str(folder)))
    return tuple(projects)


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
        **_project_field(server.project),
    }


def _project_field(project: Path | None) -> dict[str, str]:
    """`project` on the records of a project's files only: user, local and system records keep
    the fields they always had."""
    return {} if project is None else {"project": str(project)}


def problem_row(config: ConfigFile) -> dict[str, Any]:
    return {
        "client": config.client,
        "scope": config.scope.value,
        "path": str(config.path),
        "error": redact_text(config.error or ""),
        **_project_field(config.project),
    }


def listing_rows(listing: ServerListing) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for config in listing.files:
        if config.error:
            rows.append(problem_row(config))
        rows.extend(server_row(server) for server in config.servers)
    return rows


def project_rows(listing: ServerListing) -> list[dict[str, Any]]:
    """The `servers --projects --json` contract: every project looked at, with its state."""
    rows = []
    for project in listing.projects:
        files = [c for c in listing.files if c.project == project.path]
        rows.append(
            {
                "project": redact_text(
                    str(project.path) if project.path.is_absolute() else project.recorded
                ),
                "state": project.state.value,
                "known_from": list(project.known_from),
                "recorded": redact_text(project.recorded),
                "reason": redact_text(project.reason) if project.reason else None,
                "files": len(files),
                "servers": sum(len(c.servers) for c in files),
            }
        )
    return rows
