"""How well, and how fast, the description-poisoning detector sorts labelled corpora.

Run: `python benchmarks/injection.py [--corpus PATH]... [--repeat 10]`. By default it reads
`dev.jsonl` and `dev2.jsonl` of the shared corpus, each reported on its own and then together.
A corpus is JSON Lines with `description`, `label` ("poisoned" or "benign"), optional `tool` and
`technique`; poisoned is the positive class. For each corpus it prints the confusion counts,
precision and recall, recall per labelled technique (the corpus's tag), precision per detected
technique (the family named in each medium/high hit's message: how often it fired on a benign
record), every misclassified id, and throughput: descriptions per second, median and best of
the repeats, and its ratio to a baseline run in the same process (lower-casing and splitting
every description into words: what any text pass costs at least), so figures taken on a busy
machine can still be compared.

`--against SRC` (a `src` directory of another checkout, e.g. a `git worktree` of an older
commit) also loads that tree's detector into the same process and times the two in turns on
every record, run after run: the medians of descriptions per second (CPU time of this process,
so other work on the machine skews it less) and their ratio, this tree over that one.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

DESCRIPTIONS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "descriptions"
DEFAULT_CORPORA = (DESCRIPTIONS / "dev.jsonl", DESCRIPTIONS / "dev2.jsonl")
_WORDS = re.compile(r"\w+")


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


def _rate(texts: list[str], work: Callable[[str], object], repeat: int) -> tuple[float, float]:
    timings: list[float] = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        for text in texts:
            work(text)
        timings.append(time.perf_counter() - start)
    return len(texts) / statistics.median(timings), len(texts) / min(timings)


def _detector(src: Path | None) -> Callable[[str], object]:
    """`analyze_description` of the tree at `src`, or of the installed one; the other tree's
    modules are dropped from `sys.modules` after loading, so each keeps its own."""
    for name in [m for m in sys.modules if m == "mcpir" or m.startswith("mcpir.")]:
        del sys.modules[name]
    if src is not None:
        sys.path.insert(0, str(src))
    try:
        from mcpir.injection.detector import analyze_description
    finally:
        if src is not None:
            sys.path.remove(str(src))
    return analyze_description


def compare(texts: list[str], against: Path, runs: int) -> float:
    """Descriptions per second of this tree and of `against`, timed in turns; returns the ratio
    of their medians (this over that)."""
    theirs = _detector(against)
    ours = _detector(None)  # loaded last: what the rest of this run uses
    rates: dict[str, list[float]] = {"this tree": [], str(against): []}
    for _ in range(max(1, runs)):
        for name, work in (("this tree", ours), (str(against), theirs)):
            start = time.process_time()
            for text in texts:
                work(text)
            rates[name].append(len(texts) / max(time.process_time() - start, 1e-9))
    medians = {name: statistics.median(values) for name, values in rates.items()}
    ratio = medians["this tree"] / medians[str(against)]
    for name, value in medians.items():
        print(f"  {name:<40} {value:>9,.0f} descriptions/s (median of {runs}, CPU time)")
    print(f"  ratio this/against {ratio:.3f}\n")
    return ratio


def _techniques(hits: list[Any]) -> set[str]:
    return {h.message.partition(":")[0] for h in hits if h.severity != "low"}


def report(name: str, records: list[dict[str, Any]], repeat: int) -> tuple[int, int, int, int]:
    from mcpir.injection.detector import analyze_description

    tp = fp = fn = tn = 0
    labelled: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    fired: Counter[str] = Counter()
    false_alarms: Counter[str] = Counter()
    wrong: list[str] = []
    for index, record in enumerate(records):
        rid = str(record.get("id", index))
        hits = analyze_description(str(record["description"]), tool=record.get("tool"))
        actual, families = record["label"] == "poisoned", _techniques(hits)
        guess = bool(families)
        tp += actual and guess
        fp += guess and not actual
        fn += actual and not guess
        tn += not actual and not guess
        for family in families:
            fired[family] += 1
            false_alarms[family] += not actual
        if actual:
            technique = str(record.get("technique") or "unspecified")
            labelled[technique] += 1
            caught[technique] += guess
        if actual != guess:
            why = ", ".join(sorted(families))
            wrong.append(f"{rid} ({'missed' if actual else 'false alarm: ' + why})")

    texts = [str(r["description"]) for r in records]
    base_median, _ = _rate(texts, lambda t: _WORDS.findall(t.lower()), repeat)
    median, best = _rate(texts, analyze_description, repeat)

    print(f"corpus     {name}")
    print(f"records    {len(records)}")
    print(f"TP {tp:>4}   FP {fp:>4}   FN {fn:>4}   TN {tn:>4}")
    print(f"precision  {_ratio(tp, tp + fp)}")
    print(f"recall     {_ratio(tp, tp + fn)}")
    print(
        f"throughput {median:,.0f} descriptions/s median, {best:,.0f} best of {repeat} runs; "
        f"baseline {base_median:,.0f}/s, ratio {median / base_median:.4f}"
    )
    width = max((len(t) for t in labelled), default=10)
    print("\nrecall per labelled technique")
    for technique in sorted(labelled):
        total, hit = labelled[technique], caught[technique]
        print(f"  {technique:<{width}}  {hit:>3}/{total:<3} {_ratio(hit, total)}")
    print("\nprecision per detected technique (records it fired on, of them poisoned)")
    for family in sorted(fired):
        right = fired[family] - false_alarms[family]
        print(f"  {family:<{width}}  {right:>3}/{fired[family]:<3} {_ratio(right, fired[family])}")
    print("\nmisclassified" + ("" if wrong else ": none"))
    for line in wrong:
        print(f"  {line}")
    print()
    return tp, fp, fn, tn


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--corpus", type=Path, action="append", help="repeatable")
    parser.add_argument("--repeat", type=int, default=10, help="timing runs (default 10)")
    parser.add_argument(
        "--against", type=Path, help="src directory of another checkout to time this one against"
    )
    args = parser.parse_args(argv)
    corpora = args.corpus or list(DEFAULT_CORPORA)
    missing = [str(c) for c in corpora if not c.is_file()]
    if missing:
        print(f"corpus not found: {', '.join(missing)} (pass --corpus PATH)", file=sys.stderr)
        return 2
    if args.against is not None and not (args.against / "mcpir" / "injection").is_dir():
        print(f"--against {args.against}: no mcpir/injection there", file=sys.stderr)
        return 2
    every: list[dict[str, Any]] = []
    for corpus in corpora:
        records = load(corpus)
        report(str(corpus), records, args.repeat)
        every += records
    if len(corpora) > 1:
        report("all of the above", every, args.repeat)
    if args.against is not None:
        print(f"against {args.against}, all records")
        compare([str(r["description"]) for r in every], args.against, max(args.repeat, 15))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
