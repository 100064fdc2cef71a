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
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mcpir.errors import McpirError
from mcpir.fileio import json_records

JOURNAL = "journal.jsonl"
BACKUPS = "backups"
DISABLED_SUFFIX = ".mcpir-disabled"  # the same as discovery.client.CONTAINED_SUFFIX
TMP_SUFFIX = ".mcpir-tmp"


class JournalConflict(McpirError):
    """A file is not in the state the journal expects: someone else changed it."""

    exit_code = 3


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
     "gid", "home", "root", "playbook", "id", "recovered", "forced", "pid", "status", "task"}
)  # fmt: skip


def _safe(record: dict[str, Any]) -> dict[str, Any]:
    from mcpir.redact import redact_value

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
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # mkstemp creates a new file (O_EXCL) under a random name: no planted link is followed.
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TMP_SUFFIX)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if owner is not None and hasattr(os, "chown"):
            try:
                os.chown(tmp, *owner)
            except PermissionError:  # only root can give a file away; a user's own file is theirs
                pass
        checkpoint()
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
        return cls(
            id=int(record["change"]),
            op=str(record["op"]),
            path=Path(record["path"]),
            target=Path(record["target"]) if record.get("target") else None,
            before=record.get("before"),
            after=record.get("after"),
            mode=record.get("mode"),
            step=str(record.get("step", "")),
            summary=str(record.get("summary", "")),
            servers=tuple(record.get("servers", ())),
            uid=record.get("uid"),
            gid=record.get("gid"),
        )


class Journal:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / JOURNAL
        self.failures: list[str] = []  # changes `apply_all` could not make, one line each

    # -- records -------------------------------------------------------------------------
    def records(self) -> list[dict[str, Any]]:
        """Every complete record; a torn last line (a crash mid-append) is ignored."""
        try:
            # A torn last line may end inside a UTF-8 sequence: decode leniently, then skip it.
            lines = self.path.read_bytes().decode("utf-8", "replace").splitlines()
        except FileNotFoundError:
            return []
        return json_records(lines)

    def append(self, record: dict[str, Any]) -> dict[str, Any]:
        return self.append_many([record])[0]

    def append_many(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Append records in one write and one fsync: they become durable together."""
        now = datetime.now(UTC).isoformat(timespec="milliseconds")
        records = [_safe({"ts": now, **record}) for record in records]
        lines = "".join(
            json.dumps(record, ensure_ascii=False, default=str) + "\n" for record in records
        )
        created = not self.path.exists()
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | _NOFOLLOW, 0o600)
        try:
            data = lines.encode("utf-8")
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
        """Each change with its state: "planned", "applied", "abandoned" or "restored"."""
        state: dict[int, str] = {}
        found: dict[int, Change] = {}
        for record in self.records():
            kind = record.get("type")
            if kind == "change":
                change = Change.from_record(record)
                found[change.id] = change
                state[change.id] = "planned"
            elif kind in {"applied", "restored", "abandoned"} and record.get("change") in found:
                state[int(record["change"])] = str(kind)
        return [(found[number], state[number]) for number in sorted(found)]

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
        for change, state in self.changes():
            if state != "planned":
                continue
            for leftover in change.path.parent.glob(
                f".{glob.escape(change.path.name)}.*{TMP_SUFFIX}"
            ):
                leftover.unlink(missing_ok=True)
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
            moved = _read(change.target)
            if moved is not None and sha256(moved) != change.after:
                return f"{change.target} was edited since mcpir renamed it; not moved back"
            return None
        if path_bytes is None:
            return f"{change.path} has vanished since mcpir changed it"
        if sha256(path_bytes) in {change.after, change.before}:
            return None
        import difflib

        written = _read(self.backup_path(change, "after")) or b""
        diff = difflib.unified_diff(
            written.decode("utf-8", "replace").splitlines(keepends=True),
            path_bytes.decode("utf-8", "replace").splitlines(keepends=True),
            f"{change.path} (as mcpir left it)",
            f"{change.path} (now)",
        )
        from mcpir.redact import redact_diff

        return f"{change.path} was edited since mcpir changed it:\n" + redact_diff("".join(diff))

    def undo(self, change: Change, *, force: bool = False) -> str:
        """Put one file back byte for byte. With `force`, a newer file is first kept aside."""
        reason = self.conflict(change)
        kept = ""
        if reason is not None:
            if not force:
                raise JournalConflict(reason.splitlines()[0], hint="see the diff; --force keeps "
                                      "the current file aside and restores")  # fmt: skip
            if os.path.lexists(change.path):
                aside = free_name(change.path, ".mcpir-conflict")
                os.replace(change.path, aside)
                kept = f" (the newer file is kept as {aside.name})"
        if change.op == "rename":
            assert change.target is not None  # noqa: S101
            if os.path.lexists(change.target):
                os.replace(change.target, change.path)
                _fsync_dir(change.path.parent)
        elif change.op == "create":
            change.path.unlink(missing_ok=True)
        else:
            current = _read(change.path)
            if current is None or sha256(current) != change.before:
                owner = None
                if change.uid is not None and change.gid is not None:
                    owner = (change.uid, change.gid)
                backup = self.backup_path(change).read_bytes()
                replace_bytes(change.path, backup, change.mode, owner)
        self.append({"type": "restored", "change": change.id, "forced": bool(kept)})
        return f"restored {change.path}{kept}"
