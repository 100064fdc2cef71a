"""`mcpir audit`: unauthorized MCP-config changes and secrets ever committed, from git history."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from mcpir.cli.options import HomeOption, JsonOption
from mcpir.core.errors import EXIT_FINDINGS, EXIT_OK
from mcpir.output.emit import ReportFormat, emit


class _Bar:
    """A progress line on stderr; stdout stays clean for --json and SARIF."""

    def __init__(self) -> None:
        self.shown = False

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        if total:
            filled = int(20 * done / total)
            text = f"[{'#' * filled}{'.' * (20 - filled)}] {done}/{total} {phase}"
        else:
            text = f"{phase}: {done} commits"
        sys.stderr.write(f"\r\x1b[2K{text}")
        sys.stderr.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()


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
    bar = _Bar()
    show = sys.stderr.isatty() if progress is None else progress
    request = AuditRequest(
        repo=path,
        since=since,
        all_refs=all_refs,
        scopes=None,
        progress=bar if show else (lambda phase, done, total: None),
    )
    try:
        from mcpir.audit.git import open_repo

        top = open_repo(path).top
        request.scopes = Scopes.resolve(home_dir, top)
        report = run_audit(request)
    finally:
        bar.close()
    from mcpir.output import audit as render

    emit(
        ReportFormat.JSON if json_output else output_format,
        output,
        table=lambda color: render.render_table(report, color=color),
        document=report.json_document,
        sarif=lambda: render.sarif_log(report),
        written="audit",
    )
    from mcpir.core.safe import shown

    for warning in report.warnings:  # masked as in the JSON document: it may quote an error
        print(f"mcpir: warning: {shown(warning)}", file=sys.stderr)
    raise typer.Exit(EXIT_OK if report.clean else EXIT_FINDINGS)


def register(app: typer.Typer) -> None:
    app.command("audit")(audit)
