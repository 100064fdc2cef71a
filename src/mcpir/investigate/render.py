"""The investigation as JSON and as summary lines, for the incident journal and the terminal
alike (`output.investigate` prints them); every text passes through redaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mcpir.core.paths import Scopes
from mcpir.core.rows import finding_row
from mcpir.core.words import plural
from mcpir.investigate import InvestigateReport
from mcpir.investigate.detectors.base import Hit


def when(ts: datetime | None) -> str | None:
    return ts.isoformat(timespec="seconds").replace("+00:00", "Z") if ts else None


def hit_row(hit: Hit) -> dict[str, Any]:
    row = finding_row(hit.finding) | {"session": hit.session, "time": when(hit.ts)}
    if hit.flow is not None:  # a flow: the call the data came from, and what it read
        row |= {"source": hit.flow.source, "read": hit.flow.read}
    return row


def as_json(report: InvestigateReport) -> dict[str, Any]:
    problems = report.problems
    return {
        "version": 1,
        "since": when(report.since),
        "calls": report.calls,
        "calls_in_window": report.live_calls,
        "sources": [
            {
                "source": s.source,
                "files": s.files,
                "bytes": s.bytes,
                "calls": s.calls,
                "sessions": s.sessions,
            }
            for s in report.sources
        ],
        "malformed": {
            "count": problems.count,
            "first": str(problems.first) if problems.first else None,
            "reason": problems.first_reason or None,
        },
        "findings": [hit_row(hit) for hit in report.hits],
    }


def summary(report: InvestigateReport) -> str:
    sources = ", ".join(f"{s.source} {s.files}" for s in report.sources) or "none"
    high = sum(h.finding.severity.label == "high" for h in report.hits)
    window = f" ({report.live_calls} since {when(report.since)})" if report.since else ""
    return (
        f"{plural(report.calls, 'tool call')}{window} in transcript files ({sources}); "
        f"{plural(len(report.hits), 'finding')}, {high} high"
    )


def malformed_note(report: InvestigateReport, scopes: Scopes) -> str | None:
    problems = report.problems
    if not problems.count or problems.first is None:
        return None
    first = scopes.display(problems.first.path) + f":{problems.first.line}"
    return (
        f"{plural(problems.count, 'malformed line')} skipped "
        f"(first: {first}, {problems.first_reason})"
    )
