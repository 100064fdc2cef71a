"""The description detector's fast paths (issue 20's speed) change nothing it finds: every lead,
gate and skipped rule is checked against the plain search or the full path, on the labelled
descriptions kept in the repository and on random and corpus-derived strings."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcpir.injection import act_words, acts, citing, clauses, decoding, moved_words, patterns
from mcpir.injection.clauses import (
    CLAUSE_END,
    DEST,
    GATES,
    INNER_ORDER,
    PROTECTIVE,
    USER_ASKED,
    holds,
)
from mcpir.injection.detector import analyze_description
from mcpir.injection.gates import Gate
from mcpir.injection.orders import PASSIVE_ORDER

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus" / "descriptions"
CORPORA = [
    ROOT / "tests" / "fixtures" / "injection" / "blind.jsonl",
    ROOT / "benchmarks" / "data" / "blind2.jsonl",
    SHARED / "dev.jsonl",
    SHARED / "dev2.jsonl",
]
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# The clause split as it was before its look-behinds moved after the first mark.
PLAIN_CLAUSE_END = re.compile(
    r"(?<!e\.g)(?<!i\.e)(?<!\betc)(?<!\bvs)[.!?]+(?=\s|$)|;|\n|\[inputschema[^\]\n]{0,200}\]|<!--|-->"
    r"|</?(?:important|system|instructions?|hidden|secret|admin|override|critical|note|assistant|"
    r"user|prompt|inst|sys|context|tool|ai|llm|agent|developer|priority|urgent|mandatory|"
    r"directive|p|div|span|br|b|i|em|strong|code|pre)\b[^<>\n]{0,80}>"
)
_LEAD = re.compile(r"\(\?=(?P<lead>[^()]*)\)\(\?:(?P<body>.*)\)", re.DOTALL)


def _descriptions() -> list[str]:
    found: list[str] = []
    for path in CORPORA:
        if path.exists():
            lines = path.read_text(encoding="utf-8").splitlines()
            found += [str(json.loads(line)["description"]) for line in lines if line.strip()]
    return found


DESCRIPTIONS = _descriptions()
CLAUSE_TEXTS = [c.text for d in DESCRIPTIONS for c in clauses.clauses(d.lower())]
# Words the vocabularies are made of, so random strings reach past the gates.
VOCABULARY = sorted(
    {w for words, _ in GATES.values() for w in words}
    | {w for d in DESCRIPTIONS[:60] for w in re.findall(r"[\w'.:/@#<>~$-]+", d.lower())}
)
_PUNCT = st.sampled_from(list(" ,.;:!?\n\"'`<>()[]{}_-/@#~$%=&|") + [" . ", "://", ".com"])
phrases = st.lists(st.sampled_from(VOCABULARY) | _PUNCT, max_size=40).map(" ".join)
texts = phrases | st.text(max_size=200) | st.sampled_from(DESCRIPTIONS[:200])


def _led() -> Iterator[tuple[str, re.Pattern[str], re.Pattern[str]]]:
    """Every pattern compiled with a lead, and the same pattern without it."""
    for module in (clauses, moved_words, act_words, patterns):
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern) and (m := _LEAD.fullmatch(value.pattern)):
                yield name, value, re.compile(m.group("body"), value.flags)


LED = list(_led())


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)]


def test_the_leads_are_in_use() -> None:
    names = {name for name, _, _ in LED}
    assert {"SECRET", "SECRET_SOURCE", "QUANT", "MODEL_ADDRESS", "DANGEROUS"} <= names


@pytest.mark.parametrize(("name", "fast", "plain"), LED, ids=[n for n, _, _ in LED])
def test_a_lead_finds_what_the_plain_pattern_finds_on_the_corpora(
    name: str, fast: re.Pattern[str], plain: re.Pattern[str]
) -> None:
    for text in CLAUSE_TEXTS + [d.lower() for d in DESCRIPTIONS]:
        assert _spans(fast, text) == _spans(plain, text), (name, text[:80])


@FUZZ
@given(text=texts)
def test_a_lead_finds_what_the_plain_pattern_finds_on_any_text(text: str) -> None:
    for low in (text, text.lower()):
        for name, fast, plain in LED:
            assert _spans(fast, low) == _spans(plain, low), name


@FUZZ
@given(text=texts)
def test_the_clause_split_is_the_plain_one(text: str) -> None:
    for low in (text, text.lower()):
        assert _spans(CLAUSE_END, low) == _spans(PLAIN_CLAUSE_END, low)


def test_the_clause_split_is_the_plain_one_on_the_corpora() -> None:
    for text in DESCRIPTIONS:
        assert _spans(CLAUSE_END, text.lower()) == _spans(PLAIN_CLAUSE_END, text.lower())


# The gates added for speed, on patterns that were searched on every clause before.
NEW_GATES = {
    "DEST": DEST,
    "INNER_ORDER": INNER_ORDER,
    "USER_ASKED": USER_ASKED,
    "PROTECTIVE": PROTECTIVE,
    "PASSIVE_ORDER": PASSIVE_ORDER,
}


@FUZZ
@given(text=texts | st.from_regex(r"[a-z .@#/0-9:_,'\"(-]{0,60}", fullmatch=True))
def test_nothing_matches_behind_a_new_gate(text: str) -> None:
    low = text.lower()
    found = frozenset(re.findall(r"[a-z0-9]+", low))
    for name, pattern in NEW_GATES.items():
        words, chars = GATES[pattern]
        if words.isdisjoint(found) and not holds(low, chars):
            assert pattern.search(low) is None, name


@FUZZ
@given(text=texts)
def test_the_about_attacks_test_is_the_search(text: str) -> None:
    for low in (text, text.lower()):
        assert citing.names_attacks(low) == (patterns.ABOUT_ATTACKS.search(low) is not None)
        head = patterns.ABOUT_ATTACKS.search(low, 0, 300) is not None
        assert citing.names_attacks(low, 300) == head


def _every_rule_on_every_clause() -> dict[acts._Rule, Gate]:
    # An entry that every clause passes: "" is in every text.
    return {rule: (frozenset(), ("",)) for rule in acts._ENTRIES}


def test_a_never_passing_entry_would_change_the_findings() -> None:
    """The comparisons below can fail: with no clause rule ever run, the corpora lose findings."""
    before = [analyze_description(d) for d in DESCRIPTIONS]
    never: dict[acts._Rule, Gate] = {rule: (frozenset(), ()) for rule in acts._ENTRIES}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(acts, "_ENTRIES", never)
        assert [analyze_description(d) for d in DESCRIPTIONS] != before


def test_skipping_rules_by_their_entry_changes_no_finding_on_the_corpora() -> None:
    fast = [analyze_description(d) for d in DESCRIPTIONS]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(acts, "_ENTRIES", _every_rule_on_every_clause())
        full = [analyze_description(d) for d in DESCRIPTIONS]
    assert fast == full


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts, extra=texts)
def test_skipping_rules_by_their_entry_changes_no_finding_on_any_text(
    text: str, extra: str
) -> None:
    for description in (text, f"{text}. {extra}", f"Note to the assistant: {text}; {extra}"):
        fast = analyze_description(description)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(acts, "_ENTRIES", _every_rule_on_every_clause())
            full = analyze_description(description)
        assert fast == full


@FUZZ
@given(text=texts | st.text(alphabet=st.sampled_from("ab=+/ \t\n\u00a0\u2028\x1c"), max_size=80))
def test_the_long_word_search_is_the_long_word_test(text: str) -> None:
    # decoding reads base64 only in words of 16 characters or more, found by one search.
    assert (decoding._LONG_WORD.search(text) is not None) == any(
        len(word) >= 16 for word in text.split()
    )
