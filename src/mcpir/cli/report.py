"""`mcpir report`: the ATOM incident document, rebuilt from the incident journal."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mcpir.cli.options import JsonOption, RootOption, incident_root, resolve_scopes
from mcpir.core.errors import EXIT_OK, UsageError


def report(
    incident: Annotated[
        str | None,
        typer.Argument(
            help="Incident id or prefix, found from any directory (default: the latest)."
        ),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="md (GitHub Markdown) or json.", show_default=True)
    ] = "md",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    list_all: Annotated[bool, typer.Option("--list", help="List the incidents.")] = False,
    root: RootOption = None,
    json_output: JsonOption = False,
) -> None:
    """Regenerate an incident's ATOM document from its journal: same journal, same document."""
    from mcpir.incident.store import CHANGE, find_incident
    from mcpir.output import jsonout
    from mcpir.output.respond_view import say
    from mcpir.report import Format, render
    from mcpir.report.document import build
    from mcpir.report.listing import incidents
    from mcpir.report.owner import owner

    scopes = resolve_scopes(None, root, None)
    assert scopes.root is not None  # noqa: S101 - resolve_scopes always sets a root
    if list_all:
        rows = incidents(scopes.root)
        if json_output:
            jsonout.dump({"version": 1, "incidents": rows})
        else:
            for row in rows:
                say(
                    f"{row['id']}  {row['status']:<8} {row['severity']:<6} {row['opened'] or '-'}"
                    f"  {row['title']}"
                )
            if not rows:
                say("no incidents yet (mcpir respond opens one)")
        raise typer.Exit(EXIT_OK)
    try:
        chosen = Format(fmt)
    except ValueError:
        raise UsageError(f"--format {fmt!r}: choose md or json") from None
    if json_output:
        chosen = Format.JSON
    where = incident_root(incident, root)
    found = find_incident(where, incident)
    if found.kind == CHANGE:
        raise UsageError(
            f"{found.id} is a change set (wrap, tokens externalize or tokens rotate), not an "
            "incident: it has no report",
            hint=f"`mcpir restore {found.id}` undoes it",
        )
    text = render(build(found, owner=owner(where)), chosen)
    if output is None:
        typer.echo(text, nl=False)
    else:
        from mcpir.core.fileio import atomic_write_text

        if output.is_symlink() or output.is_dir():
            raise UsageError(f"--output {output}: not a regular file path")
        try:
            atomic_write_text(output, text, mode=0o600)
        except OSError as exc:  # a read-only place, a missing drive: bad input, not a failed step
            raise UsageError(
                f"--output {output}: cannot write ({exc.strerror or type(exc).__name__})"
            ) from None
        say(f"wrote {output}", err=True)
    raise typer.Exit(EXIT_OK)


def register(app: typer.Typer) -> None:
    app.command("report")(report)
