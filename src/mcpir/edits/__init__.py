"""Minimal in-place edits of config text: change only the bytes an incident step needs.

The files that containment edits also hold a user's other settings, comments and layout, so
every edit is a splice into the original text, never a re-serialisation. Each function is pure
(text in, text out) and checks its own result: it re-parses the output and compares it with the
original value with exactly the one change applied, and raises `EditError` rather than return
a file that a client could no longer read, or would read differently.

The parsers each format needs (tree-sitter, tomlkit, PyYAML) load on the first edit, not here.
"""

from __future__ import annotations

from mcpir.edits._common import EditError, KeyPath
from mcpir.edits.jsonc import json_add_to_list, json_rename_key, json_set_member
from mcpir.edits.toml import toml_rename_table, toml_set
from mcpir.edits.yaml import yaml_rename_key

__all__ = [
    "EditError",
    "KeyPath",
    "changed_spans",
    "json_add_to_list",
    "json_rename_key",
    "json_set_member",
    "toml_rename_table",
    "toml_set",
    "yaml_rename_key",
]


def _common_prefix(a: str, b: str) -> int:
    # Slice comparison runs in C: a binary search beats a Python loop on a 5 MiB file.
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(a: str, b: str, limit: int) -> int:
    low, high = 0, min(len(a), len(b), limit)
    while low < high:
        middle = (low + high + 1) // 2
        if a[len(a) - middle :] == b[len(b) - middle :]:
            low = middle
        else:
            high = middle - 1
    return low


def changed_spans(before: str, after: str) -> list[tuple[int, int]]:
    """Character spans of `before` that `after` replaced, deleted or inserted at.

    Each span is `(start, end)`, end exclusive; an insertion is an empty span at the point where
    text was added. Everything outside the spans is identical in both texts.
    """
    prefix = _common_prefix(before, after)
    suffix = _common_suffix(before, after, min(len(before), len(after)) - prefix)
    old, new = before[prefix : len(before) - suffix], after[prefix : len(after) - suffix]
    if not old and not new:
        return []
    import difflib

    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return [
        (prefix + i1, prefix + i2) for tag, i1, i2, _, _ in matcher.get_opcodes() if tag != "equal"
    ]
