"""VS Code (Copilot): `mcp.json` per profile and workspace, legacy `"mcp"` in settings.json."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from pathlib import Path

from mcpir.core import documents
from mcpir.core.model import ConfigFile, Server
from mcpir.core.paths import Scopes
from mcpir.discovery.client import (
    REMOTE_SERVER_DIRS,
    Client,
    DisableKind,
    DisableMethod,
    servers_under,
    vscode_user_dirs,
)
from mcpir.discovery.disabling import JsonEdits, Source
from mcpir.discovery.projects import ProjectHint, ProjectSource

_USER = vscode_user_dirs(("Code", "Code - Insiders", "VSCodium"))
# What each user dir holds: the default profile's files, then each named profile's
# (`User/profiles/<id>/`, whose settings.json is read for that profile's `mcp` section).
_FILES = ("mcp.json", "profiles/*/mcp.json", "settings.json", "profiles/*/settings.json")


def _mcp_switched_off(config: ConfigFile) -> bool:
    """`"chat.mcp.access": "none"` (or the older `"chat.mcp.enabled": false`) stops every server."""
    try:
        data = documents.load(config.path, config.format).data
    except documents.DocumentError:
        return False
    return isinstance(data, Mapping) and (
        data.get("chat.mcp.access") == "none" or data.get("chat.mcp.enabled") is False
    )


def adjust(files: list[ConfigFile], scopes: Scopes) -> list[ConfigFile]:
    """Servers of a VS Code profile whose user settings turn MCP off are not running.

    A named profile (`profiles/<id>/`) reads its own settings.json, not the default one's."""
    off: list[Path] = [
        config.path.parent
        for config in files
        if config.client == "vscode"
        and config.scope == "user"
        and config.path.name == "settings.json"
        and not config.error
        and _mcp_switched_off(config)
    ]
    if not off:
        return files
    return [
        dataclasses.replace(
            config, servers=tuple(dataclasses.replace(s, enabled=False) for s in config.servers)
        )
        if config.client == "vscode" and config.path.parent in off
        else config
        for config in files
    ]


def disable_in_settings(source: Source, servers: list[Server], edits: JsonEdits) -> tuple[str, str]:
    """VS Code has no per-server switch; settings.json has the user's own switch for all MCP."""
    text = edits.json_set_member(source.text, (), "chat.mcp.access", "none")
    return text, '"chat.mcp.access": "none" (VS Code\'s switch for all MCP servers)'


def workspace_storage(products: tuple[str, ...], portable: str | None = None) -> ProjectSource:
    """The folders and workspaces an editor of the VS Code family opened, one window each:
    `<user dir>/workspaceStorage/<hash>/workspace.json` holds `{"folder": "file:///…"}` or
    `{"workspace": "file:///….code-workspace"}`. A remote window's server dir (SSH, WSL, a
    dev container) is on the machine the project is on: its `vscode-remote://` URIs are local
    there. `portable`: the variable naming a portable install's dir (`<it>/user-data/User`)."""
    user_dirs = vscode_user_dirs(products)
    servers = tuple(f"{d}/" for d in REMOTE_SERVER_DIRS.values())

    def recorded(home: Path, scopes: Scopes) -> Iterator[ProjectHint]:
        from mcpir.discovery.state import MAX_SMALL_STATE_BYTES, entries, load_state, uri_path

        bases = [(home / d, d.startswith(servers)) for d in user_dirs]
        moved = (scopes.environ or {}).get(portable) if portable else None
        if moved:
            bases.append((Path(moved).expanduser() / "user-data" / "User", False))
        for base, remote in bases:
            for window in entries(base / "workspaceStorage"):
                file = window / "workspace.json"
                data = load_state(file, scopes, max_bytes=MAX_SMALL_STATE_BYTES)
                if not isinstance(data, Mapping):
                    continue
                for key, workspace in (("folder", False), ("workspace", True)):
                    path = uri_path(data.get(key), remote_is_local=remote)
                    if path:
                        yield ProjectHint(path, file, workspace=workspace)

    return recorded


CLIENT = Client(
    name="vscode",
    title="VS Code",
    references=("${env:%s}", "${env:%s}"),
    user=tuple(f"{d}/{name}" for name in _FILES for d in _USER),
    project=(".vscode/mcp.json", ".vscode/settings.json"),
    # Portable mode keeps the user data dir in `$VSCODE_PORTABLE/user-data` (VS Code's
    # src/vs/platform/environment/node/userDataPath.js).
    env=tuple(("VSCODE_PORTABLE", f"user-data/User/{name}") for name in _FILES),
    # settings.json may spell the section as one dotted key, `"mcp.servers": {...}`: VS Code's
    # configuration model splits dotted keys into nested objects (toValuesTree).
    extract=servers_under(("servers",), ("mcp", "servers"), ("mcp.servers",), ("mcpServers",)),
    shared_files=("settings.json",),
    disable=DisableMethod(
        DisableKind.REMOVE,
        note='no per-server flag; "chat.mcp.access": "none" in settings.json turns MCP off',
    ),
    adjust=adjust,
    editors={"settings.json": disable_in_settings},
    projects=workspace_storage(("Code", "Code - Insiders", "VSCodium"), "VSCODE_PORTABLE"),
)
