"""`mcpir flows`: the exfiltration paths the servers of each client make possible, and those
that happened.

Every tool of every server is classified by capability (reads private data, takes in untrusted
content, can send data out, destructive) from, in order: its MCP annotations, its live or
pinned listing, the catalog of well-known servers (`catalog.json`), and the tool calls seen in
transcripts and invocation logs. Each classification keeps its evidence and a confidence; a
server nothing describes is unknown, never "none". Flows are then formed per client
(`graph`), and the ones the transcripts show are marked observed (`observed`).

Contract: `analyze(configs, root=…)` is offline and reads no transcript unless given what
`observed.read` found; the contain step and `posture` call it so, `mcpir flows` with both.
"""

from __future__ import annotations

from mcpir.flows.graph import analyze
from mcpir.flows.model import CHAIN, PAIR, Capability, Confidence, Flow, FlowReport

__all__ = ["CHAIN", "PAIR", "Capability", "Confidence", "Flow", "FlowReport", "analyze"]
