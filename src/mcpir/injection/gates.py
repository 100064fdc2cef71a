"""Gates and leads: what lets the description detector skip a search that cannot match.

A gate names the words (as `clauses.WORDS` splits them) or substrings one of which every match
of a pattern holds; `Clause.has` searches a clause only past its pattern's gate. A lead states
how every match starts, tested once per character instead of by each branch. Both are pure
speed: tests/test_injection_techniques.py and tests/test_injection_speed.py check that they
change no match.
"""

from __future__ import annotations

import re

__all__ = ["EVERY", "GATES", "GATE_BY_ID", "LED", "Gate", "entry", "gate", "holds", "needs", "rx"]

# A pattern compiled with a lead -> (the lead, the pattern without it): what the tests compare.
LED: dict[re.Pattern[str], tuple[str, str]] = {}


def rx(pattern: str, lead: str = "") -> re.Pattern[str]:
    """`lead`: how every match starts (`\\b\\w`: at the start of a word), tested once at each
    character before the branches, each of which would test its own start: same matches, and
    a search of a pattern with forty branches costs a third (tests/test_injection_speed.py)."""
    if not lead:
        return re.compile(pattern, re.VERBOSE)
    compiled = re.compile(f"(?={lead})(?:{pattern})", re.VERBOSE)
    LED[compiled] = (lead, pattern)
    return compiled


# Pattern -> the words (as WORDS splits them) or characters one of which every match holds: a
# clause without any is not searched. tests/test_injection_techniques.py checks the gates agree
# with a plain search on every corpus clause.
GATES: dict[re.Pattern[str], tuple[frozenset[str], tuple[str, ...]]] = {}


# Keyed by id, as `Clause.has` looks it up; with a third part: substrings one of which every
# match holds besides (`every`), for a pattern whose gate words are common ("its", "for").
GATE_BY_ID: dict[int, tuple[frozenset[str], tuple[str, ...], tuple[str, ...]]] = {}
EVERY: dict[re.Pattern[str], tuple[str, ...]] = {}


def holds(text: str, chars: tuple[str, ...]) -> bool:
    """Whether one of `chars` is in `text` (a loop: `any()` over a generator costs more than
    the few substring tests it makes)."""
    for part in chars:
        if part in text:
            return True
    return False


def gate(
    pattern: re.Pattern[str], words: str, chars: tuple[str, ...] = (), every: tuple[str, ...] = ()
) -> re.Pattern[str]:
    """Register `pattern`'s gate: `words` or `chars`, one of which every match holds, and
    `every`, substrings one of which every match holds as well. The rule entries in `acts` read
    only the first two (`GATES`), which may let more through: an entry only needs to."""
    GATES[pattern] = (frozenset(words.split()), chars)
    GATE_BY_ID[id(pattern)] = (frozenset(words.split()), chars, every)
    if every:
        EVERY[pattern] = every
    return pattern


Gate = tuple[frozenset[str], tuple[str, ...]]  # words, substrings: one must be in the text


def needs(*patterns: re.Pattern[str]) -> frozenset[str]:
    """The words of all the patterns' gates."""
    return frozenset().union(*(GATES[p][0] for p in patterns))


def entry(*patterns: re.Pattern[str], words: frozenset[str] = frozenset()) -> Gate:
    """A clause where none of `patterns` passes its gate (and none of `words` is said) is one a
    rule returns on before adding anything: judged without calling the rule at all."""
    chars = tuple(c for p in patterns for c in GATES[p][1])
    return needs(*patterns) | words, chars
