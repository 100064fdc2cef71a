"""Where a URL holds a password: `scheme://user:password@host`, read as urllib reads it, and
as a client that splits at the `@` reads a broken one (a raw `/` in the password)."""

from __future__ import annotations

import re

_USERINFO = re.compile(r"://[^\s/?#@:\"'<>]*:")
_TOKEN_END = re.compile(r"[\s\"'<>]")
_AUTHORITY_END = re.compile(r"[/?#]")


def _password_end(text: str, start: int, stop: int, last_at: int) -> int:
    """Where the password that starts at `start` ends (at its `@`), or -1: none there.
    `last_at`: the last `@` before `stop` (found once per word: one search per URL in a long
    word of URLs took quadratic time)."""
    authority = _AUTHORITY_END.search(text, start, stop)
    host_end = authority.start() if authority else stop
    at = text.rfind("@", start, host_end)
    if at >= 0:
        return at  # as urllib reads it: the last `@` before the path
    if text[start:host_end].isdigit():
        return -1  # `host:8080/path`
    # `https://user:pa/ss@host`: a raw `/` in the password ends the authority for urllib (the
    # URL is broken), yet a client that splits at the `@` reads a password there.
    return last_at if last_at >= host_end else -1


def password_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each URL password in `text`, left to right, never overlapping."""
    spans: list[tuple[int, int]] = []
    if "://" not in text:
        return spans
    last = 0
    stop = last_at = -1
    for match in _USERINFO.finditer(text):
        start = match.end()
        if start < last:
            continue
        if start > stop:  # a new word: where it ends, and its last `@`
            found = _TOKEN_END.search(text, start)
            stop = found.start() if found else len(text)
            last_at = text.rfind("@", start, stop)
        end = _password_end(text, start, stop, last_at)
        if end > start:
            spans.append((start, end))
            last = end
    return spans
