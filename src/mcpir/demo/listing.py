"""The demo's `mermaid-diagrams` listing, and the flows the demo shows before its response.

Alex listed the diagram server with `mcpir scan --live` the day he enabled it, so this
machine's mcpir kept what it advertised (sealed with the demo's own key, in the project's
`.atom-trail/live-listings/`): `render_diagram` publishes a diagram at a public link. With
`github` in the same client, reading a private file and sending it out was possible from then
on; `mcpir flows` says so before the incident, and marks the flow observed once a transcript
shows it.
"""

from __future__ import annotations

from typing import Any

from mcpir.core.paths import Scopes
from mcpir.core.words import plural
from mcpir.demo import content
from mcpir.demo.sandbox import Sandbox

LISTED = "2026-11-21T08:41:12Z"
TOOLS: list[dict[str, Any]] = [
    {
        "name": "render_diagram",
        "description": "Render a Mermaid diagram and publish it at a shareable public link.",
        "inputSchema": {
            "type": "object",
            "properties": {
                "title": {"type": "string"},
                "diagram": {"type": "string", "description": "Mermaid source"},
                "source": {"type": "string", "description": "Code the diagram explains"},
            },
            "required": ["diagram"],
        },
        "annotations": {"title": "Render diagram", "openWorldHint": True},
    },
    {
        "name": "share_diagram",
        "description": "Share a rendered diagram with the people you name.",
        "inputSchema": {
            "type": "object",
            "properties": {
                "diagram_id": {"type": "string"},
                "share_with": {"type": "string", "description": "e-mail address"},
                "public": {"type": "boolean"},
            },
            "required": ["diagram_id", "share_with"],
        },
        "annotations": {"title": "Share diagram", "openWorldHint": True},
    },
]


def keep_listing(sandbox: Sandbox) -> None:
    """The listing as `scan --live` keeps it; `MCPIR_HOME` must already be the demo's."""
    import calendar
    import time

    from mcpir.proxy.listings_store import ListingStore

    epoch = calendar.timegm(time.strptime(LISTED, "%Y-%m-%dT%H:%M:%SZ"))
    ListingStore(sandbox.root).save(
        server=content.POISONED_SERVER,
        client="claude-code",
        transport="stdio",
        listing={"tools": TOOLS},
        epoch=epoch,
    )


def flow_lines(scopes: Scopes) -> list[str]:
    """What `mcpir flows` finds on the demo machine, in a few lines: counts, then each
    observed flow with its session and line."""
    from mcpir.discovery import discover
    from mcpir.flows import analyze
    from mcpir.flows.findings import role_text
    from mcpir.flows.observed import read

    report = analyze(discover(scopes), root=scopes.root, seen=read(scopes, None))
    chains, clients = len(report.chains), len({flow.client for flow in report.flows})
    pairs = len(report.flows) - chains
    lines = [
        f"flows:  {plural(chains, 'full chain')} and {plural(pairs, 'pair')} possible in "
        f"{plural(clients, 'client')} (untrusted input → private data → out: mcpir flows)"
    ]
    for flow in report.flows:
        if not flow.observed or flow.kind == "chain":
            continue
        seen = flow.observed[0]
        lines.append(
            f"  observed in {flow.client}: {' → '.join(role_text(r) for r in flow.roles)}, "
            f"session {seen.session} line {seen.line}"
        )
    return lines
