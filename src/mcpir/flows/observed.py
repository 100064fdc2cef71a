"""What transcripts and invocation logs show: flows that happened (the investigation's
cross-tool-flow detector, as `mcpir investigate` runs it), and each MCP tool's calls, whose
arguments' names are evidence of what the tool does."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from mcpir.core.paths import Scopes
from mcpir.flows.classify import from_names
from mcpir.flows.model import Capability, Confidence, Evidence, Observation, Source

MAX_ARGUMENT_NAMES = 50  # per tool: enough to classify, bounded against a hostile log
# Distinct tools kept per server: a repository's planted invocation log naming 200k tools made
# every server's profile scan them all (300 servers: 5 minutes) and every flow list them.
MAX_TOOLS_PER_SERVER = 500


@dataclass
class Seen:
    """What the transcripts show."""

    flows: list[Observation] = field(default_factory=list)
    # (server, tool) -> names of the arguments its calls were given
    calls: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    # (server, tool) -> the first call's "file:line (session)", for the evidence
    first: dict[tuple[str, str], str] = field(default_factory=dict)
    # (server, tool) -> the transcript sources that called it ("claude-code", "mcpir-proxy")
    readers: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    # server -> its tools called, in the order first seen
    tools: dict[str, list[str]] = field(default_factory=dict)
    _by_label: tuple[int, dict[str, list[Observation]]] = field(
        default=(-1, {}), init=False, repr=False, compare=False
    )

    def flows_of(self, label: str) -> list[Observation]:
        """The flows `label` (`server.tool`) took part in, looked up rather than searched."""
        count, index = self._by_label
        if count != len(self.flows):
            index = {}
            for flow in self.flows:
                index.setdefault(flow.source, []).append(flow)
                if flow.sink != flow.source:
                    index.setdefault(flow.sink, []).append(flow)
            self._by_label = (len(self.flows), index)
        return index.get(label, [])

    def evidence(self, server: str, tool: str) -> list[Evidence]:
        """A called tool's evidence: its name and arguments as the call shows them, and the
        flows it took part in (the source returned private data; the sink received it)."""
        key = (server, tool)
        if key not in self.calls:
            return []
        where = self.first[key]
        out = [
            Evidence(
                e.capability, Source.OBSERVED, e.confidence, f"{e.detail} in a call at {where}"
            )
            for e in from_names(tool, sorted(self.calls[key]), Source.OBSERVED)
        ]
        label = f"{server}.{tool}"
        for flow in self.flows_of(label):
            at = f"{Path(flow.path).name}:{flow.line}"
            if flow.sink == label:
                out.append(Evidence(Capability.SENDS, Source.OBSERVED, Confidence.MEDIUM,
                                    f"was sent data {flow.source} returned ({at})"))  # fmt: skip
            if flow.source == label:
                out.append(Evidence(Capability.PRIVATE, Source.OBSERVED, Confidence.LOW,
                                    f"returned data sent on to {flow.sink} ({at})"))  # fmt: skip
        return out


def read(scopes: Scopes, since: datetime | None) -> Seen:
    """Every transcript and invocation log under `scopes`, oldest first, as `investigate`
    reads them (the same readers and the same flow detector)."""
    from mcpir.investigate.detectors.base import Context
    from mcpir.investigate.detectors.cross_tool_flow import CrossToolFlow
    from mcpir.investigate.events import Call
    from mcpir.investigate.order import first_time
    from mcpir.investigate.readers import READERS

    ctx = Context(since)
    detector = CrossToolFlow(ctx)
    work = [(reader, path) for reader in READERS for path in reader.files(scopes)]
    work.sort(key=lambda item: (first_time(item[1]), str(item[1])))
    seen = Seen()
    for reader, path in work:
        try:
            for event in reader.read(path, lambda _n: None):
                if not isinstance(event, Call):
                    continue
                for hit in detector.feed(event, ctx.live(event.origin)):
                    if hit.flow is None or hit.finding.server is None:
                        continue  # data sent to a built-in (Bash): no server to draw
                    origin = hit.finding.location
                    sources = {s for s, t, _ in detector.sources if f"{s}.{t}" == hit.flow.source}
                    seen.flows.append(
                        Observation(
                            source=hit.flow.source,
                            sink=f"{hit.finding.server}.{hit.finding.tool}",
                            session=hit.session,
                            path=str(origin.path),
                            line=origin.line or 0,
                            time=hit.ts.isoformat() if hit.ts else None,
                            reader=event.origin.source,
                            source_server=sources.pop() if len(sources) == 1 else None,
                            sink_server=hit.finding.server,
                        )
                    )
                if event.server is not None:
                    _called(seen, event)
        except OSError:  # unreadable, or gone since listed: `investigate` says which
            continue
    return seen


def _called(seen: Seen, call: object) -> None:
    from mcpir.investigate.events import Call

    assert isinstance(call, Call) and call.server is not None  # noqa: S101
    key = (call.server, call.tool)
    if key not in seen.calls:
        known = seen.tools.setdefault(call.server, [])
        if len(known) >= MAX_TOOLS_PER_SERVER:
            return
        known.append(call.tool)
    names = seen.calls.setdefault(key, set())
    seen.readers.setdefault(key, set()).add(call.origin.source)
    if key not in seen.first:
        origin = call.origin
        seen.first[key] = f"{origin.path.name}:{origin.line}"
    if isinstance(call.arguments, dict) and len(names) < MAX_ARGUMENT_NAMES:
        names.update(str(k)[:64] for k in list(call.arguments)[:MAX_ARGUMENT_NAMES])
