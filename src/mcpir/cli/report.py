"""`mcpir report`: the ATOM incident document, rebuilt from the incident journal."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mcpir.cli.options import (
    IncidentHomeOption,
    JsonOption,
    RootOption,
    existing_dir,
    incident_root,
    opened_for,
    resolve_scopes,
)
from mcpir.core.errors import EXIT_OK, UsageError

if TYPE_CHECKING:
    from mcpir.incident.store import Incident


def report(
    words: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[ID | edit ID]",
            help="Incident id or prefix, found from any directory (default: the latest); "
            "`edit ID --set FIELD=VALUE` records what only a person knows.",
        ),
    ] = None,
    sets: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="edit: FIELD=VALUE (summary, impact, root_cause, lessons, owner, "
            "owner.ACTION, due.ACTION, priority.ACTION, status.ACTION).",
        ),
    ] = None,
    by: Annotated[str | None, typer.Option("--by", help="edit: who writes it.")] = None,
    from_document: Annotated[
        bool,
        typer.Option(
            "--from-document",
            help="edit: record what was filled in the document's front matter.",
        ),
    ] = False,
    document: Annotated[
        Path | None,
        typer.Option(
            "--document",
            help="edit: record the front matter of this file (implies --from-document).",
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
    home: IncidentHomeOption = None,
    json_output: JsonOption = False,
) -> None:
    """Regenerate an incident's ATOM document from its journal: same journal, same document.

    Examples: `mcpir report`; `mcpir report ATOM-INC-20261124 --format json -o incident.json`;
    `mcpir report edit ATOM-INC-20261124 --set impact="settings.py left" --set owner.rotate=dana`.
    """
    editing = words is not None and len(words) > 0 and words[0] == "edit"
    if editing and (words is None or len(words) != 2):
        raise UsageError("report edit takes one incident id", hint="mcpir report edit ID --set F=V")
    if not editing and words is not None and len(words) > 1:
        raise UsageError(f"report takes one incident id, not {len(words)}")
    incident = words[-1] if words else None
    if (sets or from_document or document is not None) and not editing:
        raise UsageError("--set, --from-document and --document are for `mcpir report edit ID`")
    if editing and not sets and not from_document and document is None:
        # A document may come from anyone's commit: it is read only when the person asks.
        raise UsageError(
            "report edit: nothing to record; give --set FIELD=VALUE, or --from-document to "
            "record what was filled in the document's front matter",
            hint="mcpir report edit ID --set lessons=TEXT | --from-document [--document FILE]",
        )
    from mcpir.incident.store import CHANGE, find_incident
    from mcpir.output import jsonout
    from mcpir.output.respond_view import say
    from mcpir.report import Format, render
    from mcpir.report.document import build
    from mcpir.report.listing import incidents
    from mcpir.report.owner import owner

    home_dir = existing_dir(home, "--home") if home is not None else None
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
    opened_for(found, home_dir)
    if found.kind == CHANGE:
        raise UsageError(
            f"{found.id} is a change set (wrap, tokens externalize or tokens rotate), not an "
            "incident: it has no report",
            hint=f"`mcpir restore {found.id}` undoes it",
        )
    if editing:
        _edit(found, sets or [], by, from_document or document is not None, document)
        raise typer.Exit(EXIT_OK)
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


def _edit(
    found: Incident, sets: list[str], by: str | None, reading: bool, source: Path | None
) -> None:
    """Journal the edits (from --set, and from a document's front matter when asked), say
    each one as `field: old → new`, then rewrite the incident's document if it was written."""
    import getpass

    from mcpir.output.respond_view import say
    from mcpir.report import Format, front_matter, kept_aside, paths, write
    from mcpir.report import edit as report_edit
    from mcpir.report.document import build

    before = build(found)
    if reading:
        path = source or paths(found)[Format.MD]
        edits = front_matter.changes(before, front_matter.read(path))
        edits += report_edit.parse(sets) if sets else []
        if not edits:
            say(f"{path}: its front matter holds nothing the journal does not; nothing recorded")
            return
    else:
        edits = report_edit.parse(sets)  # every pair checked before anything is written
    report_edit.apply(found, edits, by or getpass.getuser())
    current = front_matter.values(before)
    for edit in edits:
        old, current[edit.field] = current.get(edit.field, ""), edit.value
        say(f"{found.id}: {edit.field}: {_shown(old)} → {_shown(edit.value)}")
    if any(path.exists() for path in paths(found).values()):
        document = build(found)
        aside = None if source is not None else kept_aside(found, document)
        if aside is not None:
            say(f"kept the document's unrecorded front-matter edits in {aside}", err=True)
        for path in write(found, document).values():
            say(f"wrote {path}")


SHOWN_VALUE = 80


def _shown(value: str) -> str:
    """A value on the edit's one line: redacted, control characters written out, quoted, and
    cut (the journal and the document hold it whole)."""
    from mcpir.core.safe import one_line

    text = one_line(value)
    text = text if len(text) <= SHOWN_VALUE else text[: SHOWN_VALUE - 1] + "…"
    return f'"{text}"'


def register(app: typer.Typer) -> None:
    app.command("report")(report)
