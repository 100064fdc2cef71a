"""Flows as findings (SARIF, one result per flow) and the one-line texts every view shares."""

from __future__ import annotations

from pathlib import Path

from mcpir.core.model import Finding, Location, Severity
from mcpir.flows.model import CHAIN, Flow, FlowReport, Role
from mcpir.scan.checks.base import Rule

FULL_CHAIN = Rule(
    "flows/full-chain",
    "Untrusted input, private data and a way out in one client",
    Severity.HIGH,
    "One client runs a tool that takes in untrusted content (a web page, an outsider's issue), "
    "a tool that reads private data and a tool that can send data out: a prompt hidden in the "
    "first can make the model read the second and send it through the third, with no tool "
    "compromised. Split these servers across clients, drop the ones not needed, or require "
    "approval for the sending tools.",
)
PAIR_RULE = Rule(
    "flows/private-to-out",
    "Private data and a way out in one client",
    Severity.MEDIUM,
    "One client runs a tool that reads private data and a tool that can send data out: a "
    "poisoned description or an injected prompt can make the model move one to the other.",
)


def role_text(role: Role) -> str:
    """`github (get_file_contents, search_code +4)`."""
    more = f" +{len(role.tools) - 3}" if len(role.tools) > 3 else ""
    return f"{role.server} ({', '.join(role.tools[:3])}{more})"


def why(role: Role) -> str:
    """The role's strongest evidence: `mermaid-diagrams can send data out [medium]: observed,
    name says 'render' in a call at 23cc….jsonl:7`."""
    best = max(role.evidence, key=lambda e: e.confidence)
    return (
        f"{role.server} {role.capability.label} [{role.confidence.label}]: "
        f"{best.source.value} {best.detail}"
    )


def observed_text(flow: Flow) -> str:
    first = flow.observed[0]
    more = f", +{len(flow.observed) - 1} more" if len(flow.observed) > 1 else ""
    where = f"session {first.session}, line {first.line}{more}"
    return f"observed: {first.source} → {first.sink} ({where})"


def findings(report: FlowReport) -> list[Finding]:
    """One finding per flow, at the config line of the server the data would leave through;
    an observed flow is high whatever its kind."""
    where = {(s.client, s.name): s for s in report.servers}
    out = []
    for flow in report.flows:
        sink = flow.roles[-1]
        server = where.get((flow.client, sink.server))
        location = Location(Path(server.path), server.line) if server else Location(Path("."))
        rule = FULL_CHAIN if flow.kind == CHAIN else PAIR_RULE
        message = f"{flow.client}: {' → '.join(role_text(r) for r in flow.roles)}"
        if flow.observed:
            message += f"; {observed_text(flow)}"
        out.append(
            Finding(
                rule_id=rule.id,
                severity=Severity.HIGH if flow.observed else rule.severity,
                message=message,
                location=location,
                server=sink.server,
                client=flow.client,
                evidence="; ".join(why(role) for role in flow.roles),
            )
        )
    return out
