"""The incident document's flow graph: the servers each client ran together, the flows they
made possible before containment (the contain step's `possible-flows` record), and the ones
the investigation saw happen (its cross-tool-flow findings), highlighted.

Shown only when the contain step recorded the flows: a journal written before `mcpir flows`
existed gets no section rather than an empty graph that would read as "no flow".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from mcpir.core.redact import redact_text
from mcpir.flows.model import MAX_NAME, clipped
from mcpir.incident.entries import RecordedFinding

FLOW_RULE = "investigate/cross-tool-flow"
MAX_EDGES = 150  # a graph past this is unreadable; the list below it still counts them all
_UNSAFE = re.compile(r"[^A-Za-z0-9 ._@/:+-]")


def _label(text: str) -> str:
    """A node's text, safe inside Mermaid's quotes and inside a Markdown code block."""
    return _UNSAFE.sub("_", redact_text(text))[:60]


def _server_of(label: str, names: set[str]) -> str:
    """The server of a `server.tool` label: the longest recorded name it starts with (a name
    may hold a dot: `a.b.get` is server `a.b`'s when it was recorded), else up to the dot."""
    found = label.split(".", 1)[0]
    for index, char in enumerate(label[: MAX_NAME + 1]):
        if char == "." and label[:index] in names:
            found = label[:index]
    return found


def section(
    records: Iterable[Mapping[str, Any]], seen: Iterable[RecordedFinding]
) -> dict[str, Any] | None:
    from mcpir.flows import record

    possible = record.read(records)
    if possible is None:
        return None
    observed = []
    names = {server for flow in possible for server in flow["servers"]}
    clients = {str(flow["client"]) for flow in possible}
    pairs: set[tuple[str | None, str, str]] = set()
    for finding in seen:
        if finding.rule != FLOW_RULE or not finding.server or not finding.source:
            continue
        source = _server_of(finding.source, names)
        # Seen in one client's transcripts, the flow happened in that client only; a source no
        # client here is named by (the proxy's log) may stand for any of them.
        client = finding.row.get("client")
        scope = client if isinstance(client, str) and client in clients else None
        start, end = redact_text(clipped(source)), redact_text(clipped(finding.server))
        pairs.add((scope, start, end))
        observed.append({"from": start, "to": end, "client": scope,
                         "session": finding.session, "line": finding.line})  # fmt: skip
    for flow in possible:
        flow["observed"] = _seen(pairs, str(flow["client"]), *flow["servers"][-2:])
    return {
        "possible": possible,
        "observed": observed,
        "broken": sum(f["broken"] for f in possible),
        "mermaid": mermaid(possible, pairs),
    }


def _seen(pairs: set[tuple[str | None, str, str]], client: str, start: str, end: str) -> bool:
    return (client, start, end) in pairs or (None, start, end) in pairs


def mermaid(possible: list[dict[str, Any]], observed: set[tuple[str | None, str, str]]) -> str:
    """`flowchart LR`: one subgraph per client, an edge per step of each flow (dotted from
    untrusted input, solid to the way out), the observed ones thick and red."""
    nodes: dict[tuple[str, str], str] = {}
    edges: dict[tuple[str, str, str], bool] = {}  # (from node, to node, arrow) -> observed
    for flow in possible:
        client, servers = flow["client"], flow["servers"]
        ids = [nodes.setdefault((client, s), f"n{len(nodes)}") for s in servers]
        if flow["kind"] == "chain" and ids[0] != ids[1]:
            edges.setdefault((ids[0], ids[1], "-.->"), False)
        if ids[-2] != ids[-1]:
            key = (ids[-2], ids[-1], "-->")
            edges[key] = edges.get(key, False) or _seen(observed, client, *servers[-2:])
    lines = ["flowchart LR"]
    for number, client in enumerate(sorted({c for c, _ in nodes})):
        lines.append(f'  subgraph c{number}["{_label(client)}"]')
        lines += [
            f'    {node}["{_label(name)}"]' for (c, name), node in nodes.items() if c == client
        ]
        lines.append("  end")
    red = []
    for index, ((start, end, arrow), seen) in enumerate(list(edges.items())[:MAX_EDGES]):
        lines.append(f"  {start} {'==>|observed|' if seen else arrow} {end}")
        if seen:
            red.append(str(index))
    if red:
        lines.append(f"  linkStyle {','.join(red)} stroke:#d00,stroke-width:3px")
    return "\n".join(lines)


def markdown(flows: Mapping[str, Any] | None) -> list[str]:
    """The section's lines, or none (see the module doc)."""
    if not flows:
        return []
    possible = flows["possible"]
    chains = [f for f in possible if f["kind"] == "chain"]
    out = ["## Possible and observed flows", ""]
    out.append(
        f"Before containment: {len(chains)} full chains (untrusted input → private data → "
        f"out) and {len(possible) - len(chains)} private → out pairs; containment broke "
        f"{flows['broken']}. Dotted: untrusted input; thick red: observed in transcripts."
    )
    out += ["", "```mermaid", flows["mermaid"], "```", ""]
    for seen in flows["observed"]:
        out.append(
            f"- observed: `{_label(seen['from'])}` → `{_label(seen['to'])}` (session "
            f"`{_label(str(seen['session']))}`, line {seen['line']})"
        )
    return [*out, ""] if flows["observed"] else out
