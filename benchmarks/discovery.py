"""How long discovery takes on a machine with 200 MCP config files.

Run: `python benchmarks/discovery.py [--files 200] [--projects 50] [--repeat 7]`. Prints a
table of medians; each ratio is against a baseline measured in the same process on the same
files, so the figures compare across machines:
  - parse baseline: read + `json.loads` of every config file, nothing else;
  - start-up baseline: `python -c pass`;
  - one project: the same number of files in one `--root` tree, against which the same files
    spread over 50 projects the clients recorded (Claude Code's `projects`, VS Code's
    workspaceStorage, Codex's `[projects]`), run from an unrelated directory, are measured.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
PROJECT_LAYOUTS = (
    ".mcp.json",
    ".cursor/mcp.json",
    ".vscode/mcp.json",
    ".gemini/settings.json",
    ".roo/mcp.json",
    "mcp-servers.json",
)


def _config(index: int) -> str:
    servers = {
        f"server-{index}-{n}": {
            "command": "npx",
            "args": ["-y", f"@example/mcp-{n}@1.0.{index}"],
            "env": {"API_TOKEN": "${API_TOKEN}"},
        }
        for n in range(3)
    }
    return json.dumps({"mcpServers": servers}, indent=2)


def build(base: Path, files: int) -> tuple[Path, Path, list[Path]]:
    """A home holding every client's files, and a project tree making up the rest."""
    from mcpir.core.paths import Scopes
    from mcpir.discovery import discover

    home, root = base / "home", base / "root"
    shutil.copytree(FIXTURES / "homes" / "linux", home)
    written: list[Path] = [config.path for config in discover(Scopes(home, None))]
    index = 0
    while len(written) < files:
        rel = PROJECT_LAYOUTS[index % len(PROJECT_LAYOUTS)]
        path = root / f"pkg{index // len(PROJECT_LAYOUTS)}" / f"svc{index}" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_config(index))
        written.append(path)
        index += 1
    # Noise the walk must skip or pass through cheaply: dependencies and source trees.
    for n in range(300):
        dep = root / "node_modules" / f"dep{n}"
        dep.mkdir(parents=True)
        (dep / ".mcp.json").write_text("{}")
        src = root / "src" / f"mod{n}"
        src.mkdir(parents=True)
        (src / "main.py").write_text("")
    return home, root, written


def build_projects(base: Path, files: int, projects: int) -> tuple[Path, Path, list[Path]]:
    """The same home, and `files` config files spread over `projects` projects that only the
    clients' own state records, a third each; each project also holds dependencies and
    sources, which a recorded project's top-level read never enters."""
    from mcpir.core.paths import Scopes
    from mcpir.discovery import discover

    home, cwd = base / "home", base / "unrelated"
    shutil.copytree(FIXTURES / "homes" / "linux", home)
    cwd.mkdir()
    written: list[Path] = [config.path for config in discover(Scopes(home, None, only_root=True))]
    roots = [home / "src" / f"project{n}" for n in range(projects)]
    index = 0
    while len(written) < files:
        rel = PROJECT_LAYOUTS[(index // projects) % len(PROJECT_LAYOUTS)]
        path = roots[index % projects] / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_config(index))
        written.append(path)
        index += 1
    for root in roots:
        for noise in ("node_modules/dep", "src/mod", "docs"):
            (root / noise).mkdir(parents=True, exist_ok=True)
            (root / noise / "main.py").write_text("")
    claude = json.loads((home / ".claude.json").read_text())
    claude["projects"].update({str(root): {} for root in roots[0::3]})
    (home / ".claude.json").write_text(json.dumps(claude))
    for n, root in enumerate(roots[1::3]):
        window = home / ".config" / "Code" / "User" / "workspaceStorage" / f"window{n}"
        window.mkdir(parents=True)
        (window / "workspace.json").write_text(json.dumps({"folder": root.as_uri()}))
    with (home / ".codex" / "config.toml").open("a") as codex:
        codex.writelines(
            f'\n[projects."{root}"]\ntrust_level = "trusted"\n' for root in roots[2::3]
        )
    return home, cwd, written


def median_ms(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--projects", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=7)
    options = parser.parse_args()

    from mcpir.core.paths import Scopes
    from mcpir.discovery import discover

    with tempfile.TemporaryDirectory() as tmp:
        home, root, files = build(Path(tmp), options.files)

        def parse_only() -> None:
            for path in files:
                try:
                    json.loads(path.read_text(encoding="utf-8"))
                except ValueError:
                    pass

        def cli() -> None:
            subprocess.run(
                [sys.executable, "-m", "mcpir", "servers", "--home", str(home), "--root",
                 str(root), "--json"],
                check=False,
                stdout=subprocess.DEVNULL,
            )  # fmt: skip

        scopes = Scopes(home, root)
        found = discover(scopes)
        parse = median_ms(parse_only, options.repeat)
        library = median_ms(lambda: discover(scopes), options.repeat)
        startup = median_ms(
            lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), options.repeat
        )
        wall = median_ms(cli, options.repeat)

    with tempfile.TemporaryDirectory() as tmp:
        home, cwd, spread = build_projects(Path(tmp), options.files, options.projects)

        def cli_projects() -> None:
            subprocess.run(
                [sys.executable, "-m", "mcpir", "servers", "--home", str(home), "--json"],
                check=False,
                stdout=subprocess.DEVNULL,
                cwd=cwd,
            )

        scopes = Scopes(home, cwd)
        found_spread = discover(scopes)
        library_projects = median_ms(lambda: discover(scopes), options.repeat)
        wall_projects = median_ms(cli_projects, options.repeat)
    assert len(found_spread) == len(spread), (len(found_spread), len(spread))

    servers = sum(len(config.servers) for config in found)
    print(f"{len(found)} config files, {servers} servers, median of {options.repeat} runs\n")
    print(f"{'measure':<46}{'ms':>9}{'ratio':>10}")
    print(f"{'baseline: read + json.loads of every file':<46}{parse:>9.1f}{1:>10.1f}")
    print(f"{'discover() in-process':<46}{library:>9.1f}{library / parse:>10.1f}  x parse")
    print(f"{'baseline: python -c pass':<46}{startup:>9.1f}{1:>10.1f}")
    print(f"{'mcpir servers --json (wall)':<46}{wall:>9.1f}{wall / startup:>10.1f}  x start-up")
    spread_files = f"{len(spread)} files in {options.projects} recorded projects"
    print(f"\n{spread_files}, from an unrelated directory, against one project above")
    print(
        f"{'discover() in-process':<46}{library_projects:>9.1f}"
        f"{library_projects / library:>10.1f}  x one project"
    )
    print(
        f"{'mcpir servers --json (wall)':<46}{wall_projects:>9.1f}"
        f"{wall_projects / wall:>10.1f}  x one project"
    )


if __name__ == "__main__":
    main()
