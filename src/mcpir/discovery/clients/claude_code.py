"""Claude Code: `~/.claude.json` (user and per-project "local"), `.mcp.json`, managed file."""

from __future__ import annotations

import dataclasses
import os
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mcpir.core import documents
from mcpir.core.model import ConfigFile, Format, Scope, Server
from mcpir.core.paths import Scopes
from mcpir.discovery import rerooting
from mcpir.discovery.client import (
    Client,
    DisableKind,
    DisableMethod,
    Entry,
    mcp_servers,
)
from mcpir.discovery.disabling import JsonEdits, Plugins, Source, aside_key, encode, load
from mcpir.discovery.projects import ProjectHint

if TYPE_CHECKING:
    from mcpir.incident.journal import PlannedChange

_SETTINGS = (".claude/settings.json", ".claude/settings.local.json")


def _names(value: Any) -> set[str]:  # noqa: ANN401
    return {str(v) for v in value} if isinstance(value, list) else set()


# An installed plugin is copied to `<plugins root>/cache/<marketplace>/<plugin>/<version>/`; the
# root is `~/.claude/plugins`, `$CLAUDE_CONFIG_DIR/plugins` or `$CLAUDE_CODE_PLUGIN_CACHE_DIR`
# (code.claude.com/docs/en/plugins-reference; Claude Code's utils/plugins/pluginDirectories.ts).
# Its servers: `.mcp.json` at the plugin root, or `mcpServers` in `.claude-plugin/plugin.json`.
_PLUGIN_VERSION = "cache/*/*/*"
_PLUGIN_FILES = (".mcp.json", ".claude-plugin/plugin.json")
_SERVER_KEYS = frozenset({"command", "url", "type"})


def _same_dir(a: Path, b: Path) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


def _plugin_settings(root: Path) -> Path | None:
    """The settings file whose `enabledPlugins` switches the plugins under a plugins root."""
    if root.name == "plugins" and root.parent.name == ".claude":
        return root.parent / "settings.json"
    # A root named by a variable is only ever found through the variable (the real home).
    config = os.environ.get("CLAUDE_CONFIG_DIR")
    config_dir = Path(config).expanduser() if config else None
    if config_dir is not None and _same_dir(root, config_dir / "plugins"):
        return config_dir / "settings.json"
    cache = os.environ.get("CLAUDE_CODE_PLUGIN_CACHE_DIR")
    if cache and _same_dir(root, Path(cache).expanduser()):
        return (config_dir or Path.home() / ".claude") / "settings.json"
    return None


def plugin_of(path: Path) -> tuple[Path, str] | None:
    """For a plugin's server file in `<plugins root>/cache/<market>/<plugin>/<version>/`: the
    settings file that switches it (`~/.claude/settings.json`, or the one in
    `$CLAUDE_CONFIG_DIR`) and `plugin@market`. None for any other path."""
    if path.name == "plugin.json" and path.parent.name != ".claude-plugin":
        return None
    version_dir = path.parent.parent if path.name == "plugin.json" else path.parent
    parts = version_dir.parts
    if len(parts) < 5 or parts[-4] != "cache":
        return None
    settings = _plugin_settings(version_dir.parents[3])
    return None if settings is None else (settings, f"{parts[-2]}@{parts[-3]}")


def _plugin_enabled(version_dir: Path, settings: Path, plugin: str) -> bool:
    """A cached plugin version runs unless it was orphaned or switched off in user settings."""
    if (version_dir / ".orphaned_at").exists():
        return False
    try:
        data = documents.load(settings, Format.JSON).data
    except documents.DocumentError:
        return True
    enabled = data.get("enabledPlugins") if isinstance(data, Mapping) else None
    return not (isinstance(enabled, Mapping) and enabled.get(plugin) is False)


def _listed_servers(data: Any) -> Iterable[Entry]:  # noqa: ANN401
    """`"mcpServers": [...]` in a plugin manifest: paths and inline server maps, in order.
    Only the inline maps define servers here; a path names another file in the plugin."""
    listed = data.get("mcpServers") if isinstance(data, Mapping) else None
    if not isinstance(listed, list):
        return
    for index, item in enumerate(listed):
        if isinstance(item, Mapping):
            for name, raw in item.items():
                if isinstance(raw, Mapping):
                    yield Entry(str(name), raw, ("mcpServers", index, str(name)))


def _plugin_entries(
    doc: documents.Document, path: Path, settings: Path, plugin: str
) -> Iterable[Entry]:
    version_dir = path.parent.parent if path.name == "plugin.json" else path.parent
    enabled = _plugin_enabled(version_dir, settings, plugin)
    entries = list(mcp_servers(doc, path)) + list(_listed_servers(doc.data))
    if not entries and path.name == ".mcp.json" and isinstance(doc.data, Mapping):
        # A plugin's .mcp.json may also be the bare map {name: {command...}}.
        entries = [
            Entry(str(name), raw, (str(name),))
            for name, raw in doc.data.items()
            if isinstance(raw, Mapping) and _SERVER_KEYS & raw.keys()
        ]
    for entry in entries:
        yield dataclasses.replace(entry, enabled=enabled)


def extract(doc: documents.Document, path: Path) -> Iterable[Entry]:
    data = doc.data
    plugin = plugin_of(path)
    if plugin is not None:
        yield from _plugin_entries(doc, path, *plugin)
        return
    if path.name != ".claude.json" or not isinstance(data, Mapping):
        yield from mcp_servers(doc, path)
        return
    yield from mcp_servers(doc, path)
    projects = data.get("projects")
    if not isinstance(projects, Mapping):
        return
    for project, state in projects.items():
        if not isinstance(state, Mapping) or not isinstance(state.get("mcpServers"), Mapping):
            continue
        disabled = _names(state.get("disabledMcpServers"))
        for name, raw in state["mcpServers"].items():
            if isinstance(raw, Mapping):
                yield Entry(
                    str(name),
                    raw,
                    ("projects", str(project), "mcpServers", str(name)),
                    scope=Scope.LOCAL,
                    enabled=str(name) not in disabled,
                )


def _disabled_mcpjson(project_dir: Path, states: Iterable[Any]) -> set[str]:
    """Names a user switched off for this project's `.mcp.json` (what `/mcp` writes): in its
    state in `~/.claude.json` and in its own settings."""
    names = set()
    for state in states:
        if isinstance(state, Mapping):
            names |= _names(state.get("disabledMcpjsonServers"))
    for rel in _SETTINGS:
        settings = project_dir / rel
        if settings.is_file():
            try:
                data = documents.load(settings, Format.JSON).data
            except documents.DocumentError:
                continue
            if isinstance(data, Mapping):
                names |= _names(data.get("disabledMcpjsonServers"))
    return names


def adjust(files: list[ConfigFile], scopes: Scopes) -> list[ConfigFile]:
    user_state: Mapping[str, Any] = {}
    for config in files:
        if config.client == CLIENT.name and config.path.name == ".claude.json" and not config.error:
            try:
                data = documents.load(config.path, config.format).data
            except documents.DocumentError:
                continue
            if isinstance(data, Mapping) and isinstance(data.get("projects"), Mapping):
                user_state = data["projects"]
    # Keyed by the folder as recorded: under another machine's `--home`, re-rooted as the
    # projects themselves are (`discovery.rerooting`).
    places = rerooting.located(user_state, scopes) if user_state else {}
    out = []
    for config in files:
        if config.client == CLIENT.name and config.path.name == ".mcp.json" and config.servers:
            keys = places.get(rerooting.here(config.path.parent), ())
            off = _disabled_mcpjson(config.path.parent, (user_state[key] for key in keys))
            if off:
                servers = tuple(
                    dataclasses.replace(s, enabled=False) if s.name in off else s
                    for s in config.servers
                )
                config = dataclasses.replace(config, servers=servers)
        out.append(config)
    return out


def disable_in_claude_json(
    source: Source, servers: list[Server], edits: JsonEdits
) -> tuple[str, str]:
    """A project's servers go on its `disabledMcpServers` list; user servers
    have no such list, so their section is moved aside."""
    text, did = source.text, []
    by_project: dict[str, list[str]] = defaultdict(list)
    top_level = False
    for server in servers:
        if server.scope is Scope.LOCAL and len(server.keys) == 4:
            by_project[str(server.keys[1])].append(server.name)
        else:
            top_level = True
    for project, names in by_project.items():
        text = edits.json_add_to_list(text, ("projects", project), "disabledMcpServers", names)
        did.append(f"projects[{project}].disabledMcpServers += {', '.join(names)}")
    if top_level:
        aside = aside_key(source.data, "mcpServers")
        text = edits.json_rename_key(text, (), "mcpServers", aside)
        did.append(f"user servers moved aside to {aside}")
    return text, "; ".join(did)


def disable_plugins(
    settings: Path, plugins: Mapping[str, tuple[str, ...]], edits: JsonEdits
) -> PlannedChange:
    """`enabledPlugins: {id: false}` in the user's settings: a cached plugin is replaced on
    update, so its own files are left alone."""
    from mcpir.incident.journal import PlannedChange

    names = tuple(name for servers in plugins.values() for name in servers)
    what = f"enabledPlugins: {', '.join(f'{p} = false' for p in plugins)}"
    if not settings.exists():
        body = ",\n".join(f'    "{p}": false' for p in plugins)
        data = f'{{\n  "enabledPlugins": {{\n{body}\n  }}\n}}\n'.encode()
        return PlannedChange("create", settings, f"created; {what}", data, servers=names)
    source = load(settings, Format.JSON)
    text = source.text
    for plugin in plugins:
        data = documents.parse_json(text).data
        if isinstance(data, Mapping) and isinstance(data.get("enabledPlugins"), Mapping):
            text = edits.json_set_member(text, ("enabledPlugins",), plugin, False)
        else:
            text = edits.json_set_member(text, (), "enabledPlugins", {plugin: False})
    return PlannedChange("edit", source.path, what, encode(source, text), before=source.raw,
                         servers=names)  # fmt: skip


def recorded_projects(home: Path, scopes: Scopes) -> Iterable[ProjectHint]:
    """The folders Claude Code was started in: the keys of `projects` in `~/.claude.json` (and
    in `$CLAUDE_CONFIG_DIR/.claude.json` on this machine). It reads a `.mcp.json` in the folders
    above too (a monorepo root), so those are looked at as well."""
    from mcpir.discovery.state import keys_of_projects

    files = [home / ".claude.json", home / ".claude" / ".claude.json"]
    moved = (scopes.environ or {}).get("CLAUDE_CONFIG_DIR")
    if moved:
        files.append(Path(moved).expanduser() / ".claude.json")
    yield from keys_of_projects(files, scopes)


CLIENT = Client(
    name="claude-code",
    title="Claude Code",
    references=("${%s}", "${%s}"),  # code.claude.com/docs/en/mcp: env, headers, url, args
    user=(
        ".claude.json",
        ".claude/.claude.json",
        *(f".claude/plugins/{_PLUGIN_VERSION}/{name}" for name in _PLUGIN_FILES),
    ),
    project=(".mcp.json",),
    system=(
        "etc/claude-code/managed-mcp.json",
        "Library/Application Support/ClaudeCode/managed-mcp.json",
        "Program Files/ClaudeCode/managed-mcp.json",
        "ProgramData/ClaudeCode/managed-mcp.json",
    ),
    # `$CLAUDE_CONFIG_DIR` moves the whole `~/.claude` tree (its `.claude.json` included);
    # `$CLAUDE_CODE_PLUGIN_CACHE_DIR` moves the plugins root alone.
    env=(
        ("CLAUDE_CONFIG_DIR", ".claude.json"),
        *(("CLAUDE_CONFIG_DIR", f"plugins/{_PLUGIN_VERSION}/{name}") for name in _PLUGIN_FILES),
        *(("CLAUDE_CODE_PLUGIN_CACHE_DIR", f"{_PLUGIN_VERSION}/{name}") for name in _PLUGIN_FILES),
    ),
    extract=extract,
    shared_files=(".claude.json",),
    disable=DisableMethod(
        DisableKind.LIST,
        key="disabledMcpServers",
        note="~/.claude.json projects[<dir>].disabledMcpServers; .mcp.json servers: "
        "disabledMcpjsonServers in .claude/settings.local.json",
    ),
    adjust=adjust,
    editors={".claude.json": disable_in_claude_json},
    plugins=Plugins(locate=plugin_of, disable=disable_plugins),
    projects=recorded_projects,
)
