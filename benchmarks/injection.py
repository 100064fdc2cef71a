"""How well, and how fast, the description-poisoning detector sorts a labelled corpus.

Run: `python benchmarks/injection.py [--corpus PATH] [--repeat 10]`. The corpus is JSON Lines
with `description`, `label` ("poisoned" or "benign"), optional `tool` and `technique`;
poisoned is the positive class. Prints the confusion counts, precision and recall, recall per
technique, every misclassified id, and throughput over the repeats (median and best: the best
run is the one least disturbed by whatever else the machine is doing).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

DEFAULT_CORPUS = (
    Path(__file__).resolve().parents[2] / "shared" / "corpus" / "descriptions" / "dev.jsonl"
)


def load(path: Path) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            record = json.loads(line)
            if not isinstance(record, dict) or record.get("label") not in ("poisoned", "benign"):
                raise SystemExit(f"{path}:{number}: not a labelled description record")
            records.append(record)
    return records


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:.3f}" if whole else "n/a"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=10, help="timing runs (default 10)")
    args = parser.parse_args(argv)
    if not args.corpus.is_file():
        print(f"corpus not found: {args.corpus} (pass --corpus PATH)", file=sys.stderr)
        return 2

    from mcpir.injection.detector import analyze_description

    records = load(args.corpus)
    predicted: dict[str, bool] = {}
    for index, record in enumerate(records):
        hits = analyze_description(str(record["description"]), tool=record.get("tool"))
        predicted[str(record.get("id", index))] = any(h.severity != "low" for h in hits)

    tp = fp = fn = tn = 0
    per_technique: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    wrong: list[str] = []
    for index, record in enumerate(records):
        rid = str(record.get("id", index))
        actual, guess = record["label"] == "poisoned", predicted[rid]
        tp += actual and guess
        fp += guess and not actual
        fn += actual and not guess
        tn += not actual and not guess
        if actual:
            technique = str(record.get("technique") or "unspecified")
            per_technique[technique] += 1
            caught[technique] += guess
        if actual != guess:
            wrong.append(f"{rid} ({'missed' if actual else 'false alarm'}: {record['label']})")

    texts = [str(r["description"]) for r in records]
    timings: list[float] = []
    for _ in range(max(1, args.repeat)):
        start = time.perf_counter()
        for text in texts:
            analyze_description(text)
        timings.append(time.perf_counter() - start)
    median, best = len(texts) / statistics.median(timings), len(texts) / min(timings)

    print(f"corpus     {args.corpus}")
    print(f"records    {len(records)}")
    print(f"TP {tp:>4}   FP {fp:>4}   FN {fn:>4}   TN {tn:>4}")
    print(f"precision  {_ratio(tp, tp + fp)}")
    print(f"recall     {_ratio(tp, tp + fn)}")
    print(
        f"throughput {median:,.0f} descriptions/s median, {best:,.0f} best of {len(timings)} runs"
    )
    print("\nrecall per technique")
    width = max((len(t) for t in per_technique), default=10)
    for technique in sorted(per_technique):
        total, hit = per_technique[technique], caught[technique]
        print(f"  {technique:<{width}}  {hit:>3}/{total:<3} {_ratio(hit, total)}")
    print("\nmisclassified" + ("" if wrong else ": none"))
    for line in wrong:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
