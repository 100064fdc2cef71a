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

JOURNAL = "journal.jsonl"
BACKUPS = "backups"
DISABLED_SUFFIX = ".mcpir-disabled"


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


def _write_private(path: Path, data: bytes, durable: bool = True) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        if durable:
            handle.flush()
            os.fsync(handle.fileno())
    checkpoint()


def replace_bytes(path: Path, data: bytes, mode: int | None) -> None:
    """Atomically give `path` exactly `data`, with `mode` (default: the current mode)."""
    if mode is None:
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644
    tmp = path.with_name(f".{path.name}.mcpir-tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
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
        )


class Journal:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / JOURNAL

    # -- records -------------------------------------------------------------------------
    def records(self) -> list[dict[str, Any]]:
        """Every complete record; a torn last line (a crash mid-append) is ignored."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        out = []
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                out.append(record)
        return out

    def append(self, record: dict[str, Any]) -> dict[str, Any]:
        return self.append_many([record])[0]

    def append_many(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Append records in one write and one fsync: they become durable together."""
        from mcpir.redact import redact_value

        now = datetime.now(UTC).isoformat(timespec="milliseconds")
        records = [{"ts": now, **record} for record in records]
        lines = "".join(
            json.dumps(redact_value(record), ensure_ascii=False) + "\n" for record in records
        )
        created = not self.path.exists()
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
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
            mode = stat.S_IMODE(wanted.path.stat().st_mode) if current is not None else None
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
        try:
            for change, (_, after) in zip(changes, contents, strict=True):
                self._perform(change, after)
                done.append(change)
        finally:
            if done:
                self.append_many([{"type": "applied", "change": c.id} for c in done])
        return done

    def _perform(self, change: Change, after: bytes | None) -> None:
        if change.op == "rename":
            assert change.target is not None  # noqa: S101 - recorded with every rename
            if change.target.exists():
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
            change.path.with_name(f".{change.path.name}.mcpir-tmp").unlink(missing_ok=True)
            path_bytes = _read(change.path)
            current = sha256(path_bytes) if path_bytes is not None else None
            if change.op == "rename":
                assert change.target is not None  # noqa: S101 - every rename has one
                reached = path_bytes is None and change.target.exists()
                untouched = current == change.before and not change.target.exists()
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
            if path_bytes is not None:
                return f"{change.path} exists again (a new file?); it would be overwritten"
            if not change.target.exists():
                return f"{change.target} has vanished; nothing to move back"
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
        return f"{change.path} was edited since mcpir changed it:\n" + "".join(diff)

    def undo(self, change: Change, *, force: bool = False) -> str:
        """Put one file back byte for byte. With `force`, a newer file is first kept aside."""
        reason = self.conflict(change)
        kept = ""
        if reason is not None:
            if not force:
                raise JournalConflict(reason.splitlines()[0], hint="see the diff; --force keeps "
                                      "the current file aside and restores")  # fmt: skip
            if change.path.exists():
                aside = change.path.with_name(f"{change.path.name}.mcpir-conflict-{change.id}")
                os.replace(change.path, aside)
                kept = f" (the newer file is kept as {aside.name})"
        if change.op == "rename":
            assert change.target is not None  # noqa: S101
            if change.target.exists():
                os.replace(change.target, change.path)
                _fsync_dir(change.path.parent)
        elif change.op == "create":
            change.path.unlink(missing_ok=True)
        else:
            current = _read(change.path)
            if current is None or sha256(current) != change.before:
                replace_bytes(change.path, self.backup_path(change).read_bytes(), change.mode)
        self.append({"type": "restored", "change": change.id, "forced": bool(kept)})
        return f"restored {change.path}{kept}"
