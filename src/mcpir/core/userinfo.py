"""Where a URL holds a password: `scheme://user:password@host`, read as urllib reads it, and
as a client that splits at the `@` reads a broken one (a raw `/` in the password)."""

from __future__ import annotations

import re

_USERINFO = re.compile(r"://[^\s/?#@:\"'<>]*:")
_TOKEN_END = re.compile(r"[\s\"'<>]")
_AUTHORITY_END = re.compile(r"[/?#]")


def _password_end(text: str, start: int, stop: int) -> int:
    """Where the password that starts at `start` ends (at its `@`), or -1: none there."""
    authority = _AUTHORITY_END.search(text, start, stop)
    host_end = authority.start() if authority else stop
    at = text.rfind("@", start, host_end)
    if at >= 0:
        return at  # as urllib reads it: the last `@` before the path
    if text[start:host_end].isdigit():
        return -1  # `host:8080/path`
    # `https://user:pa/ss@host`: a raw `/` in the password ends the authority for urllib (the
    # URL is broken), yet a client that splits at the `@` reads a password there.
    return text.rfind("@", host_end, stop)


def password_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each URL password in `text`, left to right, never overlapping."""
    spans: list[tuple[int, int]] = []
    if "://" not in text:
        return spans
    last = 0
    for match in _USERINFO.finditer(text):
        start = match.end()
        if start < last:
            continue
        found = _TOKEN_END.search(text, start)
        stop = found.start() if found else len(text)
        end = _password_end(text, start, stop)
        if end > start:
            spans.append((start, end))
            last = end
    return spans
