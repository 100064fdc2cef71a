"""`mcpir servers`: every MCP server defined on this machine and in this project."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from mcpir.cli.options import (
    HomeOption,
    JsonOption,
    RootOption,
    SystemRootOption,
    existing_dir,
    resolve_home,
    resolve_root,
)
from mcpir.errors import EXIT_FINDINGS, EXIT_OK


def servers(
    home: HomeOption = None,
    root: RootOption = None,
    system_root: SystemRootOption = None,
    json_output: JsonOption = False,
) -> None:
    """List every MCP server: client, scope, transport, command or URL, enabled, file:line.

    Exit 0 when every config file was read, 1 when some could not be (they are listed).
    """
    from mcpir.output import servers_view
    from mcpir.servers import list_servers

    # A sandboxed --home stays sandboxed: no system files, no $CODEX_HOME and the like.
    real_home = home is None
    if system_root is not None:
        system: Path | None = existing_dir(system_root, "--system-root")
    else:
        system = Path(os.path.abspath(os.sep)) if real_home else None
    home_dir, root_dir = resolve_home(home), resolve_root(root)
    listing = list_servers(
        home_dir, root_dir, system_root=system, environ=os.environ if real_home else None
    )
    if json_output:
        servers_view.print_json(listing)
    else:
        servers_view.print_table(listing, home=home_dir, root=root_dir)
    raise typer.Exit(EXIT_FINDINGS if listing.problems else EXIT_OK)


def register(app: typer.Typer) -> None:
    app.command("servers")(servers)
