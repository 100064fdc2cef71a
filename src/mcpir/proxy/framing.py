"""Newline-delimited JSON-RPC framing (the MCP stdio transport): bytes in, whole lines out.

A message is one line of UTF-8 JSON ending in `\\n` and holding no raw newline. Reads may split a
message anywhere, or carry many at once; a message may be megabytes long. `LineFramer` keeps the
unfinished tail and hands back each complete line with its newline, byte for byte as read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

NEWLINE = 0x0A


class LineFramer:
    """Split a byte stream into lines; `tail()` is what is left when the stream ends."""

    __slots__ = ("_buffer", "_scanned")

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._scanned = 0  # bytes of the buffer already known to hold no newline

    def feed(self, data: bytes) -> list[bytes]:
        """The complete lines `data` finishes (each ending in b"\\n"), oldest first."""
        if not self._buffer:
            # The common case: whole messages in one read, no copy of a pending tail.
            end = data.rfind(b"\n")
            if end < 0:
                self._buffer += data
                self._scanned = len(data)
                return []
            lines = data[: end + 1].splitlines(keepends=True)
            if end + 1 < len(data):
                self._buffer += data[end + 1 :]
                self._scanned = len(self._buffer)
            return _only_newline_ends(lines)
        self._buffer += data
        end = self._buffer.rfind(b"\n", self._scanned)
        if end < 0:
            self._scanned = len(self._buffer)
            return []
        chunk = bytes(self._buffer[: end + 1])
        del self._buffer[: end + 1]
        self._scanned = len(self._buffer)
        return _only_newline_ends(chunk.splitlines(keepends=True))

    def tail(self) -> bytes:
        """The unfinished last line (no newline yet), and forget it."""
        rest = bytes(self._buffer)
        self._buffer.clear()
        self._scanned = 0
        return rest


def _only_newline_ends(lines: list[bytes]) -> list[bytes]:
    # bytes.splitlines also breaks at \r alone (and \x0b, \x0c, \x1c-\x1e): only \n ends a line.
    if all(line.endswith(b"\n") for line in lines):
        return lines
    out: list[bytes] = []
    pending = b""
    for line in lines:
        pending += line
        if pending.endswith(b"\n"):
            out.append(pending)
            pending = b""
    if pending:  # cannot happen: the chunk ends in \n
        out.append(pending)
    return out


@dataclass(frozen=True)
class Parsed:
    """One line: the decoded JSON (`value`), or why it is not a JSON-RPC message (`error`)."""

    value: Any = None
    error: str | None = None
    blank: bool = False


def parse_line(line: bytes) -> Parsed:
    """Decode one line; a blank line is neither a message nor an error."""
    body = line.strip()
    if not body:
        return Parsed(blank=True)
    try:
        value = json.loads(body)
    except UnicodeDecodeError:
        return Parsed(error="not UTF-8")
    except ValueError as exc:
        return Parsed(error=f"not JSON: {str(exc).split(':', 1)[0]}")
    if isinstance(value, dict):
        return Parsed(value)
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        return Parsed(value)
    return Parsed(error="not a JSON-RPC message or batch")


def kind_of(message: dict[str, Any]) -> str:
    """One of "request", "notification", "response" or "invalid"."""
    if isinstance(message.get("method"), str):
        return "request" if "id" in message and message["id"] is not None else "notification"
    if "id" in message and ("result" in message or "error" in message):
        return "response"
    return "invalid"


def id_key(value: Any) -> tuple[str, Any] | None:  # noqa: ANN401 - any JSON id
    """A dict key for a JSON-RPC id: 1 and "1" are different requests."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | str):
        return (type(value).__name__, value)
    if isinstance(value, float):
        return ("float", value)
    return None
