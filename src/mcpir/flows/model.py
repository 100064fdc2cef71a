"""What `mcpir flows` computes: each tool's capabilities with the evidence for each, and the
possible flows between the servers one client has, with what was observed of them.

A value that crosses a module boundary is one of these frozen types; `to_json` is the `--json`
contract (and what the contain step records in the incident journal).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

# Of a server or tool name kept: a config may name a server with 100k characters, and 500 flows
# of three such names made a contain-step record of 150 MB (minutes to redact, and a journal
# past its 64 MiB read limit, so the incident could no longer be read or restored).
MAX_NAME = 200


def clipped(name: str) -> str:
    """`name`, or its start and a hash of the whole when longer than `MAX_NAME`: two long
    names that start alike stay apart."""
    if len(name) <= MAX_NAME:
        return name
    import hashlib

    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{name[: MAX_NAME - 14]}…{digest}"


class Capability(enum.StrEnum):
    PRIVATE = "reads-private-data"
    UNTRUSTED = "takes-untrusted-content"
    SENDS = "sends-data-out"
    DESTRUCTIVE = "destructive"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Capability.PRIVATE: "reads private data",
    Capability.UNTRUSTED: "takes in untrusted content",
    Capability.SENDS: "can send data out",
    Capability.DESTRUCTIVE: "destructive",
}


class Confidence(enum.IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3

    @property
    def label(self) -> str:
        return self.name.lower()


class Source(enum.StrEnum):
    """Where a classification came from, strongest first as the issue orders them."""

    ANNOTATION = "annotation"  # the tool's MCP annotations (readOnlyHint…)
    LISTING = "listing"  # its live or pinned listing: names, descriptions, parameters
    CATALOG = "catalog"  # the catalog of well-known servers kept in this repository
    OBSERVED = "observed"  # tool calls seen in transcripts or invocation logs


@dataclass(frozen=True)
class Evidence:
    capability: Capability
    source: Source
    confidence: Confidence
    detail: str  # why, shown to a person: "parameter `url`", "catalog github@2025.4.8"

    def to_json(self) -> dict[str, str]:
        return {
            "capability": self.capability.value,
            "source": self.source.value,
            "confidence": self.confidence.label,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class ToolProfile:
    """One tool of one server, with every piece of evidence for each capability it has."""

    server: str
    tool: str
    evidence: tuple[Evidence, ...] = ()

    def capabilities(self) -> dict[Capability, Confidence]:
        found: dict[Capability, Confidence] = {}
        for item in self.evidence:
            found[item.capability] = max(found.get(item.capability, item.confidence),
                                         item.confidence)  # fmt: skip
        return found


@dataclass(frozen=True)
class ServerProfile:
    """A server as one client has it: its tools, classified, and where the tools were read.
    `known` is False when nothing told what the server does (no listing, no catalog entry,
    no call seen): its capabilities are unknown, not none."""

    name: str
    client: str
    enabled: bool
    tools: tuple[ToolProfile, ...]
    sources: tuple[str, ...]  # "live listing 2026-12-01T…", "pinned listing", "catalog github"
    known: bool
    project: str | None = None
    path: str = ""  # the config file that defines it, and the line
    line: int | None = None

    def with_capability(self, capability: Capability) -> list[tuple[ToolProfile, Confidence]]:
        return [
            (tool, found[capability])
            for tool in self.tools
            if capability in (found := tool.capabilities())
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "server": self.name,
            "client": self.client,
            "enabled": self.enabled,
            "project": self.project,
            "path": self.path,
            "line": self.line,
            "known": self.known,
            "sources": list(self.sources),
            "tools": [
                {
                    "tool": tool.tool,
                    "capabilities": {c.value: v.label for c, v in tool.capabilities().items()},
                    "evidence": [e.to_json() for e in tool.evidence],
                }
                for tool in self.tools
            ],
        }


@dataclass(frozen=True)
class Role:
    """One step of a flow: a server and the tools that give it that capability."""

    capability: Capability
    server: str
    tools: tuple[str, ...]
    confidence: Confidence
    evidence: tuple[Evidence, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "capability": self.capability.value,
            "server": self.server,
            "tools": list(self.tools),
            "confidence": self.confidence.label,
            "evidence": [e.to_json() for e in self.evidence],
        }


@dataclass(frozen=True)
class Observation:
    """A flow that happened: data a call returned, sent later by another call."""

    source: str  # "github.get_file_contents"
    sink: str  # "mermaid-diagrams.render_diagram"
    session: str | None
    path: str
    line: int
    time: str | None
    reader: str  # the transcript source: "claude-code", "mcpir-proxy"…
    # The servers themselves, when known: a server's name may hold a dot, so "a.b.get" does
    # not say whether server "a" or "a.b" returned the data.
    source_server: str | None = None
    sink_server: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.source,
            "to": self.sink,
            "session": self.session,
            "path": self.path,
            "line": self.line,
            "time": self.time,
            "source": self.reader,
        }


CHAIN = "chain"  # untrusted input → private data → send out
PAIR = "pair"  # private data → send out


@dataclass(frozen=True)
class Flow:
    client: str
    kind: str  # CHAIN | PAIR
    roles: tuple[Role, ...]  # in flow order
    observed: tuple[Observation, ...] = ()
    project: str | None = None

    @property
    def servers(self) -> tuple[str, ...]:
        return tuple(role.server for role in self.roles)

    @property
    def confidence(self) -> Confidence:
        return min(role.confidence for role in self.roles)

    @property
    def path(self) -> str:
        return " → ".join(role.server for role in self.roles)

    @property
    def rank(self) -> tuple[int, int, int, str, str]:
        """Sort key: observed first, then full chains, then the surer, then by name."""
        return (not self.observed, self.kind != CHAIN, -self.confidence, self.client, self.path)

    def to_json(self) -> dict[str, Any]:
        return {
            "client": self.client,
            "project": self.project,
            "kind": self.kind,
            "path": self.path,
            "confidence": self.confidence.label,
            "observed": [o.to_json() for o in self.observed],
            "roles": [role.to_json() for role in self.roles],
        }


@dataclass
class FlowReport:
    servers: list[ServerProfile] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)
    # Observed flows between servers no client here has together (or not configured any more).
    unmatched: list[Observation] = field(default_factory=list)
    transcripts_read: bool = False
    # Flows not listed: past `graph.MAX_FLOWS` in one client's project (each counted there).
    omitted: int = 0

    @property
    def chains(self) -> list[Flow]:
        return [flow for flow in self.flows if flow.kind == CHAIN]

    def unknown(self) -> list[ServerProfile]:
        return [server for server in self.servers if not server.known]
