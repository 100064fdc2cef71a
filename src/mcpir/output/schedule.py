"""How `mcpir schedule` looks: the daily check's outcome, the jobs and runs as tables, what an
install did and what it needs from you."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mcpir.core.words import plural
from mcpir.output import jsonout
from mcpir.output.terminal import say

if TYPE_CHECKING:
    from rich.table import Table

    from mcpir.schedule.installers import Outcome, Plan
    from mcpir.schedule.scheduler import JobInfo


def check_failed(error: object) -> None:
    say(f"mcpir: check failed: {error}", err=True)


def checked(outcome: dict[str, Any]) -> None:
    """A finished `run --once`: the counts on stdout, what did not reach anyone on stderr."""
    exposed = outcome.get("exposed", 0)
    say(
        f"checked {plural(outcome['tokens'], 'token')}: "
        + (f"{exposed} exposed (rotate now), " if exposed else "")
        + f"{outcome['overdue']} overdue, {outcome['due_soon']} due soon; "
        f"{plural(outcome['reminded'], 'reminder')} sent, {outcome['resolved']} resolved"
    )
    for failure in outcome["failed"]:
        say(f"not delivered: {failure}", err=True)
    for skipped in outcome.get("skipped", []):
        say(f"channel skipped: {skipped}", err=True)


def scheduler_says(line: str) -> None:
    """What the long-running scheduler reports as it goes (it calls this itself)."""
    say(line)


def listing(
    store: Path,
    jobs: Sequence[JobInfo],
    installed: Sequence[str],
    runs: Sequence[dict[str, Any]],
    *,
    json_output: bool,
) -> None:
    if json_output:
        jsonout.dump(
            {
                "store": str(store),
                "jobs": [job.to_json() for job in jobs],
                "installed": list(installed),
                "runs": list(runs),
            }
        )
        return
    from rich.console import RenderableType

    from mcpir.output.terminal import blank, cell, printed

    items: list[RenderableType] = [cell(f"store: {store}"), blank()]
    if jobs:
        items.append(_jobs(jobs))
    else:
        items.append(cell("no job stored: `mcpir schedule run` adds the daily check"))
    items.append(blank())
    items += [cell(f"installed: {line}") for line in installed]
    if not installed:
        items.append(
            cell("not installed in systemd, cron or launchd: see `mcpir schedule install`")
        )
    if runs:
        items += [blank(), _runs(runs)]
    printed(*items)


def _jobs(jobs: Sequence[JobInfo]) -> Table:
    from mcpir.output.terminal import cell, fit, table

    # The scope (two paths) folds; a trigger is read whole.
    drawn = fit(table("job", "trigger", "next run", "for"), "for", min_width=24)
    drawn.columns[1].no_wrap = True
    for job in jobs:
        nxt = job.next_run.isoformat(timespec="minutes") if job.next_run else "paused"
        scope = ", ".join(f"{k}={v}" for k, v in job.kwargs.items() if v)
        drawn.add_row(cell(job.id), cell(job.trigger), cell(nxt), cell(scope))
    return drawn


def _runs(runs: Sequence[dict[str, Any]]) -> Table:
    """The last runs, oldest first: the newest is next to the prompt."""
    from mcpir.output.terminal import cell, fit, table

    drawn = fit(table("ran at", "tokens", "overdue", "reminders", "result"), "result")
    for record in runs:
        if record.get("ok"):
            result = cell("ok", "green")
        else:
            result = cell(f"FAILED {record.get('error') or record.get('failed')}", "red")
        drawn.add_row(
            cell(str(record.get("at"))),
            cell(str(record.get("tokens", "?"))),
            cell(str(record.get("overdue", "?"))),
            cell(str(record.get("reminded", 0))),
            result,
        )
    return drawn


def plan(planned: Plan) -> None:
    """What `install --print` would write and run, whole, to copy from."""
    import typer

    from mcpir.core.safe import shown

    typer.echo(shown(planned.render()), nl=False)


def nothing_to_remove(kind: str) -> None:
    say(f"nothing to remove from {kind}")


def outcome(done: Outcome) -> None:
    for line in done.done:
        say(line)
    for line in done.needs_you:
        say(f"needs you: {line}", err=True)
