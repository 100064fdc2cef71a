"""The assistant repeating instructions that came from a tool description or a tool result.

Instructions are found with the scan's prompt-injection analysis (`mcpir.injection.detector`): the
sentences of a description or result where it finds a medium or high sign. When the
assistant's own words (its messages, or the arguments it writes) share a run of five words
with such a sentence, the model took the instruction up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from mcpir.core.model import Severity
from mcpir.investigate.detectors.base import Context, Hit, hit, label
from mcpir.investigate.events import Call, Event, Message, Origin
from mcpir.investigate.values import mask_distinctive, strings

NAME = "echoed-instruction"
SHINGLE = 5
RESULT_LIMIT = 16 << 10
_WORD = re.compile(r"[a-z0-9']+")
_SENTENCE_END = re.compile(r"[.!?\n]")


def _shingles(text: str) -> Iterator[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    for start in range(len(words) - SHINGLE + 1):
        yield tuple(words[start : start + SHINGLE])


# What an instruction to the model almost always holds; text without any of it (source code, API
# objects, prose for people) skips the full analysis, which is what keeps 100 MB fast. Plain
# substring searches (C speed) find the places; a few characters around each decide.
_TAG = re.compile(r"<\s*/?\s*(?:important|system|instructions?)\b")
_SUBJECTS = frozenset({"you", "assistant", "model", "ai", "llm", "agent"})
_MODALS = (" must ", " should ", " shall ", " will ", " need to ", " are to ", " have to ")
_LEADS = {
    "ignore ": frozenset({"all", "any", "the", "previous", "prior", "your"}),
    "do not ": frozenset({"tell", "mention", "inform", "reveal", "show"}),
    "always ": frozenset({"include", "send", "call", "use", "run", "read", "add", "forward"}),
    "never ": frozenset({"mention", "tell", "reveal", "show", "ask"}),
}
_PER_WORD = 2000  # occurrences looked at per word: bounded work on hostile text


def _occurrences(low: str, needle: str) -> Iterator[int]:
    at = low.find(needle)
    for _ in range(_PER_WORD):
        if at < 0:
            return
        yield at
        at = low.find(needle, at + 1)


def _maybe_instruction(low: str) -> bool:
    if "<" in low and _TAG.search(low):
        return True
    for modal in _MODALS:
        for at in _occurrences(low, modal):
            before = low[max(0, at - 12) : at].split()
            if before and before[-1].strip(",;:(\"'") in _SUBJECTS:
                return True
    for lead, nexts in _LEADS.items():
        for at in _occurrences(low, lead):
            after = low[at + len(lead) : at + len(lead) + 12].split()
            if after and after[0].strip(",;:") in nexts:
                return True
    return False


def _instructions(text: str, screen: bool = True) -> list[tuple[str, str]]:
    """(sentence, severity) for each sentence holding a medium or high injection sign."""
    from mcpir.injection.detector import analyze_description

    out: list[tuple[str, str]] = []
    if screen and not _maybe_instruction(text.lower()):
        return out
    low = text.lower()
    for found in analyze_description(text):
        if found.severity == "low":
            continue
        probe = found.evidence.strip("… ").lower()[:40]
        at = low.find(probe) if probe else -1
        if at < 0:
            continue
        starts = [m.end() for m in _SENTENCE_END.finditer(text, 0, at)]
        start = starts[-1] if starts else 0
        end_match = _SENTENCE_END.search(text, at + len(probe))
        end = end_match.end() if end_match else len(text)
        sentence = text[start:end].strip()
        if sentence and all(sentence != s for s, _ in out):
            out.append((sentence, found.severity))
    return out


class EchoedInstruction:
    name = NAME

    def __init__(self, ctx: Context) -> None:
        # shingle -> (sentence, severity, where it came from); descriptions hold for every session
        self.shared: dict[tuple[str, ...], tuple[str, str, str]] = {}
        self.by_session: dict[str | None, dict[tuple[str, ...], tuple[str, str, str]]] = {}
        self.reported: set[tuple[str | None, str]] = set()
        for description in ctx.descriptions:
            what = f"the description of {description.server}" + (
                f".{description.tool}" if description.tool else ""
            )
            self._learn(self.shared, description.text, what, screen=False)

    @staticmethod
    def _learn(
        into: dict[tuple[str, ...], tuple[str, str, str]], text: str, what: str, screen: bool = True
    ) -> None:
        for sentence, severity in _instructions(text, screen):
            for shingle in _shingles(sentence):
                into.setdefault(shingle, (sentence, severity, what))

    def feed(self, event: Event, live: bool) -> Iterable[Hit]:
        session = event.origin.session
        if isinstance(event, Message):
            return self._echo(event.text, event.origin, "wrote", live)
        if not isinstance(event, Call):
            return ()
        said = "\n".join(text for _, text in strings(event.arguments))
        hits = self._echo(said, event.origin, f"sent to {label(event.server, event.tool)}", live)
        if event.result and event.server is not None:
            learned = self.by_session.setdefault(session, {})
            self._learn(
                learned,
                event.result[:RESULT_LIMIT],
                f"a result of {label(event.server, event.tool)}",
            )
        return hits

    def _echo(self, text: str, origin: Origin, how: str, live: bool) -> list[Hit]:
        if not live or not text:
            return []
        session = self.by_session.get(origin.session, {})
        matched: dict[str, tuple[str, str, int]] = {}
        for shingle in _shingles(text):
            source = session.get(shingle) or self.shared.get(shingle)
            if source is not None:
                sentence, severity, what = source
                _, _, count = matched.get(sentence, (severity, what, 0))
                matched[sentence] = (severity, what, count + 1)
        out = []
        for sentence, (severity, what, count) in matched.items():
            words = len(_WORD.findall(sentence.lower()))
            if count < min(2, max(1, words - SHINGLE + 1)):
                continue
            if (origin.session, sentence) in self.reported:
                continue
            self.reported.add((origin.session, sentence))
            out.append(
                hit(
                    NAME,
                    Severity.HIGH if severity == "high" else Severity.MEDIUM,
                    f"the assistant {how} an instruction that came from {what}",
                    origin,
                    evidence=mask_distinctive(sentence[:160]),
                )
            )
        return out

    def finish(self) -> Iterable[Hit]:
        return ()


def make(ctx: Context) -> EchoedInstruction:
    return EchoedInstruction(ctx)
