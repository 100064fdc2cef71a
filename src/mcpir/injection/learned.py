"""A second opinion learned from labelled descriptions: a logistic model over words and word
pairs, trained by `scripts/train_injection_model.py` on every labelled set the project holds.

The technique rules say what a description asks for and why it is an attack; phrasings they
were never shown slip past them. The model knows no technique, only which words and word pairs
poisoned descriptions used where honest ones did not, so it stays a second opinion: the
detector reports it alone only when it is confident, and otherwise only to lift a weak sign
the rules found themselves. Pure stdlib; the weights are data shipped with the package.
"""

from __future__ import annotations

import functools
import json
import math
import re
from pathlib import Path

WEIGHTS = Path(__file__).with_name("learned_weights.json")
MAX_TEXT = 20_000  # a description longer than this is long for its own rule; its head decides
_WORD = re.compile(r"[a-z][a-z0-9']+")


def features(text: str) -> set[str]:
    """The words and adjacent word pairs of `text`, lower-cased, as the model was trained on."""
    words = _WORD.findall(text[:MAX_TEXT].lower())
    return {*words, *(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))}


@functools.cache
def _model() -> tuple[dict[str, float], float]:
    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    return {str(k): float(v) for k, v in data["weights"].items()}, float(data["bias"])


def score(text: str) -> tuple[float, list[str]]:
    """The probability the model gives `text` of being poisoned, and the (at most three) words
    that weigh most toward it: the evidence a report can show."""
    weights, bias = _model()
    present = [(w, f) for f in features(text) if (w := weights.get(f)) is not None]
    z = bias + sum(w for w, _ in present)
    probability = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
    top = [f for w, f in sorted(present, reverse=True)[:3] if w > 0]
    return probability, top
