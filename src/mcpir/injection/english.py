"""How much a run of words reads as English: the one test behind ROT13 detection.

ROT13 keeps word lengths and punctuation, so no shape test tells "gur hfre'f ffu xrlf" from a
foreign word or an identifier; what changes is whether the words are ones English uses all the
time. A sentence of English hits this list on a third or more of its words; its ROT13 almost
never does, and neither does an identifier, a key or another language.
"""

from __future__ import annotations

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
_ROT13 = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "NOPQRSTUVWXYZABCDEFGHIJKLMnopqrstuvwxyzabcdefghijklm",
)


def rot13(text: str) -> str:
    """`text` with each Latin letter moved 13 places; everything else kept."""
    return text.translate(_ROT13)


# ROT13 of the common words that are not English words themselves: "gur", "naq", "lbh".
ROT13_MARKERS = frozenset(
    form
    for w in COMMON_WORDS
    if rot13(w) not in COMMON_WORDS
    for form in (rot13(w), rot13(w).capitalize(), rot13(w).upper())
)


def _scores(counts: list[int]) -> tuple[float, float]:
    """Mean log-likelihood per letter under English letter frequencies, of a text with these
    letter `counts` and of its ROT13 (whose count of "a" is the text's count of "n")."""
    total = sum(counts)
    if not total:
        return 0.0, 0.0
    plain = sum(c * w for c, w in zip(counts, _LOG_AZ, strict=True))
    turned = sum(c * w for c, w in zip(counts, _LOG_AZ[13:] + _LOG_AZ[:13], strict=True))
    return plain / total, turned / total


def letter_score(text: str) -> float:
    """Mean log-likelihood of the Latin letters of `text` under English letter frequencies:
    about -2.9 for English, below -3.4 for its ROT13."""
    low = text.lower()
    return _scores([low.count(letter) for letter in _AZ])[0]


def reads_as_rot13(text: str) -> bool:
    """Whether `text` is a sentence whose ROT13 reads as markedly more English than itself."""
    low = text.lower()
    # Words of two letters or more: single letters ("v", "e" in code) rotate into "i" and
    # "r"; "user's" is read as "user" and "s".
    found = _WORD.findall(low)
    if len(found) < 4:
        return False  # too short to tell a cipher from a name or a code
    plain = sum(map(COMMON_WORDS.__contains__, found))
    turned = sum(map(COMMON_WORDS.__contains__, _WORD.findall(rot13(low))))
    # A quarter of the words common English, and at least twice (plus two) what the text scores
    # as it stands: English that happens to rotate into a word or two ("be" and "or") stays.
    if not (turned >= 3 and 4 * turned >= len(found) and turned >= 2 * plain + 2):
        return False
    # Its letters, turned, must also be distributed like English, by a clear margin.
    before, after = _scores([low.count(letter) for letter in _AZ])
    return after - before >= 0.25
