"""`mcpir playbook list|show|check`: the steps `respond` would run, and whether it can."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mcpir.core.errors import EXIT_FINDINGS, EXIT_OK

app = typer.Typer(help="Inspect and validate incident playbooks.", no_args_is_help=True)
PathArg = Annotated[
    Path | None, typer.Argument(help="A playbook file (default: the built-in one).")
]


@app.command("list")
def list_playbooks() -> None:
    """The built-in playbook and those in ./playbooks/."""
    from mcpir.playbook.loader import BUILTIN, PlaybookError, load_playbook

    candidates = [BUILTIN, *sorted(Path("playbooks").glob("*.y*ml"))]
    for path in candidates:
        try:
            book = load_playbook(path)
        except PlaybookError as exc:
            typer.echo(f"{path}: invalid: {exc.message}")
            continue
        label = "built-in" if path == BUILTIN else str(path)
        typer.echo(f"{book.name}  ({label}, {len(book.steps)} steps)  {book.description}")


@app.command("show")
def show(path: PathArg = None) -> None:
    """Every step with its task, parameters, failure policy and approval."""
    from mcpir.playbook.loader import load_playbook
    from mcpir.playbook.tasks import TASKS

    book = load_playbook(path)
    typer.echo(f"{book.name}: {book.description}  ({book.path})")
    for index, step in enumerate(book.steps, 1):
        flags = [f"on_failure={step.on_failure}"]
        if step.approval:
            flags.append("needs approval")
        if step.task not in TASKS:
            flags.append("UNAVAILABLE")
        typer.echo(f"{index}. {step.id}: {step.title}")
        typer.echo(f"   task {step.task}  params {dict(step.params)}  {', '.join(flags)}")


@app.command("check")
def check(path: PathArg = None) -> None:
    """Validate a playbook. Exit 0: every step can run; 1: some task is unavailable; 2: invalid."""
    from mcpir.playbook.loader import load_playbook
    from mcpir.playbook.tasks import TASKS

    book = load_playbook(path)
    missing = [step for step in book.steps if step.task not in TASKS]
    for step in book.steps:
        state = "unavailable in this version of mcpir" if step in missing else "ok"
        typer.echo(f"{book.path}:{step.line}: {step.id} (task {step.task}): {state}")
    raise typer.Exit(EXIT_FINDINGS if missing else EXIT_OK)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="playbook")
