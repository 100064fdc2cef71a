"""What every provider detector declares, and the helpers their checks are built from.

A provider's `pattern` is deliberately looser than its real format: anything it matches is
"shaped like" that provider's token. `validate` then applies the checksum or the strict
format. A match that fails validation is a look-alike: it is not reported, and its span is
withheld from the generic entropy rule too, so a fixture or a corrupted token is never
re-reported as "random-looking".

Most providers are declared with `variants`: each shape a prefix followed by literals and
runs of given characters and lengths (`variant`), from which the strict check, the fakes and
the look-alikes all follow.
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
class Run:
    """Characters of `charset`, any of `sizes` long (`range(24, 100)`: 24 to 99). A token's
    `random` runs, taken together, must pass `looks_random`."""

    charset: str
    sizes: int | range | tuple[int, ...]
    random: bool = False

    def lengths(self) -> Sequence[int]:
        return (self.sizes,) if isinstance(self.sizes, int) else self.sizes

    def regex(self) -> str:
        chars, sizes = f"[{re.escape(self.charset)}]", self.lengths()
        if isinstance(sizes, range) and sizes.step == 1 and len(sizes) > 1:
            run = f"{chars}{{{sizes.start},{sizes.stop - 1}}}"
        else:
            # In the order given: where a token splits two ways, the first size that fits wins.
            run = "(?:" + "|".join(f"{chars}{{{size}}}" for size in sizes) + ")"
        return f"({run})" if self.random else run


@dataclass(frozen=True)
class Variant:
    """One shape a provider's tokens take, and the confidence a token of that shape earns."""

    prefix: str
    valid: Callable[[str], bool]
    # A token of this shape, not yet checked: a random run may still fail `looks_random`.
    draw: Callable[[random.Random], str]
    confidence: Confidence = "high"
    # How often fakes take this shape, against the provider's other variants.
    weight: int = 1
    # Its last 6 characters are a CRC: what a look-alike breaks when no `near` shape is given.
    checksum: bool = False
    # A draw at the least length the shape allows, so one character fewer is no token; None
    # where no length is checked (a JWT's signature).
    least: Callable[[random.Random], str] | None = None


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
    # The shapes a `variants` provider declares; empty for one written by hand.
    variants: tuple[Variant, ...] = ()


def variant(
    prefix: str,
    *parts: str | Run,
    confidence: Confidence = "high",
    weight: int = 1,
    checksum: bool = False,
) -> Variant:
    """`prefix`, then literals and runs in order; with `checksum`, 6 more characters: the
    base62 CRC32 of all after the prefix (GitHub, npm)."""
    pieces = [re.escape(p) if isinstance(p, str) else p.regex() for p in parts]
    strict = re.compile(re.escape(prefix) + "".join(pieces) + (f"[{BASE62}]{{6}}" * checksum))
    start = len(prefix)

    def valid(token: str) -> bool:
        match = strict.fullmatch(token)
        if match is None or checksum and crc32_base62(token[start:-6]) != token[-6:]:
            return False
        randoms = match.groups()
        return not randoms or looks_random("".join(randoms))

    def drawn(rng: random.Random, shortest: bool) -> str:
        body = "".join(
            p if isinstance(p, str) else pick(rng, p.charset, _size(rng, p.lengths(), shortest))
            for p in parts
        )
        return prefix + body + (crc32_base62(body) if checksum else "")

    return Variant(
        prefix=prefix,
        valid=valid,
        draw=lambda rng: drawn(rng, False),
        least=lambda rng: drawn(rng, True),
        confidence=confidence,
        weight=weight,
        checksum=checksum,
    )


def structured(
    prefix: str,
    valid: Callable[[str], bool],
    make: Callable[[random.Random], str],
    *,
    confidence: Confidence = "high",
    weight: int = 1,
) -> Variant:
    """A shape whose check no layout can state (a JWT's header, a CRC over the prefix)."""
    return Variant(prefix, valid, make, confidence, weight)


def _size(rng: random.Random, sizes: Sequence[int], shortest: bool) -> int:
    if shortest:
        return min(sizes)
    # A single size draws nothing, so a one-size format's fakes stay what its seed made them.
    return sizes[0] if len(sizes) == 1 else rng.choice(sizes)


def _choose(rng: random.Random, shapes: Sequence[Variant]) -> Variant:
    if len(shapes) == 1:
        return shapes[0]
    return rng.choices(shapes, [shape.weight for shape in shapes])[0]


def variants(
    name: str,
    pattern: re.Pattern[str],
    *shapes: Variant,
    keywords: tuple[str, ...] | None = None,
    placeholders: tuple[str, ...] = (),
    near: Sequence[Variant] = (),
    lookalike: Callable[[random.Random], str] | None = None,
    lookalike_breaks: str = "checksum",
    templates: Sequence[str] = ("{}",),
    known: tuple[str, ...] = (),
    bad: tuple[str, ...] = (),
) -> Provider:
    """A provider whose tokens are any of `shapes`, found by the looser `pattern`.

    `keywords` default to the shapes' prefixes; a token holding one of `placeholders` is a
    documentation example. A look-alike is `lookalike`'s, else a draw from the `near` shapes
    that no shape accepts, else a token with one checksum character changed. `known` are
    good samples from elsewhere (a vendor's examples); the rest are generated.
    """

    def validate(token: str) -> bool:
        if any(p in token for p in placeholders):
            return False
        return any(s.valid(token) for s in shapes if token.startswith(s.prefix))

    def fake(rng: random.Random) -> str:
        shape = _choose(rng, shapes)
        while True:
            token = shape.draw(rng)
            if validate(token):
                return token

    def near_miss(rng: random.Random) -> str:
        while True:
            token = _choose(rng, near).draw(rng)
            if not validate(token):
                return token

    def broken_checksum(rng: random.Random) -> str:
        token = _choose(rng, [s for s in shapes if s.checksum]).draw(rng)
        return corrupt(rng, token, len(token) - 6, BASE62)

    def grade(token: str) -> Confidence:
        # Only valid tokens are graded; the first shape that accepts one decides.
        found = (s.confidence for s in shapes if token.startswith(s.prefix) and s.valid(token))
        return next(found, "medium")

    if lookalike is None and not near and not any(shape.checksum for shape in shapes):
        raise ValueError(f"{name}: a look-alike needs `lookalike`, `near` or a checksum")
    grades = {shape.confidence for shape in shapes}
    return Provider(
        name=name,
        pattern=pattern,
        validate=validate,
        fake=fake,
        lookalike=lookalike or (near_miss if near else broken_checksum),
        lookalike_breaks=lookalike_breaks,
        confidence=always(grades.pop()) if len(grades) == 1 else grade,
        keywords=keywords or tuple(dict.fromkeys(shape.prefix for shape in shapes)),
        good=(*known, *samples(fake, name, templates)),
        bad=bad,
        variants=shapes,
    )


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
    confidence: Confidence = "high",
    templates: Sequence[str] = ("{}",),
    bad: tuple[str, ...] = (),
) -> Provider:
    """A token that is `prefix` and `length` characters of `charset`, found by the looser
    `body` regex after the prefix.

    With `checksum`, its last 6 characters are the base62 CRC32 of the rest (GitHub, npm) and
    a look-alike has one of them changed; without, the body must look random and a look-alike
    (unless `lookalike` says otherwise) is one or two characters too short or too long.
    """
    run = Run(charset, length - 6) if checksum else Run(charset, length, random=True)
    wrong_length = variant(prefix, Run(charset, (length - 2, length - 1, length + 1, length + 2)))
    if lookalike_breaks is None:
        lookalike_breaks = "checksum" if checksum else f"not {length} characters after {prefix}"
    return variants(
        name,
        bounded(re.escape(prefix) + body, boundary),
        variant(prefix, run, confidence=confidence, checksum=checksum),
        near=() if checksum else (wrong_length,),
        lookalike=lookalike,
        lookalike_breaks=lookalike_breaks,
        templates=templates,
        bad=bad,
    )
