"""One description being read: its folded text, the words rules are anchored on, its
sentences, and the hits found so far. Shared by the rules in `detector`, `techniques` and `acts`.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Collection

from mcpir.injection import patterns as P
from mcpir.injection.hits import EVIDENCE_LIMIT, Hit, make_hit

# Bounds that keep the work linear on hostile input (a megabyte of "<important>" or one endless
# sentence): no rule looks at more matches, a block or sentence at more characters, than this.
MATCHES = 32
SPAN = 2000


class Reading:
    """One description being analysed: its text, words, sentences and findings so far."""

    def __init__(self, text: str, tool: str | None, known_tools: Collection[str]) -> None:
        self.low = text.lower()
        # str.lower() can lengthen a few characters (İ); evidence then comes from `low`.
        self.shown = text if len(self.low) == len(text) else self.low
        self.at: dict[str, list[int]] = {}
        at = self.at
        for match in P.ANCHOR.finditer(self.low):
            word = match.group()
            if word in at:
                at[word].append(match.start())
            else:
                at[word] = [match.start()]
        self.words = frozenset(at)  # the anchor words present
        own = {tool.lower(), tool.split(".")[0].lower()} if tool else set()
        self.own = own | {"this", "the", "that", "it", "you"}
        self.known = {t.lower() for t in known_tools if t} - own
        self.hits: list[Hit] = []
        self.blocks: list[tuple[int, int]] = []  # <IMPORTANT>-style spans
        self.first_calls: list[tuple[int, int]] = []
        self._examples: list[tuple[int, int]] | None = None
        self._dests: list[tuple[int, int]] | None = None
        self._ends_at: list[int] | None = None

    def find(
        self, pattern: re.Pattern[str], anchors: frozenset[str], *needs: frozenset[str]
    ) -> list[re.Match[str]]:
        """What `pattern.finditer` would find, trying only where an anchor word starts (and not
        at all unless every set in `needs` has a word in the text)."""
        words = self.words
        if anchors.isdisjoint(words):
            return []  # most calls: tested set to set, without building one
        for need in needs:
            if need.isdisjoint(words):
                return []
        present = [self.at[word] for word in anchors & words]
        starts = sorted(itertools.chain.from_iterable(present)) if len(present) > 1 else present[0]
        found: list[re.Match[str]] = []
        for pos in starts:
            if (not found or pos >= found[-1].end()) and (match := pattern.match(self.low, pos)):
                found.append(match)
                if len(found) == MATCHES:
                    break
        return found

    # Computed on first use, by hand: `functools.cached_property` takes a lock on every first
    # read, and most descriptions never need these.
    @property
    def examples(self) -> list[tuple[int, int]]:
        if self._examples is None:
            self._examples = P.example_spans(self.low)
        return self._examples

    @property
    def dests(self) -> list[tuple[int, int]]:
        if self._dests is None:
            self._dests = P.destinations(self.low)[:MATCHES]
        return self._dests

    @property
    def _ends(self) -> list[int]:
        if self._ends_at is None:
            self._ends_at = [m.end() for m in P.BOUNDARY.finditer(self.low)]
        return self._ends_at

    def bounds(self, start: int, end: int | None = None) -> tuple[int, int]:
        """Where the sentence, or sentences, around low[start:end] begin and end."""
        ends = self._ends
        i = bisect.bisect_right(ends, start)
        j = bisect.bisect_left(ends, start + 1 if end is None else end)
        left, right = (ends[i - 1] if i else 0), (ends[j] if j < len(ends) else len(self.low))
        return max(left, start - SPAN // 4), min(right, (end or start) + SPAN // 4)

    def sentence(self, start: int, end: int | None = None) -> str:
        left, right = self.bounds(start, end)
        return self.low[left:right]

    def context(self, match: re.Match[str]) -> str:
        """The sentence of a match and what follows: "When X is used. Always ..." is one order."""
        return self.sentence(match.start(), match.end()) + self.low[match.end() : match.end() + 250]

    def add(
        self, key: str, severity: str, where: re.Match[str] | int, end: int = -1, *detail: object
    ) -> None:
        start = where if isinstance(where, int) else where.start()
        if end < 0:
            end = start + EVIDENCE_LIMIT if isinstance(where, int) else where.end()
        if severity != "low" and any(a <= start and end <= b for a, b in self.examples):
            severity = "low"  # "attempts such as 'ignore previous instructions'": cited, not said
        self.hits.append(make_hit(key, severity, self.shown[start:end], start, *detail))

    def is_other_tool(self, ref: str) -> bool:
        name = ref.strip("`").removesuffix("()").lower()
        if not name or name in self.own:
            return False
        generic = re.match(P.OTHER_TOOLS, name) is not None
        return generic or name in self.known or ref.startswith("`") or "_" in name or "()" in ref
