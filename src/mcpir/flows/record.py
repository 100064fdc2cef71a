"""What the contain step keeps of the flows in the incident journal (one sealed record), and
reads back for the incident document: the flows possible before containment, compact (no
evidence text), and which full chains containment broke.

The document is rebuilt from the journal alone, and the flows before containment cannot be
computed afterwards (the servers are off), so they are recorded when they are known.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from mcpir.core.redact import redact_value
from mcpir.core.words import plural
from mcpir.flows.model import CHAIN, Flow, FlowReport, clipped

KIND = "possible-flows"
MAX_FLOWS = 500  # kept in the record; the count says how many there were


def _key(flow: Flow) -> tuple[str, str, tuple[str, ...]]:
    return (flow.client, flow.kind, flow.servers)


def broken(before: FlowReport, after: FlowReport) -> list[Flow]:
    """The full chains possible before and no more after."""
    left = {_key(flow) for flow in after.chains}
    return [flow for flow in before.chains if _key(flow) not in left]


def compact(flow: Flow, *, broke: bool) -> dict[str, Any]:
    return {
        "client": clipped(flow.client),
        "kind": flow.kind,
        "servers": [clipped(server) for server in flow.servers],
        "tools": [[clipped(tool) for tool in role.tools[:10]] for role in flow.roles],
        "confidence": flow.confidence.label,
        "broken": broke,
    }


def record(before: FlowReport, after: FlowReport, step: str) -> dict[str, Any]:
    gone = {_key(flow) for flow in broken(before, after)}
    flows = [compact(flow, broke=_key(flow) in gone) for flow in before.flows[:MAX_FLOWS]]
    body = {"type": KIND, "step": step, "count": len(before.flows), "flows": flows}
    cleaned: dict[str, Any] = redact_value(body)
    return cleaned


def summary(before: FlowReport, after: FlowReport) -> str:
    """`; broke 3 full chains (claude-code: github → github → mermaid-diagrams …)`, or ''."""
    gone = broken(before, after)
    if not gone:
        left = len(after.chains)
        return f"; {plural(left, 'full chain')} still possible" if left else ""
    first = gone[0]
    more = f" and {len(gone) - 1} more" if len(gone) > 1 else ""
    path = " → ".join(clipped(server) for server in first.servers)
    return f"; broke {plural(len(gone), 'full chain')} ({clipped(first.client)}: {path}{more})"


def read(records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]] | None:
    """The last record's flows, each checked for shape (a sealed record of any mcpir version);
    None when the contain step recorded none."""
    found: list[dict[str, Any]] | None = None
    for rec in records:
        if rec.get("type") != KIND or not isinstance(rec.get("flows"), list):
            continue
        found = []
        for flow in rec["flows"][:MAX_FLOWS]:
            if not isinstance(flow, Mapping):
                continue
            servers = flow.get("servers")
            if not (isinstance(servers, list) and all(isinstance(s, str) for s in servers)):
                continue
            if flow.get("kind") not in (CHAIN, "pair") or not isinstance(flow.get("client"), str):
                continue
            found.append({"client": flow["client"], "kind": flow["kind"], "servers": servers,
                          "broken": flow.get("broken") is True})  # fmt: skip
    return found
