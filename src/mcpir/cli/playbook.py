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
    from mcpir.output.playbook import listing
    from mcpir.playbook.loader import BUILTIN, PlaybookError, load_playbook
    from mcpir.playbook.model import Playbook

    found: list[tuple[Path, Playbook | str]] = []
    for path in [BUILTIN, *sorted(Path("playbooks").glob("*.y*ml"))]:
        try:
            found.append((path, load_playbook(path)))
        except PlaybookError as exc:  # one bad file must not hide the others
            found.append((path, exc.message))
    listing(found, builtin=BUILTIN)


@app.command("show")
def show(path: PathArg = None) -> None:
    """Every step with its task, parameters, failure policy and approval."""
    from mcpir.output.playbook import steps
    from mcpir.playbook.loader import load_playbook
    from mcpir.playbook.tasks import TASKS

    steps(load_playbook(path), available=TASKS)


@app.command("check")
def check(path: PathArg = None) -> None:
    """Validate a playbook: its schema, and whether this mcpir has every step's task."""
    from mcpir.output.playbook import checked
    from mcpir.playbook.loader import load_playbook
    from mcpir.playbook.tasks import TASKS

    book = load_playbook(path)
    checked(book, available=TASKS)
    raise typer.Exit(EXIT_OK if all(step.task in TASKS for step in book.steps) else EXIT_FINDINGS)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="playbook")
