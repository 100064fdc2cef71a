"""`mcpir servers`: every MCP server defined on this machine and in this project."""

from __future__ import annotations

import typer

from mcpir.cli.options import (
    HomeOption,
    JsonOption,
    RootOption,
    SystemRootOption,
    resolve_scopes,
)
from mcpir.core.errors import EXIT_FINDINGS, EXIT_OK


def servers(
    home: HomeOption = None,
    root: RootOption = None,
    system_root: SystemRootOption = None,
    json_output: JsonOption = False,
) -> None:
    """List every MCP server: client, scope, transport, command or URL, enabled, file:line.

    Exit 0 when every config file was read, 1 when some could not be (they are listed).
    """
    from mcpir.discovery.listing import list_servers
    from mcpir.output import servers_view

    scopes = resolve_scopes(home, root, system_root)
    listing = list_servers(scopes)
    if json_output:
        servers_view.print_json(listing)
    else:
        servers_view.print_table(listing, scopes)
    raise typer.Exit(EXIT_FINDINGS if listing.problems else EXIT_OK)


def register(app: typer.Typer) -> None:
    app.command("servers")(servers)
