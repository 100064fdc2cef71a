"""VS Code (Copilot): `mcp.json` per profile and workspace, legacy `"mcp"` in settings.json, a dev
container's `customizations.vscode.mcp` and a workspace file's `settings.mcp`
(`discovery.vscode_workspace`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from mcpir.core import documents
from mcpir.core.documents import Document
from mcpir.core.model import ConfigFile, Server
from mcpir.core.paths import Scopes
from mcpir.discovery import vscode_workspace
from mcpir.discovery.client import (
    REMOTE_SERVER_DIRS,
    Client,
    DisableKind,
    DisableMethod,
    Entry,
    app_dirs,
    servers_under,
    vscode_user_dirs,
)
from mcpir.discovery.disabling import EditorsByName, FileNames, JsonEdits, Source
from mcpir.discovery.projects import ProjectHint, ProjectSource

_PRODUCTS = ("Code", "Code - Insiders", "VSCodium")
_USER = vscode_user_dirs(_PRODUCTS)
# What each user dir holds: the default profile's files, then each named profile's
# (`User/profiles/<id>/`, whose settings.json is read for that profile's `mcp` section).
_FILES = ("mcp.json", "profiles/*/mcp.json", "settings.json", "profiles/*/settings.json")
# Untitled workspaces live beside `User/`, in the product's user data dir (VS Code's
# environmentService: `untitledWorkspacesHome` is `<userDataPath>/Workspaces`).
_UNTITLED = tuple(
    f"{d}/{vscode_workspace.UNTITLED_WORKSPACES}" for p in _PRODUCTS for d in app_dirs(p)
)
# settings.json may spell the section as one dotted key, `"mcp.servers": {...}`: VS Code's
# configuration model splits dotted keys into nested objects (toValuesTree).
_settings_and_mcp = servers_under(
    ("servers",), ("mcp", "servers"), ("mcp.servers",), ("mcpServers",)
)


def extract(doc: Document, path: Path) -> Iterable[Entry]:
    found = vscode_workspace.entries(doc, path)
    return _settings_and_mcp(doc, path) if found is None else found


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

    A named profile (`profiles/<id>/`) reads its own settings.json, not the default one's. A dev
    container or workspace file gets its own checks (`vscode_workspace.checked`)."""
    off: list[Path] = [
        config.path.parent
        for config in files
        if config.client == "vscode"
        and config.scope == "user"
        and config.path.name == "settings.json"
        and not config.error
        and _mcp_switched_off(config)
    ]
    files = [vscode_workspace.checked(c) if c.client == "vscode" else c for c in files]
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
    user=(*(f"{d}/{name}" for name in _FILES for d in _USER), *_UNTITLED),
    project=(
        ".vscode/mcp.json",
        ".vscode/settings.json",
        *vscode_workspace.DEVCONTAINER_FILES,
        vscode_workspace.WORKSPACE_GLOB,
    ),
    # Portable mode keeps the user data dir in `$VSCODE_PORTABLE/user-data` (VS Code's
    # src/vs/platform/environment/node/userDataPath.js).
    env=(
        *(("VSCODE_PORTABLE", f"user-data/User/{name}") for name in _FILES),
        ("VSCODE_PORTABLE", f"user-data/{vscode_workspace.UNTITLED_WORKSPACES}"),
    ),
    extract=extract,
    shared_files=FileNames(
        (
            "settings.json",
            *vscode_workspace.DEVCONTAINER_NAMES,
            vscode_workspace.WORKSPACE_GLOB,
            vscode_workspace.UNTITLED_NAME,
        )
    ),
    disable=DisableMethod(
        DisableKind.REMOVE,
        note='no per-server flag; "chat.mcp.access": "none" in settings.json turns MCP off',
    ),
    adjust=adjust,
    editors=EditorsByName(
        {
            "settings.json": disable_in_settings,
            **dict.fromkeys(
                vscode_workspace.DEVCONTAINER_NAMES, vscode_workspace.disable_in_devcontainer
            ),
            vscode_workspace.WORKSPACE_GLOB: vscode_workspace.disable_in_workspace,
            vscode_workspace.UNTITLED_NAME: vscode_workspace.disable_in_workspace,
        }
    ),
    projects=workspace_storage(_PRODUCTS, "VSCODE_PORTABLE"),
)
