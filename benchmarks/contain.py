"""How fast containment is: `mcpir respond --only contain --yes` on 30 config files.

Run: `python benchmarks/contain.py [--repeat 9]`. Containment is the first command of an
incident, so its whole wall time (start-up included) is compared with the smallest thing a
typer CLI can do, `python -c "import typer"`, measured in the same run. Target: <= 1.5x.
"""

from __future__ import annotations

import argparse
import compileall
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"


def build(base: Path, files: int) -> tuple[Path, Path]:
    """The fixture home (every client) plus project configs until there are `files`."""
    from mcpir.core.paths import Scopes
    from mcpir.discovery import discover

    home, root = base / "home", base / "root"
    shutil.copytree(FIXTURES / "homes" / "linux", home)
    root.mkdir()
    count, index = len(discover(Scopes(home, root))), 0
    while count < files:
        target = root / f"svc{index}" / (".mcp.json" if index % 2 else ".cursor/mcp.json")
        target.parent.mkdir(parents=True)
        servers = {f"s{index}": {"command": "npx", "args": ["-y", f"pkg-{index}@1.0.0"]}}
        target.write_text(json.dumps({"mcpServers": servers}, indent=2))
        count, index = count + 1, index + 1
    return home, root


def wall_ms(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--files", type=int, default=30)
    options = parser.parse_args()
    # An installed mcpir has its bytecode compiled at install time; an editable checkout under
    # PYTHONDONTWRITEBYTECODE would recompile every module on every run instead.
    compileall.compile_dir(Path(__file__).resolve().parents[1] / "src", quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        pristine = Path(tmp) / "pristine"
        build(pristine, options.files)
        contain, typer_ms, changed = [], [], 0
        for run in range(options.repeat):
            work = Path(tmp) / f"run{run}"
            shutil.copytree(pristine, work, symlinks=True)
            argv = [sys.executable, "-m", "mcpir", "respond", "--only", "contain", "--yes",
                    "--home", str(work / "home"), "--root", str(work / "root")]  # fmt: skip
            typer_ms.append(wall_ms([sys.executable, "-c", "import typer"]))
            contain.append(wall_ms(argv))
            incidents = list((work / "root" / ".atom-trail" / "incidents").iterdir())
            journal = (incidents[0] / "journal.jsonl").read_text().splitlines()
            changed = sum('"type": "applied"' in line for line in journal)
    base, ours = statistics.median(typer_ms), statistics.median(contain)
    files, repeat = options.files, options.repeat
    print(f"{files} config files, {changed} files changed per run, median of {repeat}")
    baseline = 'baseline: python -c "import typer"'
    print(f"\n{'measure':<46}{'ms':>8}{'ratio':>8}")
    print(f"{baseline:<46}{base:>8.1f}{1:>8.2f}")
    print(f"{'mcpir respond --only contain --yes':<46}{ours:>8.1f}{ours / base:>8.2f}")
    sys.exit(0 if ours / base <= 1.5 else 1)


if __name__ == "__main__":
    main()
