"""Rules for the techniques that go past hiding a read-and-send order in prose: the model given
an elevated role or told its rules are off, its choice of tool steered, arguments changed
behind the user's back, a call made to carry private context out.

Each rule looks for the act (what is asked) and then for what makes it an attack rather than
documentation: who is addressed, how broad or covert the order is, whether the user asked for
it. The phrases live in `mcpir.injection.patterns`; `_Scan` is the detector's state.
"""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING

from mcpir.injection import patterns as P

if TYPE_CHECKING:
    from mcpir.injection.reading import Reading as _Scan

_MATCHES = 32
# Words that leave the model with no limits at all, whatever else the sentence says; a mode
# or role named by one of the other elevated words is a product feature unless the sentence
# also lifts limits.
_STRONG = re.compile(
    r"""\b(?:unrestricted|unfiltered|uncensored|unlimited|unbound|unconstrained|jailbr\w+|
    all-powerful|omnipotent|god|dan|super-?admin|super-?user|superuser|root\s+(?:operator|user|
    admin\w*)|unlocked|no[\s-]?limits?|no[\s-]?rules|evil|chaos)\b""",
    re.VERBOSE,
)
# Before a tampering verb, within its sentence: what makes it an order rather than a summary
# of what the tool does ("Adds a label to the issue").
_ORDER_LEAD = re.compile(
    r"""(?:^|[:;,(]|\b(?:always|also|then|and|please|must|should|to|silently|secretly|quietly|
    additionally|automatically|first|never\s+forget\s+to))\s*$""",
    re.VERBOSE,
)
_COVERT = re.compile(
    r"""\b(?:silently|secretly|quietly|covertly|regardless|no\s+matter|need\s+not|without\s+
    (?:telling|asking|mentioning)|does\s+not\s+need\s+to\s+know|say\s+nothing|never\s+mention)\b""",
    re.VERBOSE,
)
_OUTSIDE = re.compile(r"@|://|\.[a-z]{2,}\b|\d[\d-]{5,}\d")


def _sentences(scan: _Scan, words: frozenset[str], pattern: re.Pattern[str]) -> list[re.Match[str]]:
    """Matches of a pattern whose first word varies too much to anchor: run only when one of
    the words every match contains is in the text."""
    if words.isdisjoint(scan.words):
        return []
    return list(itertools.islice(pattern.finditer(scan.low), _MATCHES))


def role_override(scan: _Scan) -> None:
    for match in scan.find(P.ROLE_ASSUME, P.ROLE_ASSUME_AT, P.ROLE_WORDS):
        sentence = scan.sentence(*match.span())
        if _STRONG.search(match.group(0)) or P.MODE_LIMITS.search(sentence):
            scan.add("role-override:assume", "high", match)
        elif "now" in match.group(0):
            scan.add("role-override:assume", "medium", match)
    for match in _sentences(scan, P.MODE_ON_WORDS, P.MODE_ON):
        if _STRONG.search(match.group(0)) or P.MODE_LIMITS.search(scan.context(match)):
            scan.add("role-override:mode", "high", match)
    for match in scan.find(P.RULES_OFF, P.RULES_OFF_AT):
        noun = match.group(0).split(None, 1)[0]
        owned = P.RULES_OWNER.search(scan.low, max(0, match.start() - 40), match.start())
        if noun in P.RULES_MODEL_NOUN or owned:
            scan.add("role-override:rules-off", "high", match)
    for match in scan.find(P.RULES_SKIP, P.RULES_SKIP_AT):
        directive = P.MODEL_DIRECTIVE.search(scan.sentence(*match.span()))
        scan.add("role-override:skip", "high" if directive else "medium", match)
    for match in scan.find(P.NO_REFUSE, P.NO_REFUSE_AT):
        scan.add("role-override:no-refusal", "high", match)


def preference(scan: _Scan) -> None:
    disparaging = scan.find(P.DISPARAGE, P.DISPARAGE_AT)
    emotional = scan.find(P.EMOTION, P.EMOTION_AT)
    pushy = [("preference-manipulation:disparage", m) for m in disparaging]
    pushy += [("preference-manipulation:emotion", m) for m in emotional]
    for key, match in pushy:
        scan.add(key, "high", match)
    claims = scan.find(P.HYPE, P.HYPE_AT)
    for match in scan.find(P.PREFER, P.PREFER_AT):
        scan.add("preference-manipulation:select", "high" if pushy or claims else "medium", match)
    for match in claims[:3]:
        scan.add("preference-manipulation:claims", "low", match)


def _tampering_value(scan: _Scan, start: int, end: int) -> re.Match[str] | None:
    """The literal slipped into the call, after the verb and in its sentence."""
    return P.TAMPER_VALUE.search(scan.low, start, min(end, start + 160))


def tampering(scan: _Scan) -> None:
    for match in scan.find(P.TAMPER, P.TAMPER_AT, P.TAMPER_SCOPE_WORDS):
        left, right = scan.bounds(*match.span())
        if not _ORDER_LEAD.search(scan.low, left, match.start()):
            continue
        sentence = scan.low[left:right]
        if not P.TAMPER_SCOPE.search(sentence) or P.USER_SANCTIONED.search(sentence):
            continue
        value = _tampering_value(scan, match.end(), right)
        if value is None:
            continue
        outside = _OUTSIDE.search(value.group(0))
        if not (outside or P.TAMPER_SLOT.search(sentence)):
            continue
        severity = "high" if outside or _COVERT.search(sentence) else "medium"
        scan.add("argument-tampering", severity, match.start(), value.end(), value.group(0)[:60])


def covert_calls(scan: _Scan) -> None:
    for match in scan.find(P.CARRY, P.CARRY_AT, P.CARRY_WORDS, P.WITH):
        scan.add("covert-call", "high", match)
    for match in scan.find(P.URL_SMUGGLE, P.URL_SMUGGLE_AT, P.URL_SMUGGLE_WORDS):
        if P.SMUGGLED_DATA.search(match.group(0)):
            scan.add("exfiltration:url-smuggle", "high", match)
    for match in scan.find(P.SILENCE, P.SILENCE_AT):
        scan.add("conceal-from-user", "high", match)


RULES = (role_override, preference, tampering, covert_calls)
