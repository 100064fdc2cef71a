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

# Pipes and exclamation marks are left out: "|" and "!" are table rules and punctuation in
# documentation far more often than letters.
_LEET = str.maketrans("01345789@$", "oieastbgas")
_LEET_ALT = str.maketrans("1", "l")  # "1" is an "l" about as often as an "i"
# Only words that hold a look-alike: the rest need no callback. The lookbehind keeps the search
# from restarting inside a word (which would be quadratic on one long word), and from reading
# an escape ("\u0052") as a word.
_LEET_WORD = re.compile(r"(?<![A-Za-z0-9@$'\\])[A-Za-z']*+[0-9@$][A-Za-z0-9@$']*+")
# A look-alike next to a letter; its search starts on the rare character, so it skips ahead.
LEET_GATE = re.compile(r"[0134578@$](?:(?<=[A-Za-z].)|(?=[A-Za-z]))")
_SENTENCE_END = re.compile(r"[.!?]++(?=\s)|\n")
# Letters one separator apart, words two or three spaces or a slash apart. A run ends on a
# letter inside the repeat, so it cannot fail after it: "a b c … z " (a separator last) failed
# at its end and was retried from every later letter, quadratic time (issue 20).
_SPACED = re.compile(r"(?<![^\s(\"'])[A-Za-z](?:(?:\s/\s|\s{2,3}|[ .*_-])[A-Za-z'])++")
_SPACED_CHARS = re.compile(r"(?<!\S)\S(?!\S)(?: {1,3}\S(?!\S))++")
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
    are read as the letters they look like; then every such word of the sentence is read."""
    start = 0
    text = text[:READ]
    for cut in [*(m.end() for m in _SENTENCE_END.finditer(text)), len(text)]:
        body = text[start:cut]
        if len(LEET_GATE.findall(body)) >= 2 and _unleet(body, common_only=True)[1] >= 2:
            first = start + len(body) - len(body.lstrip())
            yield "leetspeak", first, start + len(body.rstrip()), _unleet(body)[0].strip()
        start = cut


def _unleet(body: str, *, common_only: bool = False) -> tuple[str, int]:
    """`body` with its leetspeak words read as letters (only those that become common words,
    when `common_only`), and how many different common words they became ("10G" twice, a
    speed, reads "log" twice: one)."""
    changed: set[str] = set()

    def read(match: re.Match[str]) -> str:
        word = match.group(0)
        core = word.strip("'")
        if core[:1] in ("$", "@") and core[1:].isalpha():
            return word  # a sigil before a name: "$END", "@param"
        readings = [word.translate(table).translate(_LEET) for table in (_LEET, _LEET_ALT)]
        if core.isdigit():
            # A number stays one, unless a sentence already read as leetspeak has it as a
            # common word ("70" for "to"); it never decides that the sentence is.
            read_as = readings[0].lower()
            return word if common_only or read_as not in COMMON_WORDS else readings[0]
        for plain in readings:
            # Three letters at least to count: a lone "1", "@" or "H3" reads as "i", "a" or
            # "he" in any list of names and versions.
            if len(core) >= 3 and plain.lower().strip("'").split("'")[0] in COMMON_WORDS:
                changed.add(plain.lower())
                return plain
        # Outside the words that decide, anything with a letter in it is read ("573p").
        return word if common_only else readings[0]

    return _LEET_WORD.sub(read, body), len(changed)


def spaced_runs(text: str) -> Iterator[Raw]:
    ends: set[int] = set()
    # Characters one space apart ("~ / . s s h"), words two or three spaces (or " / ") apart.
    for match in _SPACED_CHARS.finditer(text):
        run = match.group(0)[:READ]
        if len(run) >= 15:  # eight characters at least: "a b c" is a list, not hidden text
            words = re.split(r" {2,3}", run) if "  " in run else run.split(" / ")
            joined = " ".join(w.replace(" ", "") for w in words)
            yield "spaced-letters", match.start(), match.end(), joined
            ends.add(match.end())
    # Letters a mark apart ("i.g.n.o.r.e a.l.l"), where one space is already a word gap.
    for match in _SPACED.finditer(text):
        run = match.group(0)[:READ]
        if len(run) >= 15 and match.end() not in ends and any(c in run for c in "._*-"):
            letters = ("".join(c for c in w if c.isalpha() or c == "'") for w in _SPACE.split(run))
            yield "spaced-letters", match.start(), match.end(), " ".join(letters)


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
