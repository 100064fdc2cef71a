"""`mcpir servers`: every MCP server defined on this machine and in this project."""

from __future__ import annotations

from typing import Annotated

import typer

from mcpir.cli.options import (
    HomeOption,
    JsonOption,
    OnlyRootOption,
    RootOption,
    SystemRootOption,
    resolve_scopes,
)
from mcpir.core.errors import EXIT_FINDINGS, EXIT_OK

ProjectsOption = Annotated[
    bool,
    typer.Option(
        "--projects",
        help="List the projects looked at instead: each with its state (ok, missing, "
        "unreachable), the clients that recorded it and its config files.",
    ),
]


def servers(
    home: HomeOption = None,
    root: RootOption = None,
    system_root: SystemRootOption = None,
    only_root: OnlyRootOption = False,
    projects: ProjectsOption = False,
    json_output: JsonOption = False,
) -> None:
    """List every MCP server: client, scope, transport, command or URL, enabled, file:line.

    The user's files, the project at --root (walked whole) and every project the clients
    recorded (read at its top, as the clients read it; a project's records carry `project`).
    A recorded project that is gone or out of reach is listed as such, never an error.
    """
    from mcpir.discovery.listing import list_servers
    from mcpir.output import projects_view, servers_view

    scopes = resolve_scopes(home, root, system_root, only_root)
    listing = list_servers(scopes)
    if projects:
        if json_output:
            projects_view.print_json(listing)
        else:
            projects_view.print_table(listing, scopes)
    elif json_output:
        servers_view.print_json(listing)
    else:
        servers_view.print_table(listing, scopes)
        projects_view.print_note(listing, scopes)
    raise typer.Exit(EXIT_FINDINGS if listing.problems else EXIT_OK)


def register(app: typer.Typer) -> None:
    app.command("servers")(servers)
