"""Train the learned second opinion of the description-poisoning detector.

Run: `python scripts/train_injection_model.py FILE.jsonl… [--out PATH]`. Each file holds labelled
descriptions (`{"description": …, "label": "poisoned"|"benign"}` per line), as
`../shared/corpus/descriptions/dev.jsonl` and `benchmarks/data/*.jsonl` do. The model is a
logistic regression over the words and word pairs of `mcpir.injection.learned.features`, fitted
by seeded stochastic gradient descent, so the same files give the same weights. Features seen
in fewer than two descriptions are dropped and tiny weights pruned; the output records the
files it learned from with their SHA-256, so a reviewer can tell what it was trained on.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from mcpir.injection.learned import WEIGHTS, features  # noqa: E402

EPOCHS, RATE, L2, MIN_DOCS, PRUNE = 30, 0.1, 1e-2, 2, 0.01


def load(paths: list[Path]) -> list[tuple[set[str], int]]:
    rows = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                rows.append(
                    (features(str(record["description"])), int(record["label"] == "poisoned"))
                )
    return rows


def train(rows: list[tuple[set[str], int]]) -> tuple[dict[str, float], float]:
    seen: dict[str, int] = {}
    for found, _ in rows:
        for feature in found:
            seen[feature] = seen.get(feature, 0) + 1
    kept = [sorted(f for f in found if seen[f] >= MIN_DOCS) for found, _ in rows]
    weights: dict[str, float] = {}
    bias = 0.0
    order = list(range(len(rows)))
    for epoch in range(EPOCHS):
        random.Random(epoch).shuffle(order)  # noqa: S311 - a fixed order, not a secret
        for i in order:
            z = bias + sum(weights.get(f, 0.0) for f in kept[i])
            gradient = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))) - rows[i][1]
            bias -= RATE * gradient
            for f in kept[i]:
                w = weights.get(f, 0.0)
                weights[f] = w - RATE * (gradient + L2 * w)
    return {f: round(w, 3) for f, w in sorted(weights.items()) if abs(w) >= PRUNE}, round(bias, 4)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    args = parser.parse_args(argv)
    rows = load(args.files)
    weights, bias = train(rows)
    trained_on = [
        {"file": p.name, "sha256": hashlib.sha256(p.read_bytes()).hexdigest(), "records": n}
        for p in args.files
        for n in [sum(1 for line in p.read_text(encoding="utf-8").splitlines() if line.strip())]
    ]
    model = {"version": 1, "trained_on": trained_on, "bias": bias, "weights": weights}
    args.out.write_text(json.dumps(model, indent=0, sort_keys=False) + "\n", encoding="utf-8")
    print(f"{len(rows)} descriptions, {len(weights)} weights -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
