"""VS Code's project files that hold MCP servers among other settings: a dev container's
`devcontainer.json` and a multi-root workspace file, for the VS Code client module.

- A dev container (containers.dev `devcontainer-reference.md`: `.devcontainer/devcontainer.json`,
  `.devcontainer.json`, `.devcontainer/<folder>/devcontainer.json`) keeps servers in
  `customizations.vscode.mcp.servers` (JSONC). VS Code writes them into the container's remote
  `mcp.json` when it creates the container (code.visualstudio.com, "Add an MCP server to a dev
  container"). VS Code has no switch for them in the file, so containment moves the `servers`
  mapping aside inside `mcp`; the next container built from it has none of them. A container
  built before keeps its own copy: rebuild it.
- A workspace file (`*.code-workspace`, or an untitled workspace's
  `<user data>/Workspaces/<id>/workspace.json`) keeps servers in `settings.mcp.servers`
  (microsoft/vscode `McpResourceScannerService`: the `settings.mcp` section of the workspace
  configuration; older releases read it through the configuration model, where `"mcp.servers"`
  is the same key). Its `settings` also take `"chat.mcp.access": "none"`: the setting has the
  default (window) scope and VS Code reads it through the merged configuration
  (`observableConfigValue(mcpAccessConfig)`), so it stops every MCP server of a window opened on
  that workspace. Containment sets it there.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from mcpir.core import documents
from mcpir.core.documents import Document, KeyPath
from mcpir.core.model import ConfigFile, Server
from mcpir.discovery.client import ASIDE, CONTAINED_SUFFIX, Entry, servers_under
from mcpir.discovery.disabling import JsonEdits, Source, aside_key

DEVCONTAINER_NAMES = ("devcontainer.json", ".devcontainer.json")
DEVCONTAINER_FILES = (
    ".devcontainer/devcontainer.json",
    ".devcontainer.json",
    ".devcontainer/*/devcontainer.json",
)
WORKSPACE_GLOB = "*.code-workspace"
UNTITLED_NAME = "workspace.json"  # `<user data>/Workspaces/<id>/workspace.json`
UNTITLED_WORKSPACES = f"Workspaces/*/{UNTITLED_NAME}"

_CONTAINER_MCP: KeyPath = ("customizations", "vscode", "mcp")
_SETTINGS: KeyPath = ("settings",)
_workspace_servers = servers_under(("settings", "mcp", "servers"), ("settings", "mcp.servers"))


def _name(path: Path) -> str:
    return path.name.split(CONTAINED_SUFFIX, 1)[0]


def is_devcontainer(path: Path) -> bool:
    return _name(path) in DEVCONTAINER_NAMES


def is_workspace_file(path: Path) -> bool:
    name = _name(path)
    if name.endswith(WORKSPACE_GLOB[1:]):
        return True
    return name == UNTITLED_NAME and path.parent.parent.name == "Workspaces"


def _node(data: Any, keys: KeyPath) -> Any:  # noqa: ANN401
    for key in keys:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


def _container_entries(doc: Document, path: Path) -> Iterable[Entry]:
    yield from servers_under((*_CONTAINER_MCP, "servers"))(doc, path)
    mcp = _node(doc.data, _CONTAINER_MCP)
    for key in list(mcp) if isinstance(mcp, Mapping) else ():
        if isinstance(key, str) and key.startswith("servers" + ASIDE):
            for entry in servers_under((*_CONTAINER_MCP, key))(doc, path):
                yield dataclasses.replace(entry, enabled=False)  # moved aside by containment


def entries(doc: Document, path: Path) -> Iterable[Entry] | None:
    """The servers of a dev container or a workspace file; None for any other file."""
    if is_devcontainer(path):
        return _container_entries(doc, path)
    if is_workspace_file(path):
        return _workspace_servers(doc, path)
    return None


def _sections(path: Path) -> tuple[KeyPath, ...]:
    if is_devcontainer(path):
        return (_CONTAINER_MCP, (*_CONTAINER_MCP, "servers"))
    return (("settings", "mcp"), ("settings", "mcp", "servers"), ("settings", "mcp.servers"))


def _kind(value: Any) -> str:  # noqa: ANN401
    kinds = {list: "a list", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return kinds.get(type(value), "a value")


def _switched_off(data: Any) -> bool:  # noqa: ANN401
    settings = _node(data, _SETTINGS)
    return isinstance(settings, Mapping) and (
        settings.get("chat.mcp.access") == "none" or settings.get("chat.mcp.enabled") is False
    )


def checked(config: ConfigFile) -> ConfigFile:
    """A section VS Code cannot read servers from (a list, a string) is the file's one-line
    error; a workspace whose own settings turn MCP off runs none of its servers."""
    if config.error or not (is_devcontainer(config.path) or is_workspace_file(config.path)):
        return config
    try:
        doc = documents.load(config.path, config.format)
    except documents.DocumentError:
        return config
    for keys in _sections(config.path):
        value = _node(doc.data, keys)
        if value is not None and not isinstance(value, Mapping):
            line = doc.line_of(keys)
            where = f"line {line}: " if line else ""
            dotted = ".".join(str(k) for k in keys)
            error = f"{where}{dotted} is {_kind(value)}, not an object: VS Code reads no server"
            return dataclasses.replace(config, error=error)
    if is_workspace_file(config.path) and _switched_off(doc.data):
        servers = tuple(dataclasses.replace(s, enabled=False) for s in config.servers)
        return dataclasses.replace(config, servers=servers)
    return config


def disable_in_devcontainer(
    source: Source, servers: list[Server], edits: JsonEdits
) -> tuple[str, str]:
    """No switch in the file: `customizations.vscode.mcp.servers` is moved aside in place."""
    aside = aside_key(_node(source.data, _CONTAINER_MCP), "servers")
    text = edits.json_rename_key(source.text, _CONTAINER_MCP, "servers", aside)
    what = (
        f"customizations.vscode.mcp.servers moved aside to {aside} "
        "(a container built before keeps its copy: rebuild it)"
    )
    return text, what


def disable_in_workspace(
    source: Source, servers: list[Server], edits: JsonEdits
) -> tuple[str, str]:
    """The workspace's own settings turn every MCP server of its window off."""
    text = edits.json_set_member(source.text, _SETTINGS, "chat.mcp.access", "none")
    return text, '"chat.mcp.access": "none" in the workspace settings (every MCP server off)'
