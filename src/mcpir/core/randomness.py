"""Random-looking runs of token characters: the secrets no name or shape gives away.

Without a name, only the text itself tells a secret: a secret is made by a random generator,
so it is one long run of characters mixed at random (upper, lower, digits, `+/=` or `-_`),
high in entropy. Everything else a run of these characters can be has structure:
- a path, host, package or version is pieces between `/ . _ - =`, nearly all words or numbers
  (`/home/alice/.cache/uv/archive-v0`); only a piece that is itself random is masked;
- an identifier is words (`getUserById`, `JSONRPCDispatcher`, `Http2Server`): humps with
  vowels, acronyms, few numbers;
- hex (commit SHAs, sha256 digests, UUIDs, mcpir's `tok_…` ids) is public by convention;
- one character class (`modelcontextprotocol`, `DEFAULT_TIMEOUT`, 20261124) is not random.
Measured on random base62, base64 and base64url keys: about 1 in 50,000 of 40 characters is
missed, 1 in 10,000 of 32, 1 in 700 of 24, 1 in 50 of 16 (there a name has to vouch for it);
of 128,000 runs from a Python environment's sources (identifiers, paths, names), 0.6% are
masked, mostly generated names such as `tmXBMinorLengthF`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import lru_cache

# Between what a mask keeps and its fingerprint: a run followed by it is a mask already.
ELLIPSIS = "…"
MIN_RANDOM_LENGTH = 16
_CACHED_RUN = 256
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*=(?=[^=])")
_RANDOM_BITS = 3.5
RUN = re.compile(r"[A-Za-z0-9_\-+/=.]{16,}")
PIECE = re.compile(r"[^/._\-=+]+")
_EDGE = "._-"
_HEX = re.compile(r"[0-9a-f]+|[0-9A-F]+")
_DIGIT = re.compile(r"[0-9]")
_CAMEL_WORD = re.compile(r"[A-Z]?[a-z]{2,}")
_CAMEL_WORDS = re.compile(r"(?:[A-Z]?[a-z]{2,}+)++[0-9]*+")
_NUMBERED = re.compile(r"[A-Z]+[0-9]+|[a-z][0-9]+")
# A piece that is plainly a word or a number, next to a random one: `mcp`, `sse`, `Users`, `12`.
_WORD_PIECE = re.compile(r"[a-z]+|[A-Z]+|[A-Z][a-z]+|[0-9]+")
_HUMP = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_VOWEL = re.compile(r"[aeiouy]", re.IGNORECASE)
_CONSONANTS = re.compile(r"[b-df-hj-np-tv-xz]{4}", re.IGNORECASE)
_TWO_LETTER_WORDS = frozenset(
    "am an as at be by do go he id if in io is it me my no of ok on or os so to ui up us we".split()
)


def _classes(text: str) -> int:
    """How many of lowercase, uppercase and digits `text` holds."""
    return (text != text.upper()) + (text != text.lower()) + (_DIGIT.search(text) is not None)


def _shannon(text: str) -> float:
    size = len(text)
    spread = sum(c * math.log2(c) for c in map(text.count, set(text)))
    return math.log2(size) - spread / size


def _made_of_words(text: str) -> bool:
    """An identifier someone typed: camel humps that are words (a vowel, no four consonants
    in a row) or acronyms (`API`, `Mcp`), at most one odd hump and two numbers, and not
    mostly capitals (random text is half capitals, and acronyms take any letters)."""
    odd = capitals = acronyms = letters = numbers = 0
    for hump in _HUMP.findall(text):
        if hump[0].isdigit():
            numbers += 1
            if numbers > 2:
                return False
            continue
        letters += len(hump)
        size = len(hump)
        vowel = _VOWEL.search(hump) is not None
        if (size >= 2 and hump.isupper()) or (3 <= size <= 4 and not vowel):
            capitals += size
            acronyms += 1
        elif size == 2 and hump.lower() in _TWO_LETTER_WORDS:
            pass
        elif size < 3 or not vowel or _CONSONANTS.search(hump) is not None:
            odd += 1
            if odd > 1:
                return False
    # One long acronym is a name (`JSONRPCDispatcher`); many short ones are chance.
    if acronyms > 3:
        return False
    return 5 * capitals <= 2 * letters or (acronyms == 1 and 2 * capitals <= letters)


def _random_piece(text: str) -> bool:
    size = len(text)
    if size < MIN_RANDOM_LENGTH or _HEX.fullmatch(text) or _classes(text) < 2:
        return False
    # A 16-character string cannot reach 4 bits a character: the bar is lower for short ones.
    if _shannon(text) < min(_RANDOM_BITS, math.log2(size) - 0.7):
        return False
    return not _made_of_words(text)


def plain_piece(piece: str) -> bool:
    """A piece of a path, name or version: a word, a number, a hash."""
    if _classes(piece) < 2 or _HEX.fullmatch(piece):
        return True
    if len(piece) >= MIN_RANDOM_LENGTH:
        return _made_of_words(piece)
    # Short: `Library`, `GitHub`, `python3`, `CONTEXT7`, `v2`; chance makes `xaQqlI` of
    # random text too.
    if _NUMBERED.fullmatch(piece):
        return True
    words = _CAMEL_WORDS.fullmatch(piece)
    return words is not None and all(_VOWEL.search(w) for w in _CAMEL_WORD.findall(piece))


def _random_pieces(core: str, pieces: list[tuple[int, int]], offset: int) -> list[tuple[int, int]]:
    """The random pieces of a structured run, each with the pieces next to it that are not
    plainly words: when the structure was chance (`H89/STA6/jgC+…` of a base64 key), the
    short random pieces around the long one go with it."""
    spans: list[tuple[int, int]] = []
    reached = -1  # the last piece the span before took in: each piece is walked over once
    for index, (a, b) in enumerate(pieces):
        if index <= reached or b - a < MIN_RANDOM_LENGTH or not _random_piece(core[a:b]):
            continue
        low = high = index
        # Down to the span before at most: reaching it merges with it (below), as walking on
        # through it would.
        while low > max(reached, 0) and not _WORD_PIECE.fullmatch(core[slice(*pieces[low - 1])]):
            low -= 1
        while high + 1 < len(pieces) and not _WORD_PIECE.fullmatch(core[slice(*pieces[high + 1])]):
            high += 1
        reached = high
        span = (offset + pieces[low][0], offset + pieces[high][1])
        if spans and span[0] <= spans[-1][1]:
            span = (spans.pop()[0], span[1])
        spans.append(span)
    return spans


@lru_cache(maxsize=4096)
def _judged(run: str) -> tuple[tuple[int, int], ...]:
    return tuple(_judge_run(run))


def _random_in_run(run: str) -> Sequence[tuple[int, int]]:
    """The random spans of one run, relative to it. The same paths and names come back in
    every row of an output: the answer for a short run is kept."""
    return _judged(run) if len(run) <= _CACHED_RUN else _judge_run(run)


def _judge_run(run: str) -> list[tuple[int, int]]:
    start, end = 0, len(run)
    while start < end and run[start] in _EDGE:
        start += 1
    while end > start and run[end - 1] in _EDGE:
        end -= 1
    if end - start < MIN_RANDOM_LENGTH:
        return []
    core = run[start:end]
    named = _ASSIGNMENT.match(core)
    if named is not None:  # `SESSION=<key>`, `--key=<key>`: the name stays, the value is judged
        at = start + named.end()
        return [(at + a, at + b) for a, b in _judge_run(core[named.end() :])]
    pieces = [m.span() for m in PIECE.finditer(core)]
    if len(pieces) > 1:
        # Short pieces tell structure from chance: `home`, `alice`, `v2` in a path; a long
        # piece is judged on its own either way.
        short = [core[a:b] for a, b in pieces if 2 <= b - a < MIN_RANDOM_LENGTH]
        plain = [p for p in short if plain_piece(p)]
        words = sum(map(len, plain))
        if plain and 2 * words >= sum(map(len, short)) and (len(plain) > 1 or plain == short):
            spans = _random_pieces(core, pieces, start)
            # Only a path or URL (`/home/…`, `//host/…`) keeps its words around a random part:
            # elsewhere the "words" may be chance pieces of the key itself (`vt/ZZ/zszeq/…`).
            return spans if not spans or core.startswith("/") else [(start, end)]
        if all(_classes(core[a:b]) < 2 or _HEX.fullmatch(core[a:b]) for a, b in pieces):
            return []  # a UUID, `2026-11-24T10`, `PYTHONIOENCODING=utf-8`
    return [(start, end)] if _random_piece(core.rstrip("=")) else []


def random_spans(text: str) -> list[tuple[int, int]]:
    """Where `text` holds a random-looking run of token characters (see above)."""
    spans: list[tuple[int, int]] = []
    for run in RUN.finditer(text):
        if text.startswith(ELLIPSIS, run.end()):
            continue  # what a mask keeps before it (`ghp_`, `SESSION=`), judged when it was made
        at = run.start()
        spans += [(at + a, at + b) for a, b in _random_in_run(run.group())]
    return spans
