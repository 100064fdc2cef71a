"""Planning containment: how to turn off every enabled server, the way each client would.

A file that holds only MCP configuration is renamed to `<name>.mcpir-disabled`. A file that also
holds the user's other settings keeps every byte but the ones that switch MCP off: the client's
own switch where it has one (`"disabled": true`, `enabled = false`, a disabled list, VS Code's
`chat.mcp.access`), otherwise the server section renamed aside. The plan is data; the journal
applies it.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcpir.core import documents
from mcpir.core.model import ConfigFile, Format, Scope, Server
from mcpir.discovery.client import ASIDE, DisableKind
from mcpir.discovery.clients import BY_NAME
from mcpir.incident.journal import DISABLED_SUFFIX, PlannedChange, free_name

_BOM = b"\xef\xbb\xbf"
# Keys that may sit beside the servers in a file that is still "MCP only".
_MCP_ONLY_KEYS = frozenset({"mcpServers", "servers", "inputs", "name", "version", "schema"})


@dataclass
class Plan:
    changes: list[PlannedChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what needs a person: managed files, errors


def mcp_only(data: Any, config: ConfigFile | None = None) -> bool:  # noqa: ANN401
    client = BY_NAME.get(config.client) if config is not None else None
    if client is not None and config is not None and config.path.name in client.shared_files:
        return False  # a file the client shares with its other settings is never renamed
    if not isinstance(data, Mapping):
        return False
    return all(key in _MCP_ONLY_KEYS or str(key).startswith(("_", "$")) for key in data)


def _rename_target(path: Path) -> Path:
    return free_name(path, DISABLED_SUFFIX)


@dataclass(frozen=True)
class _Source:
    path: Path  # the real file (symlinks resolved: the edit goes to the file, not the link)
    raw: bytes
    text: str
    data: Any
    fmt: Format


def _load(path: Path, fmt: Format) -> _Source:
    real = Path(os.path.realpath(path))
    raw = real.read_bytes()
    text = documents.decode(raw)
    data = documents.PARSERS[fmt](text).data
    return _Source(real, raw, text, data, fmt)


def _encode(source: _Source, text: str) -> bytes:
    return (_BOM if source.raw.startswith(_BOM) else b"") + text.encode("utf-8")


Editor = Callable[[_Source, list[Server]], tuple[str, str]]  # -> (new text, what it did)


def _json_flag(key: str, value: bool) -> Editor:
    def edit(source: _Source, servers: list[Server]) -> tuple[str, str]:
        from mcpir.edits import json_set_member

        text = source.text
        for server in servers:
            text = json_set_member(text, server.keys, key, value)
        return text, f'"{key}": {str(value).lower()} on each server'

    return edit


def _toml_enabled_false(source: _Source, servers: list[Server]) -> tuple[str, str]:
    from mcpir.edits import toml_set

    text = source.text
    for server in servers:
        table = tuple(str(k) for k in server.keys)
        text = toml_set(text, table, "enabled", False)
    return text, "enabled = false on each server"


def _claude_json(source: _Source, servers: list[Server]) -> tuple[str, str]:
    from mcpir.edits import json_add_to_list, json_rename_key

    text, did = source.text, []
    by_project: dict[str, list[str]] = defaultdict(list)
    top_level = False
    for server in servers:
        if server.scope is Scope.LOCAL and len(server.keys) == 4:
            by_project[str(server.keys[1])].append(server.name)
        else:
            top_level = True
    for project, names in by_project.items():
        text = json_add_to_list(text, ("projects", project), "disabledMcpServers", names)
        did.append(f"projects[{project}].disabledMcpServers += {', '.join(names)}")
    if top_level:
        aside = _aside_key(source.data, "mcpServers")
        text = json_rename_key(text, (), "mcpServers", aside)
        did.append(f"user servers moved aside to {aside}")
    return text, "; ".join(did)


def _gemini(source: _Source, servers: list[Server]) -> tuple[str, str]:
    from mcpir.edits import json_add_to_list

    names = [server.name for server in servers]
    text = json_add_to_list(source.text, ("mcp",), "excluded", names, create_parents=True)
    return text, f"mcp.excluded += {', '.join(names)}"


def _vscode_settings(source: _Source, servers: list[Server]) -> tuple[str, str]:
    from mcpir.edits import json_set_member

    text = json_set_member(source.text, (), "chat.mcp.access", "none")
    return text, '"chat.mcp.access": "none" (VS Code\'s switch for all MCP servers)'


def _aside_key(data: Any, key: str) -> str:  # noqa: ANN401
    """A key to move `key` to that the document does not use yet (a second containment of a
    re-added section must not collide with the first)."""
    taken = set(data) if isinstance(data, Mapping) else set()
    candidate, number = key + ASIDE, 2
    while candidate in taken:
        candidate, number = f"{key}{ASIDE}-{number}", number + 1
    return candidate


def _move_aside(source: _Source, servers: list[Server]) -> tuple[str, str]:
    containers = sorted({str(server.keys[0]) for server in servers if server.keys})
    text = source.text
    moved = []
    for key in containers:
        aside = _aside_key(source.data, key)
        moved.append(f"{key} moved aside to {aside}")
        if source.fmt is Format.YAML:
            from mcpir.edits import yaml_rename_key

            text = yaml_rename_key(text, (), key, aside)
        elif source.fmt is Format.TOML:
            from mcpir.edits import toml_rename_table

            text = toml_rename_table(text, (key,), (aside,))
        else:
            from mcpir.edits import json_rename_key

            text = json_rename_key(text, (), key, aside)
    return text, f"server section{'s' if len(containers) > 1 else ''} " + ", ".join(moved)


def _editor(config: ConfigFile) -> Editor:
    client = BY_NAME.get(config.client)
    name = config.path.name
    if config.client == "claude-code" and name == ".claude.json":
        return _claude_json
    if config.client == "gemini" and name == "settings.json":
        return _gemini
    if config.client == "vscode" and name == "settings.json":
        return _vscode_settings
    if client is not None and client.disable.kind is DisableKind.FLAG and client.disable.key:
        if config.format is Format.TOML:
            return _toml_enabled_false
        return _json_flag(client.disable.key, bool(client.disable.value))
    return _move_aside


def _special(config: ConfigFile, servers: list[Server]) -> PlannedChange | None:
    """Servers switched off in a file beside their own: extensions and plugins."""
    from mcpir.edits import json_set_member

    if config.client == "claude-desktop" and config.path.name == "manifest.json":
        settings = config.path.parent.parent.parent / "Claude Extensions Settings"
        target = settings / f"{config.path.parent.name}.json"
        if target.exists():
            source = _load(target, Format.JSON)
            text = json_set_member(source.text, (), "isEnabled", False)
            return PlannedChange("edit", source.path, f"{target}: isEnabled false",
                                 _encode(source, text), before=source.raw,
                                 servers=tuple(s.name for s in servers))  # fmt: skip
        return PlannedChange("create", target, f"{target}: created with isEnabled false",
                             b'{\n  "isEnabled": false\n}\n',
                             servers=tuple(s.name for s in servers))  # fmt: skip
    return None


def _plugin(config: ConfigFile) -> tuple[Path, str] | None:
    """(the user's `~/.claude/settings.json`, `plugin@marketplace`) for a cached plugin file."""
    from mcpir.discovery.clients.claude_code import plugin_of

    if config.client != "claude-code":
        return None
    return plugin_of(config.path)


def _disable_plugins(settings: Path, plugins: dict[str, tuple[str, ...]]) -> PlannedChange:
    from mcpir.edits import json_set_member

    names = tuple(name for servers in plugins.values() for name in servers)
    what = f"enabledPlugins: {', '.join(f'{p} = false' for p in plugins)}"
    if not settings.exists():
        body = ",\n".join(f'    "{p}": false' for p in plugins)
        data = f'{{\n  "enabledPlugins": {{\n{body}\n  }}\n}}\n'.encode()
        return PlannedChange("create", settings, f"created; {what}", data, servers=names)
    source = _load(settings, Format.JSON)
    text = source.text
    for plugin in plugins:
        data = documents.parse_json(text).data
        if isinstance(data, Mapping) and isinstance(data.get("enabledPlugins"), Mapping):
            text = json_set_member(text, ("enabledPlugins",), plugin, False)
        else:
            text = json_set_member(text, (), "enabledPlugins", {plugin: False})
    return PlannedChange("edit", source.path, what, _encode(source, text), before=source.raw,
                         servers=names)  # fmt: skip


def plan_containment(files: list[ConfigFile]) -> Plan:
    from mcpir.edits import EditError

    plan = Plan()
    plugins: dict[Path, dict[str, tuple[str, ...]]] = defaultdict(dict)
    # One file may be read by several clients (a symlink, a shared path): plan it once, with
    # every client's edit applied in turn to the same text.
    groups: dict[str, list[tuple[ConfigFile, list[Server]]]] = defaultdict(list)
    for config in files:
        if config.error:
            if "symlink" in config.error or not config.error.startswith(("too large", "binary")):
                plan.notes.append(f"{config.path}: {config.error} (not changed; check it by hand)")
            continue
        servers = [server for server in config.servers if server.enabled]
        if not servers:
            continue
        names = tuple(server.name for server in servers)
        if config.scope is Scope.SYSTEM:
            plan.notes.append(
                f"{config.path}: managed by an administrator ({', '.join(names)}); "
                "ask them to empty it, or run mcpir as root"
            )
            continue
        plugin = _plugin(config)
        if plugin is not None:
            plugins[plugin[0]][plugin[1]] = plugins[plugin[0]].get(plugin[1], ()) + names
            continue
        try:
            special = _special(config, servers)
        except (EditError, documents.DocumentError, OSError) as exc:
            plan.notes.append(f"{config.path}: cannot disable {', '.join(names)}: {exc}")
            continue
        if special is not None:
            plan.changes.append(special)
            continue
        groups[os.path.realpath(config.path)].append((config, servers))
    for members in groups.values():
        try:
            change = _plan_file(members)
        except (EditError, documents.DocumentError, OSError) as exc:
            listed = ", ".join(s.name for _, servers in members for s in servers)
            plan.notes.append(f"{members[0][0].path}: cannot disable {listed}: {exc}")
            continue
        if change is not None:
            plan.changes.append(change)
    for settings, wanted in plugins.items():
        try:
            plan.changes.append(_disable_plugins(settings, wanted))
        except (EditError, documents.DocumentError, OSError) as exc:
            plan.notes.append(f"{settings}: cannot disable plugins {', '.join(wanted)}: {exc}")
    return plan


def _plan_file(members: list[tuple[ConfigFile, list[Server]]]) -> PlannedChange | None:
    first = members[0][0]
    names = tuple(server.name for _, servers in members for server in servers)
    source = _load(first.path, first.format)
    if all(mcp_only(source.data, config) for config, _ in members):
        # The real file is renamed: every client reading it, through any link, stops.
        target = _rename_target(source.path)
        return PlannedChange("rename", source.path, f"renamed to {target.name}",
                             target=target, before=source.raw, servers=names)  # fmt: skip
    original, did = source, []
    # Per-server switches first: a section moved aside afterwards cannot be switched off.
    ordered = sorted(members, key=lambda member: _editor(member[0]) is _move_aside)
    for config, servers in ordered:
        text, what = _editor(config)(source, servers)
        did.append(what)
        if text != source.text:
            data = documents.PARSERS[source.fmt](text).data
            source = _Source(source.path, source.raw, text, data, source.fmt)
    if source.text == original.text:
        return None
    return PlannedChange("edit", source.path, "; ".join(did), _encode(source, source.text),
                         before=source.raw, servers=names)  # fmt: skip
