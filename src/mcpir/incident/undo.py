"""Undoing applied changes, newest first: byte for byte from the backups, never over a file
someone edited since unless forced, and even then the newer file is kept aside."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from mcpir.core.fileio import fsync_dir
from mcpir.incident.changes import Change, JournalConflict, Undone
from mcpir.incident.durable import free_name, read_bytes, replace_bytes, sha256
from mcpir.incident.records import JournalRecords


class Undoing(JournalRecords):
    def restore_plan(self) -> Iterator[Change]:
        for change, state in reversed(self.changes()):
            if state == "applied":
                yield change

    def conflict(self, change: Change) -> str | None:
        """Why `change` cannot be undone safely (with a diff), or None."""
        path_bytes = read_bytes(change.path)
        if change.op == "rename":
            assert change.target is not None  # noqa: S101
            if os.path.lexists(change.path):
                return f"{change.path} exists again (a new file?); it would be overwritten"
            if not os.path.lexists(change.target):
                return f"{change.target} has vanished; nothing to move back"
            if os.path.islink(change.target):
                return f"{change.target} is now a symbolic link; not moved back"
            moved = read_bytes(change.target)
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
            fsync_dir(change.path.parent)
        else:
            current = read_bytes(change.path)
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
