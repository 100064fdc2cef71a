"""Every plausible encoding in a tool description, opened: what the model can decode, so the
detector reads it too.

`decoded_spans(text)` returns each span of `text` that decodes to readable prose: hex (plain,
spaced, `\\x52`, `0x52`), octal escapes, base64 (standard or URL-safe, padded or not, wrapped in
lines, UTF-8 or UTF-16), base32, binary digits, decimal character codes, `\\uXXXX` escapes, HTML
entities, percent-encoding, quoted-printable, Unicode tag characters, variation selectors and
zero-width binary, sentences in ROT13, another Caesar shift, Atbash or written backwards, leetspeak,
letters spaced apart and Morse code; with one more layer inside each (base64 of hex is
"base64+hex", spanning the base64 run). Random bytes (keys, digests, UUIDs, images) and plain
English give nothing. Pure and bounded: linear in the text; at most `MAX_SPANS` spans, each at
most `MAX_TEXT` characters and `MAX_TOTAL` in all; each run read up to `READ` characters.
The finders live in `blobs` (bytes), `escapes` (escape runs), `wordplay` and `english`
(ciphers); `unicode.hidden_runs` reads tag characters and variation selectors.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from mcpir.injection import english
from mcpir.injection.blobs import (
    READ,
    Raw,
    base64_runs,
    binary_runs,
    code_runs,
    hex_runs,
    zero_width_runs,
)
from mcpir.injection.escapes import escape_runs
from mcpir.injection.unicode import hidden_runs
from mcpir.injection.wordplay import LEET_GATE, leet_runs, morse_runs, spaced_runs

MAX_SPANS = 64
MAX_TEXT = 4_000  # characters of one span's text
# Characters of all spans together: what the detector reads again is bounded by this, so
# many spans are affordable only when short, and 16 long ones use it up.
MAX_TOTAL = 64_000
# Spans found inside one decoded run, and outer runs looked into: a decoy blob holding many
# small encoded runs cannot use up the budget before the runs that follow it.
MAX_NESTED = 8
MAX_OUTER = 256

# Gates that start on a rare character (a digit, a separator) so a search skips ahead: a
# letter-first pattern would be tried at every letter of every description.
_SPACED_GATE = re.compile(r" [A-Za-z] [A-Za-z] [A-Za-z] [A-Za-z] ")
_MARKED_GATE = re.compile(r"[._*-](?<=[A-Za-z].)[A-Za-z][._*-][A-Za-z][._*-][A-Za-z][._*-]")
_DIGIT = re.compile(r"[0-9]")
_SENTENCE_END = re.compile(r"[.!?]++(?=\s)|\n")
_LINE_BREAKS = str.maketrans("\n\t\r", "   ")
_UNSPACED = re.compile("[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")
_LONG_WORD = re.compile(r"\S{16}")


@dataclass(frozen=True)
class Decoded:
    """A span of the input and the prose it decodes to."""

    # "hex", "octal", "base64", "base32", "binary", "char-codes", "unicode-escape",
    # "html-entity", "percent", "quoted-printable", "tag-characters", "variation-selectors",
    # "zero-width-binary", "rot13", "caesar", "atbash", "reversed", "leetspeak",
    # "spaced-letters", "morse"; two joined by "+" when one was inside the other.
    kind: str
    start: int  # the span of the input that was decoded (the outer run when nested)
    end: int
    text: str  # the prose, at most MAX_TEXT characters


def decoded_spans(text: str) -> list[Decoded]:
    """Each span of `text` that decodes to readable prose, in order of position: the runs of
    `text` first, then what those runs hold (kind "outer+inner", on the outer run's span).
    A text already returned is not returned again, so repeated decoys cost nothing."""
    found: list[Decoded] = []
    texts: set[str] = set()
    budget = MAX_TOTAL

    def add(kind: str, start: int, end: int, decoded: str) -> bool:
        """Keep one span; False once the budget is spent."""
        nonlocal budget
        decoded = decoded[:MAX_TEXT]
        if decoded not in texts:
            if len(found) >= MAX_SPANS or len(decoded) > budget:
                return False
            texts.add(decoded)
            found.append(Decoded(kind, start, end, decoded))
            budget -= len(decoded)
        return True

    runs: list[Raw] = []
    for run in _candidates(text):
        if len(runs) < MAX_OUTER:
            runs.append(run)
        if is_prose(run[3]) and not add(*run):
            break
    for kind, start, end, decoded in runs:
        prose = (r for r in _candidates(decoded[:READ]) if is_prose(r[3]))
        inner = list(itertools.islice(prose, MAX_NESTED))
        if not all(add(f"{kind}+{r[0]}", start, end, r[3]) for r in inner):
            break
    return sorted(found, key=lambda d: (d.start, d.end, d.kind))


def is_prose(text: str) -> bool:
    """Whether decoded `text` reads as human language: printable, mostly letters and spaces,
    two words or more (or four characters of a script written without spaces). Random bytes,
    JSON and identifiers fail."""
    text = text[:MAX_TEXT].strip()
    # Chinese, Japanese and Thai put no spaces between words: half the text in those
    # scripts (a table of code points mixes many scripts and dashes).
    unspaced = not text.isascii() and len(_UNSPACED.findall(text)) >= max(4, len(text) / 2)
    if len(text) < 8 and not unspaced:
        return False
    if not unspaced and len(text.split(None, 1)) < 2:
        return False
    flat = text.translate(_LINE_BREAKS)
    if not flat.isprintable() or "\ufffd" in flat:
        unreadable = sum(not c.isprintable() or c == "\ufffd" for c in flat)
        if unreadable > 0.05 * len(text):
            return False
    wordy = sum(map(str.isalpha, text)) + sum(map(str.isspace, text))
    return wordy >= 0.6 * len(text) and (unspaced or len(_LETTER_WORD.findall(text)) >= 2)


def _candidates(text: str) -> Iterator[Raw]:
    """Every span that decodes to text, prose or not; cheap tests first, so a description
    without any encoded run costs a few substring checks."""
    if not text.isascii():
        yield from hidden_runs(text)
        yield from zero_width_runs(text)
    if "\\" in text or "%" in text or "&" in text or "=" in text:
        yield from escape_runs(text)
    if _DIGIT.search(text):
        yield from hex_runs(text)
    # Prose has spaces: as binary digits "00100000", as character codes "32".
    if "00100000" in text:
        yield from binary_runs(text)
    if "32" in text:
        yield from code_runs(text)
    words = text.lower().split()
    if len(LEET_GATE.findall(text)) >= 2:
        yield from leet_runs(text)
    if _SPACED_GATE.search(text) or _MARKED_GATE.search(text):
        yield from spaced_runs(text)
    if ".-" in text or "-." in text:
        yield from morse_runs(text)
    # A word of 16 characters or more, found by one search instead of measuring every word.
    if _LONG_WORD.search(text):
        yield from base64_runs(text, [w for w in text.split() if len(w) >= 16])
    # Two different words that a shift or reversal turns into common English ("gur", "eht")
    # before any sentence is scored: English text almost never has them.
    if len(english.marker_words().intersection(words)) >= 2:
        yield from _ciphers(text)


def _ciphers(text: str) -> Iterator[Raw]:
    """Sentences in a letter cipher (ROT13, another Caesar shift) or written backwards; a
    message of several sentences in a row is one span."""
    spans: list[tuple[int, int, int]] = []
    start = 0
    for cut in [*(m.end() for m in _SENTENCE_END.finditer(text)), len(text)]:
        sentence = text[start:cut]
        n = english.deciphered(sentence[:READ])
        if n is None and (label := sentence.find(": ")) > 0:
            # An English label before the cipher ("Rot13 note for the model: Pnyy …").
            start += label + 2
            sentence = text[start:cut]
            n = english.deciphered(sentence[:READ])
        if n is not None:
            first = start + len(sentence) - len(sentence.lstrip())
            last = start + len(sentence.rstrip())
            if spans and spans[-1][2] == n and not text[spans[-1][1] : first].strip():
                spans[-1] = (spans[-1][0], last, n)
            else:
                spans.append((first, last, n))
        start = cut
    for first, last, n in spans:
        kind = {13: "rot13", english.REVERSED: "reversed", english.ATBASH: "atbash"}.get(
            n, "caesar"
        )
        body = text[first:last][:READ]
        decoded = english.unreversed(body) if n == english.REVERSED else english.shift(body, n)
        yield kind, first, last, decoded
