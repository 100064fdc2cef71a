"""How fast `mcpir investigate` reads a big history: 100 MB of transcripts.

Run: `python benchmarks/investigate.py [--mb 100]`. Builds a home with Claude Code sessions
(tool calls whose results are whole source files and API objects, as real sessions have) and
Codex rollouts, half of them older than the 7-day window (the baseline), plus one planted
exfiltration chain that must still be found. Times `mcpir investigate --json` end to end and,
in the same run, the floor any Python reader has: `json.loads` of every line and nothing else.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

NOW = datetime.now(UTC).replace(microsecond=0)
WORDS = (
    "config",
    "payments",
    "settle",
    "refund",
    "webhook",
    "retry",
    "ledger",
    "invoice",
    "customer",
    "currency",
    "rounding",
    "schedule",
    "batch",
    "export",
    "report",
)
SECRET_VALUE = "Zq8mPRIVk3yV4lue77aa-bench"  # noqa: S105 - a planted test value


def _stamp(when: datetime) -> str:
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _source(rng: random.Random, lines: int) -> str:
    out = []
    for n in range(lines):
        a, b = rng.choice(WORDS), rng.choice(WORDS)
        out.append(
            f"def {a}_{b}_{n}(value):  # {rng.getrandbits(48):012x}\n"
            f"    # callers should check the {b} first; it must not be negative\n"
            f"    return {a}(value) if value < {n} else None"
        )
    return "\n".join(out)


def _record(session: str, cwd: str, when: datetime, role: str, content: object) -> str:
    message = {"role": role, "content": content}
    return json.dumps(
        {
            "parentUuid": None,
            "isSidechain": False,
            "cwd": cwd,
            "sessionId": session,
            "version": "2.0.37",
            "gitBranch": "main",
            "type": role,
            "message": message,
            "uuid": session,
            "timestamp": _stamp(when),
        }
    )


def _session(rng: random.Random, start: datetime, size: int, planted: bool) -> tuple[str, str]:
    session = f"{rng.getrandbits(128):032x}"
    cwd = "/home/dev/app"
    lines, when, written, n = [], start, 0, 0
    while written < size:
        n += 1
        when += timedelta(seconds=rng.randint(5, 90))
        tool_id = f"toolu_{session[:8]}{n:06d}"
        path = f"src/{rng.choice(WORDS)}/{rng.choice(WORDS)}.py"
        use = {
            "type": "tool_use",
            "id": tool_id,
            "name": "mcp__github__get_file_contents",
            "input": {"owner": "acme", "repo": "app", "path": path},
        }
        text = _source(rng, rng.randint(20, 120))
        if planted and n == 3:
            text += f"\nSIGNING_SALT = '{SECRET_VALUE}'"
        result = {
            "type": "tool_result",
            "tool_use_id": tool_id,
            "is_error": False,
            "content": [
                {
                    "type": "text",
                    "text": json.dumps(
                        {"path": path, "content": text, "sha": f"{rng.getrandbits(160):040x}"}
                    ),
                }
            ],
        }
        said = {"type": "text", "text": f"I read {path}; it defines {rng.choice(WORDS)} helpers."}
        for line in (
            _record(session, cwd, when, "assistant", [use]),
            _record(session, cwd, when + timedelta(seconds=1), "user", [result]),
            _record(session, cwd, when + timedelta(seconds=2), "assistant", [said]),
        ):
            lines.append(line)
            written += len(line) + 1
        if planted and n == 4:
            exfil = {
                "type": "tool_use",
                "id": f"toolu_x{session[:8]}",
                "name": "mcp__mermaid__render_diagram",
                "input": {"diagram": f"salt {SECRET_VALUE}"},
            }
            lines.append(_record(session, cwd, when + timedelta(seconds=3), "assistant", [exfil]))
    return session, "\n".join(lines) + "\n"


def build(home: Path, megabytes: int, seed: int = 9) -> int:
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data
    target, total, index = megabytes << 20, 0, 0
    projects = home / ".claude" / "projects" / "-home-dev-app"
    projects.mkdir(parents=True)
    while total < target:
        days = 30 - (index % 29)  # half before the 7-day window, half inside
        start = NOW - timedelta(days=days, hours=rng.randint(0, 8))
        size = min(rng.randint(150, 600) << 10, target - total + 1)
        session, text = _session(rng, start, size, planted=index == 25)
        (projects / f"{session}.jsonl").write_text(text, encoding="utf-8")
        total += len(text.encode())
        index += 1
    return index


def parse_floor(home: Path) -> float:
    code = (
        "import json, pathlib, sys\n"
        "for p in sorted(pathlib.Path(sys.argv[1]).rglob('*.jsonl')):\n"
        "    with p.open('rb') as f:\n"
        "        for line in f: json.loads(line)\n"
    )
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(home)], check=True)
    return time.perf_counter() - start


def child(argv: list[str]) -> None:
    """Run `argv`; print its peak RSS (KiB), then its stdout; exit with its code."""
    import resource

    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    sys.stdout.write(f"{peak}\n{done.stdout}")
    sys.stderr.write(done.stderr)
    sys.exit(done.returncode)


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[3:])
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=100)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home, root = Path(tmp) / "home", Path(tmp) / "root"
        root.mkdir()
        started = time.perf_counter()
        files = build(home, options.mb)
        built = time.perf_counter() - started
        size = sum(p.stat().st_size for p in home.rglob("*.jsonl"))
        floor = parse_floor(home)
        mcpir = [sys.executable, "-m", "mcpir", "investigate", "--home", str(home)]
        mcpir += ["--root", str(root), "--since", "7d", "--json"]
        argv = [sys.executable, str(Path(__file__).resolve()), "--child", "--", *mcpir]
        started = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        ours = time.perf_counter() - started
    rss, _, out = done.stdout.partition("\n")
    report = json.loads(out)
    flows = [f for f in report["findings"] if f["rule"] == "investigate/cross-tool-flow"]
    print(
        f"{size / 2**20:.1f} MiB in {files} Claude Code sessions (built in {built:.1f} s), "
        f"{report['calls']} tool calls, {len(report['findings'])} findings"
    )
    print(f"\n{'measure':<52}{'s':>8}{'MiB/s':>9}{'ratio':>8}")
    mib = size / 2**20
    print(
        f"{'baseline: json.loads of every line, nothing else':<52}{floor:>8.2f}"
        f"{mib / floor:>9.1f}{1:>8.2f}"
    )
    print(
        f"{'mcpir investigate --since 7d --json':<52}{ours:>8.2f}{mib / ours:>9.1f}"
        f"{ours / floor:>8.2f}"
    )
    assert done.returncode == 1, done.stderr
    assert any(f["server"] == "mermaid" for f in flows), "the planted flow was not found"
    print("planted exfiltration chain: found")
    print(f"peak memory of mcpir investigate: {int(rss) / 1024:.0f} MiB (it streams line by line)")


if __name__ == "__main__":
    main()
