"""Reading the clients' own saved state (where they record the projects a user opened) with
bounds: a state file is read only when it is a regular file of bounded size, inside the home
when the home is not this machine's own, and any problem means "nothing recorded", never an
error. Client modules say which files and keys hold their lists; this says how to read them.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from mcpir.core import documents, no_follow
from mcpir.core.model import Format
from mcpir.core.paths import Scopes

if TYPE_CHECKING:
    from mcpir.discovery.projects import ProjectHint

MAX_STATE_BYTES = documents.MAX_BYTES  # `~/.claude.json`, `config.toml`
MAX_SMALL_STATE_BYTES = 64 * 1024  # one `workspace.json`: a URI or two
MAX_ENTRIES = 5_000  # directories listed under one `workspaceStorage`
MAX_ROWS = 5_000  # rows read from one SQLite table
MAX_TEXT = 4_096  # characters of one recorded path
MAX_DATABASE_BYTES = 4 * 1024**3  # a client's whole database (sessions too): read by page
_SQLITE_MAGIC = b"SQLite format 3\x00"
# VM instructions a query may take: a crafted database (a huge row, a deep b-tree) ends here.
_SQLITE_STEPS = 5_000_000
_SQLITE_EVERY = 1_000
_DRIVE_URI = re.compile(r"^/[A-Za-z]:/")


def state_file(path: Path, scopes: Scopes, max_bytes: int = MAX_STATE_BYTES) -> Path | None:
    """The target to read `path` by (its links resolved), if it can be read as state: a regular
    file of at most `max_bytes` and, when the home is another machine's, one that stays inside
    it. Read by that target with no link followed, a link swapped in after the check is not."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
        return None
    if scopes.sandboxed:
        real, home = os.path.realpath(path), os.path.realpath(scopes.home)
        if os.path.commonpath((real, home)) != home:
            return None
        return Path(real)
    return Path(os.path.realpath(path))


def load_state(
    path: Path, scopes: Scopes, fmt: Format = Format.JSON, max_bytes: int = MAX_STATE_BYTES
) -> Any:  # noqa: ANN401
    """The parsed state file, or None when it is absent, too large, not text or malformed."""
    if (checked := state_file(path, scopes, max_bytes)) is None:
        return None
    try:
        return documents.load(path, fmt, str(checked)).data
    except (documents.DocumentError, OSError):
        return None


def entries(directory: Path, limit: int = MAX_ENTRIES) -> Iterator[Path]:
    """Up to `limit` directories inside `directory`, in the order the OS lists them."""
    try:
        with os.scandir(directory) as found:
            for count, entry in enumerate(found):
                if count >= limit:
                    return
                try:
                    if entry.is_dir(follow_symlinks=False):
                        yield Path(entry.path)
                except OSError:
                    continue
    except OSError:
        return


def uri_path(uri: Any, remote_is_local: bool = False) -> str | None:  # noqa: ANN401
    """The local path a `file://` URI names (`%20` decoded, `/c:/x` as `c:/x`); the URI itself
    for any other scheme, so it is listed as not a local path; None for a non-string.

    A `vscode-remote://` URI is local when `remote_is_local`: recorded by the editor's server,
    which runs on the machine the project is on."""
    if not isinstance(uri, str) or not uri:
        return None
    try:
        parts = urlsplit(uri)
    except ValueError:
        return uri
    local = parts.scheme == "file" and parts.netloc in ("", "localhost")
    if not (local or (remote_is_local and parts.scheme == "vscode-remote")):
        return uri
    path = unquote(parts.path)
    return path[1:] if _DRIVE_URI.match(path) else path


def sqlite_strings(db: Path, scopes: Scopes, table: str, column: str) -> list[str]:
    """Up to MAX_ROWS text values (of at most MAX_TEXT characters) of `table.column`, read-only:
    the file is opened immutable (no lock taken, no journal written, a running client never
    blocked) and the query is cut off after a fixed number of steps. Anything that is not
    such a database (a planted file, a truncated copy) gives []."""

    if (checked := state_file(db, scopes, max_bytes=MAX_DATABASE_BYTES)) is None:
        return []
    # The file as checked, no link followed and never blocking (a FIFO swapped in after the
    # check hung the open), kept open: SQLite reads that file through /proc/self/fd.
    try:
        fd = no_follow.open_resolved(str(checked))
    except OSError:
        return []
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode) and os.read(fd, 16) == _SQLITE_MAGIC:
            return _query(_pinned(fd, checked), table, column)
        return []
    finally:
        os.close(fd)


def _pinned(fd: int, checked: Path) -> Path:
    """The path by which the file open as `fd` is opened again, itself and no other."""
    for fds in ("/proc/self/fd", "/dev/fd"):
        if os.path.isdir(fds):
            return Path(fds, str(fd))
    return Path(os.path.abspath(checked))


def _query(db: Path, table: str, column: str) -> list[str]:
    import sqlite3

    calls = iter(range(_SQLITE_STEPS // _SQLITE_EVERY))

    def over_budget() -> int:
        return 0 if next(calls, None) is not None else 1

    uri = f"{db.as_uri()}?mode=ro&immutable=1"
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=0.2)
    except (sqlite3.Error, ValueError):
        return []
    try:
        connection.set_progress_handler(over_budget, _SQLITE_EVERY)
        value = f'"{column}"'
        query = (
            f'SELECT substr({value}, 1, {MAX_TEXT + 1}) FROM "{table}" '  # noqa: S608 - constants
            f"WHERE typeof({value}) = 'text' LIMIT {MAX_ROWS}"
        )
        rows = connection.execute(query).fetchall()
    except (sqlite3.Error, ValueError, OverflowError, MemoryError):
        return []
    finally:
        connection.close()
    return [row[0] for row in rows if isinstance(row[0], str) and len(row[0]) <= MAX_TEXT]


def keys_of_projects(
    files: list[Path], scopes: Scopes, fmt: Format = Format.JSON
) -> Iterator[ProjectHint]:
    """The keys of a `projects` table in each state file, as recorded projects whose parent
    folders the client reads too (Claude Code's `.claude.json`, Codex's `config.toml`)."""
    from mcpir.discovery.projects import ProjectHint

    for file in files:
        data = load_state(file, scopes, fmt)
        projects = data.get("projects") if isinstance(data, Mapping) else None
        for key in projects if isinstance(projects, Mapping) else ():
            if isinstance(key, str):
                yield ProjectHint(key, file, parents=True)
