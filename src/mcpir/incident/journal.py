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

import os
import stat
from typing import Any

from mcpir.core.fileio import fsync_dir
from mcpir.incident.changes import (
    OPS,
    Change,
    JournalConflict,
    JournalCorrupt,
    PlannedChange,
    Undone,
)
from mcpir.incident.durable import (
    TMP_SUFFIX,
    checkpoint,
    free_name,
    move,
    read_bytes,
    replace_bytes,
    sha256,
    write_private,
)
from mcpir.incident.records import (
    BACKUPS,
    FIRST_LINE_BYTES,
    JOURNAL,
    MAX_JOURNAL_BYTES,
    JournalRecords,
    scope_of,
)
from mcpir.incident.undo import Undoing

# The names other modules import from here, wherever they now live.
__all__ = [
    "BACKUPS", "DISABLED_SUFFIX", "FIRST_LINE_BYTES", "JOURNAL", "MAX_JOURNAL_BYTES", "OPS",
    "TMP_SUFFIX", "Change", "Journal", "JournalConflict", "JournalCorrupt", "JournalRecords",
    "PlannedChange", "Undone", "checkpoint", "free_name", "replace_bytes", "scope_of", "sha256",
]  # fmt: skip

DISABLED_SUFFIX = ".mcpir-disabled"  # the same as discovery.client.CONTAINED_SUFFIX


class Journal(Undoing):
    """An incident's journal: its records (`records`), applying changes (here) and undoing
    them (`undo`)."""

    def apply(self, planned: PlannedChange, step: str) -> Change:
        return self.apply_all([planned], step)[0]

    def apply_all(self, planned: list[PlannedChange], step: str) -> list[Change]:
        """Make every planned change, in phases that each end durable: all records, then all
        backups, then the files, then all `applied` records. A file that is not as planned
        stops everything before anything is written."""
        number = max((c.id for c, _ in self.changes()), default=0)
        records, contents = [], []
        for wanted in planned:
            current = read_bytes(wanted.path)
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
        # A config a client reads from outside the home and root (`$CLAUDE_CONFIG_DIR`,
        # `$CODEX_HOME` on another disk): restore accepts changes only inside places a sealed
        # record named first, so name the directories of these before recording them.
        self.record_projects(sorted({w.path.parent for w in planned}), step)
        changes = [Change.from_record(r) for r in self.append_many(records)]
        (self.directory / BACKUPS).mkdir(mode=0o700, exist_ok=True)
        for change, (current, after) in zip(changes, contents, strict=True):
            if current is not None:
                write_private(self.backup_path(change), current)
            if after is not None and change.op != "rename":
                # Only for the restore diff ("as mcpir left it"): no fsync needed.
                write_private(self.backup_path(change, "after"), after, durable=False)
        fsync_dir(self.directory / BACKUPS)
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
            move(change.path, change.target)
        else:
            assert after is not None  # noqa: S101 - edits and creates carry their content
            replace_bytes(change.path, after, change.mode)

    def recover(self) -> list[str]:
        """Settle every change a crash interrupted, from the file itself: one that reached the
        file is marked applied; one that did not is abandoned (the file is as it was, and the
        task plans it again). Returns what it did, one line each."""
        done = []
        changes = self.changes()
        self.sweep(changes)
        for change, state in changes:
            if state != "planned":
                continue
            path_bytes = read_bytes(change.path)
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
