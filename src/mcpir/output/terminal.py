"""What a person reads: one rich console and one table style for every command, and safe lines.

Every cell is a `rich.text.Text` made by `cell` (secrets masked, control characters and newlines
shown), never markup: a server name such as `[red]ok[/]` or `:warning:` is shown as written.
rich is imported inside the functions: start-up time matters (tests/test_startup.py).
"""

from __future__ import annotations

import io
import os
import shutil
import sys
from collections.abc import Mapping
from typing import IO, TYPE_CHECKING

from mcpir.core.safe import one_line, shown

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.table import Table
    from rich.text import Text

# A pipe or a file has no width of its own: it gets this one, whatever terminal started the
# command, so that what a script or a log reads does not depend on who ran it. Every table is
# made to fit it (`fit`): the column that says most takes what the others leave.
MIN_WIDTH = 100


def colored(tty: bool) -> bool:
    """Colour only for a person at a terminal who has not asked for none (no-color.org)."""
    return tty and not os.environ.get("NO_COLOR")


def width(tty: bool) -> int:
    """The columns to fill: the terminal's own, else MIN_WIDTH."""
    return shutil.get_terminal_size().columns if tty else MIN_WIDTH


def console(file: IO[str], *, tty: bool) -> Console:
    """A console on `file`; `tty` says whether a person reads it there. Without colour it emits
    no escape code at all (not even bold), so a file or a pipe gets plain text."""
    from rich.console import Console

    color = colored(tty)
    return Console(
        file=file,
        width=width(tty),
        force_terminal=color,
        color_system="auto" if color else None,
        no_color=not color,
        highlight=False,
        markup=False,
        emoji=False,
        # A line printed whole is never broken: a path or a summary stays greppable.
        soft_wrap=True,
    )


def rendered(*items: RenderableType, tty: bool) -> str:
    """`items` one after the other, as the text to write where `tty` says.

    rich pads every line of a table to the table's width: the trailing blanks are dropped, so
    a file or a pipe gets lines that diff and grep cleanly."""
    buffer = io.StringIO()
    out = console(buffer, tty=tty)
    for item in items:
        out.print(item)
    return "\n".join(line.rstrip(" ") for line in buffer.getvalue().split("\n"))


def printed(*items: RenderableType) -> None:
    """`items` on stdout, for whoever reads it there."""
    sys.stdout.write(rendered(*items, tty=sys.stdout.isatty()))
    sys.stdout.flush()


def say(text: str, *, err: bool = False) -> None:
    """A line of prose on stdout (stderr with `err`), made safe like a cell; its own newlines
    are kept, as when a plan is shown whole."""
    import typer

    typer.echo("\n".join(shown(part) for part in text.split("\n")), err=err)


def blank() -> Text:
    from rich.text import Text

    return Text()


def table(*headers: str) -> Table:
    """A borderless table with a header row; a cell too long for its column folds onto more
    lines, so a narrow terminal shows all of it rather than cutting it with "…"."""
    from rich.table import Table

    drawn = Table(box=None, padding=(0, 1), pad_edge=False, header_style="bold")
    for header in headers:
        drawn.add_column(header, overflow="fold")
    return drawn


def fit(
    drawn: Table, flex: str, *, min_width: int = 30, caps: Mapping[str, int] | None = None
) -> Table:
    """`drawn` made to fit its console: the column headed `flex` (the finding, the command)
    takes whatever width the others leave, and never less than `min_width`; each column named
    in `caps` folds past that many characters. The others hold short words (a severity, a
    state) that fit as they are."""
    for column in drawn.columns:
        if column.header == flex:
            column.ratio, column.min_width = 1, min_width
        elif caps and column.header in caps:
            column.max_width = caps[str(column.header)]
    return drawn


def cell(text: str, style: str = "") -> Text:
    """`text` as one safe line for a cell."""
    from rich.text import Text

    return Text(one_line(text), style=style)


def wrapped(text: Text) -> RenderableType:
    """A line outside a table (a file's heading) that folds at the console's width rather than
    running past it, as `rendered` lets other lines do."""
    from rich.table import Table

    grid = Table.grid()
    grid.add_column(overflow="fold")
    grid.add_row(text)
    return grid


def lines(*parts: Text) -> Text:
    """Several safe lines in one cell: the newlines are mcpir's own, never the input's."""
    from rich.text import Text

    return Text("\n").join(parts)
