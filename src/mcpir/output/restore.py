"""How `mcpir restore` and `mcpir close` talk: what was put back, refused or kept aside."""

from __future__ import annotations

from mcpir.core.redact import redact_text
from mcpir.core.safe import name_cell, one_line
from mcpir.core.words import plural
from mcpir.incident.flagged import KEPT, RESTORED, ServerOutcome
from mcpir.incident.restore import RestoreResult
from mcpir.incident.store import CHANGE
from mcpir.output import jsonout
from mcpir.output.respond_view import say


def restored(result: RestoreResult, *, dry_run: bool, refused: bool, json_output: bool) -> None:
    if json_output:
        jsonout.dump(
            {
                "version": 1,
                "incident": result.incident.id,
                "restored": [redact_text(line) for line in result.done],
                "planned": [redact_text(line) for line in result.planned],
                "conflicts": [redact_text(line) for line in result.conflicts],
                "failed": [redact_text(line) for line in result.failed],
                "kept": [redact_text(line) for line in result.kept],
                "servers": [_row(server) for server in result.servers],
                "kept_disabled": [redact_text(name) for name in result.kept_disabled],
            }
        )
        return
    what = "change set" if result.incident.kind == CHANGE else "incident"
    if dry_run:
        say(f"{what} {result.incident.id} (dry run: nothing changes)")
    for line in result.done:
        say(line)
    if dry_run:
        for line in result.planned:
            say(f"would {line}")
    if not refused:  # refused: nothing changed, and the diffs say why
        _servers(result, dry_run=dry_run, change_set=what != "incident")
    for conflict in result.conflicts:
        say(conflict, err=True)
    for failure in result.failed:
        say(f"not restored: {failure}", err=True)
    for kept in result.kept:
        say(f"kept aside: {kept} (what was there before the restore: compare it with the "
            "restored file)", err=True)  # fmt: skip
    if refused:
        say("nothing was restored: pass --force to keep the newer files aside and restore "
            "anyway", err=True)  # fmt: skip
    else:
        say(_summary(result, what, dry_run=dry_run))


def _summary(result: RestoreResult, what: str, *, dry_run: bool) -> str:
    """The last line: how many files, and how many servers stay as they are (listed above)."""
    head = f"{what} {result.incident.id}"
    if not result.left:
        return f"{head}: nothing left to restore (every change it made is undone already)"
    held = plural(len(result.kept_disabled), "server")
    stay = "kept disabled" if what == "incident" else "left as is"
    if dry_run:
        count = f"would restore {plural(len(result.planned), 'file')}"
        return head + ": " + count + (f"; {held} would be {stay}" if result.kept_disabled else "")
    if not result.done and not result.failed and result.kept_disabled:
        return f"{head}: nothing restored; {held} {stay} (above)"
    count = f"{plural(len(result.done), 'file')} restored"
    if result.kept:
        count += f", {plural(len(result.kept), 'newer copy', 'newer copies')} kept aside"
    if result.failed:
        count += f", {len(result.failed)} not (fix them, then run restore again)"
    if result.kept_disabled:
        count += f"; {held} {stay} (above)"
    return f"{head}: {count}"


def _row(server: ServerOutcome) -> dict[str, object]:
    return {
        "name": redact_text(server.name),
        "file": redact_text(str(server.file)),
        "flagged": server.flagged,
        "action": server.action,
        "reason": None if server.reason is None else redact_text(server.reason),
    }


def _servers(result: RestoreResult, *, dry_run: bool, change_set: bool) -> None:
    """Each server the changes name and what happens to it; the flagged ones marked, and how
    to get back what stays off."""
    if not result.servers:
        return
    # A change set's edits (wrap, externalize) never disabled a server: undoing them is no
    # "turning back on".
    if change_set:
        back, off = (
            ("would restore", "would leave as is") if dry_run else ("restored", "left as is")
        )
    elif dry_run:
        back, off = "would turn back on", "would keep disabled"
    else:
        back, off = "turned back on", "kept disabled"
    width = min(max(len(name_cell(s.name)) for s in result.servers), 32)
    pad = max(len(back), len(off))
    for server in result.servers:
        label = back if server.action == RESTORED else off
        why = server.reason or ("flagged by this incident" if server.flagged else "")
        line = f"{label:<{pad}}  {name_cell(server.name):<{width}}  {one_line(str(server.file))}"
        say(line + (f"  ({one_line(why)})" if why else ""))
    held = [s for s in result.servers if s.action == KEPT]
    if not held or result.conflicts:
        return
    flagged = list(dict.fromkeys(s.name for s in held if s.flagged))
    sharing = list(dict.fromkeys(s.name for s in held if s.shares_flagged))
    if flagged or sharing:
        names = ", ".join(map(name_cell, flagged)) or "none"
        stay = "would stay disabled" if dry_run else "kept disabled"
        sentence = f"flagged by this incident, {stay}: {names}"
        if sharing:
            sentence += (f"; also {stay}, as they share a file with a flagged server: "
                         f"{', '.join(map(name_cell, sharing))}")  # fmt: skip
        say(sentence)
        say(f"to turn them back on: mcpir restore {result.incident.id} --include-flagged (or "
            "--only NAME), or re-enable them by hand once you trust them")  # fmt: skip
    else:
        say(f"the rest is left as it is: mcpir restore {result.incident.id} undoes it later")


def closed(incident: str, *, json_output: bool) -> None:
    if json_output:
        jsonout.dump({"version": 1, "incident": incident, "status": "closed"})
    else:
        say(f"closed {incident}")
