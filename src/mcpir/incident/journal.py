"""The incident journal: every change mcpir makes to a user's file, recorded before it is made.

A change goes through four durable steps: (1) a `change` record is appended and fsynced,
(2) a byte-exact backup (mode 0600) is written and fsynced, (3) the new content replaces the
file atomically (`os.replace` of a fsynced temporary file, original mode kept), (4) an
`applied` record is appended. A crash between any two leaves a journal that `recover()`
completes: it looks at the file itself (by SHA-256) to tell whether the change happened.
`restore` undoes applied changes in reverse order and refuses, with a diff, to overwrite a
file that was edited since, unless forced; even then the newer file is kept aside.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from mcpir.core.errors import McpirError
from mcpir.core.fileio import json_records, private_dirs

JOURNAL = "journal.jsonl"
BACKUPS = "backups"
DISABLED_SUFFIX = ".mcpir-disabled"  # the same as discovery.client.CONTAINED_SUFFIX
TMP_SUFFIX = ".mcpir-tmp"


class JournalConflict(McpirError):
    """A file is not in the state the journal expects: someone else changed it."""

    exit_code = 3


class JournalCorrupt(McpirError):
    """A journal record mcpir cannot act on: malformed, or naming a file outside the incident's
    home and root (exit 2)."""


# Fault injection for the crash tests: `MCPIR_TEST_CRASH_AT=N` kills the process (SIGKILL, no
# cleanup) at the N-th durable write, so every point a real crash could hit is exercised.
_CRASH_AT = int(os.environ.get("MCPIR_TEST_CRASH_AT", "0") or 0)
_writes = 0


def checkpoint() -> None:
    global _writes
    if _CRASH_AT:
        _writes += 1
        if _writes == _CRASH_AT:
            import signal

            os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # Windows cannot open directories; its replace is durable enough
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
# Fields that name files and states: stored as they are, or restore could not find the file.
# Everything else (summaries, notes, commands) goes through redaction.
_RAW_FIELDS = frozenset(
    {"ts", "type", "change", "op", "step", "path", "target", "before", "after", "mode", "uid",
     "gid", "home", "root", "playbook", "id", "recovered", "forced", "pid", "status", "task",
     "kept"}
)  # fmt: skip


def _safe(record: dict[str, Any]) -> dict[str, Any]:
    from mcpir.core.redact import redact_value

    return {k: v if k in _RAW_FIELDS else redact_value(v, k) for k, v in record.items()}


def free_name(path: Path, suffix: str) -> Path:
    """`path` + `suffix`, or + `suffix.2`, `.3`…: a name nothing uses, links included."""
    candidate = path.with_name(path.name + suffix)
    number = 2
    while os.path.lexists(candidate):
        candidate = path.with_name(f"{path.name}{suffix}.{number}")
        number += 1
    return candidate


def _write_private(path: Path, data: bytes, durable: bool = True) -> None:
    # O_NOFOLLOW: a symlink planted where a backup goes must not redirect the write.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        if durable:
            handle.flush()
            os.fsync(handle.fileno())
    checkpoint()


def replace_bytes(
    path: Path, data: bytes, mode: int | None, owner: tuple[int, int] | None = None
) -> None:
    """Atomically give `path` exactly `data`; mode and owner are the current file's unless given."""
    import tempfile

    try:
        info = path.stat()
        mode = stat.S_IMODE(info.st_mode) if mode is None else mode
        owner = (info.st_uid, info.st_gid) if owner is None else owner
    except FileNotFoundError:
        mode = 0o644 if mode is None else mode
    private_dirs(path.parent)
    # mkstemp creates a new file (O_EXCL) under a random name: no planted link is followed.
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TMP_SUFFIX)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # The temporary copy (secrets included) stays 0600 until the instant it replaces the
        # file: a crash before then leaves a private leftover that `Journal.sweep` removes.
        checkpoint()
        os.chmod(tmp, mode)
        if owner is not None and hasattr(os, "chown"):
            try:
                os.chown(tmp, *owner)
            except PermissionError:  # only root can give a file away; a user's own file is theirs
                pass
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)
    checkpoint()


@dataclass(frozen=True)
class PlannedChange:
    """A change a task wants; the journal makes it. `data` is the new content (edit, create)."""

    op: str  # "edit" | "rename" | "create"
    path: Path
    summary: str
    data: bytes | None = None
    target: Path | None = None
    before: bytes | None = None  # the content the plan was made from (edit, rename)
    servers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Change:
    id: int
    op: str
    path: Path
    target: Path | None
    before: str | None
    after: str | None
    mode: int | None
    step: str
    summary: str
    servers: tuple[str, ...]
    uid: int | None = None
    gid: int | None = None

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Change:
        """The change a `change` record describes; `JournalCorrupt` (one line) if it is not
        one mcpir could have written."""
        number, op, path = record.get("change"), record.get("op"), record.get("path")
        target = record.get("target")
        if not _is_int(number) or op not in OPS or not _is_abs(path):
            raise JournalCorrupt(f"journal record {_cut(record)} is not a valid change")
        if (op == "rename") != _is_abs(target) or (target is not None and op != "rename"):
            raise JournalCorrupt(f"journal change {number}: a rename needs a target, nothing else")
        fields = {k: record.get(k) for k in ("before", "after", "mode", "uid", "gid")}
        hashes_ok = all(v is None or _is_digest(v) for v in (fields["before"], fields["after"]))
        numbers_ok = all(v is None or _is_int(v) for v in (fields["mode"], fields["uid"],
                                                            fields["gid"]))  # fmt: skip
        servers = record.get("servers", [])
        names_ok = isinstance(servers, list) and all(isinstance(n, str) for n in servers)
        if not (hashes_ok and numbers_ok and names_ok):
            raise JournalCorrupt(f"journal change {number}: malformed hashes, mode or servers")
        return cls(
            id=int(str(number)),
            op=str(op),
            path=Path(str(path)),
            target=Path(target) if target else None,
            before=fields["before"],
            after=fields["after"],
            mode=fields["mode"],
            step=str(record.get("step", "")),
            summary=str(record.get("summary", "")),
            servers=tuple(servers),
            uid=fields["uid"],
            gid=fields["gid"],
        )


OPS = frozenset({"edit", "rename", "create"})
MAX_JOURNAL_BYTES = 64 * 1024 * 1024  # a real journal holds kilobytes; a planted one may not
FIRST_LINE_BYTES = 1024 * 1024
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO planted as the journal must not hang a read


def scope_of(directory: Path) -> str:
    """What a journal's records are sealed for: its project root, resolved, and its id."""
    return f"{os.path.realpath(directory.parent.parent.parent)}\0{directory.name}"


_DIGEST = re.compile(r"[0-9a-f]{64}")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_abs(value: object) -> bool:
    return isinstance(value, str) and "\0" not in value and os.path.isabs(value)


def _is_digest(value: object) -> bool:
    return (
        isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)
    )


def _cut(record: dict[str, Any]) -> str:
    from mcpir.core.redact import redact_text

    text = json.dumps(record, ensure_ascii=True, default=str)
    return redact_text(text[:80] + ("…" if len(text) > 80 else ""))


def _inside(path: Path, bases: list[Path]) -> bool:
    """Whether `path`, its directory resolved (links followed), lies in one of `bases`."""
    try:
        real = Path(os.path.realpath(path.parent)) / path.name
    except (OSError, ValueError):
        return False
    return path.name not in {"", ".", ".."} and any(real.is_relative_to(b) for b in bases)


@dataclass(frozen=True)
class Undone:
    """One undone change: the line to show, and where a newer copy was kept aside, if any."""

    line: str
    kept: tuple[Path, ...] = ()


class Journal:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / JOURNAL
        # A record is sealed for one incident of one project: its id and its project root (the
        # directory three levels up, resolved), so a journal copied or linked from another
        # project, or renamed to another id, verifies nowhere else.
        self.scope = scope_of(directory)
        self.failures: list[str] = []  # changes `apply_all` could not make, one line each
        self.untrusted = 0  # records the last `records()` dropped: not sealed by this machine

    # -- records -------------------------------------------------------------------------
    def _open(self) -> BinaryIO | None:
        """The journal, opened without following links, or None if there is none."""
        try:
            fd = os.open(self.path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
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
        parsed = json_records(data.decode("utf-8", "replace").splitlines())
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
        """The incident's recorded home and root, resolved: no change may lie outside them."""
        records = self.records() if records is None else records
        header = next((r for r in records if r.get("type") == "incident-opened"), {})
        found = (header.get(key) for key in ("home", "root"))
        return [Path(os.path.realpath(b)) for b in found if isinstance(b, str) and os.path.isabs(b)]

    def append(self, record: dict[str, Any]) -> dict[str, Any]:
        return self.append_many([record])[0]

    def append_many(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Append records in one write and one fsync: they become durable together."""
        from mcpir.incident.trust import seal

        now = datetime.now(UTC).isoformat(timespec="milliseconds")
        records = [seal(self.scope, _safe({"ts": now, **record})) for record in records]
        lines = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
        created = not self.path.exists()
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | _NOFOLLOW, 0o600)
        try:
            # A lone surrogate (from a crafted name) becomes its JSON escape, not an exception.
            data = lines.encode("utf-8", "backslashreplace")
            # A torn previous line must not swallow this record.
            if not created and os.fstat(fd).st_size and not self._ends_with_newline():
                data = b"\n" + data
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        checkpoint()
        if created:
            _fsync_dir(self.directory)
        return records

    def _ends_with_newline(self) -> bool:
        with self.path.open("rb") as handle:
            handle.seek(-1, os.SEEK_END)
            return handle.read(1) == b"\n"

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
            if kind == "change":
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

    def sweep(self) -> None:
        """Remove the temporary copies a crash left beside the files this incident changes:
        each is a whole config file, secrets included."""
        for change, _ in self.changes():
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

    # -- applying --------------------------------------------------------------------------
    def apply(self, planned: PlannedChange, step: str) -> Change:
        return self.apply_all([planned], step)[0]

    def apply_all(self, planned: list[PlannedChange], step: str) -> list[Change]:
        """Make every planned change, in phases that each end durable: all records, then all
        backups, then the files, then all `applied` records. A file that is not as planned
        stops everything before anything is written."""
        number = max((c.id for c, _ in self.changes()), default=0)
        records, contents = [], []
        for wanted in planned:
            current = _read(wanted.path)
            if current != wanted.before:  # `before` is None for a file a plan creates
                raise JournalConflict(
                    f"{wanted.path} changed while mcpir was planning; nothing was done",
                    hint="run the step again",
                )
            number += 1
            after = wanted.data if wanted.op != "rename" else wanted.before
            info = wanted.path.stat() if current is not None else None
            mode = stat.S_IMODE(info.st_mode) if info is not None else None
            records.append(
                {
                    "type": "change",
                    "change": number,
                    "op": wanted.op,
                    "step": step,
                    "path": str(wanted.path),
                    "target": str(wanted.target) if wanted.target else None,
                    "before": sha256(current) if current is not None else None,
                    "after": sha256(after) if after is not None else None,
                    "mode": mode,
                    "uid": info.st_uid if info is not None else None,
                    "gid": info.st_gid if info is not None else None,
                    "summary": wanted.summary,
                    "servers": list(wanted.servers),
                }
            )
            contents.append((current, after))
        if not records:
            return []
        changes = [Change.from_record(r) for r in self.append_many(records)]
        (self.directory / BACKUPS).mkdir(mode=0o700, exist_ok=True)
        for change, (current, after) in zip(changes, contents, strict=True):
            if current is not None:
                _write_private(self.backup_path(change), current)
            if after is not None and change.op != "rename":
                # Only for the restore diff ("as mcpir left it"): no fsync needed.
                _write_private(self.backup_path(change, "after"), after, durable=False)
        _fsync_dir(self.directory / BACKUPS)
        done: list[Change] = []
        settled: list[dict[str, Any]] = []
        try:
            for change, (_, after) in zip(changes, contents, strict=True):
                try:
                    self._perform(change, after)
                except (OSError, JournalConflict) as exc:
                    # One stubborn file must not keep every other server running.
                    reason = getattr(exc, "message", None) or str(exc)
                    settled.append({"type": "abandoned", "change": change.id, "error": reason})
                    self.failures.append(f"{change.path}: {reason}")
                    continue
                done.append(change)
                settled.append({"type": "applied", "change": change.id})
        finally:
            if settled:
                self.append_many(settled)
        return done

    def _perform(self, change: Change, after: bytes | None) -> None:
        if change.op == "rename":
            assert change.target is not None  # noqa: S101 - recorded with every rename
            if os.path.lexists(change.target):
                raise JournalConflict(f"{change.target} already exists; {change.path} was kept")
            os.replace(change.path, change.target)
            _fsync_dir(change.path.parent)
            checkpoint()
        else:
            assert after is not None  # noqa: S101 - edits and creates carry their content
            replace_bytes(change.path, after, change.mode)

    def recover(self) -> list[str]:
        """Settle every change a crash interrupted, from the file itself: one that reached the
        file is marked applied; one that did not is abandoned (the file is as it was, and the
        task plans it again). Returns what it did, one line each."""
        done = []
        self.sweep()
        for change, state in self.changes():
            if state != "planned":
                continue
            path_bytes = _read(change.path)
            current = sha256(path_bytes) if path_bytes is not None else None
            if change.op == "rename":
                assert change.target is not None  # noqa: S101 - every rename has one
                reached = path_bytes is None and os.path.lexists(change.target)
                untouched = current == change.before and not os.path.lexists(change.target)
            else:
                reached = current == change.after
                untouched = current == change.before
            if reached:
                self.append({"type": "applied", "change": change.id, "recovered": True})
                done.append(f"completed interrupted change: {change.summary}")
            elif untouched:
                self.append({"type": "abandoned", "change": change.id})
                done.append(f"interrupted before it changed anything: {change.path}")
            else:
                raise JournalConflict(
                    f"{change.path} is neither as it was nor as mcpir left it; not touched",
                    hint="compare it with the backups in " + str(self.directory / BACKUPS),
                )
        return done

    # -- restoring -------------------------------------------------------------------------
    def restore_plan(self) -> Iterator[Change]:
        for change, state in reversed(self.changes()):
            if state == "applied":
                yield change

    def conflict(self, change: Change) -> str | None:
        """Why `change` cannot be undone safely (with a diff), or None."""
        path_bytes = _read(change.path)
        if change.op == "rename":
            assert change.target is not None  # noqa: S101
            if os.path.lexists(change.path):
                return f"{change.path} exists again (a new file?); it would be overwritten"
            if not os.path.lexists(change.target):
                return f"{change.target} has vanished; nothing to move back"
            if os.path.islink(change.target):
                return f"{change.target} is now a symbolic link; not moved back"
            moved = _read(change.target)
            if moved is not None and sha256(moved) != change.after:
                return f"{change.target} was edited since mcpir renamed it; not moved back"
            return None
        if path_bytes is None:
            return f"{change.path} has vanished since mcpir changed it"
        if sha256(path_bytes) in {change.after, change.before}:
            return None
        import difflib

        written = self.backup(change, "after") or b""
        diff = difflib.unified_diff(
            written.decode("utf-8", "replace").splitlines(keepends=True),
            path_bytes.decode("utf-8", "replace").splitlines(keepends=True),
            f"{change.path} (as mcpir left it)",
            f"{change.path} (now)",
        )
        from mcpir.core.redact import redact_diff

        return f"{change.path} was edited since mcpir changed it:\n" + redact_diff("".join(diff))

    def backup(self, change: Change, which: str = "before") -> bytes | None:
        """A backup, only while it holds what the journal recorded: a swapped or planted file
        (a link included) is never written back."""
        want = change.before if which == "before" else change.after
        try:
            fd = os.open(self.backup_path(change, which), os.O_RDONLY | _NOFOLLOW)
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

    def _aside(self, path: Path, base: Path) -> Path:
        aside = free_name(base, ".mcpir-conflict")
        os.replace(path, aside)
        return aside

    def undo(self, change: Change, *, force: bool = False) -> Undone:
        """Put one file back byte for byte. With `force`, what is there now (a newer file, an
        edited disabled copy) is first kept aside as `<name>.mcpir-conflict`."""
        reason = self.conflict(change)
        if reason is not None and not force:
            raise JournalConflict(reason.splitlines()[0], hint="see the diff; --force keeps "
                                  "the current file aside and restores")  # fmt: skip
        kept: list[Path] = []
        if change.op == "create":
            if reason is not None and os.path.lexists(change.path):
                kept.append(self._aside(change.path, change.path))
            else:
                change.path.unlink(missing_ok=True)
        elif change.op == "rename" and reason is None:
            assert change.target is not None  # noqa: S101
            os.replace(change.target, change.path)
            _fsync_dir(change.path.parent)
        else:
            current = _read(change.path)
            if change.op == "rename" or current is None or sha256(current) != change.before:
                backup = self.backup(change)
                if backup is None:
                    raise JournalConflict(str(self.backup_problem(change)))
                if reason is not None and current is not None:
                    kept.append(self._aside(change.path, change.path))
                if change.op == "rename":
                    assert change.target is not None  # noqa: S101
                    if os.path.lexists(change.target):  # the disabled copy, edited since
                        kept.append(self._aside(change.target, change.path))
                owner = None
                if change.uid is not None and change.gid is not None:
                    owner = (change.uid, change.gid)
                replace_bytes(change.path, backup, change.mode, owner)
        self.append({"type": "restored", "change": change.id, "forced": bool(kept),
                     "kept": [str(path) for path in kept]})  # fmt: skip
        line = f"restored {change.path}"
        if kept:
            line += f" (kept aside: {', '.join(path.name for path in kept)})"
        return Undone(line, tuple(kept))
