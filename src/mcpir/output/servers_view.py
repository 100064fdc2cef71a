"""How `mcpir servers` looks: a table for people, a JSON list for machines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from mcpir.core.model import Server, Transport
from mcpir.core.paths import Scopes
from mcpir.core.redact import redact_args, redact_text
from mcpir.core.safe import name_cell, shown
from mcpir.core.words import plural
from mcpir.discovery.listing import ServerListing, listing_rows
from mcpir.output import jsonout

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table


def print_json(listing: ServerListing) -> None:
    jsonout.dump(listing_rows(listing))


def _target(server: Server) -> str:
    if server.transport is not Transport.STDIO:
        return redact_text(server.url or "")
    return " ".join(redact_args([server.command or "", *server.args])).strip()


# The command or URL is what a responder reads; a server name longer than this folds.
SERVER_WIDTH = 28


def print_table(listing: ServerListing, scopes: Scopes) -> None:
    """One block per config file, its heading then its servers under a header row: line,
    server, transport, state and what runs. Every block's columns have the same widths, so
    they line up down the page; a long command folds, whole, in its column."""
    from mcpir.output.terminal import cell, printed, wrapped

    blocks = [config for config in listing.files if config.servers]
    names = [name_cell(s.name) for config in blocks for s in config.servers]
    widths = {
        "line": max((len(str(s.line or "")) for c in blocks for s in c.servers), default=0),
        "server": min(max((len(name) for name in names), default=0), SERVER_WIDTH),
        "transport": max([len("transport")] + [len(s.transport.value) for s in listing.servers]),
    }
    items: list[RenderableType] = []
    for config in blocks:
        heading = cell(scopes.display(config.path), "bold") + cell(
            f"  {config.client} · {config.scope}", "dim"
        )
        items += [wrapped(heading), _block(config.servers, widths), cell("")]
    servers = listing.servers
    disabled = sum(not s.enabled for s in servers)
    files = len(blocks)
    items.append(
        cell(
            f"{plural(len(servers), 'MCP server')} ({disabled} disabled) "
            f"in {plural(files, 'config file')}"
        )
    )
    printed(*items)
    if listing.problems:
        from rich.console import Console
        from rich.markup import escape

        err = Console(stderr=True, highlight=False)
        err.print(f"[red]{plural(len(listing.problems), 'config file')} could not be read:[/]")
        for config in listing.problems:
            where = scopes.display(config.path)
            err.print(f"  {escape(shown(where))}: {escape(shown(config.error or ''))}")


def _block(servers: Sequence[Server], widths: dict[str, int]) -> Table:
    from mcpir.output.terminal import cell, fit, table

    drawn = fit(table("line", "server", "transport", "state", "command or url"),
                "command or url")  # fmt: skip
    line, server, transport, state = drawn.columns[:4]
    line.justify, line.style = "right", "dim"
    line.width = max(widths["line"], len("line"))
    server.width = max(widths["server"], len("server"))
    transport.width, state.width = widths["transport"], len("state")
    for column in (line, transport, state):
        column.no_wrap = True
    for entry in servers:
        drawn.add_row(
            cell(str(entry.line or "")),
            cell(name_cell(entry.name)),
            cell(entry.transport.value),
            cell("on") if entry.enabled else cell("off", "yellow"),
            cell(_target(entry)),
            style=None if entry.enabled else "dim",
        )
    return drawn
