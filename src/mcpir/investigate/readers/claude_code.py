"""Claude Code: `~/.claude/projects/<slug>/<sessionId>.jsonl` (and subagents' transcripts).

One JSON object per line. A call is an assistant line whose `message.content[]` holds
`{"type": "tool_use", "id", "name": "mcp__<server>__<tool>", "input"}`; its result is a later
user line with `{"type": "tool_result", "tool_use_id", "content", "is_error"}`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mcpir.core.paths import Scopes
from mcpir.investigate.events import (
    Call,
    Event,
    Malformed,
    Message,
    Origin,
    parse_ts,
    split_mcp_name,
    text_of,
)
from mcpir.investigate.readers.base import Progress, client_files, jsonl_events

PATTERNS = ("projects/*/*.jsonl", "projects/*/*/subagents/agent-*.jsonl")


class ClaudeCode:
    name = "claude-code"

    def files(self, scopes: Scopes) -> list[Path]:
        return client_files(scopes, ".claude", "CLAUDE_CONFIG_DIR", PATTERNS)

    def read(self, path: Path, progress: Progress) -> Iterator[Event]:
        pending: dict[str, Call] = {}

        def line(number: int, record: dict[str, Any]) -> Iterator[Event]:
            message = record.get("message")
            content = message.get("content") if isinstance(message, dict) else None
            if not isinstance(content, list):
                return
            session = record.get("sessionId")
            origin = Origin(
                self.name,
                path,
                number,
                str(session) if session else path.stem,
                parse_ts(record.get("timestamp")),
            )
            yield from self._blocks(record.get("type"), content, origin, pending)

        yield from jsonl_events(path, self.name, progress, line)
        # Calls whose result never came (an interrupted session) still happened.
        yield from pending.values()

    def _blocks(
        self,
        kind: Any,
        content: list[Any],
        origin: Origin,
        pending: dict[str, Call],  # noqa: ANN401
    ) -> Iterator[Event]:
        for block in content:
            if not isinstance(block, dict):
                continue
            btype = block.get("type")
            if kind == "assistant" and btype == "tool_use":
                name = block.get("name")
                if not isinstance(name, str):
                    yield Malformed(origin, "tool_use without a name")
                    continue
                server, tool = split_mcp_name(name)
                call_id = str(block.get("id") or f"line-{origin.line}")
                pending[call_id] = Call(origin, tool, server, block.get("input"), call_id=call_id)
            elif kind == "assistant" and btype == "text" and isinstance(block.get("text"), str):
                yield Message(origin, block["text"])
            elif btype == "tool_result":
                call = pending.pop(str(block.get("tool_use_id")), None)
                if call is None:
                    continue  # a result for a call outside this file (or none): nothing to link
                yield Call(
                    call.origin,
                    call.tool,
                    call.server,
                    call.arguments,
                    text_of(block.get("content")),
                    bool(block.get("is_error")),
                    call.call_id,
                )


READER = ClaudeCode()
