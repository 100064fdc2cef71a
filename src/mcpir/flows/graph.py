"""From configs to flows: each server profiled from its evidence, then, per client, every
untrusted → private → send-out chain and every private → send-out pair among the servers that
client runs together.

A client's user, local and system servers run in every project it opens; a project's own
servers only in that project. Two servers a client never runs together never make a flow, and
servers of different clients never do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from mcpir.core.model import ConfigFile, Server
from mcpir.flows import catalog
from mcpir.flows.classify import from_listing
from mcpir.flows.listings import Listings
from mcpir.flows.model import (
    CHAIN,
    PAIR,
    Capability,
    Evidence,
    Flow,
    FlowReport,
    Observation,
    Role,
    ServerProfile,
    ToolProfile,
)
from mcpir.flows.observed import Seen

# Transcript sources that are a client of the same name; the others (the audit proxy) may
# have been any client's.
_CLIENT_READERS = frozenset({"claude-code", "codex", "gemini", "claude-desktop", "cline", "roo"})


def _same_client(reader: str, client: str) -> bool:
    return reader == client or reader not in _CLIENT_READERS


def profile(server: Server, listings: Listings, seen: Seen | None) -> ServerProfile:
    tools: dict[str, list[Evidence]] = {}
    sources: list[str] = []
    listed = listings.of(server.name, server.client)
    match = catalog.match(server)
    if listed is not None:
        sources.append(listed.source)
        for listed_tool in listed.tools:
            name = str(listed_tool["name"])
            tools.setdefault(name, []).extend(from_listing(listed_tool))
            if match is not None:
                tools[name].extend(match.evidence(name))
    elif match is not None:
        for name in match.entry.tools:
            tools[name] = match.evidence(name)
    if match is not None:
        sources.append(f"catalog {match.detail} ({match.entry.written_for})")
    observed = False
    if seen is not None:
        for called_server, tool in sorted(seen.calls):
            readers = seen.readers.get((called_server, tool), set())
            if called_server == server.name and any(
                _same_client(reader, server.client) for reader in readers
            ):
                evidence = seen.evidence(called_server, tool)
                tools.setdefault(tool, []).extend(evidence)
                observed = True
        if observed:
            sources.append("tool calls in transcripts")
    return ServerProfile(
        name=server.name,
        client=server.client,
        enabled=server.enabled,
        tools=tuple(ToolProfile(server.name, name, tuple(ev)) for name, ev in tools.items()),
        sources=tuple(sources),
        known=listed is not None or match is not None or observed,
        project=str(server.project) if server.project is not None else None,
        path=str(server.path),
        line=server.line,
    )


def _role(server: ServerProfile, capability: Capability) -> Role | None:
    found = server.with_capability(capability)
    if not found:
        return None
    return Role(
        capability=capability,
        server=server.name,
        tools=tuple(tool.tool for tool, _ in found),
        confidence=max(confidence for _, confidence in found),
        evidence=tuple(e for tool, _ in found for e in tool.evidence if e.capability is capability),
    )


def _contexts(servers: Sequence[ServerProfile]) -> list[tuple[str | None, list[ServerProfile]]]:
    """The sets of servers one client runs together: its global ones with each project's."""
    shared = [s for s in servers if s.project is None]
    projects = sorted({s.project for s in servers if s.project is not None})
    if not projects:
        return [(None, shared)]
    return [(p, shared + [s for s in servers if s.project == p]) for p in projects]


def _flows(client: str, project: str | None, servers: list[ServerProfile]) -> list[Flow]:
    unique: dict[str, ServerProfile] = {}
    for server in servers:
        unique.setdefault(server.name, server)  # the same name twice: the client runs one
    roles = {
        capability: [r for s in unique.values() if (r := _role(s, capability)) is not None]
        for capability in (Capability.UNTRUSTED, Capability.PRIVATE, Capability.SENDS)
    }
    out = [
        Flow(client, CHAIN, (u, p, s), project=project)
        for u in roles[Capability.UNTRUSTED]
        for p in roles[Capability.PRIVATE]
        for s in roles[Capability.SENDS]
    ]
    out += [
        Flow(client, PAIR, (p, s), project=project)
        for p in roles[Capability.PRIVATE]
        for s in roles[Capability.SENDS]
    ]
    return out


def _observe(flow: Flow, observations: Iterable[Observation]) -> Flow:
    private, sink = flow.roles[-2], flow.roles[-1]
    matched = tuple(
        o for o in observations
        if o.source.startswith(f"{private.server}.") and o.sink.startswith(f"{sink.server}.")
        and _same_client(o.reader, flow.client)
    )  # fmt: skip
    if not matched:
        return flow
    return Flow(flow.client, flow.kind, flow.roles, matched, flow.project)


def analyze(
    configs: Iterable[ConfigFile],
    *,
    root: Path | None,
    include_disabled: bool = False,
    client: str | None = None,
    seen: Seen | None = None,
) -> FlowReport:
    """Every possible flow per client among its enabled servers (`include_disabled`: and
    the disabled or contained ones, as they were before containment); `seen`: what the
    transcripts show, for evidence and `observed` marks."""
    listings = Listings(root)
    report = FlowReport(transcripts_read=seen is not None)
    by_client: dict[str, list[ServerProfile]] = {}
    for config in configs:
        if config.error is not None:
            continue
        for server in config.servers:
            if (server.enabled or include_disabled) and (client is None or server.client == client):
                by_client.setdefault(server.client, []).append(profile(server, listings, seen))
    observations = seen.flows if seen is not None else []
    found: dict[tuple[str, str, tuple[str, ...]], Flow] = {}
    for name, servers in sorted(by_client.items()):
        report.servers += servers
        for project, together in _contexts(servers):
            for flow in _flows(name, project, together):
                found.setdefault((name, flow.kind, flow.servers), _observe(flow, observations))
    report.flows = sorted(found.values(), key=lambda flow: flow.rank)
    marked = {id(o) for flow in report.flows for o in flow.observed}
    report.unmatched = [o for o in observations if id(o) not in marked]
    return report
