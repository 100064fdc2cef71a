"""Which servers an incident flagged, and which of its changes a restore may undo.

`restore` must not hand a poisoned server back to the AI clients: the servers this incident's
own steps flagged stay disabled unless a person names them. What a step flagged is read from
the sealed journal (`entries`), never from a fresh scan: the files may have changed since, and
the incident's verdict is what the response acted on.

A change is a whole-file operation (a rename, or one edit that switched off every server of a
shared file), so it is undone whole or not at all: byte-exact restores are what makes `restore`
trustworthy, and a partial edit of a file would be a new edit no journal recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mcpir.core.errors import UsageError
from mcpir.incident.changes import Change
from mcpir.incident.entries import Entry, Investigation, RecordedFinding, StepFinished

# Steps whose findings judge servers; rotate judges none but records which servers the scan
# flagged when it ranked their tokens.
JUDGING = frozenset({"audit", "investigate"})
SERIOUS = frozenset({"medium", "high"})
RESTORED, KEPT = "restored", "kept-disabled"
KEPT_RECORD = "restore-kept"  # the journal record of what a restore left disabled, and why


def flagged_servers(entries: Iterable[Entry], credential_rules: frozenset[str]) -> dict[str, str]:
    """Servers a medium-or-high finding of this incident named, or the rotate step recorded as
    flagged, each with the first evidence (`audit: prompt-injection`). A credential written
    into a config (`credential_rules`, passed down from the scan layer, which sits above this
    one) says where a token leaked, not that the server is hostile."""
    found: dict[str, str] = {}
    for entry in entries:
        if isinstance(entry, StepFinished):
            if entry.step in JUDGING or entry.task in JUDGING:
                _serious(found, entry.step, entry.findings, credential_rules)
            for token in entry.tokens:
                for name in token.flagged:
                    found.setdefault(name, f"the scan, in the {entry.step} step")
        elif isinstance(entry, Investigation):
            _serious(found, "investigate", entry.findings, credential_rules)
    return {name: why for name, why in found.items() if name}


def _serious(
    found: dict[str, str],
    step: str,
    findings: Iterable[RecordedFinding],
    credential_rules: frozenset[str],
) -> None:
    for finding in findings:
        if finding.severity in SERIOUS and finding.rule not in credential_rules:
            found.setdefault(finding.server or "", f"{step}: {finding.rule}")


@dataclass(frozen=True)
class Selection:
    """What a person asked `restore` for: by default every server but the flagged ones."""

    include_flagged: bool = False
    only: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServerOutcome:
    name: str
    file: Path
    flagged: bool
    action: str  # RESTORED | KEPT
    reason: str | None = None  # why it stays disabled, in words
    shares_flagged: bool = False  # kept only because a flagged server shares its file
    changes: tuple[int, ...] = ()  # the changes to its file, undone together or not at all


@dataclass
class Partition:
    undo: list[Change] = field(default_factory=list)  # newest first, as restore undoes them
    keep: list[Change] = field(default_factory=list)
    servers: list[ServerOutcome] = field(default_factory=list)


def check_names(selection: Selection, changes: Sequence[Change]) -> None:
    """Refuse (exit 2, before any write) a name no change of this incident ever disabled: a
    typo must not read as "nothing left to restore"."""
    known = {name for change in changes for name in change.servers}
    for name in (*selection.only, *selection.exclude):
        if name not in known:
            from mcpir.core.safe import name_cell

            listed = ", ".join(name_cell(n) for n in sorted(known)[:20]) or "none"
            raise UsageError(
                f"'{name_cell(name)}' is not a server this incident disabled",
                hint=f"its servers: {listed}",
            )


def partition(
    changes: Sequence[Change], flagged: Mapping[str, str], selection: Selection
) -> Partition:
    """Split the changes left to undo (newest first) into those to undo and those to keep.

    The changes to one file (a rename's disabled copy included) go together: undoing some
    would write over what a kept one left there, or put a token back into a file that stays
    disabled. A file's changes are undone when they name a server asked for and none that must
    stay off: a flagged server not named (`--include-flagged`, `--only`) or one `--except`
    names."""
    allowed = set(flagged) if selection.include_flagged else set(flagged) & set(selection.only)
    blocked = (set(flagged) - allowed) | set(selection.exclude)
    out = Partition()
    for group in _by_file(changes):
        file = min(group, key=lambda c: c.id).path  # where the servers live when enabled
        names = list(dict.fromkeys(name for change in group for name in change.servers))
        reason = _why_kept(names, blocked, selection)
        (out.undo if reason is None else out.keep).extend(group)
        shared = any(name in flagged for name in names if name in blocked)
        for name in names:
            why = reason
            if why is not None and name in blocked:
                why = "--except" if name in selection.exclude else f"flagged by {flagged[name]}"
            out.servers.append(ServerOutcome(
                name, file, name in flagged, RESTORED if why is None else KEPT, why,
                shares_flagged=why is not None and name not in blocked and shared,
                changes=tuple(change.id for change in group),
            ))  # fmt: skip
    order = {change.id: n for n, change in enumerate(changes)}
    out.undo.sort(key=lambda c: order[c.id])
    out.keep.sort(key=lambda c: order[c.id])
    return out


def _by_file(changes: Sequence[Change]) -> list[list[Change]]:
    """The changes, grouped by the files they touch (transitively), oldest group first."""
    groups: list[tuple[set[Path], list[Change]]] = []
    for change in sorted(changes, key=lambda c: c.id):
        paths = {p for p in (change.path, change.target) if p is not None}
        touching = [g for g in groups if g[0] & paths]
        merged: tuple[set[Path], list[Change]] = (paths, [change])
        for group in touching:
            groups.remove(group)
            merged = (merged[0] | group[0], group[1] + merged[1])
        groups.append(merged)
    return sorted((sorted(g[1], key=lambda c: c.id) for g in groups), key=lambda g: g[0].id)


def _why_kept(names: list[str], blocked: set[str], selection: Selection) -> str | None:
    stopping = [name for name in names if name in blocked]
    if stopping:
        marked = (f"{n} (--except)" if n in selection.exclude else f"flagged {n}" for n in stopping)
        return f"shares its file with {', '.join(marked)}"
    if selection.only and not set(names) & set(selection.only):
        return "not named by --only"
    return None
