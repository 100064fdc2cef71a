"""How `mcpir servers` looks: a table for people, a JSON list for machines."""

from __future__ import annotations

from mcpir.core.model import Server, Transport
from mcpir.core.paths import Scopes
from mcpir.core.redact import redact_args, redact_text
from mcpir.core.safe import name_cell, one_line, shown
from mcpir.discovery.listing import ServerListing, listing_rows
from mcpir.output import jsonout


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def print_json(listing: ServerListing) -> None:
    jsonout.dump(listing_rows(listing))


def _target(server: Server) -> str:
    if server.transport is not Transport.STDIO:
        return redact_text(server.url or "")
    return " ".join(redact_args([server.command or "", *server.args])).strip()


def print_table(listing: ServerListing, scopes: Scopes) -> None:
    """One block per config file: its servers with line, transport, state and what runs."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(highlight=False)
    for config in listing.files:
        if not config.servers:
            continue
        where = escape(one_line(scopes.display(config.path)))
        console.print(f"[bold]{where}[/]  [dim]{config.client} · {config.scope}[/]")
        table = Table(box=None, show_header=False, padding=(0, 1), pad_edge=False)
        table.add_column("line", justify="right", style="dim", no_wrap=True)
        table.add_column("server", no_wrap=True)
        table.add_column("transport", no_wrap=True)
        table.add_column("state", no_wrap=True)
        table.add_column("command or url", overflow="fold")
        for server in config.servers:
            table.add_row(
                str(server.line or ""),
                escape(name_cell(server.name)),
                server.transport.value,
                "on" if server.enabled else "[yellow]off[/]",
                escape(one_line(_target(server))),
                style=None if server.enabled else "dim",
            )
        console.print(table)
        console.print()
    servers = listing.servers
    disabled = sum(not s.enabled for s in servers)
    files = sum(bool(c.servers) for c in listing.files)
    console.print(
        f"{_count(len(servers), 'MCP server')} ({disabled} disabled) "
        f"in {_count(files, 'config file')}"
    )
    if listing.problems:
        err = Console(stderr=True, highlight=False)
        err.print(f"[red]{_count(len(listing.problems), 'config file')} could not be read:[/]")
        for config in listing.problems:
            where = scopes.display(config.path)
            err.print(f"  {escape(shown(where))}: {escape(shown(config.error or ''))}")
