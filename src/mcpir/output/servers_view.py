"""How `mcpir servers` looks: a table for people, a JSON list for machines."""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from mcpir.model import Location, Server, Transport
from mcpir.output import jsonout
from mcpir.redact import redact_args, redact_text
from mcpir.servers import ServerListing, listing_rows


def print_json(listing: ServerListing) -> None:
    jsonout.dump(listing_rows(listing))


def short_path(path: Path, home: Path, root: Path) -> str:
    for base, label in ((root, "."), (home, "~")):
        if path.is_relative_to(base):
            return f"{label}/{path.relative_to(base).as_posix()}"
    return str(path)


def _where(location: Location, home: Path, root: Path) -> str:
    where = short_path(location.path, home, root)
    return f"{where}:{location.line}" if location.line else where


def _target(server: Server) -> str:
    if server.transport is not Transport.STDIO:
        return redact_text(server.url or "")
    return " ".join(redact_args([server.command or "", *server.args])).strip()


def print_table(listing: ServerListing, *, home: Path, root: Path) -> None:
    console = Console(highlight=False, soft_wrap=False)
    table = Table(title=f"{len(listing.servers)} MCP servers", title_justify="left")
    for column in ("client", "scope", "server", "transport", "command or url", "enabled", "file"):
        table.add_column(column, overflow="fold")
    for server in listing.servers:
        table.add_row(
            server.client,
            server.scope.value,
            redact_text(server.name),
            server.transport.value,
            _target(server),
            "yes" if server.enabled else "no",
            _where(server.location, home, root),
            style=None if server.enabled else "dim",
        )
    console.print(table)
    if listing.problems:
        err = Console(stderr=True, highlight=False)
        err.print(f"{len(listing.problems)} config files could not be read:")
        for config in listing.problems:
            where = short_path(config.path, home, root)
            err.print(f"  {where}: {redact_text(config.error or '')}", markup=False)
    if not listing.files:
        print("no MCP config files found", file=sys.stderr)
