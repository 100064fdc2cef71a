"""`mcpir restore`: undo an incident's file changes, byte for byte, newest first, leaving the
servers the incident flagged disabled unless asked (`flagged`)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from mcpir.incident import entries
from mcpir.incident.flagged import (
    KEPT,
    KEPT_RECORD,
    Selection,
    ServerOutcome,
    check_names,
    flagged_servers,
    partition,
)
from mcpir.incident.journal import Change, Journal, JournalConflict, sha256
from mcpir.incident.store import Incident, find_incident, respond_lock


@dataclass
class RestoreResult:
    incident: Incident
    done: list[str] = field(default_factory=list)
    planned: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # each with its diff
    failed: list[str] = field(default_factory=list)  # could not be written back (permissions…)
    kept: list[str] = field(default_factory=list)  # newer copies kept aside by --force
    servers: list[ServerOutcome] = field(default_factory=list)  # each server the changes name
    left: int = 0  # changes there were to undo before this run: 0 is "nothing left"

    @property
    def kept_disabled(self) -> list[str]:
        return list(dict.fromkeys(s.name for s in self.servers if s.action == KEPT))


def restore(
    root: Path,
    incident_id: str | None,
    *,
    dry_run: bool,
    force: bool,
    selection: Selection | None = None,
    credential_rules: frozenset[str] = frozenset(),
) -> RestoreResult:
    """All or nothing: a conflict (a file edited since) stops the restore before any write,
    unless `force`, which keeps each newer file aside before putting the original back.

    Servers this incident flagged stay disabled, with every change to their files, unless
    `selection` names them (`flagged`); what stays is journalled, and a later restore finishes
    it. `credential_rules` are the scan rules that flag a token, not a server."""
    selection = selection or Selection()
    # Before the lock, which writes: a name no change holds is a usage error that changes nothing.
    named = find_incident(root, incident_id, with_changes=True).journal.changes()
    check_names(selection, [change for change, _ in named])
    with respond_lock(root, "mcpir restore"):
        incident = find_incident(root, incident_id, with_changes=True)
        journal = incident.journal
        result = RestoreResult(incident)
        if not dry_run:
            result.done += journal.recover()
        pending = list(journal.restore_plan())
        flagged = flagged_servers(entries.read(journal.records()), credential_rules)
        split = partition(pending, flagged, selection)
        result.servers, result.left = split.servers, len(pending)
        changes = split.undo
        for change, reason in zip(changes, _conflicts(journal, changes), strict=True):
            if reason is not None:
                result.conflicts.append(reason)
            else:
                result.planned.append(f"{change.path}: undo '{change.summary}'")
        # A backup that no longer matches the journal cannot be put back, --force or not;
        # found before anything is written, so the restore stays all or nothing.
        damaged = [p for p in map(journal.backup_problem, changes) if p is not None]
        if dry_run:
            result.conflicts += damaged
            return result
        if damaged or (result.conflicts and not force):
            result.failed += damaged
            result.servers = _as_done(result.servers, set())
            return result
        undone_ids: set[int] = set()
        for change in changes:
            try:
                undone = journal.undo(change, force=force)
                result.done.append(undone.line)
                result.kept += [str(path) for path in undone.kept]
                undone_ids.add(change.id)
            except (JournalConflict, OSError) as exc:
                # Keep going: every other file still gets its original back; re-run for this one.
                result.failed.append(f"{change.path}: {getattr(exc, 'message', None) or exc}")
        result.servers = _as_done(result.servers, undone_ids)
        if split.keep:
            # What stays disabled, and why, is part of the incident's story: the report and a
            # later restore read what was undone from the journal, and this says what was not.
            journal.append({"type": KEPT_RECORD, "changes": [c.id for c in split.keep],
                            "servers": result.kept_disabled, "flagged": flagged,
                            "only": list(selection.only), "except": list(selection.exclude),
                            "include_flagged": selection.include_flagged})  # fmt: skip
        if result.failed:
            incident.write_summary("partly restored")
        else:  # "open" or "partly restored" while a kept change is still applied
            incident.write_summary(incident.status() if split.keep else "restored")
        return result


def _as_done(servers: list[ServerOutcome], undone: set[int]) -> list[ServerOutcome]:
    """What happened, not what was planned: a server whose file was not fully put back (a
    conflict refused the restore, or a write failed) is still disabled."""
    return [
        server
        if server.action == KEPT or set(server.changes) <= undone
        else replace(server, action=KEPT, reason="not restored: see the conflicts or failures")
        for server in servers
    ]


def _conflicts(journal: Journal, changes: list[Change]) -> list[str | None]:
    """Each change's conflict, judged against what the disk will hold when its turn comes.

    One incident may change a file twice (contain renames `.mcp.json` aside, then rotate edits
    the renamed file): the older change meets that file only after the newer one is undone, so
    it is judged by what the newer undo leaves there, not by the disk as it is now.
    """
    left: dict[Path, str | None] = {}  # path -> sha256 a newer undo leaves there (None: absent)
    reasons: list[str | None] = []
    for change in changes:  # newest first
        expected = _as_left(change)
        shared = [path for path in expected if path in left]
        if not shared:
            reasons.append(journal.conflict(change))
        elif all(left[path] == expected[path] for path in shared):
            # A rename's other path is touched by no newer change: it meets the disk as it is.
            reasons.append(_unshared_conflict(expected, left))
        else:
            reasons.append(f"{shared[0]}: changed twice by this incident, and the records disagree")
        left.update(_after_undo(change))
    return reasons


def _unshared_conflict(
    expected: dict[Path, str | None], left: dict[Path, str | None]
) -> str | None:
    for path, want in expected.items():
        if path in left:
            continue
        if want is None and os.path.lexists(path):
            return f"{path} exists again (a new file?); it would be overwritten"
        if want is not None:
            try:
                now: str | None = sha256(path.read_bytes())
            except OSError:  # gone, or no longer a readable file
                now = None
            if now != want:
                return f"{path} was changed or removed since mcpir left it; not restored"
    return None


def _as_left(change: Change) -> dict[Path, str | None]:
    """What `change` left on disk (sha256, None for absent), path by path."""
    if change.op == "rename" and change.target is not None:
        return {change.path: None, change.target: change.after}
    return {change.path: change.after}


def _after_undo(change: Change) -> dict[Path, str | None]:
    if change.op == "rename" and change.target is not None:
        return {change.path: change.before, change.target: None}
    return {change.path: change.before}
