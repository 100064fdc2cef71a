"""How `mcpir restore` and `mcpir close` talk: what was put back, refused or kept aside."""

from __future__ import annotations

from mcpir.core.redact import redact_text
from mcpir.incident.restore import RestoreResult
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
            }
        )
        return
    for line in result.done:
        say(line)
    if dry_run:
        for line in result.planned:
            say(f"would {line}")
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
    elif not dry_run:
        count = f"{len(result.done)} files restored"
        if result.kept:
            count += f", {len(result.kept)} newer copies kept aside"
        if result.failed:
            count += f", {len(result.failed)} not (fix them, then run restore again)"
        say(f"incident {result.incident.id}: {count}")


def closed(incident: str, *, json_output: bool) -> None:
    if json_output:
        jsonout.dump({"version": 1, "incident": incident, "status": "closed"})
    else:
        say(f"closed {incident}")
