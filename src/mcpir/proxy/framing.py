"""Newline-delimited JSON-RPC framing (the MCP stdio transport): bytes in, whole lines out.

A message is one line of UTF-8 JSON ending in `\\n` and holding no raw newline. Reads may split a
message anywhere, or carry many at once; a message may be megabytes long. `LineFramer` keeps the
unfinished tail and hands back each complete line with its newline, byte for byte as read.

A line is decoded as a lenient client reads it, so that what the proxy examines (and pins, and
blocks) is what the client will see: bytes that are not UTF-8 become U+FFFD, as Node's decoder
makes them; a number longer than Python reads and JSON nested deeper than it can recurse are
kept as fingerprints (a change inside them is still a change). Lone surrogates (`"\\udead"`,
valid JSON) are kept as they are and written back escaped.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sys
from dataclasses import dataclass
from typing import Any

NEWLINE = 0x0A
DEPTH_KEPT = 100  # levels of a message nested too deep for json.loads that are kept as they are
_SURROGATE = re.compile("[\ud800-\udfff]")
# A JSON string (escapes included) or a bracket: enough to find where nesting goes too deep.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_INT_DIGITS = getattr(sys, "get_int_max_str_digits", lambda: 4300)()


def escape_surrogates(text: str) -> str:
    """JSON text (as json.dumps writes it without ensure_ascii) with each lone surrogate in its
    `\\uXXXX` form: json.loads reads the same string back, and the text can be UTF-8."""
    return _SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def dumps_line(value: Any, **options: Any) -> bytes:  # noqa: ANN401 - any JSON value
    """`value` as one line of UTF-8 JSON; non-ASCII text kept readable, lone surrogates escaped."""
    text = json.dumps(value, ensure_ascii=False, **options) + "\n"
    try:
        return text.encode()
    except UnicodeEncodeError:  # a lone surrogate: the one string UTF-8 cannot hold
        return escape_surrogates(text).encode()


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
    """One line: the decoded JSON (`value`), or why it is not a JSON-RPC message (`error`);
    `note` says how a message was read when Python could not read it as it is."""

    value: Any = None
    error: str | None = None
    blank: bool = False
    note: str | None = None


def parse_line(line: bytes) -> Parsed:
    """Decode one line; a blank line is neither a message nor an error."""
    body = line.strip()
    if not body:
        return Parsed(blank=True)
    notes: list[str] = []
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = body.decode("utf-8", "replace")
        notes.append("not UTF-8 (read with U+FFFD for the invalid bytes, as a client reads it)")
    try:
        value = _loads(text, notes)
    except ValueError as exc:
        return Parsed(error=f"not JSON: {str(exc).split(':', 1)[0]}", note="; ".join(notes) or None)
    note = "; ".join(notes) or None
    if isinstance(value, dict):
        return Parsed(value, note=note)
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        return Parsed(value, note=note)
    return Parsed(error="not a JSON-RPC message or batch", note=note)


def _loads(text: str, notes: list[str]) -> Any:  # noqa: ANN401 - any JSON value
    # JavaScript reads what Python refuses here (JSON.parse has no depth or digit limit): a
    # message the proxy gave up on would reach the client unexamined.
    options: dict[str, Any] = {}
    flattened = False
    while True:
        try:
            return json.loads(text, **options)
        except RecursionError:
            if flattened:
                raise ValueError("nested too deep") from None
            text, flattened = _flatten(text, DEPTH_KEPT), True
            notes.append(f"nested deeper than {DEPTH_KEPT} levels (kept below as fingerprints)")
        except ValueError as exc:
            if options or "integer string conversion" not in str(exc):
                raise
            options = {"parse_int": _long_int}
            notes.append(f"a number of more than {_INT_DIGITS} digits (kept as a fingerprint)")


def _fingerprinted(what: str, text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"…({what}: {len(text)} characters, sha256:{digest})"


def _long_int(digits: str) -> int | str:
    if len(digits.lstrip("-")) <= _INT_DIGITS or not _INT_DIGITS:
        return int(digits)
    return _fingerprinted("a number too long", digits)


def _flatten(text: str, depth: int) -> str:
    """JSON text with every value nested deeper than `depth` replaced by a string that names
    it by its fingerprint."""
    out: list[str] = []
    level, start, cut = 0, 0, -1
    for match in _TOKEN.finditer(text):
        mark = match.group()
        if mark[0] == '"':
            continue
        if mark in "[{":
            level += 1
            if level == depth + 1:
                out.append(text[start : match.start()])
                cut = match.start()
        else:
            if level == depth + 1 and cut >= 0:
                deep = text[cut : match.end()]
                out.append(json.dumps(_fingerprinted("nested too deep", deep), ensure_ascii=False))
                start, cut = match.end(), -1
            level -= 1
    out.append(text[start:] if cut < 0 else text[cut:])
    return "".join(out)


def kind_of(message: dict[str, Any]) -> str:
    """One of "request", "notification", "response" or "invalid"."""
    if isinstance(message.get("method"), str):
        return "request" if "id" in message and message["id"] is not None else "notification"
    if "id" in message and ("result" in message or "error" in message):
        return "response"
    return "invalid"


def id_key(value: Any) -> tuple[str, Any] | None:  # noqa: ANN401 - any JSON id
    """A dict key for a JSON-RPC id: 1 and "1" are different requests. Any JSON value has one
    (an object or a list too: such a request is still logged); null has none."""
    if value is None:
        return None
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | str):
        return (type(value).__name__, value)
    if isinstance(value, float):
        return ("float", repr(value))  # NaN is not equal to itself; its text is
    try:
        return ("json", json.dumps(value, sort_keys=True, default=str))
    except (ValueError, RecursionError):
        return ("repr", repr(value))


def loose_id(value: Any) -> int | None:  # noqa: ANN401 - any JSON id
    """The integer request id a client that pairs answers by `Number(id)` (the TypeScript SDK)
    reads in a string or float id: "1", " 1 ", "0x1" and 1.0 all answer request 1."""
    if isinstance(value, float):
        number = value
    elif isinstance(value, str):
        text = value.strip().strip("\ufeff").strip()
        if not text:
            return 0
        try:
            if text[:2].lower() in ("0x", "0o", "0b"):
                return int(text, 0)
            number = float(text)
        except ValueError:
            return None
    else:
        return None
    return int(number) if math.isfinite(number) and number == int(number) else None
