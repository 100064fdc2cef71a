"""The user's index of incidents: where each incident and change set lives, so `restore`,
`report`, `close` and `respond --resume` find one by id from any directory.

`incidents.json` in mcpir's data dir (`MCPIR_HOME` moves it), mode 0600:
`{"version": 1, "incidents": [{"id", "kind", "root", "status", "opened", "updated"}]}`.
Metadata only: no title (typed by a person, it may hold anything), no path but the project's.
Every update rewrites it whole under a lock (`os.replace` of a temporary file), so a reader,
which takes no lock, never sees half of it and two mcpir runs never lose each other's line.

An entry is a pointer, never trust: the index is a plain file, and the journal it points to
must still verify with this user's key (`store.find_incident`) before anything acts on it.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mcpir.core.errors import UsageError
from mcpir.core.paths import data_dir

if TYPE_CHECKING:
    from mcpir.incident.store import Incident

INDEX_FILE = "incidents.json"
VERSION = 1
MAX_BYTES = 16 * 1024 * 1024  # ~100,000 entries; a larger file is not one mcpir wrote
LOCK_SECONDS = 10.0  # held for one read and one write: milliseconds
_FIELDS = ("id", "kind", "root", "status", "opened", "updated")


@dataclass(frozen=True)
class Entry:
    id: str
    kind: str
    root: str  # resolved: the project the incident's journal is sealed for
    status: str
    opened: str
    updated: str


def index_path() -> Path:
    return data_dir() / INDEX_FILE


def entries() -> list[Entry]:
    """Every well-formed entry, oldest first; nothing when there is no index (or it cannot be
    read). Creates nothing, so a lookup that fails leaves no trace."""
    from mcpir.incident.store import CHANGE_PATTERN, ID_PATTERN

    found = []
    for item in _load(index_path()):
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in _FIELDS):
            continue
        entry = Entry(**{k: item[k] for k in _FIELDS})
        named = ID_PATTERN.match(entry.id) or CHANGE_PATTERN.match(entry.id)
        if named and os.path.isabs(entry.root) and "\0" not in entry.root:
            found.append(entry)
    return found


def _load(path: Path) -> list[Any]:
    try:
        fd = os.open(
            path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        )
    except OSError:  # none yet, or a link planted where it goes
        return []
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
            return []
        with os.fdopen(os.dup(fd), "rb") as handle:
            document = json.loads(handle.read(MAX_BYTES + 1))
    except (OSError, ValueError, RecursionError):
        return []
    finally:
        os.close(fd)
    listed = document.get("incidents") if isinstance(document, dict) else None
    return listed if isinstance(listed, list) else []


def note(incident: Incident, status: str, opening: Mapping[str, Any]) -> None:
    """Add or update `incident`'s entry. The journal stays the record: an index that cannot be
    written (a full disk, a lock held for too long) must not fail a containment half-way, so a
    failure here only costs finding the incident from elsewhere (`--root` still does)."""
    from filelock import Timeout

    from mcpir.incident.store import kind_of

    entry = Entry(
        id=incident.id,
        kind=kind_of(incident.id, dict(opening)),
        root=os.path.realpath(incident.directory.parent.parent.parent),
        status=status,
        opened=str(opening.get("ts") or ""),
        updated=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    try:
        _put(entry)
    except (OSError, Timeout):
        pass


def _put(entry: Entry) -> None:
    from filelock import FileLock

    from mcpir.core.fileio import atomic_write_text, private_dirs

    path = index_path()
    private_dirs(path.parent)
    lock = FileLock(
        path.with_name(path.name + ".lock"),
        mode=0o600,
        timeout=LOCK_SECONDS,
        preserve_lock_file=True,
    )
    with lock:
        others = [e for e in entries() if (e.id, e.root) != (entry.id, entry.root)]
        rows = sorted([*others, entry], key=lambda e: (e.opened, e.id))
        document = {"version": VERSION, "incidents": [asdict(e) for e in rows]}
        atomic_write_text(path, json.dumps(document, indent=1) + "\n", mode=0o600)


def matching(incident_id: str) -> list[Entry]:
    """The entries an id names: itself if indexed, else every id it is a prefix of."""
    indexed = entries()
    exact = [e for e in indexed if e.id == incident_id]
    return exact or [e for e in indexed if e.id.startswith(incident_id)]


def locate(incident_id: str, here: Path) -> Incident | None:
    """The incident an id names when it lives outside `here` (the project the command runs
    in): found through the index, then trusted only if its journal, where the entry points,
    verifies with this user's key. None when `here` holds it (look there, as always). A
    failed lookup raises `UsageError` and writes nothing."""
    from mcpir.core.safe import one_line
    from mcpir.incident.store import find_incident, incidents_dir, journal_names

    try:
        names = journal_names(here)
    except UsageError:  # a linked trail here: the lookup there says so
        return None
    if incident_id in names:
        return None
    # A whole id the index knows elsewhere wins over a longer id here that it only begins.
    found = matching(incident_id)
    exact_elsewhere = any(e.id == incident_id for e in found)
    if not exact_elsewhere and any(n.startswith(incident_id) for n in names):
        return None
    if not found:
        raise UsageError(
            f"no incident matches {incident_id!r} in {here} or in mcpir's index of incidents",
            hint="pass --root DIR, the project the incident was opened in",
        )
    # A project moved or deleted since leaves its entries behind: only live ones count.
    live = [e for e in found if (incidents_dir(Path(e.root)) / e.id).is_dir()]
    if not live:
        raise UsageError(
            f"{incident_id}: mcpir's index of incidents says it lives in "
            f"{one_line(found[-1].root)}, which does not hold it now (moved or deleted?)",
            hint="pass --root DIR, where the project is now",
        )
    roots = sorted({entry.root for entry in live})
    if len(roots) > 1:
        listed = ", ".join(f"{e.id} in {one_line(e.root)}" for e in live[:4])
        raise UsageError(f"more than one incident matches {incident_id!r}: {listed}",
                         hint="give the whole id, or --root DIR")  # fmt: skip
    return find_incident(Path(roots[0]), incident_id)  # the seal there decides, not the index
