"""How `mcpir playbook list|show|check` look: tables of playbooks and steps, and one line per
step checked, as `path:line:` so an editor can jump to it."""

from __future__ import annotations

from collections.abc import Container, Sequence
from pathlib import Path

from mcpir.output.terminal import say
from mcpir.playbook.model import Playbook


def listing(found: Sequence[tuple[Path, Playbook | str]], *, builtin: Path) -> None:
    """Each playbook found, or why it cannot be loaded (`str`), in the order found."""
    from mcpir.output.terminal import cell, printed, table

    drawn = table("playbook", "from", "steps", "description")
    for path, book in found:
        if isinstance(book, str):
            drawn.add_row(cell("invalid", "red"), cell(str(path)), cell("-"), cell(book))
            continue
        label = "built-in" if path == builtin else str(path)
        drawn.add_row(
            cell(book.name), cell(label), cell(str(len(book.steps))), cell(book.description)
        )
    printed(drawn)


def steps(book: Playbook, *, available: Container[str]) -> None:
    """Every step with its task, parameters, failure policy and approval; `available` holds
    the tasks this version of mcpir can run."""
    from mcpir.output.terminal import blank, cell, printed, table

    drawn = table("#", "step", "title", "task", "params", "flags")
    for index, step in enumerate(book.steps, 1):
        flags = [f"on_failure={step.on_failure}"]
        if step.approval:
            flags.append("needs approval")
        if step.task not in available:
            flags.append("UNAVAILABLE")
        drawn.add_row(
            cell(str(index)),
            cell(step.id),
            cell(step.title),
            cell(step.task),
            cell(str(dict(step.params))),
            cell(", ".join(flags), "" if step.task in available else "yellow"),
        )
    printed(cell(f"{book.name}: {book.description}  ({book.path})"), blank(), drawn)


def checked(book: Playbook, *, available: Container[str]) -> None:
    for step in book.steps:
        state = "ok" if step.task in available else "unavailable in this version of mcpir"
        say(f"{book.path}:{step.line}: {step.id} (task {step.task}): {state}")
