"""How fast `mcpir org merge` is on 1,000 repository results.

Run: `python benchmarks/org.py [--repos 1000] [--repeat 3]`. Each result is what `mcpir action
--results` writes for a repository with 5 servers, 4 scan findings, one unauthorized change and
one committed secret, in a folder of its own as an artifact download lays them out. Printed
side by side, all measured in this run: the interpreter's start-up (`python -c pass`), reading
every file with `json.loads` alone (the floor), and `mcpir org merge` to Markdown, JSON and
SARIF; CycloneDX on `--bom-repos` results (100: cyclonedx-python-lib's own model checks grow
with the square of the servers). Target: Markdown and JSON under 2 s.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SERVERS = 5


def result(index: int) -> dict[str, object]:
    repo = f"acme/repo-{index:04d}"
    servers = [
        {"client": "claude-code", "scope": "project", "path": f"svc{s}/.mcp.json", "line": 2,
         "name": f"server-{s}", "transport": "stdio", "command": "npx",
         "args": ["-y", f"@acme/mcp-{s}@1.{index % 7}.0"], "url": None,
         "env_keys": ["API_TOKEN"], "header_keys": [], "enabled": True, "project": "."}
        for s in range(SERVERS)
    ]  # fmt: skip
    findings = [
        {"rule": rule, "severity": severity, "message": "a finding", "path": "svc0/.mcp.json",
         "line": 2, "client": "claude-code", "server": "server-0", "tool": None,
         "evidence": None}
        for rule, severity in (("unpinned-package", "medium"), ("hardcoded-secret", "high"),
                               ("prompt-injection", "high"), ("prompt-injection", "low"))
    ]  # fmt: skip
    audit = {
        "unauthorized": [{"commit": "a" * 40, "author": "eve <eve@example.com>",
                          "path": "svc0/.mcp.json", "status": "modified", "authorized": False}],
        "secrets": [{"fingerprint": "sha256:1a2b3c4d5e6f", "provider": "github",
                     "path": "svc0/.mcp.json", "added_in": "b" * 40, "must_rotate": True}],
    }  # fmt: skip
    return {"kind": "mcpir-result", "version": 1, "repository": repo, "commit": "c" * 40,
            "event": "schedule", "servers": servers, "findings": findings, "audit": audit,
            "posture": None, "errors": []}  # fmt: skip


def build(base: Path, repos: int) -> Path:
    folder = base / "results"
    folder.mkdir(parents=True)
    for index in range(repos):
        target = folder / f"mcpir-result-acme__repo-{index:04d}"
        target.mkdir()
        (target / "mcpir-result.json").write_text(json.dumps(result(index), indent=2))
    return folder


def wall_ms(argv: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, check=False, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)}: exit {done.returncode}: {done.stderr}")
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repos", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--bom-repos", type=int, default=100)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = build(Path(tmp), options.repos)
        few = build(Path(tmp) / "few", options.bom_repos)
        floor = (
            "import json,os,sys\n"
            "for d, _, fs in os.walk(sys.argv[1]):\n"
            "    for f in fs: json.loads(open(os.path.join(d, f), 'rb').read())\n"
        )
        runs = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "json.loads of every file": [sys.executable, "-c", floor, str(folder)],
        }
        for fmt in ("markdown", "json", "sarif"):
            runs[f"mcpir org merge --format {fmt}"] = [
                sys.executable, "-m", "mcpir", "org", "merge", str(folder), "--format", fmt,
            ]  # fmt: skip
        runs[f"  ({options.bom_repos} results) --format cyclonedx"] = [
            sys.executable, "-m", "mcpir", "org", "merge", str(few), "--format", "cyclonedx",
        ]  # fmt: skip
        size = sum(p.stat().st_size for p in folder.rglob("*.json"))
        print(f"{options.repos} results, {size / 1e6:.1f} MB, best of {options.repeat}:")
        print(f"{'what':<40} {'ms':>9}")
        for name, argv in runs.items():
            best = min(wall_ms(argv) for _ in range(options.repeat))
            print(f"{name:<40} {best:>9.0f}")


if __name__ == "__main__":
    main()
