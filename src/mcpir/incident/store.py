"""Incidents: `ATOM-INC-YYYYMMDD-NNN-<slug>` directories under `<root>/.atom-trail/incidents/`.

Each holds `incident.json` (versioned, rewritten after every step) and the append-only
`journal.jsonl` it is derived from, plus the byte-exact backups of every changed file.

Change sets (`ATOM-CHG-YYYYMMDD-NNN-<slug>`: the edits of `wrap`, `tokens externalize` and
`tokens rotate`) live beside them, journalled and sealed the same way, so one `mcpir restore`
undoes either; but "the latest incident" is only ever an incident. They share the folder
because the trail's `.gitignore`, written once by whichever mcpir came first, already keeps
`incidents/*/backups/` (copies of configs, secrets included) out of git: a new folder would be
committed in every project an older mcpir had set up.
"""

from __future__ import annotations

import json
import os
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mcpir.core.errors import McpirError, UsageError
from mcpir.core.fileio import atomic_write_text
from mcpir.incident.journal import Journal

VERSION = 1
TRAIL = ".atom-trail"
ID_PATTERN = re.compile(r"^ATOM-INC-(\d{8})-(\d{3})-[a-z0-9-]+$")
CHANGE_PATTERN = re.compile(r"^ATOM-CHG-(\d{8})-(\d{3})-[a-z0-9-]+$")
INCIDENT, CHANGE = "incident", "change"


class LockedError(McpirError):
    """Another `mcpir respond` holds this project's lock (exit 2)."""


# Backups are byte-exact copies of config files, secrets included: never to be committed.
GITIGNORE = (
    "# written by mcpir: backups hold copies of config files, secrets included\n"
    "incidents/*/backups/\nrespond.lock\n"
)


def incidents_dir(root: Path) -> Path:
    return root / TRAIL / "incidents"


def trail(root: Path, *parts: str) -> Path:
    """`<root>/.atom-trail/<parts>`, created private, refusing symlinks a repository could plant."""
    path = root
    for part in (TRAIL, *parts):
        path = path / part
        if path.is_symlink():
            raise UsageError(f"{path} is a symbolic link; mcpir will not write through it")
        path.mkdir(exist_ok=True, mode=0o700)
    ignore = root / TRAIL / ".gitignore"
    if not os.path.lexists(ignore):
        atomic_write_text(ignore, GITIGNORE)
    return path


def slugify(title: str) -> str:
    from mcpir.core.redact import (
        redact_text,
    )  # a token pasted into a title must not name the incident

    slug = re.sub(r"[^a-z0-9]+", "-", redact_text(title).lower()).strip("-")
    return slug[:48].rstrip("-") or "mcp-incident"


def kind_of(incident_id: str, opening: dict[str, Any]) -> str:
    """`change` for a change set: an ATOM-CHG id, or an ATOM-INC that an earlier mcpir opened
    for the edits of wrap, externalize or rotate (those carry no playbook); else `incident`."""
    if CHANGE_PATTERN.match(incident_id) or not opening.get("playbook"):
        return CHANGE
    return INCIDENT


@dataclass
class Incident:
    id: str
    directory: Path

    @property
    def journal(self) -> Journal:
        return Journal(self.directory)

    @property
    def kind(self) -> str:
        return kind_of(self.id, self.journal.opening() or {})

    def header(self) -> dict[str, Any]:
        for record in self.journal.records():
            if record.get("type") == "incident-opened":
                return record
        return {}

    def step_summaries(self) -> dict[str, dict[str, Any]]:
        """What `incident.json` says of each step: its last result, read as the typed record
        the engine and the report read too."""
        from mcpir.incident import entries

        finished = entries.finished(entries.read(self.journal.records()))
        return {
            step: {
                "status": result.status,
                "summary": result.summary,
                "actions": list(result.actions),
                "notes": list(result.notes),
                "findings": [dict(finding.row) for finding in result.findings],
                "finished": result.ts,
            }
            for step, result in finished.items()
        }

    def status(self) -> str:
        """As `incident.json` says it, but from the sealed journal: `open` until `mcpir close`
        or `mcpir restore` ends it."""
        if any(r.get("type") == CLOSED for r in self.journal.records()):
            return "closed"
        states = {state for _, state in self.journal.changes()}
        if "restored" in states:
            return "partly restored" if "applied" in states else "restored"
        return "open"

    def write_summary(self, status: str) -> None:
        """Rewrite `incident.json` from the journal, its source of truth, and the incident's
        line in the user's index of incidents (called after every step, restore and close)."""
        from mcpir.incident import index

        records = self.journal.records()
        header = next((r for r in records if r.get("type") == "incident-opened"), {})
        if any(r.get("type") == CLOSED for r in records):
            status = "closed"  # for good: a restore after `mcpir close` does not reopen it
        document = {
            "version": VERSION,
            "id": self.id,
            "kind": kind_of(self.id, header),
            "title": header.get("title"),
            "opened": header.get("ts"),
            "updated": datetime.now(UTC).isoformat(timespec="seconds"),
            "status": status,
            "home": header.get("home"),
            "root": header.get("root"),
            "playbook": header.get("playbook"),
            "steps": self.step_summaries(),
            "journal": "journal.jsonl",
        }
        atomic_write_text(
            self.directory / "incident.json",
            json.dumps(document, indent=2, ensure_ascii=False) + "\n",
            mode=0o600,
        )
        index.note(self, status, header)


def open_incident(root: Path, title: str, header: dict[str, Any]) -> Incident:
    """A new incident; NNN counts the day's incidents in this project."""
    return _open(root, "ATOM-INC", ID_PATTERN, title, header)


def open_change_set(root: Path, title: str, header: dict[str, Any]) -> Incident:
    """A new change set: the file edits of `wrap`, `tokens externalize` or `tokens rotate`,
    which `mcpir restore ID` undoes like an incident's but nothing takes for an incident."""
    return _open(root, "ATOM-CHG", CHANGE_PATTERN, title, header)


def _open(
    root: Path, prefix: str, pattern: re.Pattern[str], title: str, header: dict[str, Any]
) -> Incident:
    from mcpir.incident import index
    from mcpir.incident.trust import machine_key

    machine_key(create=True)  # a key that cannot be made or read stops us before any directory
    base = trail(root, "incidents")
    day = datetime.now(UTC).strftime("%Y%m%d")
    taken = [
        int(m.group(2)) for m in map(pattern.match, os.listdir(base)) if m and m.group(1) == day
    ]
    number = max(taken, default=0) + 1
    while True:
        incident_id = f"{prefix}-{day}-{number:03d}-{slugify(title)}"
        try:
            (base / incident_id).mkdir(mode=0o700)
            break
        except FileExistsError:
            number += 1
    incident = Incident(incident_id, base / incident_id)
    opening = incident.journal.append(
        {"type": "incident-opened", "id": incident_id, "title": title, **header}
    )
    # Indexed at once, before any step: a crash in the first one must still be found from
    # anywhere by `--resume`.
    index.note(incident, "open", opening)
    return incident


CLOSED = "incident-closed"


def close_incident(
    root: Path, incident_id: str | None, *, reason: str, by: str, force: bool = False
) -> Incident:
    """Mark an incident closed, with who and why, in its journal. Files stay as they are: a
    server may rightly stay contained, and `mcpir restore` remains the way back."""
    if not reason.strip():
        raise UsageError("say why the incident is closed", hint="--reason TEXT")
    find_incident(root, incident_id)  # before the lock: a failed lookup leaves no trail behind
    with respond_lock(root, "mcpir close"):
        incident = find_incident(root, incident_id)
        journal = incident.journal
        records = journal.records()
        if kind_of(incident.id, incident.header()) == CHANGE:
            raise UsageError(
                f"{incident.id} is a change set (wrap, tokens externalize or tokens rotate), "
                "not an incident: there is nothing to close",
                hint=f"`mcpir restore {incident.id}` undoes it",
            )
        started = {r.get("step") for r in records if r.get("type") == "step-started"}
        finished = {r.get("step") for r in records if r.get("type") == "step-finished"}
        unfinished = sorted(str(step) for step in started - finished)
        if unfinished and not force:
            raise UsageError(
                f"{incident.id}: step {', '.join(unfinished)} started and never finished",
                hint=f"finish it with `mcpir respond --resume {incident.id}`, or pass --force",
            )
        from mcpir.core.redact import redact_text

        # Typed by a person at 3 a.m.: a pasted token must not land in the journal.
        record = {"type": CLOSED, "reason": redact_text(reason.strip()), "by": redact_text(by)}
        journal.append(record)
        incident.write_summary("closed")
        return incident


def find_incident(root: Path, incident_id: str | None, *, with_changes: bool = False) -> Incident:
    """An incident or change set this machine's mcpir opened, by id (or unique prefix), or the
    latest *incident* it opened (with `with_changes`, the latest whose file changes are not
    undone yet): a change set is acted on only when named. A directory whose journal this
    user's key did not seal (one a repository brought) is never chosen. Reads only."""
    base = incidents_dir(root)
    if incident_id is None:
        return _latest(root, with_changes)
    names = journal_names(root)
    if not names:
        raise UsageError(f"no incidents under {base}", hint="run `mcpir respond` first")
    # A whole id is that id, even when it is also the start of a longer one.
    matches = [n for n in names if n == incident_id] or [
        n for n in names if n.startswith(incident_id)
    ]
    if len(matches) != 1:
        what = "no incident" if not matches else "more than one incident"
        raise UsageError(f"{what} matches {incident_id!r}", hint=f"known: {', '.join(names[-5:])}")
    chosen = matches[0]
    if (base / chosen).is_symlink():
        raise UsageError(f"{base / chosen} is a symbolic link; mcpir will not follow it")
    journal = Incident(chosen, base / chosen).journal.path
    if journal.is_symlink() or not journal.is_file():
        # Without its journal an incident has no history: nothing to act on or report.
        raise UsageError(
            f"{chosen}: {journal} is missing or not a regular file",
            hint="the journal is the incident's record; restore it from a backup of the trail",
        )
    if not Incident(chosen, base / chosen).journal.trusted():
        raise UsageError(
            f"{chosen} was not opened by mcpir on this machine (its journal is not sealed "
            "with this user's key); mcpir will not act on it",
            hint="see SECURITY.md (trust boundary)",
        )
    return Incident(chosen, base / chosen)


def _latest(root: Path, with_changes: bool) -> Incident:
    base = incidents_dir(root)
    names = incident_names(root)
    only_changes = UsageError(
        f"no incident under {base}, only changes (wrap, tokens externalize, tokens rotate)",
        hint="undo one by naming it: `mcpir restore ID`, the id its command printed",
    )
    if not names:
        if journal_names(root):
            raise only_changes
        raise UsageError(f"no incidents under {base}", hint="run `mcpir respond` first")
    opened = sorted(openings(base, names), key=lambda found: found[:2], reverse=True)
    if not opened:
        raise UsageError(
            f"no incident under {base} was opened by mcpir on this machine",
            hint="name one with its id if you trust it; see SECURITY.md (trust boundary)",
        )
    ordered = [name for _, name, opening in opened if kind_of(name, opening) == INCIDENT]
    if not ordered:
        raise only_changes
    if with_changes:
        for name in ordered:
            states = {state for _, state in Incident(name, base / name).journal.changes()}
            if states & {"applied", "planned"}:
                return Incident(name, base / name)
    return Incident(ordered[0], base / ordered[0])


def _names(root: Path, patterns: tuple[re.Pattern[str], ...]) -> list[str]:
    base = incidents_dir(root)
    for path in (base.parent, base):
        if path.is_symlink():
            raise UsageError(f"{path} is a symbolic link; mcpir will not follow it")
    if not base.is_dir():
        return []
    names = (n for n in os.listdir(base) if any(p.match(n) for p in patterns))
    return sorted(n for n in names if not (base / n).is_symlink())


def incident_names(root: Path) -> list[str]:
    """The incident directories under `<root>/.atom-trail/incidents/`, by name (change sets
    left out). The trail and the incidents folder must not be links (a repository could point
    them at another project's incidents); an incident directory that is a link is left out."""
    return _names(root, (ID_PATTERN,))


def journal_names(root: Path) -> list[str]:
    """Incidents and change sets: every journal `mcpir restore ID` may name."""
    return _names(root, (ID_PATTERN, CHANGE_PATTERN))


def openings(base: Path, names: list[str]) -> list[tuple[str, str, dict[str, Any]]]:
    """(opening time, id, sealed opening record) of each incident whose opening record this
    user's mcpir sealed: the time comes from that sealed record, never from a name or a date a
    repository could set. Only the first line of each journal is read, so a planted one cannot
    stall the search."""
    found = []
    for name in names:
        opening = Incident(name, base / name).journal.opening()
        if opening is not None:
            found.append((str(opening.get("ts", "")), name, opening))
    return found


def opened_here(base: Path, names: list[str]) -> list[tuple[str, str]]:
    """(opening time, id) of each of `names` this user's mcpir opened (`openings`)."""
    return [(ts, name) for ts, name, _ in openings(base, names)]


@contextmanager
def respond_lock(root: Path, purpose: str) -> Iterator[None]:
    """One `respond`/`restore` at a time per project; the loser is told who holds the lock.

    filelock takes an OS lock (flock; on Windows its own LockFileEx-based lock), which
    the kernel drops when the holder dies. It opens the file O_NOFOLLOW and never truncates
    it, so the holder's line, written once the lock is held, is there for the loser to read."""
    from filelock import FileLock, Timeout

    path = trail(root) / "respond.lock"
    # Checked first too: O_NOFOLLOW does not exist on Windows.
    if path.is_symlink():
        raise UsageError(f"{path}: cannot be used as a lock (a symbolic link)")
    from mcpir.core.redact import redact_text  # a title or name typed by the user may hold one

    holder = f"pid {os.getpid()} on {socket.gethostname()}: {redact_text(purpose)}"

    def sign(fd: int) -> None:
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, holder.encode())

    # preserve_lock_file: the file stays between runs, as a plain file nobody may swap in.
    lock = FileLock(path, mode=0o600, blocking=False, preserve_lock_file=True, on_acquired=sign)
    try:
        lock.acquire()
    except Timeout:
        raise LockedError(
            f"another mcpir run holds {path}: {_holder(path)}",
            hint="wait for it to finish; the lock is released when that process exits",
        ) from None
    except OSError as exc:  # ELOOP: a symlink planted in the repository
        raise UsageError(f"{path}: cannot be used as a lock ({exc.strerror})") from None
    try:
        yield
    finally:
        lock.release()


def _holder(path: Path) -> str:
    """The line the lock's holder wrote: who and why."""
    try:
        fd = os.open(
            path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        )
    except OSError:
        return "another process"
    try:
        return os.read(fd, 512).decode("utf-8", "replace").strip() or "another process"
    except OSError:  # Windows: the holder's lock covers what it wrote
        return "another process"
    finally:
        os.close(fd)
