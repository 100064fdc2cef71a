"""`mcpir scan`: static checks for MCP configs and tool descriptions, offline, CI-friendly."""

from __future__ import annotations

import dataclasses
import enum
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mcpir.cli.options import (
    HomeOption,
    JsonOption,
    OnlyRootOption,
    RootOption,
    SystemRootOption,
    resolve_scopes,
)
from mcpir.core.errors import EXIT_FINDINGS, EXIT_OK, UsageError
from mcpir.output.emit import ReportFormat, emit

if TYPE_CHECKING:
    from mcpir.config.project import Policy
    from mcpir.scan.baseline import Accepted
    from mcpir.scan.engine import ScanRequest
    from mcpir.scan.inventory import Inventory


class SeverityChoice(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


def _note(text: str) -> None:
    print(f"mcpir: note: {text}", file=sys.stderr)


def _legacy_note(path: Path, *, replaced: str | None = None) -> None:
    from mcpir.core.safe import one_line

    shown = one_line(str(path))
    if replaced is not None:
        _note(
            f"{shown} held servers (the format of mcpir before accepted findings); replaced by "
            f"{replaced}; record the servers with `mcpir scan --update-drift`"
        )
        return
    _note(
        f"{shown} records servers (the format of mcpir before accepted findings): read as "
        "`--drift`; migrate: `mcpir scan --update-drift` (mcp-inventory.json) then "
        "`mcpir scan --update-baseline`"
    )


def _report_format(output_format: ReportFormat | None, json_output: bool) -> ReportFormat:
    if json_output and output_format not in (None, ReportFormat.JSON):
        raise UsageError(f"--json and --format {output_format} disagree: give one of them")
    if json_output:
        return ReportFormat.JSON
    return output_format or ReportFormat.TABLE


def _files(
    baseline: Path | None,
    drift: Path | None,
    *,
    update_baseline: bool,
    update_drift: bool,
) -> tuple[Accepted | None, Inventory | None]:
    """The files --baseline and --drift name, read (bounded; one line when refused)."""
    from mcpir.scan import baseline as accepted_findings
    from mcpir.scan import inventory, stored
    from mcpir.scan.inventory import Inventory

    accepted: Accepted | None = None
    servers: Inventory | None = None
    for given, option, update in ((baseline, "--baseline", update_baseline),
                                  (drift, "--drift", update_drift)):  # fmt: skip
        if given is not None and not update and not os.path.lexists(given):
            raise UsageError(
                f"{stored.where(option, given)}: no such file",
                hint=f"record one with --update-{option.removeprefix('--')}",
            )
    if baseline is not None:
        found = accepted_findings.load(baseline, for_update=update_baseline)
        if isinstance(found, Inventory):  # a version-1 mcp-baseline.json
            if drift is not None and not update_baseline:
                raise UsageError(
                    f"{stored.where('--baseline', baseline)} records servers, and --drift names "
                    "another file",
                    hint="give it as --drift, or record accepted findings with --update-baseline",
                )
            if not update_baseline:
                _legacy_note(baseline)
                servers = found
        else:
            accepted = found
    if drift is not None:
        servers = inventory.load(drift, for_update=update_drift)
        if servers is not None and servers.legacy and not update_drift:
            _note(
                f"{stored.where('--drift', drift)} records servers by file path (an older "
                "mcpir): read by client, scope and name; re-record it with `--update-drift`"
            )
    return accepted, servers


def _update(
    request: ScanRequest,
    policy: Policy,
    *,
    baseline: Path | None,
    drift: Path | None,
    update_baseline: bool,
    update_drift: bool,
) -> None:
    from mcpir.core.safe import one_line
    from mcpir.core.words import plural
    from mcpir.scan import baseline as accepted_findings
    from mcpir.scan import inventory
    from mcpir.scan.engine import record_baseline, record_inventory

    base = request.scopes.root or Path.cwd()
    if update_drift:
        target = drift or base / inventory.FILENAME
        previous = inventory.load(target, for_update=True)
        count = record_inventory(request, policy, target)
        _note(f"server inventory of {plural(count, 'server')} written to {one_line(str(target))}")
        if previous is not None and previous.legacy:
            _note(f"{one_line(str(target))} held servers by file path: now by client and name")
    if update_baseline:
        target = baseline or base / accepted_findings.FILENAME
        old_file = accepted_findings.load(target, for_update=True)
        old = old_file if isinstance(old_file, accepted_findings.Accepted) else None
        recorded = record_baseline(dataclasses.replace(request, accepted=old), policy, target)
        _note(
            f"{plural(recorded.entries, 'accepted finding')} written to {one_line(str(target))} "
            f"({recorded.added} new, {recorded.pruned} stale pruned)"
        )
        if old_file is not None and old is None:
            _legacy_note(target, replaced="accepted findings")


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
        typer.Option(
            "--baseline",
            help="Accepted findings (mcp-baseline.json): a finding recorded there is counted "
            "as suppressed, not reported.",
        ),
    ] = None,
    update_baseline: Annotated[
        bool,
        typer.Option(
            "--update-baseline",
            help="Accept every finding reported now: write --baseline FILE (default "
            "<root>/mcp-baseline.json), pruning entries no finding matches any more.",
        ),
    ] = False,
    drift: Annotated[
        Path | None,
        typer.Option(
            "--drift",
            help="Report every server added, removed or changed since this server inventory "
            "(mcp-inventory.json).",
        ),
    ] = None,
    update_drift: Annotated[
        bool,
        typer.Option(
            "--update-drift",
            help="Record the servers as the inventory: write --drift FILE (default "
            "<root>/mcp-inventory.json).",
        ),
    ] = False,
    include_user: Annotated[
        bool,
        typer.Option(
            "--include-user",
            help="Also your own servers (user, local and system scopes) in the inventory and "
            "in what --update-baseline records; by default only the project's, since both "
            "files are meant to be committed.",
        ),
    ] = False,
    output_format: Annotated[
        ReportFormat | None,
        typer.Option("--format", help="table (default), json or sarif.", show_default=False),
    ] = None,
    json_output: JsonOption = False,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the report to FILE instead of stdout."),
    ] = None,
    severity: Annotated[
        SeverityChoice,
        typer.Option("--severity", help="Report findings at or above this severity."),
    ] = SeverityChoice.LOW,
    exit_zero: Annotated[
        bool,
        typer.Option(
            "--exit-zero", help="Exit 0 even when something is found (2 still means bad usage)."
        ),
    ] = False,
    live: Annotated[
        bool,
        typer.Option(
            "--live",
            help="Also start (stdio) or reach (HTTP, SSE) each enabled server, list what it "
            "advertises and scan that; tools are compared with the proxy's pins. Runs code "
            "you configured: asks first.",
        ),
    ] = False,
    server_names: Annotated[
        list[str] | None,
        typer.Option("--server", metavar="NAME", help="With --live: only this server (repeat)."),
    ] = None,
    include_disabled: Annotated[
        bool,
        typer.Option("--include-disabled", help="With --live: start disabled and contained too."),
    ] = False,
    timeout: Annotated[
        float | None,
        typer.Option("--timeout", metavar="SECONDS", help="With --live: per server [20]."),
    ] = None,
    concurrency: Annotated[
        int | None,
        typer.Option("--concurrency", metavar="N", help="With --live: servers at once [4]."),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="With --live: exit 1 when a server could not be listed."),
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="With --live: start the servers without asking.")
    ] = False,
) -> None:
    """Check MCP configs for unpinned images and packages, hardcoded secrets, poisoned
    descriptions and risky settings. Exit 0: nothing at or above --severity; 1: findings."""
    from mcpir.config.project import load_policy
    from mcpir.core.model import Severity
    from mcpir.scan.engine import ScanRequest
    from mcpir.scan.engine import scan as run_scan

    fmt = _report_format(output_format, json_output)
    given = {"--server": bool(server_names), "--include-disabled": include_disabled,
             "--timeout": timeout is not None, "--concurrency": concurrency is not None,
             "--strict": strict, "--yes": yes}  # fmt: skip
    for option in (option for option, on in given.items() if on and not live):
        raise UsageError(f"{option} needs --live", hint="mcpir scan --live --help")
    if timeout is not None and not timeout > 0:
        raise UsageError(f"--timeout {timeout}: give a number of seconds above 0")
    if concurrency is not None and concurrency < 1:
        raise UsageError(f"--concurrency {concurrency}: give 1 or more")
    scopes = resolve_scopes(home, root, system_root, only_root)
    for path in [*(paths or []), *(tools or [])]:
        if not path.exists():
            raise UsageError(f"{path}: no such file or directory")
    policy = load_policy(scopes.root) if scopes.root is not None else load_policy(Path.cwd())
    accepted, servers = _files(
        baseline, drift, update_baseline=update_baseline, update_drift=update_drift
    )
    request = ScanRequest(
        scopes=scopes,
        paths=tuple(p.absolute() for p in paths or []),
        tools=tuple(tools or []),
        min_severity=Severity.parse(severity.value),
        accepted=accepted,
        inventory=servers,
        include_user=include_user,
    )
    files, settled = None, None
    if live:
        from mcpir.cli.scan_live import live_request

        request, files, settled = live_request(
            request, policy, scopes, names=list(server_names or []),
            include_disabled=include_disabled, timeout=20.0 if timeout is None else timeout,
            concurrency=4 if concurrency is None else concurrency, yes=yes,
        )  # fmt: skip
    if update_baseline or update_drift:
        _update(
            request,
            policy,
            baseline=baseline,
            drift=drift,
            update_baseline=update_baseline,
            update_drift=update_drift,
        )
        raise typer.Exit(EXIT_OK)
    report = run_scan(request, policy, configs=files)
    from mcpir.output import findings_view, sarif

    if settled is None:
        emit(
            fmt,
            output,
            table=lambda color: findings_view.render_table(report, scopes, color=color),
            document=lambda: findings_view.json_document(report),
            sarif=lambda: sarif.sarif_log(report, scopes),
            written=f"{len(report.findings)} findings",
        )
        raise typer.Exit(EXIT_FINDINGS if report.findings and not exit_zero else EXIT_OK)
    errors = settled.errors
    from mcpir.cli.scan_live import live_sarif, unlisted_lines

    unlisted = "".join(f"could not list {line}\n" for line in unlisted_lines(errors))
    emit(
        fmt,
        output,
        table=lambda color: findings_view.render_table(report, scopes, color=color) + unlisted,
        document=lambda: findings_view.json_document(report) | {"live_errors": errors},
        sarif=lambda: live_sarif(report, scopes, errors),
        written=f"{len(report.findings)} findings",
    )
    failed = bool(report.findings) or (strict and bool(errors))
    raise typer.Exit(EXIT_FINDINGS if failed and not exit_zero else EXIT_OK)


def register(app: typer.Typer) -> None:
    app.command("scan")(scan)
