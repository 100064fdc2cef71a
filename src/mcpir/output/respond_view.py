"""How `mcpir respond` and `mcpir restore` talk: plain lines, fast to print, easy to read."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import typer

from mcpir.core.redact import redact_text
from mcpir.playbook.engine import RespondResult
from mcpir.playbook.model import Step
from mcpir.playbook.tasks.base import Status

_COLOR = {
    Status.CHANGED.value: "green",
    Status.OK.value: "green",
    Status.SKIPPED.value: "white",
    Status.ATTENTION.value: "yellow",
    Status.FAILED.value: "red",
    Status.UNAVAILABLE.value: "yellow",
}


def say(line: str, err: bool = False, *, styled: str = "") -> None:
    """Print `line` made safe (secrets masked, control characters escaped) after `styled`,
    mcpir's own already-safe decoration."""
    from mcpir.core.safe import shown

    typer.echo(styled + "\n".join(shown(part) for part in line.split("\n")), err=err)


def note(line: str) -> None:
    say(f"      {line}")  # under its step's header


def ask(step: Step) -> bool:
    """Whether to run `step`; never waits when nobody is at the keyboard."""
    if not sys.stdin.isatty():
        return False
    return typer.confirm(f"      run this step? ({step.title})", default=False)


class StepView:
    """A response as it runs, on stdout: each step's header, what it does, and its outcome."""

    def started(self, what: str, total: int | None) -> None:
        counter, _, title = what.partition("  ")  # "[1/5] contain  Disable every …"
        say(f"  {title}", styled=typer.style(counter, bold=True))

    def advanced(self, count: int) -> None:
        pass

    def step(self, text: str) -> None:
        note(text)

    def finished(self) -> None:
        pass

    def outcome(self, status: str, summary: str, details: Sequence[str], body: str) -> None:
        label = typer.style(status, fg=_COLOR.get(status, "white"))
        say(f": {summary}", styled=f"      {label}")
        for line in details:
            say(f"      ! {line}")
        if body:
            say(body.rstrip("\n"))


def closing(result: RespondResult) -> None:
    if result.incident is None:
        say("dry run: nothing was changed")
        return
    say(f"\nincident {result.incident.id}")
    say(f"  record: {result.incident.directory / 'incident.json'}")
    if any(r.status is Status.CHANGED for s, r in result.steps if s.task == "contain"):
        root = result.incident.directory.parents[2]  # <root>/.atom-trail/incidents/<id>
        where = "" if Path.cwd().is_relative_to(root) else f" --root {root}"
        say(f"  undo:   mcpir restore{where} {result.incident.id}")
    if result.exit_code == 3:
        say(f"  a step failed; its state is kept: mcpir respond --resume {result.incident.id}")


def show(result: RespondResult, *, json_output: bool) -> None:
    if json_output:
        from mcpir.output import jsonout

        jsonout.dump(as_json(result))
    else:
        closing(result)


def as_json(result: RespondResult) -> dict[str, Any]:
    return {
        "version": 1,
        "incident": result.incident.id if result.incident else None,
        "path": str(result.incident.directory) if result.incident else None,
        "dry_run": result.incident is None,
        "playbook": result.playbook.name,
        "steps": [
            {
                "id": step.id,
                "task": step.task,
                "status": outcome.status.value,
                "summary": redact_text(outcome.summary),
                "actions": [redact_text(a) for a in outcome.actions],
                "notes": [redact_text(n) for n in outcome.notes],
                "diff": redact_text(outcome.diff) if outcome.diff else None,
            }
            for step, outcome in result.steps
        ],
        "exit_code": result.exit_code,
    }
