"""How `mcpir investigate` looks: one entry per finding and a summary on stdout, or the JSON
document; the note on skipped lines goes to stderr either way."""

from __future__ import annotations

from mcpir.core.paths import Scopes
from mcpir.investigate import InvestigateReport
from mcpir.investigate.detectors.base import Hit
from mcpir.investigate.render import as_json, malformed_note, summary, when
from mcpir.output import jsonout
from mcpir.output.respond_view import say


def finding_line(hit: Hit, scopes: Scopes) -> str:
    finding = hit.finding
    where = scopes.display(finding.location.path) + f":{finding.location.line}"
    session = (hit.session or "-")[:12]
    line = (
        f"{finding.severity.label:<6} {finding.rule_id:<36} {when(hit.ts) or '-':<20} "
        f"{session:<12} {where}\n       {finding.message}"
    )
    if finding.evidence:
        line += f"\n       evidence: {finding.evidence}"
    return line


def show(report: InvestigateReport, scopes: Scopes, *, json_output: bool) -> None:
    note = malformed_note(report, scopes)
    if json_output:
        jsonout.dump(as_json(report))
    else:
        for hit in report.hits:
            say(finding_line(hit, scopes))
        say(summary(report))
    if note:
        say(note, err=True)
