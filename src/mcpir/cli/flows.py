"""`mcpir flows`: per client, the exfiltration paths its servers make possible, and which of
them transcripts show happened."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from mcpir.cli.options import (
    ExitZeroOption,
    HomeOption,
    JsonOption,
    OnlyRootOption,
    RootOption,
    SystemRootOption,
    findings_exit,
    resolve_scopes,
)
from mcpir.core.errors import UsageError
from mcpir.output.emit import ReportFormat, emit


def flows(
    client: Annotated[
        str | None,
        typer.Option("--client", metavar="NAME", help="Only this client's servers (claude-code…)."),
    ] = None,
    include_disabled: Annotated[
        bool,
        typer.Option(
            "--include-disabled",
            help="Also servers that are disabled or contained: the flows as they were before "
            "containment.",
        ),
    ] = False,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="Observed flows only from this window: 30m, 12h, 7d, 2w or a date (default: "
            "the whole history).",
        ),
    ] = None,
    no_transcripts: Annotated[
        bool,
        typer.Option(
            "--no-transcripts",
            help="Do not read transcripts and invocation logs: no `observed` marks, and tool "
            "calls are no evidence.",
        ),
    ] = False,
    home: HomeOption = None,
    root: RootOption = None,
    only_root: OnlyRootOption = False,
    system_root: SystemRootOption = None,
    output_format: Annotated[
        ReportFormat | None,
        typer.Option("--format", help="table (default), json or sarif.", show_default=False),
    ] = None,
    json_output: JsonOption = False,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the report to FILE instead of stdout."),
    ] = None,
    exit_zero: ExitZeroOption = False,
) -> None:
    """Classify every tool of every enabled server (reads private data, takes in untrusted
    content, can send data out, destructive) from its annotations, its live or pinned
    listing, the catalog of well-known servers and the calls transcripts show; then list,
    per client, every untrusted → private → out chain and private → out pair, ranked, with
    the evidence. Flows transcripts show are marked observed. Exit 1: a full chain exists."""
    from mcpir.config.project import load_policy
    from mcpir.discovery import discover
    from mcpir.flows import analyze
    from mcpir.output import flows as view

    if json_output and output_format not in (None, ReportFormat.JSON):
        raise UsageError(f"--json and --format {output_format} disagree: give one of them")
    fmt = ReportFormat.JSON if json_output else output_format or ReportFormat.TABLE
    if no_transcripts and since is not None:
        raise UsageError("--since names a window of transcripts, and --no-transcripts reads none")
    scopes = resolve_scopes(home, root, system_root, only_root)
    assert scopes.root is not None  # noqa: S101 - resolve_scopes always sets a root
    configs = discover(scopes, load_policy(scopes.root).discovery.exclude)
    if client is not None and client not in {s.client for c in configs for s in c.servers}:
        names = sorted({s.client for c in configs for s in c.servers})
        raise UsageError(f"--client {client}: no server of that client here",
                         hint=f"clients with servers: {', '.join(names) or 'none'}")  # fmt: skip
    held = [s for c in configs for s in c.servers
            if not s.enabled and (client is None or s.client == client)]  # fmt: skip
    if held and not include_disabled:
        from mcpir.core.words import plural

        typer.echo(f"mcpir: note: {plural(len(held), 'disabled or contained server')} left out "
                   "(--include-disabled: the flows as they were before)", err=True)  # fmt: skip
    seen = None
    if not no_transcripts:
        from mcpir.flows.observed import read
        from mcpir.investigate import parse_since

        seen = read(scopes, parse_since(since, datetime.now(UTC)))
    report = analyze(configs, root=scopes.root, include_disabled=include_disabled,
                     client=client, seen=seen)  # fmt: skip
    emit(
        fmt,
        output,
        table=lambda color: view.render_table(report, scopes, color=color),
        document=lambda: view.json_document(report),
        sarif=lambda: view.sarif_log(report, scopes),
        written=f"{len(report.flows)} flows",
    )
    raise typer.Exit(findings_exit(bool(report.chains), exit_zero))


def register(app: typer.Typer) -> None:
    app.command("flows")(flows)
