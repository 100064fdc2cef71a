"""The line of a key path in strict JSON, found without tree-sitter.

`positions.json_line` parses the whole file with tree-sitter and indexes every key six levels
deep: on a large config that costs ten times what `json.loads` does, to answer a few dozen
questions ("where does server X start?"). Strict JSON (what `json.loads` accepted) can be
answered lazily: only the containers on a path asked for are read, key by key, and every
value beside the path is skipped by the C scanner `json` itself uses. Each container is read
once per document and its children kept, so a file's servers cost one pass over their parent.

The answers are those of `positions.json_line` (tests/test_json_lines.py compares the two);
whatever this reader does not expect (JSONC, `NaN`) goes to tree-sitter instead.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from functools import lru_cache

from mcpir.core import positions

KeyPath = tuple[str | int, ...]

# `positions` indexes keys this many levels deep; deeper questions get the parent's line.
_MAX_DEPTH = 6


class _Unexpected(Exception):
    """Not the strict JSON this reader handles: tree-sitter answers instead."""


# Always matches (maybe nothing): `.end()` is where the next token starts.
_SKIP: Callable[[str, int], re.Match[str]] = re.compile(r"[ \t\n\r]*").match  # type: ignore[assignment]


def _refuse(constant: str) -> object:
    raise _Unexpected  # `NaN`, `Infinity`: json.loads reads them, tree-sitter does not


# The C scanner and string reader behind `json.loads`, which typeshed leaves out.
_SCAN_VALUE: Callable[[str, int], tuple[object, int]]
_SCAN_VALUE = json.JSONDecoder(parse_constant=_refuse).scan_once  # type: ignore[attr-defined]
_SCAN_STRING: Callable[[str, int], tuple[str, int]]
_SCAN_STRING = json.decoder.scanstring  # type: ignore[attr-defined]


# A key, its colon and the blanks around it; and what follows a value: a comma or the close.
# One match each per member: this loop runs for every server of every config.
_KEY = re.compile(r'"((?:[^"\\]|\\.)*+)"[ \t\n\r]*+:[ \t\n\r]*+')
_AFTER = re.compile(r"[ \t\n\r]*+([,\]}])[ \t\n\r]*+")

# A container's children: key or index -> (line of the key or item, offset of its value).
_Children = dict[str | int, tuple[int, int]]


class _Container:
    """A container read part-way (`_Lines.child`): where its reading stopped."""

    __slots__ = (
        "at", "children", "close", "done", "index", "is_object", "last", "line", "stops", "sure"
    )  # fmt: skip

    def __init__(self, text: str, at: int) -> None:
        self.children: _Children = {}
        self.sure: str | None = None  # the key its reading stopped at, its value unread
        self.stops = 0
        opener = text[at : at + 1]
        self.is_object = opener == "{"
        self.close = "}" if self.is_object else "]"
        self.line, self.last, self.index = text.count("\n", 0, at) + 1, at, 0
        self.at = _SKIP(text, at + 1).end()  # the next member
        # A scalar has no children.
        self.done = opener not in ("{", "[") or text.startswith(self.close, self.at)


# Questions into one object that may stop its reading early. Each stop costs a search of the
# rest of the text; questions for every member in turn (`mcpir servers`) read to the end.
_STOPS = 4


class _Lines:
    """One document's containers, read as questions reach them, each known by its offset.

    An object's reading stops at the key asked for when nothing after it in the text can spell
    that key again (a later duplicate wins, as in the parsers), for its first `_STOPS`
    questions: so `mcpServers`, first in a file of hundreds of servers, and the few servers a
    scan reports are found without reading every server (`benchmarks/secrets.py`). Later
    questions read the container to its end. Stopping early needs a text with no `NaN` or
    `Infinity`, which the reader refuses (and tree-sitter answers for) wherever it meets them.
    Lines are asked for when first read (`Location.found_later`), from any thread: one lock."""

    def __init__(self, text: str) -> None:
        self.text = text
        # Each container's children known so far: all of them, or, while its reading stopped
        # early (`partial`: where, to resume from), the keys it stopped at.
        self.read: dict[int, _Children] = {}
        self.partial: dict[int, _Container] = {}
        self._lock = threading.Lock()
        self.root = _SKIP(text, 0).end()
        # The last backslash (an escape could spell a key otherwise), or the text's length where
        # stopping early is never safe; found on an object's first question.
        self._escapes: int | None = None

    def child(self, at: int, key: str | int) -> tuple[int, int] | None:
        """(line, offset of the value) of member `key` of the container at offset `at`, which
        `read` could not answer for."""
        with self._lock:
            box = self.partial.get(at)
            if box is None:
                known = self.read.get(at)
                if known is not None:  # read to its end meanwhile
                    return known.get(key)
                box = _Container(self.text, at)
            stop = key if box.is_object and box.stops < _STOPS and isinstance(key, str) else None
            if stop is not None and self._may_stop() and self._members(box, stop):
                box.stops += 1
                found = box.children[key]
                # `partial` before `read`: a reader missing a key in `read` then finds it here.
                self.partial[at] = box
                self.read[at] = {**self.read.get(at, {}), key: found}
                return found
            if not box.done:
                self._members(box, None)
            self.read[at] = box.children
            self.partial.pop(at, None)
            return box.children.get(key)

    def _may_stop(self) -> bool:
        if self._escapes is None:
            text = self.text
            never = "NaN" in text or "Infinity" in text
            self._escapes = len(text) if never else text.rfind("\\")
        return self._escapes < len(self.text)

    def _members(self, box: _Container, stop: str | None) -> bool:
        """Read `box`'s members to its end, or until the key `stop` is read and is the last time
        it occurs (True: its value is left unread, so the reading resumes there). One loop, in
        locals: this runs for every server of every config."""
        text, children, close, is_object = self.text, box.children, box.close, box.is_object
        line, last, here, index = box.line, box.last, box.at, box.index
        pending, box.sure = box.sure, None
        name: str | int = ""
        try:
            while True:
                if pending is not None:  # the member whose key the last reading stopped at
                    name, value, pending = pending, here, None
                elif is_object:
                    line += text.count("\n", last, here)
                    last = here
                    key = _KEY.match(text, here)
                    if key is None:
                        raise _Unexpected
                    name = key[1]
                    if "\\" in key[1]:
                        name = _SCAN_STRING(text, here + 1)[0]
                    value = key.end()
                    if stop is not None and name == stop and self._unique(last, stop):
                        children[stop] = (line, value)
                        box.sure, here = stop, value
                        return True
                else:
                    line += text.count("\n", last, here)
                    last = value = here
                    name = index
                try:
                    _, end = _SCAN_VALUE(text, value)
                except StopIteration:
                    raise _Unexpected from None
                after = _AFTER.match(text, end)
                if after is None or after[1] not in (",", close):
                    raise _Unexpected
                # Kept once its value was read: a text refused here is refused on every question.
                children[name] = (line, value)  # a later duplicate wins, as in the parsers
                index += 1
                here = after.end()
                if after[1] == close:
                    box.done = True
                    return False
        finally:
            box.line, box.last, box.at, box.index = line, last, here, index

    def _unique(self, start: int, key: str) -> bool:
        """Whether the key read at `start` is spelt without escapes, and neither that spelling
        nor any escape (which could spell it otherwise) occurs after it."""
        text, spelt = self.text, f'"{key}"'
        return (
            self._escapes is not None
            and self._escapes < start
            and text.startswith(spelt, start)
            and text.rfind(spelt, start) == start
        )


@lru_cache(maxsize=8)
def _lines(text: str) -> _Lines:
    return _Lines(text)


def json_line(text: str, keys: KeyPath) -> int | None:
    """Line of the deepest key of `keys` that exists (a missing tail points at its parent)."""
    try:
        return _walk(_lines(text), keys)
    except (_Unexpected, ValueError, RecursionError):
        return positions.json_line(text, keys)


def _walk(lines: _Lines, keys: KeyPath) -> int | None:
    line: int | None = None
    at, read, partial = lines.root, lines.read, lines.partial
    for key in keys[:_MAX_DEPTH]:
        children = read.get(at)
        child = None if children is None else children.get(key)
        if child is None and (children is None or at in partial):
            child = lines.child(at, key)
        if child is None:
            break
        line, at = child
    return line
