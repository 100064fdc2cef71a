"""`mcpir restore`: undo an incident's file changes, byte for byte, newest first."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mcpir.incident import Incident, find_incident, respond_lock
from mcpir.journal import JournalConflict


@dataclass
class RestoreResult:
    incident: Incident
    done: list[str] = field(default_factory=list)
    planned: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # each with its diff
    failed: list[str] = field(default_factory=list)  # could not be written back (permissions…)


def restore(root: Path, incident_id: str | None, *, dry_run: bool, force: bool) -> RestoreResult:
    """All or nothing: a conflict (a file edited since) stops the restore before any write,
    unless `force`, which keeps each newer file aside before putting the original back."""
    with respond_lock(root, "mcpir restore"):
        incident = find_incident(root, incident_id, with_changes=True)
        journal = incident.journal
        result = RestoreResult(incident)
        if not dry_run:
            result.done += journal.recover()
        changes = list(journal.restore_plan())
        for change in changes:
            reason = journal.conflict(change)
            if reason is not None:
                result.conflicts.append(reason)
            else:
                result.planned.append(f"{change.path}: undo '{change.summary}'")
        if dry_run or (result.conflicts and not force):
            return result
        for change in changes:
            try:
                result.done.append(journal.undo(change, force=force))
            except (JournalConflict, OSError) as exc:
                # Keep going: every other file still gets its original back; re-run for this one.
                result.failed.append(f"{change.path}: {getattr(exc, 'message', None) or exc}")
        status = "partly restored" if result.failed else "restored"
        incident.write_summary(status)
        return result
