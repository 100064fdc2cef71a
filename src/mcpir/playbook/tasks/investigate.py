"""Step 4, *investigate*: recent AI-assistant sessions and MCP invocations, for odd patterns.

Reads every transcript and invocation log under the scopes (see `mcpir.investigate`), with
the servers the audit step flagged counted as suspect too. Findings carry their session and
time in the message; the full rows (session and time as fields) go into the journal as an
`investigation` record, which the incident document's timeline reads.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from mcpir.incident.entries import Investigation
from mcpir.playbook.tasks.base import Status, StepResult, TaskContext

MAX_NOTES = 10


def _audit_flags(ctx: TaskContext) -> dict[str, str]:
    """Servers the audit step (this run's, or this incident's earlier one) rated medium or worse."""
    audit = ctx.earlier.get("audit")
    flagged: dict[str, str] = {}
    for finding in audit.findings if audit is not None else ():
        if finding.server and finding.severity in {"high", "medium"}:
            flagged.setdefault(finding.server, f"audit: {finding.rule}")
    return flagged


class Investigate:
    name = "investigate"

    def run(self, ctx: TaskContext) -> StepResult:
        from mcpir.investigate import InvestigateRequest, investigate, parse_since, render

        since_text = ctx.param("since", "7d")
        since = parse_since(str(since_text) if since_text else None, datetime.now(UTC))
        request = InvestigateRequest(
            ctx.scopes,
            since=since,
            flagged=_audit_flags(ctx),
            scan=ctx.workspace.scan(),
            progress=ctx.progress,  # the bytes it reads, drawn under the step's header
        )
        report = investigate(request, ctx.policy)
        findings = []
        for hit in report.hits:
            session = (hit.session or "?")[:12]
            stamp = render.when(hit.ts) or "time unknown"
            message = f"{hit.finding.message} (session {session}, {stamp})"
            findings.append(dataclasses.replace(hit.finding, message=message))
        if ctx.incident is not None:
            ctx.incident.journal.append(Investigation.of(render.as_json(report)).to_record())
        notes = []
        malformed = render.malformed_note(report, ctx.scopes)
        if malformed:
            notes.append(malformed)
        if not report.sources:
            notes.append("no transcript or invocation log was found under the home or the root")
        for hit in [h for h in report.hits if h.finding.severity.label == "high"][:MAX_NOTES]:
            where = ctx.scopes.display(hit.finding.location.path)
            notes.append(
                f"{hit.finding.rule_id} at {where}:{hit.finding.location.line}: "
                f"{hit.finding.message}"
            )
        status = Status.ATTENTION if report.hits else Status.OK
        return StepResult(status, render.summary(report), notes=notes, findings=findings)


TASK = Investigate()
