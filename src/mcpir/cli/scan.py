"""`mcpir scan`: static checks for MCP configs and tool descriptions, offline, CI-friendly."""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import Annotated

import typer

from mcpir.cli.options import (
    HomeOption,
    OnlyRootOption,
    RootOption,
    SystemRootOption,
    resolve_scopes,
)
from mcpir.core.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from mcpir.output.emit import ReportFormat, emit


class SeverityChoice(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


def scan(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or trees to scan (default: every config discovery finds)."),
    ] = None,
    home: HomeOption = None,
    root: RootOption = None,
    only_root: OnlyRootOption = False,
    system_root: SystemRootOption = None,
    tools: Annotated[
        list[Path] | None,
        typer.Option("--tools", help="A tools/list result (JSON) or JSONL of {name, description}."),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option("--baseline", help="Report every drift from this known-good baseline."),
    ] = None,
    update_baseline: Annotated[
        bool,
        typer.Option(
            "--update-baseline",
            help="Record the servers found as the known-good baseline (--baseline FILE, "
            "default <root>/mcp-baseline.json).",
        ),
    ] = False,
    output_format: Annotated[
        ReportFormat, typer.Option("--format", help="table, json or sarif.")
    ] = ReportFormat.TABLE,
    output: Annotated[
        Path | None, typer.Option("--output", help="Write the report to FILE instead of stdout.")
    ] = None,
    severity: Annotated[
        SeverityChoice,
        typer.Option("--severity", help="Report findings at or above this severity."),
    ] = SeverityChoice.LOW,
) -> None:
    """Check MCP configs for unpinned images and packages, hardcoded secrets, poisoned
    descriptions and risky settings. Exit 0: nothing at or above --severity; 1: findings."""
    from mcpir.config.project import load_policy
    from mcpir.core.model import Severity
    from mcpir.scan.baseline import FILENAME
    from mcpir.scan.engine import ScanRequest, record_baseline
    from mcpir.scan.engine import scan as run_scan

    scopes = resolve_scopes(home, root, system_root, only_root)
    for path in [*(paths or []), *(tools or [])]:
        if not path.exists():
            raise UsageError(f"{path}: no such file or directory")
    policy = load_policy(scopes.root) if scopes.root is not None else load_policy(Path.cwd())
    request = ScanRequest(
        scopes=scopes,
        paths=tuple(p.absolute() for p in paths or []),
        tools=tuple(tools or []),
        baseline=None if update_baseline else baseline,
        min_severity=Severity.parse(severity.value),
    )
    if update_baseline:
        target = baseline or (scopes.root or Path.cwd()) / FILENAME
        count = record_baseline(request, policy, target)
        print(f"baseline of {count} servers written to {target}", file=sys.stderr)
        raise typer.Exit(EXIT_OK)
    report = run_scan(request, policy)
    from mcpir.output import findings_view, sarif

    emit(
        output_format,
        output,
        table=lambda color: findings_view.render_table(report, scopes, color=color),
        document=lambda: findings_view.json_document(report),
        sarif=lambda: sarif.sarif_log(report, scopes),
        written=f"{len(report.findings)} findings",
    )
    raise typer.Exit(EXIT_FINDINGS if report.findings else EXIT_OK)


def register(app: typer.Typer) -> None:
    app.command("scan")(scan)
