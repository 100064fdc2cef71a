"""What a description cites rather than says: the attacks a security tool quotes, and the sample
calls in its `<example>` blocks. A clause that orders the model is said whatever the tool is."""

from __future__ import annotations

import itertools
import re
from dataclasses import replace

from mcpir.injection import patterns as P
from mcpir.injection.act_words import REPORTED
from mcpir.injection.clauses import Clause, holds
from mcpir.injection.hits import Hit

_ADDRESS = re.compile(r"\S*(?:://|@)\S*|\S+\.(?:com|net|org|io|dev|app|co|xyz|site)\b\S*")


def cited(low: str, hits: list[Hit], found: list[Clause]) -> list[Hit]:
    """A tool about attacks (a detector, a classifier) quotes them: what it says outside an
    order, or inside quotes, is cited, not said."""
    examples = [m.span() for m in itertools.islice(_EXAMPLE.finditer(low), 16)]
    if not found or not examples and not about_attacks(low, 300):
        return hits
    out: list[Hit] = []
    for hit in hits:
        if hit.severity != "low" and any(a <= hit.pos < b for a, b in examples):
            # A sample call or reply shows the tool in use: its addresses and roles are data.
            out.append(replace(hit, severity="low", message=hit.message + " (in an example)"))
        else:
            out.append(hit)
    if not about_attacks(low, 300):
        return out
    return _cited(low, out, found)


# "<example>…</example>" as clients and tool authors write them (at most 4,000 characters).
_EXAMPLE = re.compile(r"<example\b[^>\n]{0,80}>.{0,4000}?</example>", re.S)


def _cited(low: str, hits: list[Hit], found: list[Clause]) -> list[Hit]:
    quoted = [m.span() for m in itertools.islice(P.QUOTED.finditer(low), 64)]
    out: list[Hit] = []
    for hit in hits:
        clause = next((c for c in found if c.start <= hit.pos < c.end), None)
        inside = any(a <= hit.pos < b for a, b in quoted)
        loose = (
            clause is None
            or clause.first
            or not clause.directed
            or clause.has(REPORTED) is not None
        )
        if hit.severity != "low" and (inside or loose):
            hit = replace(hit, severity="low", message=hit.message + " (cited)")
        out.append(hit)
    return out


def about_attacks(text: str, end: int | None = None) -> bool:
    """Whether `text` is a description about attacks: it says so in its first `end` characters,
    or names two kinds of attack."""
    if names_attacks(text, end):
        return True
    # A security tool need not say "detects" up front: two kinds of attack named anywhere near
    # the top ("jailbreak and prompt-injection test prompts") make it one.
    prose = _ADDRESS.sub(" ", text[:3000])  # "attacker-sync.com" names a host, not a topic
    return len(set(P.ATTACK_TOPIC.findall(prose))) >= 2


def names_attacks(text: str, end: int | None = None) -> bool:
    """Whether `text[:end]` says what it does to attacks ("detects prompt injection"); every
    such phrase names one of the stems, so a substring test spares most searches."""
    head = text if end is None else text[:end]
    return holds(head, P.ATTACK_STEMS) and P.ABOUT_ATTACKS.search(head) is not None
