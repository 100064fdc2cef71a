"""What every provider detector declares, and the helpers their checks are built from.

A provider's `pattern` is deliberately looser than its real format: anything it matches is
"shaped like" that provider's token. `validate` then applies the checksum or the strict
format. A match that fails validation is a look-alike: it is not reported, and its span is
withheld from the generic entropy rule too, so a fixture or a corrupted token is never
re-reported as "random-looking".
"""

from __future__ import annotations

import math
import random
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

Confidence = Literal["high", "medium", "low"]

# GitHub and npm use the GMP ordering (digits, upper, lower) for their base62 checksums.
BASE62: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
BASE36: Final = "0123456789abcdefghijklmnopqrstuvwxyz"
BASE64URL: Final = BASE62 + "-_"
BASE64: Final = BASE62 + "+/"
DIGITS: Final = "0123456789"
HEX: Final = "0123456789abcdef"

# Character classes for the boundaries around a token: a token that continues into a longer
# run of the same characters is part of something else (a hash, a longer id, base64 data).
ALNUM: Final = "A-Za-z0-9"
WORD: Final = "A-Za-z0-9_"
WORD_DASH: Final = r"A-Za-z0-9_\-"


def bounded(body: str, chars: str = WORD) -> re.Pattern[str]:
    """`body` found anywhere, but not as the middle of a longer run of `chars`."""
    return re.compile(rf"(?<![{chars}])(?:{body})(?![{chars}])")


def encode(number: int, alphabet: str, width: int) -> str:
    """`number` in base len(alphabet), most significant first, left-padded with alphabet[0]."""
    base = len(alphabet)
    digits: list[str] = []
    while number:
        number, rest = divmod(number, base)
        digits.append(alphabet[rest])
    return "".join(reversed(digits)).rjust(width, alphabet[0])


def crc32_base62(text: str) -> str:
    """The 6-character checksum GitHub (and npm) append to their tokens."""
    return encode(zlib.crc32(text.encode("ascii")), BASE62, 6)


def crc32_base36(text: str) -> str:
    """The 7-character checksum GitLab appends to routable tokens."""
    return encode(zlib.crc32(text.encode("ascii")), BASE36, 7)


def shannon(text: str) -> float:
    """Shannon entropy in bits per character of `text`'s own character distribution."""
    size = len(text)
    if size == 0:
        return 0.0
    # H = log2(N) - sum(c * log2 c) / N, with str.count doing the counting in C.
    spread = sum(c * math.log2(c) for c in map(text.count, set(text)))
    return math.log2(size) - spread / size


# A segment made of dictionary-ish words: `prod`, `Cluster`, `API`, `db2`, `2024`.
# Possessive: the plain form backtracks exponentially on a long uppercase run that fails.
_WORDY_SEGMENT = re.compile(r"(?:[A-Z]?[a-z]{2,}+|[A-Z]{2,}+)++[0-9]*+|[0-9]++")
_SEGMENT_SEPARATORS = re.compile(r"[-_.]+")


def word_like(text: str) -> bool:
    """True for identifiers people type (`us-east-1-prod`, `myServerName`), not generated ones."""
    parts = [p for p in _SEGMENT_SEPARATORS.split(text) if p]
    return bool(parts) and all(_WORDY_SEGMENT.fullmatch(p) for p in parts)


def looks_random(body: str) -> bool:
    """The sanity check format-only providers add: rejects `xxxx…`, `abab…` and camelCase words.

    The floor, log2(len) - 1.5 bits/char (capped at 3), sits well under what random
    strings of these lengths reach (a 20-char base62 string: 3.5 at the 0.1st percentile).
    """
    if not body:
        return False
    floor = min(3.0, math.log2(len(body)) - 1.5)
    return shannon(body) >= floor and not word_like(body)


def pick(rng: random.Random, alphabet: str, size: int) -> str:
    """`size` characters drawn from `alphabet`."""
    return "".join(rng.choice(alphabet) for _ in range(size))


def pick_random(rng: random.Random, alphabet: str, size: int) -> str:
    """Like `pick`, redrawn until it passes `looks_random` (fakes must never look fake)."""
    while True:
        body = pick(rng, alphabet, size)
        if looks_random(body):
            return body


def corrupt(rng: random.Random, text: str, start: int, alphabet: str) -> str:
    """`text` with one character at or after `start` replaced by a different one."""
    index = rng.randrange(start, len(text))
    replacement = rng.choice(alphabet.replace(text[index], ""))
    return text[:index] + replacement + text[index + 1 :]


def samples(
    fake: Callable[[random.Random], str], seed: str, templates: Sequence[str]
) -> tuple[str, ...]:
    """Each template with a freshly generated valid token in place of `{}`.

    Samples are generated rather than written out so that this repository never holds a
    contiguous, checksum-valid token for other scanners (or push protection) to trip on.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not key material
    return tuple(template.replace("{}", fake(rng)) for template in templates)


def always(confidence: Confidence) -> Callable[[str], Confidence]:
    def grade(_token: str) -> Confidence:
        return confidence

    return grade


@dataclass(frozen=True)
class Provider:
    """One kind of credential: how to find it, check it, and forge it for tests."""

    name: str
    pattern: re.Pattern[str]
    validate: Callable[[str], bool]
    fake: Callable[[random.Random], str]
    lookalike: Callable[[random.Random], str]
    good: tuple[str, ...]
    bad: tuple[str, ...]
    # Substrings one of which every match contains: a cheap gate before the regex runs.
    keywords: tuple[str, ...]
    # What `lookalike` breaks: "checksum", or the stricter format rule it violates.
    lookalike_breaks: str = "checksum"
    confidence: Callable[[str], Confidence] = always("high")
    # For tokens too generic to spot alone (an AWS secret key is any 40 base64 chars):
    # the provider runs only when this says the value or its key name vouches for it.
    context: Callable[[str, str | None], bool] | None = None
    # The key name `good`/`bad` samples (and generated tokens) are checked under.
    sample_key: str | None = None


def prefixed(
    name: str,
    prefix: str,
    charset: str,
    length: int,
    *,
    body: str,
    boundary: str = WORD,
    checksum: bool = False,
    lookalike: Callable[[random.Random], str] | None = None,
    lookalike_breaks: str | None = None,
    confidence: Callable[[str], Confidence] | None = None,
    templates: Sequence[str] = ("{}",),
    bad: tuple[str, ...] = (),
) -> Provider:
    """A token that is `prefix` and `length` characters of `charset`, found by the looser
    `body` regex after the prefix.

    With `checksum`, its last 6 characters are the base62 CRC32 of the rest (GitHub, npm) and
    a look-alike has one of them changed; without, the body must look random and a look-alike
    (unless `lookalike` says otherwise) is one or two characters too short or too long.
    """
    start, sums = len(prefix), length - 6

    def validate(token: str) -> bool:
        rest = token[start:]
        if checksum:
            return crc32_base62(rest[:sums]) == rest[sums:]
        return len(rest) == length and all(c in charset for c in rest) and looks_random(rest)

    def fake(rng: random.Random) -> str:
        if checksum:
            rest = pick(rng, charset, sums)
            return prefix + rest + crc32_base62(rest)
        return prefix + pick_random(rng, charset, length)

    def wrong_length(rng: random.Random) -> str:
        return prefix + pick(
            rng, charset, rng.choice((length - 2, length - 1, length + 1, length + 2))
        )

    def broken_checksum(rng: random.Random) -> str:
        return corrupt(rng, fake(rng), start + sums, charset)

    if lookalike is None:
        lookalike = broken_checksum if checksum else wrong_length
    if lookalike_breaks is None:
        lookalike_breaks = "checksum" if checksum else f"not {length} characters after {prefix}"
    return Provider(
        name=name,
        pattern=bounded(re.escape(prefix) + body, boundary),
        validate=validate,
        fake=fake,
        lookalike=lookalike,
        lookalike_breaks=lookalike_breaks,
        confidence=confidence or always("high"),
        keywords=(prefix,),
        good=samples(fake, name, templates),
        bad=bad,
    )
