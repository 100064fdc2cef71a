"""How `mcpir respond` and `mcpir restore` talk: plain lines, fast to print, easy to read."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import typer

from mcpir.core.progress import SILENT, Progress
from mcpir.core.redact import redact_text
from mcpir.playbook.engine import RespondResult
from mcpir.playbook.model import Step
from mcpir.playbook.tasks.base import Status, StepResult

_COLOR = {
    Status.CHANGED.value: "green",
    Status.OK.value: "green",
    Status.SKIPPED.value: "white",
    Status.ATTENTION.value: "yellow",
    Status.FAILED.value: "red",
    Status.UNAVAILABLE.value: "yellow",
}


def say(line: str, err: bool = False, *, styled: str = "", end: str = "") -> None:
    """Print `line` made safe (secrets masked, control characters escaped) between `styled`
    and `end`, mcpir's own already-safe decoration."""
    from mcpir.core.safe import shown

    typer.echo(styled + "\n".join(shown(part) for part in line.split("\n")) + end, err=err)


def note(line: str) -> None:
    say(f"      {line}")  # under its step's header


def ask(step: Step) -> bool:
    """Whether to run `step`; never waits when nobody is at the keyboard."""
    if not sys.stdin.isatty():
        return False
    return typer.confirm(f"      run this step? ({step.title})", default=False)


class StepView:
    """A response as it runs, on stdout: each step's header, what it does, and its outcome.

    A task that counts its own work inside a step (investigate: the bytes it reads) starts a
    phase of its own while the step is open: that phase is drawn as a bar on stderr when
    stderr is a terminal, under the step's header, and taken away before the outcome; off a
    terminal (and under --json, which gets no view at all) nothing is drawn."""

    def __init__(self, bar: Progress | None = None) -> None:
        self.bar = bar if bar is not None else _terminal_bar()
        self.open = False  # a step's header is shown and its outcome is not
        self.inner = False  # a task's own phase is being drawn

    def started(self, what: str, total: int | None) -> None:
        if self.open:
            self.inner = True
            self.bar.started(f"      {what}", total)
            return
        self.open = True
        counter, _, title = what.partition("  ")  # "[1/5] contain  Disable every …"
        say(f"  {title}", styled=typer.style(counter, bold=True))

    def advanced(self, count: int) -> None:
        if self.inner:
            self.bar.advanced(count)

    def step(self, text: str) -> None:
        if self.inner:
            self.bar.step(f"      {text}")
        else:
            note(text)

    def finished(self) -> None:
        if self.inner:
            self._bar_gone()
        else:
            self.open = False  # the step itself is over

    def outcome(self, status: str, summary: str, details: Sequence[str], body: str) -> None:
        self._bar_gone()  # a task that failed mid-phase may not have said it finished
        label = typer.style(status, fg=_COLOR.get(status, "white"))
        say(f": {summary}", styled=f"      {label}")
        for line in details:
            say(f"      ! {line}")
        if body:
            say(body.rstrip("\n"))

    def _bar_gone(self) -> None:
        if self.inner:
            self.inner = False
            self.bar.finished()


def _terminal_bar() -> Progress:
    """A byte bar on stderr when a person watches it there; nothing otherwise."""
    if sys.stderr.isatty():
        from mcpir.output.progress import ByteBar

        return ByteBar()
    return SILENT


def closing(result: RespondResult) -> None:
    if result.incident is None:
        say("dry run: nothing was changed")
    else:
        say(f"\nincident {result.incident.id}")
        say(f"  record: {result.incident.directory / 'incident.json'}")
        if any(r.status is Status.CHANGED for s, r in result.steps if s.task == "contain"):
            root = result.incident.directory.parents[2]  # <root>/.atom-trail/incidents/<id>
            where = "" if Path.cwd().is_relative_to(root) else f" --root {root}"
            say(f"  undo:   mcpir restore{where} {result.incident.id}")
        if result.exit_code == 3:
            say(f"  a step failed; its state is kept: mcpir respond --resume {result.incident.id}")
    title = "RECAP" if result.incident is not None else "RECAP (dry run)"
    typer.echo("\n" + typer.style(f"{title} {'*' * (79 - len(title))}", bold=True))
    for line, status in recap(result):
        say(line, styled="", end=typer.style(status, fg=_COLOR.get(status, "white")))


NOT_RUN = "not run"


def attention(outcome: StepResult) -> int:
    """How many things of a step a person must see to: its findings, or the lines it marked
    `!` (a token to rotate, a client to restart), whichever is more; a step that needs
    attention, failed or could not run counts one at least, itself."""
    count = max(len(outcome.findings), len(outcome.notes))
    if outcome.status in {Status.ATTENTION, Status.FAILED, Status.UNAVAILABLE}:
        return max(count, 1)
    return count


def recap(result: RespondResult) -> list[tuple[str, str]]:
    """The recap, Ansible's PLAY RECAP for a response: a line per step of the playbook, in
    its order, `<step>  changed=N  attention=N  <status>`, a step left out (`--only`, or after
    a step that stopped the run) saying `not run`. Each line is the text before its status
    and the status, so a terminal can colour the one word; joined, they grep alike."""
    ran = {step.id: outcome for step, outcome in result.steps}
    rows: list[tuple[str, int, int, str]] = []
    for step in result.playbook.steps:
        outcome = ran.get(step.id)
        if outcome is None:
            rows.append((step.id, 0, 0, NOT_RUN))
        else:
            rows.append((step.id, len(outcome.actions), attention(outcome), outcome.status.value))
    name = max((len(row[0]) for row in rows), default=0)
    changed = max((len(str(row[1])) for row in rows), default=1)
    needs = max((len(str(row[2])) for row in rows), default=1)
    return [
        (f"{step:<{name}}  changed={c:<{changed}}  attention={a:<{needs}}  ", status)
        for step, c, a, status in rows
    ]


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
                "changed": len(outcome.actions),
                "attention": attention(outcome),
            }
            for step, outcome in result.steps
        ],
        "exit_code": result.exit_code,
    }
