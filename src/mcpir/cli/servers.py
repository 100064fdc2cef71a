"""`mcpir servers`: every MCP server defined on this machine and in this project."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mcpir.cli.options import (
    HomeOption,
    JsonOption,
    OnlyRootOption,
    RootOption,
    SystemRootOption,
    existing_dir,
    resolve_scopes,
)
from mcpir.core.errors import EXIT_FINDINGS, EXIT_OK, UsageError

if TYPE_CHECKING:
    from mcpir.core.model import ConfigFile

ProjectsOption = Annotated[
    bool,
    typer.Option(
        "--projects",
        help="List the projects looked at instead: each with its state (ok, missing, "
        "unreachable), the clients that recorded it and its config files.",
    ),
]


class ServersFormat(enum.StrEnum):
    TABLE = "table"
    JSON = "json"
    CYCLONEDX = "cyclonedx"


AllUsersOption = Annotated[
    bool,
    typer.Option(
        "--all-users",
        help="Every user's home (passwd homes, /home/*, /Users/*) under --system-root "
        "(default /), each record with `user`; for an MDM or osquery job run as root. Reads "
        "only the files discovery knows, as each home's owner; follows no link out of a "
        "home; writes nothing.",
    ),
]
FormatOption = Annotated[
    ServersFormat | None,
    typer.Option(
        "--format",
        help="table (default), json, or cyclonedx: an AI-BOM (CycloneDX 1.6) with each "
        "server's package as a purl and the scan's findings as vulnerabilities.",
        show_default=False,
    ),
]


def servers(
    home: HomeOption = None,
    root: RootOption = None,
    system_root: SystemRootOption = None,
    only_root: OnlyRootOption = False,
    projects: ProjectsOption = False,
    all_users: AllUsersOption = False,
    output_format: FormatOption = None,
    json_output: JsonOption = False,
) -> None:
    """List every MCP server: client, scope, transport, command or URL, enabled, file:line.

    The user's files, the project at --root (walked whole) and every project the clients
    recorded (read at its top, as the clients read it; a project's records carry `project`).
    A recorded project that is gone or out of reach is listed as such, never an error.
    """
    from mcpir.output import projects_view, servers_view

    fmt = _format(output_format, json_output)
    if all_users:
        for given, option in ((home, "--home"), (root, "--root"), (projects, "--projects"),
                              (only_root, "--only-root")):  # fmt: skip
            if given:
                raise UsageError(f"--all-users reads every home: {option} does not apply")
        top = existing_dir(system_root, "--system-root") if system_root else Path("/")
        raise typer.Exit(_all_users(top, fmt))
    from mcpir.discovery.listing import list_servers

    scopes = resolve_scopes(home, root, system_root, only_root)
    listing = list_servers(scopes)
    if projects:
        if fmt is ServersFormat.CYCLONEDX:
            raise UsageError("--projects lists projects, not servers: no CycloneDX for it")
        if fmt is ServersFormat.JSON:
            projects_view.print_json(listing)
        else:
            projects_view.print_table(listing, scopes)
    elif fmt is ServersFormat.JSON:
        servers_view.print_json(listing)
    elif fmt is ServersFormat.CYCLONEDX:
        from mcpir.discovery.listing import listing_rows
        from mcpir.output.fleet_view import print_cyclonedx

        findings = _findings(listing.files, scopes.root)
        print_cyclonedx(listing_rows(listing), findings, fleet=False)
    else:
        servers_view.print_table(listing, scopes)
        projects_view.print_note(listing, scopes)
    raise typer.Exit(EXIT_FINDINGS if listing.problems else EXIT_OK)


def _format(output_format: ServersFormat | None, json_output: bool) -> ServersFormat:
    if json_output and output_format not in (None, ServersFormat.JSON):
        raise UsageError(f"--json and --format {output_format} disagree: give one of them")
    return ServersFormat.JSON if json_output else output_format or ServersFormat.TABLE


def _all_users(top: Path, fmt: ServersFormat) -> int:
    from mcpir.discovery.all_users import discover_all
    from mcpir.output import fleet_view

    users = discover_all(top)
    if fmt is ServersFormat.JSON:
        fleet_view.print_json(users)
    elif fmt is ServersFormat.CYCLONEDX:
        findings = [
            {"user": found.home.user, **row}
            for found in users
            for row in _findings(found.files, None)
        ]
        fleet_view.print_cyclonedx(fleet_view.user_rows(users), findings, fleet=True)
    else:
        fleet_view.print_table(users)
    problems = any(config.error for found in users for config in found.files)
    return EXIT_FINDINGS if problems else EXIT_OK


def _findings(files: tuple[ConfigFile, ...], root: Path | None) -> list[dict[str, Any]]:
    """The scan's findings on the files already read (offline, static; nothing re-read),
    under the project's own `.mcpir.toml` when there is a project."""
    from mcpir.config.project import Policy, load_policy
    from mcpir.core.paths import Scopes
    from mcpir.core.rows import finding_row
    from mcpir.scan.engine import ScanRequest, scan

    policy = load_policy(root) if root is not None else Policy()
    request = ScanRequest(scopes=Scopes(home=Path("/nonexistent"), root=root))
    return [finding_row(finding) for finding in scan(request, policy, configs=files).findings]


def register(app: typer.Typer) -> None:
    app.command("servers")(servers)
