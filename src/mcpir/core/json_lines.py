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


class _Lines:
    """One document's containers, read as questions reach them, each known by its offset."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.read: dict[int, _Children] = {}
        self.root = _SKIP(text, 0).end()

    def container(self, at: int) -> _Children:
        """The children of the container at offset `at`; none for a scalar."""
        text = self.text
        opener = text[at : at + 1]
        if opener not in ("{", "["):
            return {}
        is_object = opener == "{"
        close = "}" if is_object else "]"
        line, last = text.count("\n", 0, at) + 1, at
        found: _Children = {}
        here = _SKIP(text, at + 1).end()
        if text.startswith(close, here):
            return found
        index = 0
        while True:
            line += text.count("\n", last, here)
            last = here
            if is_object:
                key = _KEY.match(text, here)
                if key is None:
                    raise _Unexpected
                name = key[1]
                if "\\" in name:
                    name = _SCAN_STRING(text, here + 1)[0]
                value = key.end()
                found[name] = (line, value)  # a later duplicate wins, as in the parsers
            else:
                value = here
                found[index] = (line, value)
                index += 1
            try:
                _, end = _SCAN_VALUE(text, value)
            except StopIteration:
                raise _Unexpected from None
            after = _AFTER.match(text, end)
            if after is None:
                raise _Unexpected
            if after[1] == close:
                return found
            if after[1] != ",":
                raise _Unexpected
            here = after.end()


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
    at, read = lines.root, lines.read
    for key in keys[:_MAX_DEPTH]:
        children = read.get(at)
        if children is None:
            children = read[at] = lines.container(at)
        child = children.get(key)
        if child is None:
            break
        line, at = child
    return line
