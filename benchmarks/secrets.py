"""Secret detection: recall on generated tokens, silence on look-alikes, speed vs detect-secrets.

Run: `python benchmarks/secrets.py [--per-provider 1000] [--mib 50] [--unique]`. Needs the `dev`
extra (detect-secrets 1.5.0) for the comparison. Prints three tables:
  1. per provider: valid tokens found (recall) and look-alikes reported (must be 0);
  2. the real config corpus (../shared/corpus/configs): every secret finding, to read for
     false positives (the corpus has its credentials replaced by `REDACTED`);
  3. throughput on >= 50 MiB of config files with planted secrets: mcpir scan against
     detect-secrets in the same process, single process each, with each tool's recall.
     `mcpir scan` runs `--runs` times (best and median, wall and CPU); its secret text pass
     alone (the two secret checks on the servers discovery found) is timed apart. The
     issue-20 target: `mcpir scan` >= 10 MiB/s (gitleaks' published rate).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "configs"
CORPUS_NAMES = {
    "claude-code": ".mcp.json",
    "cursor": ".cursor/mcp.json",
    "vscode": ".vscode/mcp.json",
    "claude-desktop": "claude_desktop_config.json",
    "gemini": ".gemini/settings.json",
}


def _fingerprint(value: str) -> str:
    from mcpir.core.secret import fingerprint

    return fingerprint(value)


def _write_configs(base: Path, values: list[str], per_file: int = 50) -> None:
    for start in range(0, len(values), per_file):
        servers = {
            f"server-{start + n}": {
                "command": "node",
                "args": ["server.js"],
                "env": {"SERVICE_TOKEN": value},
            }
            for n, value in enumerate(values[start : start + per_file])
        }
        target = base / f"p{start // per_file}" / ".mcp.json"
        target.parent.mkdir(parents=True)
        target.write_text(json.dumps({"mcpServers": servers}, indent=2))


def _scan_fingerprints(base: Path) -> list[str]:
    from mcpir.config.project import Policy
    from mcpir.core.paths import Scopes
    from mcpir.scan.engine import ScanRequest, scan

    report = scan(ScanRequest(Scopes(base, base), paths=(base,)), Policy())
    return [
        finding.evidence.rsplit("(", 1)[-1].rstrip(")")
        for finding in report.findings
        if finding.rule_id == "hardcoded-secret" and finding.evidence
    ]


def recall_table(per_provider: int, rng: random.Random) -> bool:
    from mcpir.secrets import providers
    from mcpir.secrets.fakes import fake_token, lookalike_token

    print(
        f"{'provider':<26}{'valid':>7}{'found':>7}{'recall':>9}{'look-alikes':>13}{'reported':>10}"
    )
    ok = True
    for provider in providers():
        valid = [fake_token(provider.name, rng) for _ in range(per_provider)]
        fakes = [lookalike_token(provider.name, rng) for _ in range(per_provider)]
        with tempfile.TemporaryDirectory() as tmp:
            _write_configs(Path(tmp) / "valid", valid)
            _write_configs(Path(tmp) / "fake", fakes)
            wanted = {_fingerprint(v) for v in valid}
            found = wanted & set(_scan_fingerprints(Path(tmp) / "valid"))
            reported = len(_scan_fingerprints(Path(tmp) / "fake"))
        recall = len(found) / len(wanted)
        ok &= recall == 1.0 and reported == 0
        print(
            f"{provider.name:<26}{len(wanted):>7}{len(found):>7}{recall:>9.3f}"
            f"{len(fakes):>13}{reported:>10}"
        )
    return ok


def corpus_table() -> None:
    if not CORPUS.is_dir():
        print(f"\n(config corpus not found at {CORPUS}: skipped)")
        return
    from mcpir.config.project import Policy
    from mcpir.core.paths import Scopes
    from mcpir.scan.engine import ScanRequest, scan

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        for source in sorted(CORPUS.glob("*/*.json")):
            target = base / f"{source.parent.name}-{source.stem}" / CORPUS_NAMES[source.parent.name]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
        report = scan(ScanRequest(Scopes(base, base), paths=(base,)), Policy())
        hits = [
            f
            for f in report.findings
            if f.rule_id in {"hardcoded-secret", "literal-credential-header"}
        ]
        print(f"\nconfig corpus: {len(report.files)} files, {report.servers} servers, "
              f"{len(hits)} secret findings")  # fmt: skip
        for finding in hits:
            where = finding.location.path.relative_to(base)
            print(f"  {where}:{finding.location.line} {finding.server}: {finding.message} "
                  f"[{finding.evidence}]")  # fmt: skip


def _bulk(
    base: Path, mib: int, rng: random.Random, unique: bool = False
) -> tuple[list[Path], list[str]]:
    """Config files of realistic shape, about 100 KiB each, two planted secrets per file. The
    same 250 servers in every file (as machines repeat them across clients and projects), or,
    `unique`, no two servers anywhere with the same package, arguments or values."""
    from mcpir.secrets.fakes import fake_token

    # Formats both tools know, so recall is compared on common ground.
    kinds = ["github-classic", "aws-access-key-id", "slack", "stripe", "npm"]
    files, planted, size, index = [], [], 0, 0
    while size < mib * 1024 * 1024:
        servers: dict[str, dict[str, Any]] = {}
        for n in range(250):
            release = f"1.{n}.{index}" if unique else f"1.{n}.0"
            servers[f"srv-{n}"] = {
                "command": "npx",
                "args": ["-y", f"@example/mcp-{n}@{release}", "--port", str(3000 + n)],
                "env": {"LOG_LEVEL": "info", "API_TOKEN": "${API_TOKEN}",
                        "REGION": f"eu-west-{index}" if unique else "eu-west-1"},
            }  # fmt: skip
        for n in range(2):
            token = fake_token(kinds[(index + n) % len(kinds)], rng)
            planted.append(token)
            servers[f"srv-{n}"]["env"][f"SECRET_{n}"] = token
        target = base / f"p{index}" / ".mcp.json"
        target.parent.mkdir(parents=True)
        text = json.dumps({"mcpServers": servers}, indent=2)
        target.write_text(text)
        files.append(target)
        size += len(text)
        index += 1
    return files, planted


def _text_pass(base: Path) -> float:
    """Seconds the secret checks take on servers already discovered (the scan's text pass)."""
    from mcpir.config.project import Policy
    from mcpir.core.paths import Scopes
    from mcpir.scan.checks import hardcoded_secret, literal_credential_header
    from mcpir.scan.checks.base import ScanContext
    from mcpir.scan.engine import ScanRequest, collect

    servers = [
        server
        for config in collect(ScanRequest(Scopes(base, base), paths=(base,)), Policy())
        for server in config.servers
    ]
    ctx = ScanContext()
    start = time.perf_counter()
    for server in servers:
        for check in (hardcoded_secret.check, literal_credential_header.check):
            for _ in check(server, ctx):
                pass
    return time.perf_counter() - start


def throughput_table(
    mib: int, rng: random.Random, runs: int = 3, compare: bool = True, unique: bool = False
) -> bool:
    try:
        from detect_secrets.core.secrets_collection import SecretsCollection
        from detect_secrets.settings import default_settings
    except ImportError:
        print("\n(detect-secrets not installed: `pip install -e '.[dev]'` for the comparison)")
        return True
    if not compare:  # detect-secrets takes half an hour on 50 MiB of a busy machine
        return _mcpir_only(mib, rng, runs, unique)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        files, planted = _bulk(base, mib, rng, unique)
        total = sum(f.stat().st_size for f in files) / 1024 / 1024
        timings, cpu = [], []
        for _ in range(max(1, runs)):
            start, start_cpu = time.perf_counter(), time.process_time()
            ours = set(_scan_fingerprints(base))
            timings.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        text_s = min(_text_pass(base) for _ in range(max(1, runs)))
        start = time.perf_counter()
        collection = SecretsCollection()
        with default_settings():
            collection.scan_files(*map(str, files), num_processors=1)
        theirs_s = time.perf_counter() - start
        theirs = {secret.secret_hash for _, secret in collection}
    mcpir_recall = sum(_fingerprint(t) in ours for t in planted) / len(planted)
    sha1 = {hashlib.sha1(t.encode()).hexdigest() for t in planted}  # noqa: S324 - their hash
    ds_recall = len(sha1 & theirs) / len(planted)
    best, median = min(timings), statistics.median(timings)
    print(f"\n{total:.1f} MiB in {len(files)} config files, {len(planted)} planted secrets")
    print(f"{'tool':<34}{'seconds':>9}{'MiB/s':>9}{'recall':>9}{'ratio':>9}")
    rows = [
        ("detect-secrets 1.5.0", theirs_s, f"{ds_recall:.3f}"),
        (f"mcpir scan, median of {len(timings)}", median, f"{mcpir_recall:.3f}"),
        (f"mcpir scan, best of {len(timings)}", best, f"{mcpir_recall:.3f}"),
        (f"mcpir scan, CPU, median of {len(cpu)}", statistics.median(cpu), f"{mcpir_recall:.3f}"),
        (f"mcpir scan, CPU, best of {len(cpu)}", min(cpu), f"{mcpir_recall:.3f}"),
        ("mcpir secret text pass, best", text_s, "-"),
    ]
    for name, seconds, recall in rows:
        print(f"{name:<34}{seconds:>9.2f}{total / seconds:>9.1f}{recall:>9}"
              f"{theirs_s / seconds:>9.1f}")  # fmt: skip
    print("(wall time unless CPU: this process's CPU seconds, what a busy machine changes least;")
    print(" single process each; ratio: detect-secrets' wall seconds over the row's)")
    return theirs_s / median >= 10 and mcpir_recall >= ds_recall


def _mcpir_only(mib: int, rng: random.Random, runs: int, unique: bool = False) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        files, planted = _bulk(base, mib, rng, unique)
        total = sum(f.stat().st_size for f in files) / 1024 / 1024
        wall, cpu = [], []
        for _ in range(max(1, runs)):
            start, start_cpu = time.perf_counter(), time.process_time()
            ours = set(_scan_fingerprints(base))
            wall.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        text_s = min(_text_pass(base) for _ in range(max(1, runs)))
    recall = sum(_fingerprint(t) in ours for t in planted) / len(planted)
    print(f"\n{total:.1f} MiB in {len(files)} config files, {len(planted)} planted secrets")
    print(f"{'mcpir scan':<34}{'median s':>9}{'MiB/s':>9}{'best s':>9}{'MiB/s':>9}{'recall':>9}")
    for name, times in (("wall", wall), ("CPU", cpu)):
        median, best = statistics.median(times), min(times)
        print(f"{name + f', {len(times)} runs':<34}{median:>9.2f}{total / median:>9.1f}"
              f"{best:>9.2f}{total / best:>9.1f}{recall:>9.3f}")  # fmt: skip
    print(f"{'secret text pass, best (wall)':<34}{'':>18}{text_s:>9.2f}{total / text_s:>9.1f}")
    return recall == 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-provider", type=int, default=1000)
    parser.add_argument("--mib", type=int, default=50)
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--runs", type=int, default=3, help="mcpir scan runs (best, median)")
    parser.add_argument(
        "--no-compare", action="store_true", help="time mcpir scan alone, not detect-secrets"
    )
    parser.add_argument(
        "--unique", action="store_true", help="no two servers alike (no repeated definitions)"
    )
    options = parser.parse_args()
    rng = random.Random(options.seed)  # noqa: S311 - reproducible test data, not secrets
    ok = recall_table(options.per_provider, rng)
    corpus_table()
    ok &= throughput_table(options.mib, rng, options.runs, not options.no_compare, options.unique)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
