"""Planning containment: how to turn off every enabled server, the way each client would.

A file that holds only MCP configuration is renamed to `<name>.mcpir-disabled`. A file that also
holds the user's other settings keeps every byte but the ones that switch MCP off: the client's
own switch where it has one (`"disabled": true`, `enabled = false`, a disabled list, VS Code's
`chat.mcp.access`), otherwise the server section renamed aside. What is particular to a client
(its editors, extensions and plugins) is declared in its module in `discovery/clients/`. The
plan is data; the journal applies it.
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
from mcpir.discovery.client import DisableKind
from mcpir.discovery.clients import BY_NAME
from mcpir.discovery.disabling import Plugins, Source, aside_key, encode, load
from mcpir.incident.journal import DISABLED_SUFFIX, PlannedChange, free_name

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


Editor = Callable[[Source, list[Server]], tuple[str, str]]  # -> (new text, what it did)


def _json_flag(key: str, value: bool) -> Editor:
    def edit(source: Source, servers: list[Server]) -> tuple[str, str]:
        from mcpir.edits import json_set_member

        text = source.text
        for server in servers:
            text = json_set_member(text, server.keys, key, value)
        return text, f'"{key}": {str(value).lower()} on each server'

    return edit


def _toml_enabled_false(source: Source, servers: list[Server]) -> tuple[str, str]:
    from mcpir.edits import toml_set

    text = source.text
    for server in servers:
        table = tuple(str(k) for k in server.keys)
        text = toml_set(text, table, "enabled", False)
    return text, "enabled = false on each server"


def _move_aside(source: Source, servers: list[Server]) -> tuple[str, str]:
    containers = sorted({str(server.keys[0]) for server in servers if server.keys})
    text = source.text
    moved = []
    for key in containers:
        aside = aside_key(source.data, key)
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
    declared = client.editors.get(config.path.name) if client is not None else None
    if declared is not None:
        from mcpir import edits

        def edit(source: Source, servers: list[Server]) -> tuple[str, str]:
            return declared(source, servers, edits)

        return edit
    if client is not None and client.disable.kind is DisableKind.FLAG and client.disable.key:
        if config.format is Format.TOML:
            return _toml_enabled_false
        return _json_flag(client.disable.key, bool(client.disable.value))
    return _move_aside


def _elsewhere(config: ConfigFile, servers: list[Server]) -> PlannedChange | None:
    """Servers switched off in a file beside their own (an extension's settings)."""
    client = BY_NAME.get(config.client)
    if client is None or client.elsewhere is None:
        return None
    from mcpir import edits

    return client.elsewhere(config, servers, edits)


def _plugin(config: ConfigFile) -> tuple[Plugins, Path, str] | None:
    """The client's plugins, the settings file and the plugin id, for a plugin's server file."""
    client = BY_NAME.get(config.client)
    if client is None or client.plugins is None:
        return None
    located = client.plugins.locate(config.path)
    return None if located is None else (client.plugins, *located)


def plan_containment(files: list[ConfigFile]) -> Plan:
    from mcpir import edits
    from mcpir.edits import EditError

    plan = Plan()
    plugins: dict[Path, dict[str, tuple[str, ...]]] = defaultdict(dict)
    disablers: dict[Path, Plugins] = {}
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
            disablers[plugin[1]] = plugin[0]
            plugins[plugin[1]][plugin[2]] = plugins[plugin[1]].get(plugin[2], ()) + names
            continue
        try:
            elsewhere = _elsewhere(config, servers)
        except (EditError, documents.DocumentError, OSError) as exc:
            plan.notes.append(f"{config.path}: cannot disable {', '.join(names)}: {exc}")
            continue
        if elsewhere is not None:
            plan.changes.append(elsewhere)
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
            plan.changes.append(disablers[settings].disable(settings, wanted, edits))
        except (EditError, documents.DocumentError, OSError) as exc:
            plan.notes.append(f"{settings}: cannot disable plugins {', '.join(wanted)}: {exc}")
    return plan


def _plan_file(members: list[tuple[ConfigFile, list[Server]]]) -> PlannedChange | None:
    first = members[0][0]
    names = tuple(server.name for _, servers in members for server in servers)
    source = load(first.path, first.format)
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
            source = Source(source.path, source.raw, text, data, source.fmt)
    if source.text == original.text:
        return None
    return PlannedChange("edit", source.path, "; ".join(did), encode(source, source.text),
                         before=source.raw, servers=names)  # fmt: skip
