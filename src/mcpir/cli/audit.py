"""`mcpir audit`: unauthorized MCP-config changes and secrets ever committed, from git history."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from mcpir.cli.options import (
    ExitZeroOption,
    JsonOption,
    SystemRootOption,
    existing_dir,
    findings_exit,
)
from mcpir.core.errors import UsageError
from mcpir.output.emit import ReportFormat, emit

RepoOption = Annotated[
    Path | None,
    typer.Option(
        "--root",
        help="The git repository (default: the one around the cwd; a "
        "subdirectory works). --repo is the same.",
        show_default=False,
    ),
]
# The name audit had before every command said --root: kept, out of the help.
OldRepoOption = Annotated[Path | None, typer.Option("--repo", hidden=True)]


def audit(
    root: RepoOption = None,
    repo: OldRepoOption = None,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only commits since DATE (2026-11-01, 30m, 12h, 7d, 2w).",
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
        Path | None,
        typer.Option("--output", "-o", help="Write the report to FILE instead of stdout."),
    ] = None,
    home: Annotated[
        Path | None,
        typer.Option("--home", help="Whose token inventory a committed secret is looked up "
                     "in (default: $HOME).", show_default=False),
    ] = None,
    system_root: SystemRootOption = None,
    exit_zero: ExitZeroOption = False,
    progress: Annotated[
        bool | None,
        typer.Option("--progress/--no-progress",
                     help="Progress on stderr (default: when stderr is a terminal).",
                     show_default=False),
    ] = None,
) -> None:  # fmt: skip
    """Audit git history for unauthorized MCP config changes and secrets ever committed.

    Each change is judged by .mcpir.toml [audit] and CODEOWNERS as they stood at its parent;
    each committed secret is looked up in the token inventory of --home (and --system-root).
    """
    from mcpir.audit import run_audit
    from mcpir.audit.run import AuditRequest
    from mcpir.core.paths import Scopes

    if root is not None and repo is not None and root != repo:
        raise UsageError("--root and --repo name two repositories", hint="--repo is --root")
    chosen, flag = (root, "--root") if root is not None else (repo, "--repo")
    path = existing_dir(chosen, flag) if chosen is not None else Path.cwd()
    home_dir = existing_dir(home, "--home") if home is not None else None
    system = existing_dir(system_root, "--system-root") if system_root is not None else None
    request = AuditRequest(repo=path, since=since, all_refs=all_refs, scopes=None)
    if sys.stderr.isatty() if progress is None else progress:
        from mcpir.output.progress import LineBar

        request.progress = LineBar("commits")
    from mcpir.audit.git import open_repo

    top = open_repo(path).top
    request.scopes = Scopes.resolve(home_dir, top, system)
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
    raise typer.Exit(findings_exit(not report.clean, exit_zero))


def register(app: typer.Typer) -> None:
    app.command("audit")(audit)
