"""How `mcpir servers --all-users` and `servers --format cyclonedx` look: every user's servers
as one JSON list (each record with `user`), a table per home, or a CycloneDX document."""

from __future__ import annotations

import socket
from collections.abc import Sequence
from typing import Any

from mcpir.core.paths import Scopes
from mcpir.discovery.all_users import UserFiles
from mcpir.discovery.listing import ServerListing, listing_rows
from mcpir.output import jsonout


def user_rows(users: Sequence[UserFiles]) -> list[dict[str, Any]]:
    """The `servers --all-users --json` contract: `servers --json`'s records, each with `user`."""
    return [
        {"user": found.home.user, **row}
        for found in users
        for row in listing_rows(ServerListing(found.files))
    ]


def print_json(users: Sequence[UserFiles]) -> None:
    jsonout.dump(user_rows(users))


def print_table(users: Sequence[UserFiles]) -> None:
    from mcpir.output import servers_view
    from mcpir.output.terminal import cell, printed

    for found in users:
        printed(cell(f"user {found.home.user}  {found.home.path}", "bold"))
        scopes = Scopes(home=found.home.path, root=None)
        servers_view.print_table(ServerListing(found.files), scopes)


def print_cyclonedx(
    rows: Sequence[dict[str, Any]], findings: Sequence[dict[str, Any]], *, fleet: bool
) -> None:
    """The inventory as CycloneDX 1.6; the host it was taken on is a property of the whole."""
    import sys

    from mcpir.bom.cyclonedx import render

    about = {"host": socket.gethostname(), "inventory": "all-users" if fleet else "one-user"}
    sys.stdout.write(render(rows, findings, properties=about))
    sys.stdout.flush()
