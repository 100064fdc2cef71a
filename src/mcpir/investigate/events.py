"""The common event model every transcript reader produces and every detector consumes.

Events hold what a transcript says, secrets included, in memory only: nothing here is printed
or written. Findings built from them show values by fingerprint (`mcpir.investigate.values`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mcpir.core.model import Location


@dataclass(frozen=True)
class Origin:
    """Where an event was read: the client, the file and line, the session and the time."""

    source: str  # "claude-code", "codex", "gemini", "claude-desktop", "mcpir-proxy"
    path: Path
    line: int
    session: str | None = None
    ts: datetime | None = None

    @property
    def location(self) -> Location:
        return Location(self.path, self.line)


@dataclass(frozen=True)
class Call:
    """One tool call and its result. `server` is None for a client's built-in tool (Bash…)."""

    origin: Origin
    tool: str
    server: str | None
    arguments: Any = None  # JSON value as the transcript holds it
    result: str | None = None  # the result's text, None when no result was recorded
    is_error: bool = False
    call_id: str | None = None
    method: str = "tools/call"


@dataclass(frozen=True)
class Message:
    """Text the assistant wrote (not a tool call)."""

    origin: Origin
    text: str


@dataclass(frozen=True)
class ToolChange:
    """A server's tool definition that changed since it was pinned (mcpir's proxy log)."""

    origin: Origin
    server: str
    tool: str | None
    change: str  # "added" | "removed" | "changed"
    before: str | None
    after: str | None
    rules: tuple[str, ...] = ()
    blocked: bool = False


@dataclass(frozen=True)
class Malformed:
    """A line (or file) a reader could not understand; reported and skipped."""

    origin: Origin
    reason: str


Event = Call | Message | ToolChange | Malformed


@dataclass
class Problems:
    """Malformed input, counted, with the first place it was seen."""

    count: int = 0
    first: Location | None = None
    first_reason: str = ""
    by_source: dict[str, int] = field(default_factory=dict)

    def add(self, event: Malformed) -> None:
        self.count += 1
        self.by_source[event.origin.source] = self.by_source.get(event.origin.source, 0) + 1
        if self.first is None:
            self.first = event.origin.location
            self.first_reason = event.reason


def parse_ts(value: Any) -> datetime | None:  # noqa: ANN401
    """An ISO 8601 timestamp (`Z` or an offset; naive means UTC), or epoch seconds/millis."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


_STRUCTURE = frozenset({"type", "mimeType", "encoding"})


def text_of(value: Any, limit: int = 1 << 20) -> str:  # noqa: ANN401
    """Every string inside a JSON value (content blocks, nested results), joined by newlines."""
    parts: list[str] = []
    size = 0
    stack = [value]
    while stack and size < limit:
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
            size += len(item)
        elif isinstance(item, dict):
            # A content block's "type" ("text", "image") is structure, not content.
            stack.extend(reversed([v for k, v in item.items() if k not in _STRUCTURE]))
        elif isinstance(item, list | tuple):
            stack.extend(reversed(item))
    return "\n".join(parts)[:limit]


def split_mcp_name(name: str) -> tuple[str | None, str]:
    """`mcp__<server>__<tool>` (Claude Code, Codex) -> (server, tool); anything else is built in."""
    if name.startswith("mcp__"):
        server, sep, tool = name[5:].partition("__")
        if sep and server and tool:
            return server, tool
    return None, name
