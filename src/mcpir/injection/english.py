"""How much a run of words reads as English: the test behind ROT13, other Caesar shifts and
reversed text.

A letter cipher keeps word lengths and punctuation, so no shape test tells "gur hfre'f ffu xrlf"
from a foreign word or an identifier; what changes is whether the words are ones English uses
all the time, and whether the letters are distributed as in English. A sentence of English hits
the word list on a quarter or more of its words; its ROT13 (or any shift, or its reversal)
almost never does, and neither does an identifier, a key or another language.
"""

from __future__ import annotations

import collections
import functools
import math
import re

# The most frequent English words (function words first, where the signal is), then the verbs
# and nouns a tool description or an instruction to a model is made of.
COMMON_WORDS = frozenset(
    """
    the of and to a in is it you that he was for on are with as i his they be at one have this
    from or had by not but what some we can out other were all there when up use your how said
    an each she which do their time if will way about many then them would write like so these
    her long make thing see him two has look more day could go come did number no most people
    my over know than first who may down been call now find any new work part take get made
    after back only our just also where before through much should well me must off very even
    does because both between under never same another while last might us again since without
    into its own every here those such those why few next less than being against during until
    upon whether either neither yet once always often please instead already other than
    read send pass give show tell keep add set put return returns run list open save copy move
    delete remove create update include includes using used user users file files data text
    key keys secret token password message messages content contents value values name names
    system request response result results tool tools model assistant instruction instructions
    argument arguments parameter field note notes home path url address email account server
    history chat conversation output input command commands code query search web page first
    ignore follow following previous above below current earlier later any all none everything
    do don't not never without silently quietly also then after before hidden secretly mention
    http https www com org net example api env aws ssh credentials config private public
    admin root password passwords tokens secrets access permission permissions approval
    upload download post fetch attacker server remote local logs log browser session cookie
    """.split()
)

# Relative frequency of each letter in English text (percent), as natural logs of shares.
_LETTER_LOG = {
    letter: math.log(share / 100)
    for letter, share in zip(
        "etaoinshrdlcumwfgypbvkjxqz",
        (12.7, 9.06, 8.17, 7.51, 6.97, 6.75, 6.33, 6.09, 5.99, 4.25, 4.03, 2.78, 2.76, 2.41,
         2.36, 2.23, 2.02, 1.97, 1.93, 1.29, 0.98, 0.77, 0.15, 0.15, 0.095, 0.074),
        strict=True,
    )
}  # fmt: skip
_AZ = "abcdefghijklmnopqrstuvwxyz"
_LOG_AZ = [_LETTER_LOG[letter] for letter in _AZ]
_WORD = re.compile(r"[a-z]{2,}")
_LETTERS = re.compile(r"[A-Za-z']+")
# Table n moves each Latin letter n places on.
_SHIFTS = [
    str.maketrans(_AZ + _AZ.upper(), _AZ[n:] + _AZ[:n] + (_AZ[n:] + _AZ[:n]).upper())
    for n in range(26)
]
REVERSED = -1  # the "shift" that reads a text backwards
ATBASH = -2  # the one that reads each letter from the other end of the alphabet (a=z)
_ATBASH = str.maketrans(_AZ + _AZ.upper(), _AZ[::-1] + _AZ.upper()[::-1])
_PUNCTUATION = ".,;:!?()[]{}\"'`<>*_"


def shift(text: str, n: int) -> str:
    """`text` with each Latin letter moved `n` places on (13: ROT13), mirrored for `ATBASH`,
    or reversed for `REVERSED`; everything else kept."""
    if n == REVERSED:
        return text[::-1]
    return text.translate(_ATBASH if n == ATBASH else _SHIFTS[n % 26])


def unreversed(text: str) -> str:
    """A reversed sentence read forwards: letter by letter when its end mark came first
    (".dleif eht"), word by word when it stayed last ("dleif eht."), as the writer reversed
    it."""
    stripped = text.strip()
    if stripped[-1:] in (".", "!", "?") and stripped[:1] not in (".", "!", "?"):
        return _LETTERS.sub(lambda m: m.group(0)[::-1], text)
    return text[::-1]


def rot13(text: str) -> str:
    """`text` with each Latin letter moved 13 places; everything else kept."""
    return text.translate(_SHIFTS[13])


@functools.cache
def markers() -> dict[str, frozenset[int]]:
    """Lower-case words that some shift (or `REVERSED`) turns into common English and that are
    not common English themselves ("gur", "naq", "eht"), each with the shifts that read it.
    Two-letter ones only for ROT13 and reversal: under 25 shifts they hit state codes and
    units."""
    found: dict[str, set[int]] = collections.defaultdict(set)
    for word in COMMON_WORDS:
        for n in range(1, 26) if len(word) > 2 else (13,):
            found[word.translate(_SHIFTS[26 - n])].add(n)
        found[word[::-1]].add(REVERSED)
        if len(word) > 2:
            found[word.translate(_ATBASH)].add(ATBASH)
    return {w: frozenset(n) for w, n in found.items() if w not in COMMON_WORDS}


@functools.cache
def marker_words() -> frozenset[str]:
    """The words of `markers()`, for a quick intersection with a text's words."""
    return frozenset(markers())


def _hits(text: str) -> tuple[int, int]:
    """(common English words, words) among the words of two letters or more of `text`."""
    found = _WORD.findall(text)
    return sum(map(COMMON_WORDS.__contains__, found)), len(found)


def _score(counts: list[int], n: int) -> float:
    """Mean log-likelihood per letter, under English letter frequencies, of a text with these
    letter `counts` once shifted `n` places (a text's count of "a" is its shift's count of "n")."""
    total = sum(counts)
    weights = _LOG_AZ[n:] + _LOG_AZ[:n]
    return sum(c * w for c, w in zip(counts, weights, strict=True)) / total if total else 0.0


def _gain(counts: list[int], n: int) -> float:
    """How much more English the letters read once shifted `n` places (or mirrored, for
    `ATBASH`: the mirror's count of "a" is the text's count of "z")."""
    turned = _score(counts[::-1], 0) if n == ATBASH else _score(counts, n)
    return turned - _score(counts, 0)


def letter_score(text: str) -> float:
    """Mean log-likelihood of the Latin letters of `text` under English letter frequencies:
    about -2.9 for English, below -3.4 for its ROT13."""
    low = text.lower()
    return _score([low.count(letter) for letter in _AZ], 0)


def _markedly_more(turned: int, plain: int, words: int) -> bool:
    # A quarter of the words common English, and at least twice (plus two) what the text scores
    # as it stands: English that happens to turn into a word or two ("be" and "or") stays.
    return turned >= 3 and 4 * turned >= words and turned >= 2 * plain + 2


def deciphered(text: str) -> int | None:
    """The shift (13 for ROT13, `ATBASH`, `REVERSED`) under which the sentence `text` reads
    as markedly more English than it does as it stands; None when none does."""
    table = markers()
    low = text.lower()
    votes = collections.Counter(
        n for word in low.split() for n in table.get(word.strip(_PUNCTUATION), ())
    )
    if sum(votes.values()) < 2:
        return None  # no shift turns two of its words into common English
    # Words of two letters or more: single letters ("v", "e" in code) rotate into "i" and
    # "r"; "user's" is read as "user" and "s".
    plain, words = _hits(low)
    if words < 4 or 4 * plain >= words:
        return None  # too short to tell a cipher from a name, or English already
    counts = [low.count(letter) for letter in _AZ]
    for n, _ in votes.most_common(3):
        if n == REVERSED:
            turned = _hits(low[::-1])[0]
        # A shift must make the letters, too, read as English by a clear margin: one that
        # turns the words into English but not the letters is a coincidence.
        elif _gain(counts, n) >= 0.12:
            turned = _hits(shift(low, n))[0]
        else:
            continue
        if _markedly_more(turned, plain, words):
            return n
    return None


def reads_as_rot13(text: str) -> bool:
    """Whether `text` is a sentence whose ROT13 reads as markedly more English than itself."""
    return deciphered(text) == 13
