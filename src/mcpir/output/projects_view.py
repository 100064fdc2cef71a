"""How `mcpir servers` shows the projects it looked at: `--projects` lists them all; after the
server table, one line each for those it could not read."""

from __future__ import annotations

from mcpir.core.paths import Scopes
from mcpir.core.safe import one_line
from mcpir.core.words import plural
from mcpir.discovery.listing import ServerListing, project_rows
from mcpir.discovery.projects import MAX_PROJECTS, Project, ProjectState
from mcpir.output import jsonout

NOTE_LINES = 10


def print_json(listing: ServerListing) -> None:
    jsonout.dump(project_rows(listing))


def print_table(listing: ServerListing, scopes: Scopes) -> None:
    from mcpir.output.terminal import cell, fit, printed, table

    drawn = fit(table("project", "state", "known from", "files", "servers"), "project",
                caps={"known from": 30})  # fmt: skip
    for row, project in zip(project_rows(listing), listing.projects, strict=True):
        drawn.add_row(
            cell(_where(project, scopes)),
            cell(row["state"]),
            cell(", ".join(row["known_from"])),
            cell(str(row["files"])),
            cell(str(row["servers"])),
            style=None if project.state is ProjectState.OK else "dim",
        )
    printed(drawn)
    print_note(listing, scopes, summary=True)


def print_note(listing: ServerListing, scopes: Scopes, summary: bool = False) -> None:
    """The projects that were not read, and why: never an error, since a project a user
    deleted or a disk they unplugged is not a config mcpir failed to read."""
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False)
    skipped = [p for p in listing.projects if p.state is not ProjectState.OK]
    read = len(listing.projects) - len(skipped)
    if summary or skipped or listing.dropped:
        console.print(f"{plural(read, 'project')} read, {len(skipped)} not read")
    # A home keeps every project ever opened: after the table, the first few, then a count.
    shown = skipped if summary else skipped[:NOTE_LINES]
    for project in shown:
        where, why = one_line(_where(project, scopes)), one_line(project.reason)
        console.print(f"  [dim]{escape(where)}: {project.state.value}, {escape(why)}[/]")
    if len(skipped) > len(shown):
        console.print(f"  [dim]and {len(skipped) - len(shown)} more: mcpir servers --projects[/]")
    if listing.dropped:
        console.print(
            f"  [yellow]{plural(listing.dropped, 'more recorded project')} not read: "
            f"over {MAX_PROJECTS:,}[/]"
        )


def _where(project: Project, scopes: Scopes) -> str:
    """A project's path as `servers` shows paths; a URI that is no local path, as recorded."""
    if not project.path.is_absolute():
        return project.recorded
    return str(project.path) if project.path == scopes.root else scopes.display(project.path)
