"""Where things are in TOML text: every header and `key = value`, with spans of its parts.

Only ever given text that tomllib has accepted, so it follows the grammar without judging it:
strings (all four kinds), arrays over several lines, inline tables, comments, CRLF.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass

from mcpir.edits._common import EditError

TablePath = tuple[str, ...]
Span = tuple[int, int]

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR = re.compile(r"[^\s,\]}#]+")
_DATE_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:")


@dataclass(frozen=True)
class Entry:
    """A `key = value` line, or a `[header]` line (whose value span is then empty)."""

    section: TablePath  # the keys of the header it is written under
    path: TablePath  # absolute: the section's keys, then the entry's dotted keys
    line: int  # start of its line
    keys: tuple[Span, ...]  # where each written key part is: the header's, or the dotted key's
    value: Span
    line_end: int  # where its line break starts
    header: bool = False
    array: bool = False

    @property
    def key_end(self) -> int:
        return self.keys[-1][1]

    def inline(self, s: str) -> bool:
        return not self.header and s.startswith("{", self.value[0])


def blanks(s: str, i: int, newlines: bool = False) -> int:
    while i < len(s):
        if s[i] in " \t" or (newlines and s[i] in "\r\n"):
            i += 1
        elif newlines and s[i] == "#":
            i = end_of_line(s, i)
        else:
            break
    return i


def end_of_line(s: str, i: int) -> int:
    """Where the line break after `i` starts, past blanks and a comment."""
    i = blanks(s, i)
    if i < len(s) and s[i] == "#":
        found = s.find("\n", i)
        i = len(s) if found < 0 else found
    elif i < len(s) and s[i] not in "\r\n":
        raise EditError(f"line {s.count(chr(10), 0, i) + 1}: unexpected text after a value")
    return i - 1 if i < len(s) and i > 0 and s[i] == "\n" and s[i - 1] == "\r" else i


def _string_end(s: str, i: int) -> int:
    quote = s[i]
    delimiter = quote * 3 if s.startswith(quote * 3, i) else quote
    j = i + len(delimiter)
    while j < len(s):
        if s[j] == "\\" and quote == '"':
            j += 2
        elif s.startswith(delimiter, j):
            end = j + len(delimiter)
            # A multi-line string may end in one or two quotes of its own: `""""` closes it.
            while len(delimiter) == 3 and end < len(s) and s[end] == quote and end - j < 5:
                end += 1
            return end
        else:
            j += 1
    raise EditError("unterminated string")


def keys_at(s: str, i: int) -> tuple[TablePath, tuple[Span, ...]]:
    """A dotted key at `i`, decoded, and the span of each of its parts."""
    parts: list[str] = []
    spans: list[Span] = []
    while True:
        i = blanks(s, i)
        if i < len(s) and s[i] in "\"'":
            end = _string_end(s, i)
            parts.extend(tomllib.loads(f"{s[i:end]} = 0"))
        elif bare := _BARE.match(s, i):
            end = bare.end()
            parts.append(bare.group())
        else:
            raise EditError(f"line {s.count(chr(10), 0, i) + 1}: expected a key")
        spans.append((i, end))
        i = blanks(s, end)
        if i >= len(s) or s[i] != ".":
            return tuple(parts), tuple(spans)
        i += 1


def _value_end(s: str, i: int) -> int:
    if i < len(s) and s[i] in "\"'":
        return _string_end(s, i)
    if i < len(s) and s[i] in "[{":
        close = "]" if s[i] == "[" else "}"
        i += 1
        while True:
            i = blanks(s, i, newlines=True)
            if i >= len(s):
                raise EditError(f"unclosed {close}")
            if s[i] == close:
                return i + 1
            if s[i] == ",":
                i += 1
            elif close == "}":
                i = keys_at(s, i)[1][-1][1]
                i = _value_end(s, blanks(s, blanks(s, i) + 1))
            else:
                i = _value_end(s, i)
    scalar = _SCALAR.match(s, i)
    if scalar is None:
        raise EditError(f"line {s.count(chr(10), 0, i) + 1}: expected a value")
    if _DATE_TIME.match(s, i):  # `1979-05-27 07:32:00`: TOML lets a space join date and time
        scalar = _SCALAR.match(s, scalar.end() + 1) or scalar
    return scalar.end()


def scan(s: str) -> list[Entry]:
    """Every header and `key = value` line of a document, in order."""
    entries: list[Entry] = []
    section: TablePath = ()
    i = 0
    while i < len(s):
        start = i
        i = blanks(s, i)
        if i < len(s) and s[i] not in "#\r\n":
            if s[i] == "[":
                array = s.startswith("[[", i)
                section, spans = keys_at(s, i + 1 + array)
                end = blanks(s, spans[-1][1]) + 1 + array
                entry = Entry(section, section, start, spans, (end, end), end_of_line(s, end))
                entry = dataclasses.replace(entry, header=True, array=array)
            else:
                keys, spans = keys_at(s, i)
                first = blanks(s, blanks(s, spans[-1][1]) + 1)
                last = _value_end(s, first)
                after = end_of_line(s, last)
                entry = Entry(section, section + keys, start, spans, (first, last), after)
            entries.append(entry)
            i = entry.line_end
        found = s.find("\n", end_of_line(s, i))
        i = len(s) if found < 0 else found + 1
    return entries


def inline_members(s: str, entry: Entry) -> tuple[list[Entry], int]:
    """The `key = value` members of an inline table, and where its `}` is."""
    members: list[Entry] = []
    i = entry.value[0] + 1
    while True:
        i = blanks(s, i, newlines=True)
        if s[i] == "}":
            return members, i
        if s[i] == ",":
            i += 1
            continue
        keys, spans = keys_at(s, i)
        first = blanks(s, blanks(s, spans[-1][1]) + 1)
        end = _value_end(s, first)
        members.append(Entry(entry.path, entry.path + keys, i, spans, (first, end), end))
        i = end
