"""`mcpir investigate`: read AI-assistant transcripts and MCP invocation logs for odd patterns."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
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


def investigate(
    since: Annotated[
        str | None,
        typer.Option(
            "--since", help="Window to investigate: 30m, 12h, 7d, 2w or a date (default 7d)."
        ),
    ] = "7d",
    home: HomeOption = None,
    root: RootOption = None,
    only_root: OnlyRootOption = False,
    system_root: SystemRootOption = None,
    json_output: JsonOption = False,
    exit_zero: ExitZeroOption = False,
) -> None:
    """Look through AI-assistant transcripts (Claude Code, Codex, Gemini, Claude Desktop,
    Cline, Roo Code, Kilo Code) and mcpir's MCP invocation log for flagged servers, secrets,
    cross-tool flows, new domains, unusual volume and echoed instructions."""
    from mcpir.config.project import load_policy
    from mcpir.investigate import InvestigateRequest, parse_since
    from mcpir.investigate import investigate as run
    from mcpir.output.investigate import show

    scopes = resolve_scopes(home, root, system_root, only_root)
    assert scopes.root is not None  # noqa: S101 - resolve_scopes always sets a root
    request = InvestigateRequest(scopes, since=parse_since(since, datetime.now(UTC)))
    if sys.stderr.isatty():  # never on stdout, which may be the JSON document
        from mcpir.output.progress import ByteBar

        request.progress = ByteBar()
    report = run(request, load_policy(scopes.root))
    show(report, scopes, json_output=json_output)
    raise typer.Exit(findings_exit(bool(report.hits), exit_zero))


def register(app: typer.Typer) -> None:
    app.command("investigate")(investigate)
