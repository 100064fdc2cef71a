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


# A container's children: key or index -> (line of the key or item, offset of its value).
_Children = dict[str | int, tuple[int, int]]


class _Lines:
    """One document's containers, read as questions reach them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.read: dict[KeyPath, _Children] = {}
        self.root = _SKIP(text, 0).end()

    def children(self, path: KeyPath, at: int) -> _Children:
        known = self.read.get(path)
        if known is None:
            known = self.read[path] = self._container(at)
        return known

    def _container(self, at: int) -> _Children:
        text, skip = self.text, _SKIP
        opener = text[at : at + 1]
        if opener not in ("{", "["):
            return {}
        line = text.count("\n", 0, at) + 1
        last = at
        found: _Children = {}
        close = "}" if opener == "{" else "]"
        here = skip(text, at + 1).end()
        if text.startswith(close, here):
            return found
        index = 0
        while True:
            line += text.count("\n", last, here)
            last = here
            if opener == "{":
                if not text.startswith('"', here):
                    raise _Unexpected
                key, here = _SCAN_STRING(text, here + 1)
                here = skip(text, here).end()
                if not text.startswith(":", here):
                    raise _Unexpected
                value = skip(text, here + 1).end()
                found[key] = (line, value)  # a later duplicate wins, as in the parsers
            else:
                value = here
                found[index] = (line, value)
                index += 1
            try:
                _, here = _SCAN_VALUE(text, value)
            except StopIteration:
                raise _Unexpected from None
            here = skip(text, here).end()
            if text.startswith(close, here):
                return found
            if not text.startswith(",", here):
                raise _Unexpected
            here = skip(text, here + 1).end()


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
    at = lines.root
    for depth in range(min(len(keys), _MAX_DEPTH)):
        child = lines.children(keys[:depth], at).get(keys[depth])
        if child is None:
            break
        line, at = child
    return line
