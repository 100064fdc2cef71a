"""Text a model reads at a glance but a pattern does not: leetspeak ("1gn0r3 4ll"), letters
spaced apart ("i g n o r e   a l l") and Morse code.

Each finder yields (kind, start, end, text) like the byte finders in `blobs`; `decoding` keeps
what is prose. Leetspeak counts only when the digits turn words into common English, so
"sha256", "utf8" and "x86" stay as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mcpir.injection.blobs import READ, Raw
from mcpir.injection.english import COMMON_WORDS

_LEET = str.maketrans("01345789@$!|", "oieastbgasil")
_LEET_ALT = str.maketrans("1|", "ll")  # "1" is an "l" about as often as an "i"
# Only words that hold a look-alike: the rest need no callback. The lookbehind keeps the search
# from restarting inside a word (which would be quadratic on one long word).
_LEET_WORD = re.compile(r"(?<![A-Za-z0-9@$!|'])[A-Za-z']*+[0-9@$!|][A-Za-z0-9@$!|']*+")
# A look-alike next to a letter; its search starts on the rare character, so it skips ahead.
LEET_GATE = re.compile(r"[0134578@$|](?:(?<=[A-Za-z].)|(?=[A-Za-z]))")
_LEET_CHARS = re.compile(r"[0134578@$!|]")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
# Letters one separator apart, words two or three spaces or a slash apart. A run ends on a
# letter inside the repeat, so it cannot fail after it: "a b c … z " (a separator last) failed
# at its end and was retried from every later letter, quadratic time (issue 20).
_SPACED = re.compile(r"(?<![^\s(\"'])[A-Za-z](?:(?:\s/\s|\s{2,3}|[ .*_-])[A-Za-z'])++")
_WORD_GAP = re.compile(r"\s{2,3}|\s/\s")
_SPACE = re.compile(r"\s+(?:/\s+)?")
_MORSE_RUN = re.compile(r"(?<![^\s(\"'])[.-]{1,6}+(?:(?: / | {3}| )[.-]{1,6}+){5,}+")
_MORSE = dict(
    zip(
        ".- -... -.-. -.. . ..-. --. .... .. .--- -.- .-.. -- -. --- .--. --.- .-. ... - ..- "
        "...- .-- -..- -.-- --.. ----- .---- ..--- ...-- ....- ..... -.... --... ---.. ----. "
        ".-.-.- --..-- ..--.. -..-. .--.-. ---...".split(),
        "abcdefghijklmnopqrstuvwxyz0123456789.,?/@:",
        strict=True,
    )
)


def leet_runs(text: str) -> Iterator[Raw]:
    """Sentences where two words or more turn into common English once digits and symbols
    are read as the letters they look like."""
    for sentence in _SENTENCE.finditer(text[:READ]):
        body = sentence.group(0)
        if len(LEET_GATE.findall(body)) < 2:
            continue  # two look-alikes next to letters at least, or no two words can change
        turned, changed = _unleet(body)
        if changed >= 2:
            start = sentence.start() + len(body) - len(body.lstrip())
            yield "leetspeak", start, sentence.start() + len(body.rstrip()), turned.strip()


def _unleet(body: str) -> tuple[str, int]:
    """`body` with its leetspeak words read as letters, and how many became common words."""
    changed = 0

    def read(match: re.Match[str]) -> str:
        nonlocal changed
        word = match.group(0)
        # A word of letters and look-alikes, three letters long at least once read: a lone
        # "1", "@" or "H3" reads as "i", "a" or "he" in any list of names and versions.
        core = word.strip("'")
        if len(core) < 3 or not _LEET_CHARS.search(core) or not any(c.isalpha() for c in core):
            return word
        if core[0] in "$@" and core[1:].isalpha():
            return word  # a sigil before a name: "$END", "@param"
        for table in (_LEET, _LEET_ALT):
            plain = word.translate(table).translate(_LEET)
            if plain.lower().strip("'").split("'")[0] in COMMON_WORDS:
                changed += 1
                return plain
        return word

    return _LEET_WORD.sub(read, body), changed


def spaced_runs(text: str) -> Iterator[Raw]:
    for match in _SPACED.finditer(text):
        run = match.group(0)[:READ]
        if len(run) < 15:
            continue  # eight letters at least: "a b c" and "U.S.A" are not hidden text
        # "i.g.n.o.r.e a.l.l": with a mark between letters, one space is already a word gap.
        gaps = _SPACE if any(c in run for c in "._*-") else _WORD_GAP
        words = ["".join(c for c in part if c.isalpha() or c == "'") for part in gaps.split(run)]
        yield "spaced-letters", match.start(), match.end(), " ".join(words)


def morse_runs(text: str) -> Iterator[Raw]:
    for match in _MORSE_RUN.finditer(text):
        words = []
        for word in re.split(r" {3}| / ", match.group(0)[:READ]):
            letters = [_MORSE.get(code) for code in word.split()]
            if None in letters:
                break
            words.append("".join(c for c in letters if c))
        else:
            yield "morse", match.start(), match.end(), " ".join(words)
