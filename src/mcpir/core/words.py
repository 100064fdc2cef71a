"""Counts in sentences: "1 file", "2 files", never "1 files"."""

from __future__ import annotations


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`count` and `noun`, with `many` (default: noun + "s") unless there is exactly one."""
    return f"{count} {noun if count == 1 else many or noun + 's'}"
