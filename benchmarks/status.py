"""How fast `mcpir tokens status` is with 10,000 tokens in the inventory.

Run: `python benchmarks/status.py [--tokens 10000] [--repeat 5]`. A sandboxed home and a
project whose 100 nested `.mcp.json` files give 10,000 literal tokens to the servers they
define; the inventory (`inventory.json`) is filled by a first run. Printed side by side, all
measured in this run: the interpreter's start-up (`python -c pass`), `import typer`, the
whole `mcpir tokens status --json` (start-up, discovery, detection, policy, JSON), and the
status computation alone on the 10,000 tokens. Target: the command under 1 s.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PER_FILE = 100  # 10 servers x 10 tokens


def build(base: Path, tokens: int) -> tuple[Path, Path]:
    home, root = base / "home", base / "root"
    home.mkdir()
    root.mkdir()
    for index in range(max(1, tokens // PER_FILE)):
        servers = {
            f"svc{index}-{s}": {
                "command": "node",
                "args": ["server.js"],
                "env": {f"SVC{t}_API_TOKEN": os.urandom(16).hex() for t in range(PER_FILE // 10)},
            }
            for s in range(10)
        }
        target = root / f"pkg{index:03d}" / ".mcp.json"
        target.parent.mkdir()
        target.write_text(json.dumps({"mcpServers": servers}, indent=2), encoding="utf-8")
    return home, root


def wall_ms(argv: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(argv, check=False, capture_output=True, text=True, env=env)
    return (time.perf_counter() - start) * 1000, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tokens", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    compileall.compile_dir(Path(__file__).resolve().parents[1] / "src", quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        home, root = build(Path(tmp), options.tokens)
        env = dict(os.environ, MCPIR_HOME=str(Path(tmp) / "state"))
        argv = [sys.executable, "-m", "mcpir", "tokens", "status", "--json",
                "--home", str(home), "--root", str(root)]  # fmt: skip
        first_ms, out = wall_ms(argv, env)  # fills inventory.json
        listed = len(json.loads(out))
        python, typer, status = [], [], []
        for _ in range(options.repeat):
            python.append(wall_ms([sys.executable, "-c", "pass"], env)[0])
            typer.append(wall_ms([sys.executable, "-c", "import typer"], env)[0])
            status.append(wall_ms(argv, env)[0])
        os.environ["MCPIR_HOME"] = env["MCPIR_HOME"]
        from mcpir.config.rotation import RotationPolicy
        from mcpir.core.paths import Scopes
        from mcpir.tokens import list_tokens
        from mcpir.tokens.status import statuses

        inventory, compute = [], []
        for _ in range(options.repeat):
            start = time.perf_counter()
            tokens = list_tokens(Scopes(home=home, root=root), environ=None)
            inventory.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            aged, _ = statuses(tokens, RotationPolicy())
            [s.as_dict() for s in aged]
            compute.append((time.perf_counter() - start) * 1000)
    rows = [
        ('interpreter start-up: python -c "pass"', python),
        ('python -c "import typer"', typer),
        ("mcpir tokens status --json", status),
        ("  inventory: list_tokens (in process)", inventory),
        ("  status + JSON rows alone (in process)", compute),
    ]
    print(f"{listed} tokens in the inventory; first run (fills it) {first_ms:.0f} ms")
    print(f"\n{'measure':<46}{'median ms':>11}{'min ms':>9}")
    for name, times in rows:
        print(f"{name:<46}{statistics.median(times):>11.1f}{min(times):>9.1f}")
    sys.exit(0 if statistics.median(status) < 1000 else 1)


if __name__ == "__main__":
    main()
