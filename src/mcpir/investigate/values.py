"""Distinctive values: what can tie one tool's output to another tool's input.

A value is distinctive when it is unlikely to appear twice by chance: a long run of token
characters that mixes letter case or digits (ids, hashes, passwords, keys), or a long line of
text (a line of source code, a sentence of a private document). Common words, short lines and
plain lower-case names never count. Findings show such values only by fingerprint.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from mcpir.core.secret import fingerprint

MIN_TOKEN = 12
MIN_LINE = 24
MAX_LINE = 400
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-.+/]{11,200}")  # MIN_TOKEN characters
_URL = re.compile(r"\bhttps?://([A-Za-z0-9.\-]+\.[A-Za-z]{2,})(?::\d+)?[^\s\"'<>)\]]*", re.I)
_EMAIL = re.compile(
    r"\b[A-Za-z0-9._%+\-]{1,64}@([A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,})\b"
)


def _entropy(text: str) -> float:
    counts = Counter(text)
    size = len(text)
    return -sum(n / size * math.log2(n / size) for n in counts.values())


_WORDY = re.compile(r"[A-Za-z0-9]{4}.*[A-Za-z0-9]{4}").search  # not a row of punctuation
_DIGIT = re.compile(r"[0-9]").search
_UPPER = re.compile(r"[A-Z]").search
_LOWER = re.compile(r"[a-z]").search


def distinctive_token(token: str) -> bool:
    """Mixes letter case, or letters and digits; random-looking (>= 3 bits a character)."""
    token = token.strip(".-_/=+@")
    if len(token) < MIN_TOKEN or "://" in token or "@" in token:
        return False
    if token.count("/") > 1 or token.count(".") > 2:
        return False  # a path or a host name: names, not values
    digit, upper, lower = _DIGIT(token), _UPPER(token), _LOWER(token)
    if not ((upper and lower) or (digit and (upper or lower))):
        return False  # a word, words run together, a number or a date
    # 3 bits a character needs more than 8 distinct characters; a short token with many
    # distinct characters is random enough without counting.
    distinct = len(set(token))
    if distinct <= 8:
        return False
    return (distinct >= 12 and len(token) <= 2 * distinct) or _entropy(token) >= 3.0


def tokens(text: str) -> Iterator[str]:
    for token in {t.strip(".-_/=+@") for t in _TOKEN.findall(text)}:
        if distinctive_token(token):
            yield token


def lines(text: str) -> Iterator[str]:
    """Long lines worth matching: code, prose. Indentation and quotes do not matter."""
    if "\n" not in text and len(text) > MAX_LINE:
        return
    for raw in text.splitlines():
        line = raw.strip().strip("\",'")
        if MIN_LINE <= len(line) <= MAX_LINE and _WORDY(line):
            yield line


def strings(value: Any, limit: int = 4096) -> Iterator[tuple[str | None, str]]:  # noqa: ANN401
    """(key, string) for every string inside a JSON value."""
    stack: list[tuple[str | None, Any]] = [(None, value)]
    seen = 0
    while stack and seen < limit:
        key, item = stack.pop()
        seen += 1
        if isinstance(item, str):
            yield key, item
        elif isinstance(item, dict):
            stack.extend((str(k), v) for k, v in reversed(list(item.items())))
        elif isinstance(item, list | tuple):
            stack.extend((key, v) for v in reversed(item))


def domains(text: str) -> Iterator[str]:
    if "://" not in text:
        return
    for match in _URL.finditer(text):
        yield match.group(1).lower().rstrip(".")


def site(domain: str) -> str:
    """The registrable part of a host name, roughly: `api.github.com` -> `github.com`,
    `a.example.co.uk` -> `example.co.uk`. Enough to tell a new site from a new subdomain."""
    labels = domain.split(".")
    keep = 3 if len(labels) > 2 and len(labels[-2]) <= 3 and len(labels[-1]) == 2 else 2
    return ".".join(labels[-keep:])


def emails(text: str) -> Iterator[str]:
    if "@" not in text:
        return
    for match in _EMAIL.finditer(text):
        yield match.group(0).lower()


def shown(value: str) -> str:
    """How a transcript value appears in a finding: its length and fingerprint, never itself."""
    return f"…({fingerprint(value)}, {len(value)} chars)"


def mask_distinctive(text: str) -> str:
    """Free text from a transcript made safe to show: every distinctive token fingerprinted."""
    return _TOKEN.sub(
        lambda m: shown(m.group()) if distinctive_token(m.group()) else m.group(), text
    )
