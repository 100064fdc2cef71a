"""Every project the user works in, from the clients' own saved state.

A client module that records the projects a user opened declares a `projects` source
(`Client.projects`): Claude Code's `projects` in `~/.claude.json`, the VS Code family's
`workspaceStorage/*/workspace.json`, Codex's `[projects."/abs/path"]`. Each source yields
`ProjectHint`s, the paths as the client wrote them; this module turns them into `Project`s:
where each one is on this machine and whether it can be read (`ok`), is gone (`missing`) or
cannot be reached from here (`unreachable`: an unmounted volume, a remote machine, outside
another machine's `--home`, a system directory, a symlink leaving `--home`). Discovery reads
the `ok` ones at their top level, the way their clients read them.

With an explicit `--home` (another machine's home mounted here), a recorded path under that
machine's home (`/home/alex/src/app`; the home is told from the recorded paths themselves) is
re-rooted under `--home`, and one outside it is never read from this machine.
"""

from __future__ import annotations

import enum
import errno
import os
import re
import stat
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from mcpir.core.model import Format
from mcpir.core.paths import Scopes

if TYPE_CHECKING:
    from mcpir.discovery.client import Client

__all__ = ["Collection", "Project", "ProjectHint", "ProjectSource", "ProjectState", "collect"]

MAX_PROJECTS = 1_000  # distinct recorded projects read; the rest are counted, not read
MAX_HINTS = 20_000  # recorded paths looked at in all: a planted list of millions stops here
MAX_PARENT_LEVELS = 8
MAX_WORKSPACE_FOLDERS = 64  # folders of one `.code-workspace` file
MAX_WORKSPACE_BYTES = 1024 * 1024
MAX_PATH_CHARS = 4_096


class ProjectState(enum.StrEnum):
    OK = "ok"
    MISSING = "missing"  # it no longer exists (its volume is there)
    UNREACHABLE = "unreachable"  # it cannot be read from here; `reason` says why


@dataclass(frozen=True)
class ProjectHint:
    """A project as a client recorded it.

    `path` is absolute as written (a POSIX path, `C:/…` or `C:\\…`), or a URI that is not a
    local path (`vscode-remote://…`), which is listed as unreachable. `parents`: the client
    also reads project files in the folders above it (a monorepo root). `workspace`: the path
    is a `.code-workspace` file, whose folders are the projects.
    """

    path: str
    source: Path
    parents: bool = False
    workspace: bool = False


ProjectSource = Callable[[Path, Scopes], Iterable[ProjectHint]]


@dataclass(frozen=True)
class Project:
    path: Path  # where it is, or would be, on this machine
    state: ProjectState
    known_from: tuple[str, ...]  # client names; "--root"; "parent folder"
    recorded: str  # as a client wrote it: differs from `path` when re-rooted under --home
    reason: str = ""


@dataclass(frozen=True)
class Collection:
    projects: tuple[Project, ...] = ()
    # Folders above recorded projects whose clients read project files there too: read like
    # projects, listed only where a config is found.
    parents: tuple[Path, ...] = ()
    dropped: int = 0  # recorded projects over MAX_PROJECTS, not read

    @property
    def readable(self) -> tuple[Path, ...]:
        found = [p.path for p in self.projects if p.state is ProjectState.OK]
        return tuple(dict.fromkeys([*found, *self.parents]))


# Where a user's home sits on each OS: how the original home of a copied one is told.
_HOME_SHAPE = re.compile(
    r"^(/home/[^/]+|/Users/[^/]+|/var/home/[^/]+|/root|[A-Za-z]:/Users/[^/]+)(?=/|$)",
    re.IGNORECASE,
)
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
# Never a project: reading them is pointless and containment must never edit them.
_SYSTEM = tuple(
    PurePosixPath(p)
    for p in (
        "/etc", "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/boot", "/dev",
        "/proc", "/sys", "/run", "/var/lib", "/var/run", "/System", "/private/etc",
        "/private/var/db", "/Library/Apple", "/opt/homebrew/bin",
    )
)  # fmt: skip
# Where removable and network volumes are mounted, and how many segments name one volume.
_VOLUMES = (("/Volumes", 1), ("/mnt", 1), ("/media", 1), ("/media", 2), ("/run/media", 2))


def normalized(text: str) -> str | None:
    """An absolute path with `/` separators and no `.`, `..` or empty segments, else None:
    clients write normalized paths, so anything else was written by someone else."""
    if not text or len(text) > MAX_PATH_CHARS or "\0" in text:
        return None
    if _DRIVE.match(text):
        drive, rest = text[:2], text[3:].replace("\\", "/")
    elif text.startswith("/") and not text.startswith("//"):
        drive, rest = "", text[1:]
    else:
        return None
    parts = [part for part in rest.split("/") if part]
    if any(part in (".", "..") for part in parts):
        return None
    return f"{drive}/" + "/".join(parts)


def original_home(paths: Iterable[str]) -> str | None:
    """The home most recorded paths lie in (`/home/alex`, `/Users/alex`, `C:/Users/alex`)."""
    homes = Counter(m.group(1) for p in paths if (m := _HOME_SHAPE.match(p)))
    if not homes:
        return None
    return homes.most_common(1)[0][0]


def _under(path: str, base: str) -> str | None:
    """`path` relative to `base` ("" when equal), comparing a Windows path without case."""
    fold = _DRIVE.match(base) is not None
    a, b = (path.lower(), base.lower()) if fold else (path, base)
    if a == b:
        return ""
    if a.startswith(b.rstrip("/") + "/"):
        return path[len(b.rstrip("/")) + 1 :]
    return None


def system_directory(path: PurePosixPath | Path) -> bool:
    pure = PurePosixPath(path.as_posix())
    return pure == PurePosixPath("/") or any(pure.is_relative_to(s) for s in _SYSTEM)


def _locate(norm: str, scopes: Scopes, home_then: str | None) -> tuple[Path | None, str]:
    """Where a normalized recorded path is on this machine, or None and why it is not read."""
    home = os.path.abspath(scopes.home)
    if scopes.sandboxed:
        rel = _under(norm, home) if not _DRIVE.match(norm) else None
        if rel is not None:
            return Path(norm), ""
        rel = _under(norm, home_then) if home_then else None
        if rel is None:
            where = f"outside {home_then}, the home --home stands for" if home_then else ""
            return None, f"{where or 'outside --home'}: not read here"
        return Path(home, *rel.split("/")) if rel else Path(home), ""
    if _DRIVE.match(norm) and os.name != "nt":
        return None, "a Windows path: not on this machine"
    return Path(norm), ""


def _volume_missing(path: Path) -> str | None:
    """The mount point of a removable or network volume `path` would be on, when it is not
    mounted: the project is on a disk that is not here, not deleted."""
    pure = PurePosixPath(path.as_posix())
    roots = []
    for base, depth in _VOLUMES:
        prefix = PurePosixPath(base)
        if pure.is_relative_to(prefix) and len(pure.parts) > len(prefix.parts) + depth - 1:
            roots.append(Path(*pure.parts[: len(prefix.parts) + depth]))
    if roots and not any(os.path.ismount(root) for root in roots):
        return str(roots[0])
    return None


def _state(path: Path, scopes: Scopes) -> tuple[ProjectState, str]:
    if system_directory(path):
        return ProjectState.UNREACHABLE, "a system directory, not a project: not read"
    try:
        info = path.stat()
    except FileNotFoundError:
        volume = _volume_missing(path)
        if volume is not None:
            return ProjectState.UNREACHABLE, f"on a volume that is not mounted ({volume})"
        return ProjectState.MISSING, "no longer exists"
    except OSError as exc:  # a stale network mount, a directory this user may not enter
        if exc.errno == errno.ENOTDIR:
            return ProjectState.MISSING, "no longer a directory"
        return ProjectState.UNREACHABLE, f"cannot be read: {exc.strerror or exc}"
    if not stat.S_ISDIR(info.st_mode):
        return ProjectState.MISSING, "no longer a directory"
    real = os.path.realpath(path)
    if system_directory(Path(real)):
        return ProjectState.UNREACHABLE, f"symlink to {real}, a system directory: not followed"
    if scopes.sandboxed:
        home = os.path.realpath(scopes.home)
        if os.path.commonpath((real, home)) != home:
            return ProjectState.UNREACHABLE, f"symlink to {real} leaves --home: not followed"
    if not os.access(path, os.R_OK | os.X_OK):
        return ProjectState.UNREACHABLE, "cannot be read: permission denied"
    return ProjectState.OK, ""


def _workspace_folders(file: Path, scopes: Scopes) -> list[str]:
    """The folders a `.code-workspace` file opens, as recorded paths: a relative `path` is
    made absolute against the file's own folder; a `uri` is decoded."""
    from mcpir.discovery.state import load_state, uri_path

    data = load_state(file, scopes, Format.JSON, MAX_WORKSPACE_BYTES)
    folders = data.get("folders") if isinstance(data, dict) else None
    found: list[str] = []
    for entry in folders[:MAX_WORKSPACE_FOLDERS] if isinstance(folders, list) else []:
        if not isinstance(entry, dict):
            continue
        if isinstance(entry.get("uri"), str):
            path = uri_path(entry["uri"])
        elif isinstance(entry.get("path"), str):
            rel = entry["path"].replace("\\", "/")
            path = rel if normalized(rel) else os.path.normpath(file.parent / rel)
        else:
            continue
        if path:
            found.append(path)
    return found


@dataclass
class _Gather:
    scopes: Scopes
    home_then: str | None
    by_path: dict[Path, Project] = field(default_factory=dict)
    parent_of: dict[Path, bool] = field(default_factory=dict)
    dropped: int = 0

    def add(self, text: str, client: str, parents: bool = False, workspace: bool = False) -> None:
        norm = normalized(text)
        if norm is None:
            reason = "not a local path" if "://" in text else "not a normalized absolute path"
            self._put(Path(text[:MAX_PATH_CHARS].replace("\0", "")), text, client, reason)
            return
        path, reason = _locate(norm, self.scopes, self.home_then)
        if path is None:
            self._put(Path(norm), text, client, reason)
            return
        if workspace:
            # The folders it opens are the projects, and its own folder holds the file.
            if not system_directory(path):
                for folder in _workspace_folders(path, self.scopes):
                    self.add(folder, client)
            path = path.parent
        self._put(path, text, client, "", parents)

    def _put(self, path: Path, text: str, client: str, reason: str, parents: bool = False) -> None:
        known = self.by_path.get(path)
        if known is not None:
            if client not in known.known_from:
                extra = (*known.known_from, client)
                self.by_path[path] = Project(known.path, known.state, extra, known.recorded,
                                             known.reason)  # fmt: skip
            self.parent_of[path] = self.parent_of.get(path, False) or parents
            return
        if len(self.by_path) >= MAX_PROJECTS:
            self.dropped += 1
            return
        state, why = (ProjectState.UNREACHABLE, reason) if reason else _state(path, self.scopes)
        self.by_path[path] = Project(path, state, (client,), text, why)
        self.parent_of[path] = parents

    def parents(self) -> tuple[Path, ...]:
        """Folders above the projects whose clients read them too, up to (not including) the
        home or a folder just under the filesystem root."""
        home = Path(os.path.abspath(self.scopes.home))
        found: dict[Path, None] = {}
        for path, wanted in self.parent_of.items():
            project = self.by_path[path]
            if not wanted or project.state is not ProjectState.OK:
                continue
            for level, parent in enumerate(path.parents):
                if level >= MAX_PARENT_LEVELS or parent == home or len(parent.parts) <= 2:
                    break
                if self.scopes.sandboxed and not parent.is_relative_to(home):
                    break
                if parent in self.by_path or system_directory(parent):
                    continue
                found[parent] = None
            if len(found) >= MAX_PROJECTS:
                break
        return tuple(found)


def collect(scopes: Scopes, clients: Sequence[Client]) -> Collection:
    """Every project the clients recorded, with its state, and `--root` first."""
    hints: list[tuple[str, ProjectHint]] = []
    for client in clients:
        if client.projects is None:
            continue
        try:
            for hint in client.projects(scopes.home, scopes):
                hints.append((client.name, hint))
                if len(hints) >= MAX_HINTS:
                    break
        except (OSError, ValueError, TypeError, RecursionError):  # a source is never fatal
            continue
        if len(hints) >= MAX_HINTS:
            break
    recorded = [n for _, h in hints if (n := normalized(h.path))]
    home_then = original_home(recorded) if scopes.sandboxed else None
    gather = _Gather(scopes, home_then)
    if scopes.root is not None:
        root = Path(os.path.abspath(scopes.root))
        gather.by_path[root] = Project(root, ProjectState.OK, ("--root",), str(scopes.root))
    for name, hint in hints:
        gather.add(hint.path, name, hint.parents, hint.workspace)
    projects = sorted(gather.by_path.values(), key=lambda p: ("--root" not in p.known_from, p.path))
    return Collection(tuple(projects), gather.parents(), gather.dropped)
