"""The one tree-sitter JSON parser, shared by line lookup and byte-exact edits."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Parser, Tree

_PLUS_EXPONENT = re.compile(rb"(?<=[0-9][eE])\+(?=[0-9])")


@cache
def _parser() -> Parser:
    import tree_sitter_json
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_json.language()))


def parse(data: bytes) -> Tree:
    """Parse JSON/JSONC bytes. tree-sitter-json 0.24 rejects a `+` exponent (`1e+16`, as
    json.dumps writes large floats; fixed upstream in tree-sitter-json#64), so it parses a copy
    where that `+` is a `0` of the same length: no node's byte span changes."""
    if b"e+" in data or b"E+" in data:
        data = _PLUS_EXPONENT.sub(b"0", data)
    return _parser().parse(data)
