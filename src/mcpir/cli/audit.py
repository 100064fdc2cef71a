"""`mcpir audit`: unauthorized MCP-config changes and secrets ever committed, from git history."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from mcpir.cli.options import HomeOption, JsonOption
from mcpir.core.errors import EXIT_FINDINGS, EXIT_OK
from mcpir.output.emit import ReportFormat, emit


def audit(
    repo: Annotated[
        Path | None,
        typer.Option("--repo", help="The git repository (default: the one around the cwd).",
                     show_default=False),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only commits since DATE (2026-11-01, 7d, 12h, 2w).",
                     show_default=False),
    ] = None,
    all_refs: Annotated[
        bool, typer.Option("--all-refs", help="Every branch and tag, not only HEAD.")
    ] = False,
    output_format: Annotated[
        ReportFormat, typer.Option("--format", help="table, json or sarif.")
    ] = ReportFormat.TABLE,
    json_output: JsonOption = False,
    output: Annotated[
        Path | None, typer.Option("--output", help="Write the report to FILE instead of stdout.")
    ] = None,
    home: HomeOption = None,
    progress: Annotated[
        bool | None,
        typer.Option("--progress/--no-progress",
                     help="Progress on stderr (default: when stderr is a terminal).",
                     show_default=False),
    ] = None,
) -> None:  # fmt: skip
    """Audit git history for unauthorized MCP config changes and secrets ever committed.
    Exit 0: nothing found; 1: an unauthorized change or a committed secret; 2: bad input."""
    from mcpir.audit import run_audit
    from mcpir.audit.run import AuditRequest
    from mcpir.cli.options import existing_dir
    from mcpir.core.paths import Scopes

    path = existing_dir(repo, "--repo") if repo is not None else Path.cwd()
    home_dir = existing_dir(home, "--home") if home is not None else None
    request = AuditRequest(repo=path, since=since, all_refs=all_refs, scopes=None)
    if sys.stderr.isatty() if progress is None else progress:
        from mcpir.output.progress import LineBar

        request.progress = LineBar("commits")
    from mcpir.audit.git import open_repo

    top = open_repo(path).top
    request.scopes = Scopes.resolve(home_dir, top)
    report = run_audit(request)
    from mcpir.output import audit as render

    emit(
        ReportFormat.JSON if json_output else output_format,
        output,
        table=lambda color: render.render_table(report, color=color),
        document=report.json_document,
        sarif=lambda: render.sarif_log(report),
        written="audit",
    )
    render.warn(report)
    raise typer.Exit(EXIT_OK if report.clean else EXIT_FINDINGS)


def register(app: typer.Typer) -> None:
    app.command("audit")(audit)
