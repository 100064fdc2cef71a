"""Reading and appending an incident's journal: sealed records, and the changes they describe.

A record is sealed (an HMAC keyed on this machine) for one incident of one project; a record
that does not verify is dropped, so a journal planted in a repository or copied from another
project describes nothing. `JournalRecords` is the part of `Journal` that reads and appends;
applying and undoing build on it (`journal`, `undo`)."""

from __future__ import annotations

import glob
import os
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from mcpir.core.fileio import append_jsonl, json_records, jsonl_lines
from mcpir.incident import durable
from mcpir.incident.changes import Change, JournalCorrupt
from mcpir.incident.durable import NOFOLLOW, TMP_SUFFIX, sha256

JOURNAL = "journal.jsonl"
BACKUPS = "backups"
MAX_JOURNAL_BYTES = 64 * 1024 * 1024  # a real journal holds kilobytes; a planted one may not
FIRST_LINE_BYTES = 1024 * 1024
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO planted as the journal must not hang a read

# Fields that name files and states: stored as they are, or restore could not find the file.
# Everything else (summaries, notes, commands) goes through redaction.
_RAW_FIELDS = frozenset(
    {"ts", "type", "change", "op", "step", "path", "target", "before", "after", "mode", "uid",
     "gid", "home", "root", "playbook", "id", "recovered", "forced", "pid", "status", "task",
     "kept", "roots"}
)  # fmt: skip
PROJECTS = "projects"  # the record naming the projects a step is about to change
MAX_PROJECT_ROOTS = 1_000


def scope_of(directory: Path) -> str:
    """What a journal's records are sealed for: its project root, resolved, and its id."""
    return f"{os.path.realpath(directory.parent.parent.parent)}\0{directory.name}"


def _safe(record: dict[str, Any]) -> dict[str, Any]:
    from mcpir.core.redact import redact_value

    return {k: v if k in _RAW_FIELDS else redact_value(v, k) for k, v in record.items()}


def _project_bounds(record: dict[str, Any]) -> list[Path]:
    """The roots of a sealed `projects` record that still are what they were: absolute,
    normalized, not the filesystem root, and resolving to themselves (a root swapped for a
    link since containment bounds nothing)."""
    roots = record.get("roots")
    found = []
    for root in roots[:MAX_PROJECT_ROOTS] if isinstance(roots, list) else []:
        if not isinstance(root, str) or "\0" in root or not os.path.isabs(root):
            continue
        path = Path(root)
        if len(path.parts) < 2 or os.path.normpath(root) != root:
            continue
        if os.path.realpath(root) == root:
            found.append(path)
    return found


def _inside(path: Path, bases: list[Path]) -> bool:
    """Whether `path`, its directory resolved (links followed), lies in one of `bases`."""
    try:
        real = Path(os.path.realpath(path.parent)) / path.name
    except (OSError, ValueError):
        return False
    return path.name not in {"", ".", ".."} and any(real.is_relative_to(b) for b in bases)


class JournalRecords:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / JOURNAL
        # A record is sealed for one incident of one project: its id and its project root (the
        # directory three levels up, resolved), so a journal copied or linked from another
        # project, or renamed to another id, verifies nowhere else.
        self.scope = scope_of(directory)
        self.failures: list[str] = []  # changes `apply_all` could not make, one line each
        self.untrusted = 0  # records the last `records()` dropped: not sealed by this machine

    def _open(self) -> BinaryIO | None:
        """The journal, opened without following links, or None if there is none."""
        try:
            fd = os.open(self.path, os.O_RDONLY | NOFOLLOW | _NONBLOCK)
        except FileNotFoundError:
            return None
        except OSError as exc:  # ELOOP: a link planted where the journal goes
            raise JournalCorrupt(f"{self.path}: cannot be read ({exc.strerror})") from None
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_JOURNAL_BYTES:
            os.close(fd)
            what = "not a regular file" if not stat.S_ISREG(info.st_mode) else "over 64 MiB"
            raise JournalCorrupt(f"{self.path}: {what}; not read")
        return os.fdopen(fd, "rb")

    def records(self) -> list[dict[str, Any]]:
        """Every complete record this user's mcpir sealed for this incident. A torn last line
        (a crash mid-append) is ignored; a record anyone else wrote is dropped and counted."""
        from mcpir.incident.trust import verified

        handle = self._open()
        if handle is None:
            return []
        try:
            with handle:
                data = handle.read(MAX_JOURNAL_BYTES + 1)
        except OSError as exc:
            raise JournalCorrupt(f"{self.path}: cannot be read ({exc.strerror})") from None
        # A torn last line may end inside a UTF-8 sequence: decode leniently, then skip it.
        parsed = json_records(jsonl_lines(data.decode("utf-8", "replace")))
        trusted = [record for record in parsed if verified(self.scope, record)]
        self.untrusted = len(parsed) - len(trusted)
        return trusted

    def opening(self) -> dict[str, Any] | None:
        """The sealed `incident-opened` record, read from the first line alone, or None: how
        listings tell this machine's incidents from planted ones without reading whole files."""
        from mcpir.incident.trust import verified

        try:
            handle = self._open()
            if handle is None:
                return None
            with handle:
                line = handle.readline(FIRST_LINE_BYTES)
        except (OSError, JournalCorrupt):
            return None
        found = json_records([line.decode("utf-8", "replace")])
        if found and found[0].get("type") == "incident-opened" and verified(self.scope, found[0]):
            return found[0]
        return None

    def trusted(self) -> bool:
        """Whether this machine's mcpir opened this incident (its first record is sealed)."""
        return self.opening() is not None

    def bounds(self, records: list[dict[str, Any]] | None = None) -> list[Path]:
        """The incident's recorded home and root, resolved: no change may lie outside them,
        except inside a project a sealed `projects` record named before it (`changes`)."""
        records = self.records() if records is None else records
        header = next((r for r in records if r.get("type") == "incident-opened"), {})
        found = (header.get(key) for key in ("home", "root"))
        return [Path(os.path.realpath(b)) for b in found if isinstance(b, str) and os.path.isabs(b)]

    def record_projects(self, roots: list[Path], step: str) -> None:
        """Name the projects outside home and root a step is about to change, resolved, before
        any change there is recorded: restore then accepts changes inside them."""
        home_and_root = self.bounds()
        resolved = {Path(os.path.realpath(root)) for root in roots}
        outside = sorted(
            str(real) for real in resolved if not any(real.is_relative_to(b) for b in home_and_root)
        )[:MAX_PROJECT_ROOTS]
        if outside:
            self.append({"type": PROJECTS, "step": step, "roots": outside})

    def append(self, record: dict[str, Any]) -> dict[str, Any]:
        return self.append_many([record])[0]

    def append_many(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Append records in one write and one fsync: they become durable together."""
        from mcpir.incident.trust import seal

        now = datetime.now(UTC).isoformat(timespec="milliseconds")
        records = [seal(self.scope, _safe({"ts": now, **record})) for record in records]
        append_jsonl(self.path, records, durable=True)
        durable.checkpoint()
        return records

    def changes(self) -> list[tuple[Change, str]]:
        """Each change with its state: "planned", "applied", "abandoned" or "restored".

        A change naming a file outside the incident's home and root is refused whole
        (`JournalCorrupt`): mcpir never wrote one, so the journal is not what it seems."""
        state: dict[int, str] = {}
        found: dict[int, Change] = {}
        records = self.records()
        bounds = self.bounds(records)
        for record in records:
            kind = record.get("type")
            if kind == PROJECTS:
                bounds += _project_bounds(record)  # only for the changes recorded after it
            elif kind == "change":
                change = Change.from_record(record)
                for path in (change.path, change.target):
                    if path is not None and not _inside(path, bounds):
                        raise JournalCorrupt(
                            f"{self.scope}: change {change.id} names {path}, outside the "
                            "incident's home and root; nothing was done",
                            hint=f"put it back by hand from {self.directory / BACKUPS}",
                        )
                found[change.id] = change
                state[change.id] = "planned"
            elif kind in {"applied", "restored", "abandoned"} and record.get("change") in found:
                state[int(record["change"])] = str(kind)
        return [(found[number], state[number]) for number in sorted(found)]

    def sweep(self, changes: list[tuple[Change, str]]) -> None:
        """Remove the temporary copies a crash left beside the files these changes touch: each
        is a whole config file, secrets included."""
        for change, _ in changes:
            for path in (change.path, change.target):
                if path is None:
                    continue
                pattern = f".{glob.escape(path.name)}.*{TMP_SUFFIX}"
                for leftover in path.parent.glob(pattern):
                    try:
                        leftover.unlink(missing_ok=True)
                    except OSError:  # a directory planted under that name: leave it
                        pass

    def backup_path(self, change: Change, which: str = "before") -> Path:
        return self.directory / BACKUPS / f"{change.id:04d}-{which}-{change.path.name}"

    def backup(self, change: Change, which: str = "before") -> bytes | None:
        """A backup, only while it holds what the journal recorded: a swapped or planted file
        (a link included) is never written back."""
        want = change.before if which == "before" else change.after
        try:
            fd = os.open(self.backup_path(change, which), os.O_RDONLY | NOFOLLOW)
        except OSError:
            return None
        with os.fdopen(fd, "rb") as handle:
            data = handle.read()
        return data if want is not None and sha256(data) == want else None

    def backup_problem(self, change: Change) -> str | None:
        """Why the original of `change` could not be put back from its backup, or None."""
        if change.op == "create" or change.before is None or self.backup(change) is not None:
            return None
        return (
            f"{change.path}: its backup {self.backup_path(change)} is missing or does not match "
            "the journal's SHA-256; not restored"
        )
