"""How `mcpir scan` looks: a table for people, JSON and SARIF for machines."""

from __future__ import annotations

import io
from typing import Any

from mcpir.core.model import Severity
from mcpir.core.paths import Scopes
from mcpir.core.redact import redact_text
from mcpir.core.rows import finding_row
from mcpir.core.safe import name_cell, one_line, shown
from mcpir.core.words import plural
from mcpir.scan.engine import ScanReport

JSON_VERSION = 1
_STYLE = {Severity.HIGH: "bold red", Severity.MEDIUM: "yellow", Severity.LOW: "cyan"}


def json_document(report: ScanReport) -> dict[str, Any]:
    return {
        "version": JSON_VERSION,
        "findings": [finding_row(finding) for finding in report.findings],
        "suppressed": len(report.suppressed),
        "skipped": [
            {"path": str(item.path), "reason": redact_text(item.reason)} for item in report.skipped
        ],
    }


def render_table(report: ScanReport, scopes: Scopes, *, color: bool) -> str:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(file=buffer, highlight=False, force_terminal=color, no_color=not color)
    if report.findings:
        table = Table(box=None, padding=(0, 1), pad_edge=False, show_header=True)
        for column in ("severity", "rule", "where", "finding"):
            table.add_column(column, overflow="fold", no_wrap=column == "severity")
        for finding in report.findings:
            where = scopes.display(finding.location.path)
            if finding.location.line:
                where += f":{finding.location.line}"
            subject = finding.tool or finding.server
            text = shown(finding.message)
            if subject:
                text = f"{name_cell(subject)}: {text}"
            evidence = shown(finding.evidence) if finding.evidence else ""
            text = escape(text)
            if evidence and evidence not in text:
                text += f"\n[dim]{escape(evidence)}[/]"
            label = finding.severity.label
            table.add_row(
                f"[{_STYLE[finding.severity]}]{label}[/]",
                finding.rule_id,
                escape(one_line(where)),
                text,
            )
        console.print(table)
        console.print()
    summary = (
        f"{plural(len(report.findings), 'finding')} in {plural(len(report.files), 'file')}, "
        f"{plural(report.servers, 'server')}"
    )
    if report.tools:
        summary += f", {plural(report.tools, 'tool description')}"
    extras = []
    if report.suppressed:
        extras.append(f"{len(report.suppressed)} suppressed by .mcpir.toml")
    if report.below_threshold:
        extras.append(f"{report.below_threshold} below --severity")
    if extras:
        summary += f" ({'; '.join(extras)})"
    console.print(summary)
    for item in report.skipped:
        where, reason = escape(shown(scopes.display(item.path))), escape(shown(item.reason))
        console.print(f"[dim]skipped {where}: {reason}[/]")
    return buffer.getvalue()
