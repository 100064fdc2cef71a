"""Discovery: every MCP server defined on this machine and in this project, with file and line."""

from __future__ import annotations

import dataclasses
import fnmatch
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from mcpir.core import documents
from mcpir.core.model import ConfigFile, Format, Location, Scope, Server
from mcpir.core.paths import Scopes
from mcpir.discovery.client import (
    ASIDE,
    CONTAINED_SUFFIX,
    Client,
    DisableKind,
    DisableMethod,
    Entry,
    servers_under,
)
from mcpir.discovery.clients import BY_NAME, CLIENTS
from mcpir.discovery.projects import collect
from mcpir.discovery.shapes import build_server, server_at
from mcpir.discovery.walk import escapes, expand, project_files

__all__ = ["Candidate", "candidates", "discover", "discover_paths", "load_config"]

_SUFFIX_FORMATS = {".toml": Format.TOML, ".yaml": Format.YAML, ".yml": Format.YAML}


@dataclass(frozen=True)
class Candidate:
    client: Client
    scope: Scope
    path: Path
    base: Path | None  # the tree the file must stay inside (None: no such rule)
    base_label: str
    project: Path | None = None  # the project root a project-scope file belongs to


_CONTAINED = re.compile(re.escape(CONTAINED_SUFFIX) + r"(?:\.\d+)?$")
# A renamed file is `<name>.mcpir-disabled`, or `.mcpir-disabled.2`… when that name was taken.
_CONTAINED_GLOB = CONTAINED_SUFFIX + "*"


def contained(path: Path) -> bool:
    return bool(_CONTAINED.search(path.name))


def format_for(path: Path) -> Format:
    if contained(path):
        path = path.with_name(_CONTAINED.sub("", path.name))
    return _SUFFIX_FORMATS.get(path.suffix.lower(), Format.JSON)


def candidates(
    scopes: Scopes, exclude: tuple[str, ...] = (), errors: list[OSError] | None = None
) -> Iterator[Candidate]:
    """Every existing path a client may read, system first, then user, then project."""
    if scopes.system_root is not None:
        for client in CLIENTS:
            for rel in client.system:
                for path in expand(scopes.system_root, rel):
                    yield Candidate(client, Scope.SYSTEM, path, None, "/")
    for client in CLIENTS:
        for rel in client.user:
            for path in (*expand(scopes.home, rel), *expand(scopes.home, rel + _CONTAINED_GLOB)):
                yield Candidate(client, Scope.USER, path, scopes.home, "--home")
        for var, rel in client.env:
            value = scopes.environ.get(var) if scopes.environ is not None else None
            if value:
                base = Path(value).expanduser()
                for path in (*expand(base, rel), *expand(base, rel + _CONTAINED_GLOB)):
                    # The variable names the client's tree: a link out of it is refused,
                    # as one out of the home is.
                    yield Candidate(client, Scope.USER, path, base, f"${var}")
    patterns = [
        (client.name, rel + suffix)
        for client in CLIENTS
        for rel in client.project
        for suffix in ("", _CONTAINED_GLOB)
    ]
    known = () if scopes.only_root else scopes.projects or ()
    if scopes.root is not None:
        root = scopes.root
        owners = frozenset(p for p in known if p.is_relative_to(root))
        for name, path in project_files(root, patterns, exclude, scopes.home, errors):
            owner = _owner(path, root, owners)
            yield Candidate(BY_NAME[name], Scope.PROJECT, path, root, "--root", owner)
    # A project a client recorded is read at its top, where that client reads it; only
    # `--root` is walked whole (benchmarks/discovery.py: 50 projects cost under 2x one).
    for project in known:
        if scopes.root is not None and project == scopes.root:
            continue
        for name, path in project_files(project, patterns, (), None, errors, top_only=True):
            yield Candidate(BY_NAME[name], Scope.PROJECT, path, project, "the project", project)


def _owner(path: Path, root: Path, owners: frozenset[Path]) -> Path:
    """The innermost recorded project holding a file the walk of `root` found, else `root`."""
    if owners:
        for parent in path.parents:
            if parent in owners:
                return parent
            if parent == root:
                break
    return root


def load_config(candidate: Candidate, real: str | None = None) -> ConfigFile:
    """Parse one candidate; any problem becomes the ConfigFile's `error`, never an exception."""
    client, path = candidate.client, candidate.path
    fmt = format_for(path)
    project = candidate.project
    try:
        doc = documents.load(path, fmt, real)  # `real`: as checked, no link followed
    except documents.DocumentError as exc:
        return ConfigFile(client.name, candidate.scope, path, fmt, error=str(exc), project=project)
    if not isinstance(doc.data, Mapping):
        kind = type(doc.data).__name__
        error = f"expected a {fmt.value.upper()} object at the top level, found {kind}"
        return ConfigFile(
            client.name, candidate.scope, path, doc.format, error=error, project=project
        )
    # Built with their project: a config holds hundreds of servers, a copy of each costs. Each
    # line is looked up when first read: a scan reads the lines of the servers it reports.
    lines = doc.lines()
    servers = [
        server_at(entry, client, candidate.scope, Location.found_later(path, lines, entry.keys),
                  project)
        for entry in client.extract(doc, path)
    ]  # fmt: skip
    servers += _aside(doc, candidate)
    if contained(path):  # renamed by containment: no client reads it now
        servers = [dataclasses.replace(server, enabled=False) for server in servers]
    return ConfigFile(
        client.name, candidate.scope, path, doc.format, tuple(servers), project=project
    )


def _aside(doc: documents.Document, candidate: Candidate) -> list[Server]:
    """Servers in a section containment moved aside: listed, switched off."""
    found: list[Server] = []
    for key, value in doc.data.items():
        if not isinstance(key, str) or ASIDE not in key:
            continue
        base = key.split(ASIDE, 1)[0]
        shadow = dataclasses.replace(doc, data={base: value})
        for entry in candidate.client.extract(shadow, candidate.path):
            keys = (key, *entry.keys[1:]) if entry.keys[:1] == (base,) else entry.keys
            moved = Entry(entry.name, entry.raw, keys, entry.scope, enabled=False)
            line = doc.line_of(keys)
            found.append(
                build_server(
                    moved,
                    candidate.client,
                    candidate.scope,
                    candidate.path,
                    line,
                    project=candidate.project,
                )
            )
    return found


def discover(scopes: Scopes, exclude: tuple[str, ...] = ()) -> list[ConfigFile]:
    """Every config file of every client under the home, the project root and the system root.

    The clients' own directory variables (`CLAUDE_CONFIG_DIR`, `CODEX_HOME`, …) are read from
    `scopes.environ` only; a sandboxed run leaves it empty. A file reached through a symlink that
    leaves its tree is reported with an error and not read. `exclude` holds directory globs the
    project walk skips. Unless `scopes.only_root`, the projects the clients recorded are read
    too (`scopes.projects`, collected here when None).
    """
    if scopes.projects is None and not scopes.only_root:
        scopes = dataclasses.replace(scopes, projects=collect(scopes, CLIENTS).readable)
    seen: set[tuple[str, str]] = set()
    files: list[ConfigFile] = []
    real_bases: dict[Path, str] = {}
    walk_errors: list[OSError] = []
    for candidate in candidates(scopes, exclude, walk_errors):
        real = os.path.realpath(candidate.path)
        key = (candidate.client.name, real)
        if key in seen:
            continue
        seen.add(key)
        base = candidate.base
        if base is not None:
            base_real = real_bases.setdefault(base, os.path.realpath(base))
            if escapes(real, base_real):
                error = f"symlink to {real} leaves {candidate.base_label}: not followed"
                files.append(
                    ConfigFile(
                        candidate.client.name,
                        candidate.scope,
                        candidate.path,
                        format_for(candidate.path),
                        error=error,
                        project=candidate.project,
                    )
                )
                continue
        files.append(load_config(candidate, real))
    for failure in walk_errors:
        reason = f"unreadable directory: {failure.strerror or failure}; configs inside not read"
        where = Path(failure.filename) if failure.filename else scopes.root or scopes.home
        owner = next((p for p in _bases(scopes) if where.is_relative_to(p)), None)
        files.append(
            ConfigFile(ANY_CLIENT.name, Scope.PROJECT, where, Format.JSON, error=reason,
                       project=owner)
        )  # fmt: skip
    for client in CLIENTS:
        if client.adjust is not None:
            files = client.adjust(files, scopes)
    return files


def _bases(scopes: Scopes) -> list[Path]:
    """The project roots read, innermost first: what an unreadable directory belongs to."""
    known = () if scopes.only_root else scopes.projects or ()
    roots = [*known, *([scopes.root] if scopes.root is not None else [])]
    return sorted(set(roots), key=lambda p: len(p.parts), reverse=True)


# A file named on the command line that no client's paths describe: read the usual keys.
ANY_CLIENT = Client(
    name="unknown",
    title="unknown client",
    disable=DisableMethod(DisableKind.REMOVE),
    extract=servers_under(("mcpServers",), ("servers",), ("context_servers",), ("mcp_servers",)),
)


_GENERIC_NAMES = frozenset(
    {"mcp.json", "settings.json", "config.toml", "config.yaml", "manifest.json"}
)


def client_for(path: Path) -> Client:
    """The client whose file this path looks like: the most specific matching path pattern,
    else a distinctive file name (`claude_desktop_config.json`), else any client."""
    text = "/" + path.as_posix().lstrip("/")
    best: tuple[int, Client] = (0, ANY_CLIENT)
    for client in CLIENTS:
        for rel in (*client.project, *client.user, *client.system):
            if fnmatch.fnmatchcase(text, "*/" + rel) and len(rel) > best[0]:
                best = (len(rel), client)
            elif (
                best[0] == 0
                and path.name == rel.rsplit("/", 1)[-1]
                and path.name not in _GENERIC_NAMES
            ):
                best = (0, client)
    return best[1]


def discover_paths(paths: list[Path], exclude: tuple[str, ...] = ()) -> list[ConfigFile]:
    """Config files in the files and trees a user named. A tree is read both as a home and
    as a project; a file is read as the client it looks like, or for the usual keys."""
    files: list[ConfigFile] = []
    seen: set[str] = set()
    for path in paths:
        if path.is_dir():
            found = discover(Scopes(home=path, root=path, only_root=True), exclude)
        else:
            candidate = Candidate(client_for(path), Scope.PROJECT, path, None, "PATH")
            found = [load_config(candidate)]
        for config in found:
            real = os.path.realpath(config.path)
            if real not in seen:
                seen.add(real)
                files.append(config)
    return files
