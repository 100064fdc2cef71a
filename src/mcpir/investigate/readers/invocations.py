"""mcpir's own invocation log, written by `mcpir proxy`: `<root>/.atom-trail/mcp-invocations/`.

`YYYY-MM-DD.jsonl`, version 1 records: `call` (a request and its response summary, params
already redacted), `notification`, and `tool_changed` (a tool's definition differs from its
pin). See the README's "MCP invocation log".
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from mcpir.core.paths import Scopes
from mcpir.incident.store import TRAIL
from mcpir.investigate.events import Call, Event, Malformed, Origin, ToolChange, parse_ts
from mcpir.investigate.readers.base import Progress, jsonl_events, regular_files

DIRECTORY = "mcp-invocations"
# Requests that carry data to or from a server: what the detectors look at.
DATA_METHODS = frozenset({"tools/call", "resources/read", "prompts/get", "completion/complete"})


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


class Invocations:
    name = "mcpir-proxy"

    def files(self, scopes: Scopes) -> list[Path]:
        if scopes.root is None:
            return []
        base = scopes.root / TRAIL / DIRECTORY
        return regular_files(base, ("*.jsonl",), scopes.root)

    def read(self, path: Path, progress: Progress) -> Iterator[Event]:
        return jsonl_events(path, self.name, progress, partial(self._line, path))

    def _line(self, path: Path, number: int, record: dict[str, Any]) -> Iterator[Event]:
        origin = Origin(
            self.name, path, number, _str(record.get("session")), parse_ts(record.get("ts"))
        )
        if record.get("v") != 1:
            yield Malformed(origin, f"unsupported record version {record.get('v')!r}")
            return
        kind, server = record.get("type"), _str(record.get("server"))
        if server is None or origin.ts is None:
            yield Malformed(origin, "record without a server or a time")
            return
        if kind == "call" and record.get("method") not in DATA_METHODS:
            return  # initialize, tools/list, ping: the protocol's own traffic
        if kind == "call":
            summary = record.get("response_summary")
            excerpt = _str(summary.get("excerpt")) if isinstance(summary, dict) else None
            method = _str(record.get("method")) or "?"
            yield Call(
                origin,
                _str(record.get("tool")) or method,
                server,
                record.get("params", {}).get("arguments")
                if isinstance(record.get("params"), dict) and method == "tools/call"
                else record.get("params"),
                excerpt,
                bool(record.get("is_error")),
                str(record.get("id")),
                method,
            )
        elif kind == "tool_changed":
            findings = record.get("findings")
            yield ToolChange(
                origin,
                server,
                _str(record.get("tool")),
                _str(record.get("change")) or "changed",
                _str(record.get("before")),
                _str(record.get("after")),
                tuple(str(f) for f in findings) if isinstance(findings, list) else (),
                bool(record.get("blocked")),
            )
        elif kind != "notification":
            yield Malformed(origin, f"unknown record type {kind!r}")


READER = Invocations()
