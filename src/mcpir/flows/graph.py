"""From configs to flows: each server profiled from its evidence, then, per client, every
untrusted → private → send-out chain and every private → send-out pair among the servers that
client runs together.

A client's user, local and system servers run in every project it opens; a project's own
servers only in that project. Two servers a client never runs together never make a flow, and
servers of different clients never do.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Iterator, Sequence
from pathlib import Path

from mcpir.core.model import ConfigFile, Server
from mcpir.flows import catalog
from mcpir.flows.classify import from_listing
from mcpir.flows.listings import Listings
from mcpir.flows.model import (
    CHAIN,
    MAX_NAME,
    PAIR,
    Capability,
    Confidence,
    Evidence,
    Flow,
    FlowReport,
    Observation,
    Role,
    ServerProfile,
    ToolProfile,
    clipped,
)
from mcpir.flows.observed import Seen

# Transcript sources that are one client's, and that client as discovery names it (Kilo Code's
# servers are found as `roo`'s); the others (the audit proxy) may have been any client's.
_CLIENT_READERS = {
    "claude-code": "claude-code", "codex": "codex", "gemini": "gemini",
    "claude-desktop": "claude-desktop", "cline": "cline", "roo": "roo", "kilo": "roo",
}  # fmt: skip
# Flows listed per client and project: a config naming hundreds of servers that each read,
# take in and send made millions of chains (minutes and gigabytes, in the contain step too).
MAX_FLOWS = 2000


def _same_client(reader: str, client: str) -> bool:
    return _CLIENT_READERS.get(reader, client) == client


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
        for tool in sorted(seen.tools.get(server.name, ())):
            readers = seen.readers.get((server.name, tool), set())
            if any(_same_client(reader, server.client) for reader in readers):
                evidence = seen.evidence(server.name, tool)
                tools.setdefault(tool, []).extend(evidence)
                observed = True
        if observed:
            sources.append("tool calls in transcripts")
    name = clipped(server.name)  # bounded: it is repeated in every flow, view and record
    return ServerProfile(
        name=name,
        client=server.client,
        enabled=server.enabled,
        tools=tuple(ToolProfile(name, clipped(tool), tuple(ev)) for tool, ev in tools.items()),
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


def _server_of(label: str, exact: str | None, names: Collection[str]) -> str | None:
    """The server of a `server.tool` label: the one the transcript named, or else the longest
    configured name the label starts with (`a.b.get` is server `a.b`'s when both exist)."""
    if exact is not None:
        return server if (server := clipped(exact)) in names else None
    found: str | None = None
    for index, char in enumerate(label[: MAX_NAME + 1]):  # a longer name is clipped
        if char == "." and label[:index] in names:
            found = label[:index]
    return found


def _chains(
    untrusted: list[Role], private: list[Role], sends: list[Role], level: Confidence
) -> Iterator[tuple[str, tuple[Role, ...]]]:
    """The chains whose least sure step is `level` (those surer came before)."""
    us, ps, ss = ([r for r in roles if r.confidence >= level] for roles in (untrusted, private,
                                                                            sends))  # fmt: skip
    if not (us and ps and ss):
        return
    for u in us:
        for p in ps:
            for s in ss:
                if min(u.confidence, p.confidence, s.confidence) == level:
                    yield CHAIN, (u, p, s)


def _pairs(
    private: list[Role], sends: list[Role], level: Confidence
) -> Iterator[tuple[str, tuple[Role, ...]]]:
    ps, ss = ([r for r in roles if r.confidence >= level] for roles in (private, sends))
    for p in ps if ss else ():
        for s in ss:
            if min(p.confidence, s.confidence) == level:
                yield PAIR, (p, s)


def _flows(
    client: str, project: str | None, servers: list[ServerProfile],
    observations: Sequence[Observation],
) -> tuple[list[Flow], int]:  # fmt: skip
    """The flows among `servers`, at most `MAX_FLOWS` of them, in rank order (observed, then
    chains, then the surer), and how many more there were."""
    unique: dict[str, ServerProfile] = {}
    for server in servers:
        unique.setdefault(server.name, server)  # the same name twice: the client runs one
    untrusted, private, sends = (
        sorted(
            (r for s in unique.values() if (r := _role(s, capability)) is not None),
            key=lambda r: -r.confidence,
        )
        for capability in (Capability.UNTRUSTED, Capability.PRIVATE, Capability.SENDS)
    )
    total = len(private) * len(sends) * (len(untrusted) + 1)
    # What the transcripts show, by (private server, sink server): looked up, not searched.
    seen: dict[tuple[str, str], list[Observation]] = {}
    for o in observations:
        if _same_client(o.reader, client):
            source = _server_of(o.source, o.source_server, unique)
            sink = _server_of(o.sink, o.sink_server, unique)
            if source is not None and sink is not None:
                seen.setdefault((source, sink), []).append(o)
    out: dict[tuple[str, tuple[str, ...]], Flow] = {}
    readers, senders = ({r.server: r for r in roles} for roles in (private, sends))
    pairs = [(readers[a], senders[b]) for a, b in seen if a in readers and b in senders]
    levels = (Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW)
    generators = [
        ((CHAIN, (u, p, s)) for p, s in pairs for u in untrusted),
        ((PAIR, (p, s)) for p, s in pairs),
        *(_chains(untrusted, private, sends, level) for level in levels),
        *(_pairs(private, sends, level) for level in levels),
    ]
    for kind, steps in itertools.chain.from_iterable(generators) if total else ():
        observed = tuple(seen.get((steps[-2].server, steps[-1].server), ()))
        out.setdefault((kind, tuple(r.server for r in steps)),
                       Flow(client, kind, steps, observed, project))  # fmt: skip
        if len(out) >= MAX_FLOWS:
            break
    return list(out.values()), max(total - len(out), 0)


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
            flows, more = _flows(name, project, together, observations)
            report.omitted += more
            for flow in flows:
                found.setdefault((name, flow.kind, flow.servers), flow)
    report.flows = sorted(found.values(), key=lambda flow: flow.rank)
    marked = {id(o) for flow in report.flows for o in flow.observed}
    report.unmatched = [o for o in observations if id(o) not in marked]
    return report
