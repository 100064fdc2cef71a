"""The server inventory: what every project server looked like when someone reviewed it, and
the drift from it (`mcpir scan --drift FILE`, recorded by `--update-drift`).

`mcp-inventory.json` is safe to commit:

    {
      "kind": "server-inventory",
      "version": 2,
      "servers": [
        {"client": "claude-code", "scope": "project", "name": "github", "transport": "stdio",
         "command": "docker", "image": "ghcr.io/github/github-mcp-server", "args": [...],
         "env_keys": ["GITHUB_TOKEN"], "header_keys": [], "url": null, "description": null},
        ...
      ]
    }

A server is keyed by client, scope and name, never by its file's path: a checkout elsewhere,
a file renamed `.mcpir-disabled` by containment, a section moved aside, a disabled flag and the
restore of all of them change nothing. The command compared is the one the server runs: a
server `mcpir wrap` launched through `mcpir proxy` is compared as `mcpir unwrap` would give it
back. Whether a server is enabled is not compared (containment's switch, or the user's).
Arguments and URLs are redacted, env vars and headers are recorded by name, never by value.

Only project servers of `--root` (or of the files and trees named) are recorded and compared:
the user's own servers (user, local and system scopes) only with `--include-user`, since the
file is committed.

A version-1 `mcp-baseline.json` (servers keyed `client:path:name`) is still read, with a
one-line note saying how to migrate.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcpir.core.errors import UsageError
from mcpir.core.model import ConfigFile, Location, Scope, Server, Transport
from mcpir.core.paths import Scopes
from mcpir.core.redact import redact_args, redact_text
from mcpir.launchers.commands import container_run
from mcpir.scan import stored
from mcpir.scan.fingerprint import evidence_hash

FILENAME = "mcp-inventory.json"
OPTION = "--drift"
FIELDS = ("transport", "command", "image", "args", "env_keys", "header_keys", "url", "description")
_LISTS = frozenset({"args", "env_keys", "header_keys"})
_MAX_LIST = 1000
USER_SCOPES = "user"  # how a version-1 file's servers outside the project are keyed

Key = tuple[str, str, str]  # (client, scope, name)


def server_entry(server: Server) -> dict[str, Any]:
    """The reviewable fields of a server as it is written: redacted, env and headers by name."""
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


def unwrapped_line(line: list[str]) -> list[str]:
    """The command line `mcpir unwrap` would give back for `line`; `line` when not wrapped."""
    from mcpir.launchers.mcpir import proxied

    found = proxied(line) if line else None
    return line if found is None else [*found[0], *found[1]]


def launched(server: Server) -> Server:
    """`server` with the command line it runs once `mcpir proxy` is taken off; for a remote
    server wrap put behind `mcpir proxy --url`, the remote server it stands for."""
    if not server.command:
        return server
    from mcpir.launchers.mcpir import url_proxy

    remote = url_proxy([server.command, *server.args])
    if remote is not None:
        variables = set(remote["headers"].values())
        return dataclasses.replace(
            server,
            command=None,
            args=(),
            url=remote["url"],
            transport=Transport.SSE if remote["transport"] == "sse" else Transport.HTTP,
            headers={h: server.env[v] for h, v in remote["headers"].items() if v in server.env},
            env={k: v for k, v in server.env.items() if k not in variables},
        )
    line = unwrapped_line([server.command, *server.args])
    if line == [server.command, *server.args]:
        return server
    return dataclasses.replace(server, command=line[0], args=tuple(line[1:]))


def _bounded_list(items: list[str]) -> list[str]:
    kept = [stored.bounded(item) for item in items]
    if len(kept) <= _MAX_LIST:
        return kept
    rest = kept[_MAX_LIST - 1 :]
    return [*kept[: _MAX_LIST - 1], f"… {len(rest):,} more ({evidence_hash(json.dumps(rest))})"]


def inventory_entry(server: Server) -> dict[str, Any]:
    """What the inventory keeps of a server: `server_entry` of what it launches, each value
    within the bounds a file read back must keep (`stored.bounded`)."""
    entry = server_entry(launched(server))
    for name, value in entry.items():
        if isinstance(value, str):
            entry[name] = stored.bounded(value)
        elif isinstance(value, list):
            entry[name] = _bounded_list([str(item) for item in value])
    # Through JSON: what is compared is what a file read back holds (lists, not tuples).
    loaded: dict[str, Any] = json.loads(json.dumps(entry))
    return loaded


# --- which servers: project scope unless --include-user --------------------------------------


def _real(path: Path) -> str:
    return os.path.realpath(path)


def _project_files(named: Iterable[Path], exclude: tuple[str, ...]) -> set[str]:
    """The files in the named trees that a client reads as project configs: discovery reads a
    named tree as a home too, and a project's `.cursor/mcp.json` must not count as the user's."""
    from mcpir.discovery import candidates

    found: set[str] = set()
    for path in named:
        if path.is_dir():
            tree = Scopes(home=path, root=path, only_root=True)
            found.update(
                _real(c.path) for c in candidates(tree, exclude) if c.scope is Scope.PROJECT
            )
    return found


def scope_of(
    config: ConfigFile,
    scopes: Scopes,
    named: tuple[Path, ...],
    project_files: set[str],
) -> Scope | None:
    """The scope a file's servers are keyed under; None: not this project's (a project another
    client recorded, read only for the other checks)."""
    if named:
        real = _real(config.path)
        if real in project_files or any(real == _real(p) for p in named if not p.is_dir()):
            return Scope.PROJECT
        return config.scope
    if config.scope is Scope.PROJECT:
        root = scopes.root
        return Scope.PROJECT if root is not None and config.path.is_relative_to(root) else None
    return config.scope


@dataclass(frozen=True)
class Selection:
    """Which scopes an inventory holds, and how `scan` found its files."""

    scopes: Scopes
    named: tuple[Path, ...] = ()
    include_user: bool = False
    exclude: tuple[str, ...] = ()


def selected(files: Iterable[ConfigFile], selection: Selection) -> Iterator[tuple[Scope, Server]]:
    project = _project_files(selection.named, selection.exclude) if selection.named else set()
    for config in files:
        scope = scope_of(config, selection.scopes, selection.named, project)
        if scope is None or (scope is not Scope.PROJECT and not selection.include_user):
            continue
        for server in config.servers:
            yield scope, server


def in_scope(files: Iterable[ConfigFile], selection: Selection) -> set[str]:
    """The real paths of the files whose servers `selected` keeps (for the accepted findings:
    the same rule keeps the user's own servers out of a committed file)."""
    project = _project_files(selection.named, selection.exclude) if selection.named else set()
    kept: set[str] = set()
    for config in files:
        scope = scope_of(config, selection.scopes, selection.named, project)
        if scope is not None and (scope is Scope.PROJECT or selection.include_user):
            kept.add(_real(config.path))
    return kept


# --- the file ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inventory:
    path: Path
    servers: Mapping[Key, tuple[Mapping[str, Any], ...]]
    legacy: bool = False  # a version-1 mcp-baseline.json: scopes read as project or user


def snapshot(files: Iterable[ConfigFile], selection: Selection) -> dict[str, Any]:
    rows = [
        {"client": key[0], "scope": key[1], "name": key[2], **inventory_entry(server)}
        for scope, server in selected(files, selection)
        for key in [_key(scope, server, legacy=False)]
    ]
    rows.sort(key=lambda row: json.dumps(row, sort_keys=True))
    rows.sort(key=lambda row: (row["client"], row["scope"], row["name"]))
    return {"kind": stored.Kind.INVENTORY.value, "version": stored.VERSION, "servers": rows}


def _fields(item: Mapping[str, Any], where: str) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    for name in FIELDS:
        value = item.get(name)
        if name in _LISTS:
            value = [] if value is None else value
            if not isinstance(value, list) or len(value) > _MAX_LIST:
                raise UsageError(f"{where}: {name!r} is not a list of at most {_MAX_LIST} strings")
            for part in value:
                if not isinstance(part, str) or len(part) > stored.MAX_TEXT:
                    raise UsageError(f"{where}: {name!r} holds something other than a string")
        elif value is not None:
            stored.text_field(item, name, where, optional=True)
        entry[name] = value
    return entry


def parse(data: Mapping[str, Any], path: Path, option: str = OPTION) -> Inventory:
    servers: dict[Key, list[Mapping[str, Any]]] = defaultdict(list)
    for number, item in enumerate(stored.entries(data, "servers", option, path), 1):
        where = f"{stored.where(option, path)}: servers entry {number}"
        client = stored.text_field(item, "client", where, optional=False)
        scope = stored.text_field(item, "scope", where, optional=False)
        name = stored.text_field(item, "name", where, optional=False)
        assert client is not None and scope is not None and name is not None  # noqa: S101
        if scope not in {s.value for s in Scope}:
            raise UsageError(f"{where}: scope {scope!r} is not one of {', '.join(Scope)}")
        servers[(client, scope, name)].append(_fields(item, where))
    return Inventory(path, {key: tuple(rows) for key, rows in servers.items()})


def parse_legacy(data: Mapping[str, Any], path: Path, option: str) -> Inventory:
    """A version-1 `mcp-baseline.json`: `{"client:./path:name": entry}`. `./…` was the project,
    anything else the user's; the path itself is dropped."""
    raw = data["servers"]
    if len(raw) > stored.MAX_ENTRIES:
        raise UsageError(
            f"{stored.where(option, path)}: {len(raw):,} servers (limit {stored.MAX_ENTRIES:,})"
        )
    servers: dict[Key, list[Mapping[str, Any]]] = defaultdict(list)
    for number, (key, item) in enumerate(raw.items(), 1):
        where = f"{stored.where(option, path)}: servers entry {number}"
        if not isinstance(item, Mapping) or not isinstance(key, str) or key.count(":") < 2:
            raise UsageError(f"{where}: not a server of an mcpir baseline")
        client, rest = key.split(":", 1)
        shown, name = rest.rsplit(":", 1)
        scope = Scope.PROJECT.value if shown.startswith("./") else USER_SCOPES
        entry = _fields(item, where)
        if isinstance(entry["command"], str):
            line = unwrapped_line([entry["command"], *entry["args"]])
            entry["command"], entry["args"] = line[0], line[1:]
        servers[(client, scope, name)].append(entry)
    return Inventory(path, {key: tuple(rows) for key, rows in servers.items()}, legacy=True)


def load(path: Path, *, for_update: bool = False) -> Inventory | None:
    """The inventory `--drift FILE` names (`legacy`: a version-1 `mcp-baseline.json`, which
    `--update-drift` replaces); None: no such file, which `--update-drift` writes afresh."""
    readers: dict[stored.Kind, Any] = {
        stored.Kind.INVENTORY: lambda data: parse(data, path),
        stored.Kind.LEGACY: lambda data: parse_legacy(data, path, OPTION),
    }
    return stored.load(path, OPTION, for_update=for_update, readers=readers,
                       noun="a server inventory", title="server inventory",
                       other=(stored.Kind.ACCEPTED, "accepted findings", "--baseline"))  # fmt: skip


# --- drift -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Drift:
    key: Key
    change: str  # "added" | "removed" | "changed"
    field: str | None
    before: Any
    after: Any
    location: Location | None

    @property
    def client(self) -> str:
        return self.key[0]

    @property
    def server(self) -> str:
        return self.key[2]

    def describe(self) -> str:
        if self.change == "added":
            return f"server {self.server} was added since the inventory"
        if self.change == "removed":
            return f"server {self.server} was removed since the inventory"
        return f"server {self.server}: {self.field} changed"

    def evidence(self) -> str:
        if self.change != "changed":
            return f"{self.key[0]} {self.key[1]} {self.key[2]}"
        before, after = (json.dumps(v, ensure_ascii=False) for v in (self.before, self.after))
        return f"{self.field}: {before} -> {after}"


def _key(scope: Scope, server: Server, legacy: bool) -> Key:
    label = scope.value if not legacy or scope is Scope.PROJECT else USER_SCOPES
    return (stored.bounded(server.client), label, stored.bounded(server.name))


def drift(inventory: Inventory, files: Iterable[ConfigFile], selection: Selection) -> list[Drift]:
    """Servers added, removed or changed since the inventory. Servers of one key (the same
    name in two project files of one client) are paired: identical ones first, then in order."""
    now: dict[Key, list[tuple[dict[str, Any], Server]]] = defaultdict(list)
    for scope, server in selected(files, selection):
        now[_key(scope, server, inventory.legacy)].append((inventory_entry(server), server))
    # An inventory recorded with --include-user, read without it: its user servers are not
    # compared (nor reported removed).
    recorded = {
        key for key in inventory.servers if selection.include_user or key[1] == Scope.PROJECT.value
    }
    changes: list[Drift] = []
    for key in sorted(recorded | now.keys()):
        before = list(inventory.servers.get(key, ()))
        fresh: list[tuple[dict[str, Any], Server]] = []
        for entry, server in now.get(key, []):
            if entry in before:
                before.remove(entry)
            else:
                fresh.append((entry, server))
        for (entry, server), old in zip(fresh, before, strict=False):
            changes.extend(
                Drift(key, "changed", name, old.get(name), entry[name], server.location)
                for name in FIELDS
                if old.get(name) != entry[name]
            )
        changes.extend(
            Drift(key, "added", None, None, entry, server.location)
            for entry, server in fresh[len(before) :]
        )
        changes.extend(Drift(key, "removed", None, old, None, None) for old in before[len(fresh) :])
    return changes
