"""How `mcpir flows` looks: per client, the flows ranked (observed first), each with its
tools and the evidence; the JSON document; SARIF with one result per flow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mcpir.core.paths import Scopes
from mcpir.core.redact import redact_text, redact_value
from mcpir.core.words import plural
from mcpir.flows.findings import FULL_CHAIN, PAIR_RULE, findings, observed_text, role_text, why
from mcpir.flows.graph import MAX_FLOWS
from mcpir.flows.model import CHAIN, FlowReport

SHOWN = 12  # flows per client in the table; --json has every one


def render_table(report: FlowReport, scopes: Scopes, *, color: bool) -> str:
    from mcpir.output.terminal import blank, cell, fit, lines, rendered, table

    items: list[Any] = []
    clients = sorted({s.client for s in report.servers})
    for client in clients:
        flows = [f for f in report.flows if f.client == client]
        unknown = [s.name for s in report.servers if s.client == client and not s.known]
        chains = sum(f.kind == CHAIN for f in flows)
        heading = f"{client}: {plural(chains, 'full chain')}, {plural(len(flows) - chains, 'pair')}"
        if unknown:
            heading += f"; unknown (no listing, catalog entry or call): {', '.join(unknown)}"
        items.append(cell(redact_text(heading), "bold"))
        if flows:
            drawn = fit(table("kind", "flow", "evidence"), "evidence", min_width=40,
                        caps={"flow": 48})  # fmt: skip
            for flow in flows[:SHOWN]:
                mark = ("OBSERVED " if flow.observed else "") + flow.kind
                style = "bold red" if flow.observed else ("red" if flow.kind == CHAIN else "")
                shown = [cell(redact_text(why(role))) for role in flow.roles]
                if flow.observed:
                    shown.insert(0, cell(redact_text(observed_text(flow)), "bold"))
                path = " → ".join(role_text(role) for role in flow.roles)
                drawn.add_row(cell(mark, style), cell(redact_text(path)), lines(*shown))
            items.append(drawn)
            if len(flows) > SHOWN:
                items.append(cell(f"… and {len(flows) - SHOWN} more: mcpir flows --json", "dim"))
        items.append(blank())
    items += [
        cell(redact_text(f"observed, but not possible with these servers now: {seen.source} → "
                         f"{seen.sink} ({Path(seen.path).name}:{seen.line})"))
        for seen in report.unmatched
    ]  # fmt: skip
    chains = len(report.chains)
    summary = (
        f"{plural(chains, 'full chain')} and {plural(len(report.flows) - chains, 'pair')} "
        f"across {plural(len(clients), 'client')}, {plural(len(report.servers), 'server')}"
    )
    if report.transcripts_read:
        summary += f"; {sum(bool(f.observed) for f in report.flows)} observed in transcripts"
    else:
        summary += "; transcripts not read"
    if report.omitted:
        summary += f"; {report.omitted} more not listed (over {MAX_FLOWS} in one client)"
    items.append(cell(summary))
    return rendered(*items, tty=color)


def json_document(report: FlowReport) -> dict[str, Any]:
    document = {
        "summary": {
            "chains": len(report.chains),
            "pairs": len(report.flows) - len(report.chains),
            "observed": sum(bool(f.observed) for f in report.flows),
            "servers": len(report.servers),
            "unknown": [f"{s.client}/{s.name}" for s in report.unknown()],
            "transcripts_read": report.transcripts_read,
            "omitted": report.omitted,
        },
        "flows": [flow.to_json() for flow in report.flows],
        "unmatched_observations": [o.to_json() for o in report.unmatched],
        "servers": [server.to_json() for server in report.servers],
    }
    cleaned: dict[str, Any] = redact_value(document)
    return cleaned


def sarif_log(report: FlowReport, scopes: Scopes) -> str:
    from mcpir.output.sarif import sarif_document

    counts = {"chains": len(report.chains), "flows": len(report.flows)}
    return sarif_document(findings(report), scopes, rules=[FULL_CHAIN, PAIR_RULE], counts=counts)
