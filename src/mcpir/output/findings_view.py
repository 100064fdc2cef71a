"""How `mcpir scan` looks: a table for people, JSON and SARIF for machines."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from mcpir.core.model import Severity
from mcpir.core.paths import Scopes
from mcpir.core.redact import redact_text
from mcpir.core.rows import finding_row
from mcpir.core.safe import name_cell, shown
from mcpir.core.words import plural
from mcpir.scan.engine import ScanReport

if TYPE_CHECKING:
    from rich.table import Table

JSON_VERSION = 1
_STYLE = {Severity.HIGH: "bold red", Severity.MEDIUM: "yellow", Severity.LOW: "cyan"}


def json_document(report: ScanReport) -> dict[str, Any]:
    return {
        "version": JSON_VERSION,
        "findings": [finding_row(finding) for finding in report.findings],
        # By `.mcpir.toml` and by the --baseline file; "baseline" tells the latter apart.
        "suppressed": len(report.suppressed) + len(report.accepted),
        "skipped": [
            {"path": str(item.path), "reason": redact_text(item.reason)} for item in report.skipped
        ],
        "baseline": None
        if report.baseline is None
        else {
            "path": str(report.baseline),
            "suppressed": len(report.accepted),
            "stale": report.stale,
        },
    }


def render_table(report: ScanReport, scopes: Scopes, *, color: bool) -> str:
    from rich.console import Console
    from rich.markup import escape

    from mcpir.output.terminal import width

    buffer = io.StringIO()
    console = Console(file=buffer, highlight=False, force_terminal=color, no_color=not color,
                      width=width(color))  # fmt: skip
    if report.findings:
        console.print(findings_table(report, scopes))
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
    if report.baseline is not None:
        accepted = f"{len(report.accepted)} suppressed by {report.baseline.name}"
        if report.stale:
            stale = plural(report.stale, "stale entry", "stale entries")
            accepted += f", {stale} (--update-baseline prunes)"
        extras.append(escape(shown(accepted).replace("\n", "\\n")))
    if report.below_threshold:
        extras.append(f"{report.below_threshold} below --severity")
    if extras:
        summary += f" ({'; '.join(extras)})"
    console.print(summary)
    for item in report.skipped:
        where, reason = escape(shown(scopes.display(item.path))), escape(shown(item.reason))
        console.print(f"[dim]skipped {where}: {reason}[/]")
    return "\n".join(line.rstrip(" ") for line in buffer.getvalue().split("\n"))


def findings_table(report: ScanReport, scopes: Scopes) -> Table:
    """A row per finding: what it is, then its evidence and where it is, under it: a path is
    long, and a column of its own would squeeze the finding into a sliver."""
    from mcpir.output.terminal import cell, fit, lines, table

    drawn = fit(table("severity", "rule", "finding"), "finding", caps={"rule": 24})
    for finding in report.findings:
        where = scopes.display(finding.location.path)
        if finding.location.line:
            where += f":{finding.location.line}"
        subject = finding.tool or finding.server
        text = f"{name_cell(subject)}: {finding.message}" if subject else finding.message
        what = [cell(text)]
        if finding.evidence and shown(finding.evidence) not in shown(text):
            what.append(cell(f"evidence: {finding.evidence}", "dim"))
        what.append(cell(f"at {where}", "dim"))
        drawn.add_row(
            cell(finding.severity.label, _STYLE[finding.severity]),
            cell(finding.rule_id),
            lines(*what),
        )
    return drawn
