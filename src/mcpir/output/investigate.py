"""How `mcpir investigate` looks: a table of findings and a summary on stdout, or the JSON
document; the note on skipped lines goes to stderr either way."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mcpir.core.model import Severity
from mcpir.core.paths import Scopes
from mcpir.investigate import InvestigateReport
from mcpir.investigate.render import as_json, malformed_note, summary, when
from mcpir.output import jsonout
from mcpir.output.terminal import say

if TYPE_CHECKING:
    from rich.table import Table

_STYLE = {Severity.HIGH: "bold red", Severity.MEDIUM: "yellow", Severity.LOW: "cyan"}


def findings_table(report: InvestigateReport, scopes: Scopes) -> Table:
    """One row per finding, in time order. Its rule, session and place go under the finding,
    not in columns of their own: a rule id, a transcript path and a session id are long, and
    would squeeze the finding itself into a sliver of a 100-column page."""
    from mcpir.output.terminal import cell, fit, lines, table

    drawn = fit(table("severity", "time", "finding"), "finding")
    for hit in report.hits:
        finding = hit.finding
        what = [cell(finding.message)]
        if finding.evidence:
            what.append(cell(f"evidence: {finding.evidence}", "dim"))
        what.append(cell(f"{finding.rule_id}, session {hit.session or '-'}", "dim"))
        where = scopes.display(finding.location.path) + f":{finding.location.line}"
        what.append(cell(where, "dim"))
        drawn.add_row(
            cell(finding.severity.label, _STYLE[finding.severity]),
            cell(when(hit.ts) or "-"),
            lines(*what),
        )
    return drawn


def show(report: InvestigateReport, scopes: Scopes, *, json_output: bool) -> None:
    note = malformed_note(report, scopes)
    if json_output:
        jsonout.dump(as_json(report))
    else:
        from rich.console import RenderableType

        from mcpir.output.terminal import blank, cell, printed, wrapped

        items: list[RenderableType] = (
            [findings_table(report, scopes), blank()] if report.hits else []
        )
        printed(*items, wrapped(cell(summary(report))))
    if note:
        say(note, err=True)
