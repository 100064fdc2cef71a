"""How fast `mcpir scan --live` is: 20 local stdio servers, against the SDK's bare client.

Run: `python benchmarks/live.py [--repeat 5] [--servers 20]`. Each server is the SDK fixture
`tests/live_servers/rich.py` (paginated tools, a prompt, resources), started with this Python.
The servers' own start-up is the floor, so the baseline is a bare script, measured in the same
run and interleaved, that lists the same servers concurrently with the SDK's client
(`stdio_client`, `ClientSession.initialize`, then every page of each list the capabilities
announce) and does nothing else. `mcpir scan --live --yes --only-root --json` (default
`--concurrency`) is the figure judged; a row with `--concurrency` set to the number of servers
is shown too. Target: <= 1.3x; exit 1 when over.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SERVER = REPO / "tests" / "live_servers" / "rich.py"
TARGET = 1.3

BARE = """
import json, sys
import anyio
import mcp_types as types
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

LISTS = (
    ("tools", "list_tools", "tools"),
    ("prompts", "list_prompts", "prompts"),
    ("resources", "list_resources", "resources"),
    ("resources", "list_resource_templates", "resource_templates"),
)


async def one(command, args, out):
    params = StdioServerParameters(command=command, args=args)
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        init = await session.initialize()
        caps = init.capabilities
        count = 0
        for capability, method, key in LISTS:
            if getattr(caps, capability) is None:
                continue
            cursor = None
            while True:
                params = types.PaginatedRequestParams(cursor=cursor) if cursor else None
                page = await getattr(session, method)(params=params)
                count += len(getattr(page, key))
                cursor = page.next_cursor
                if not cursor:
                    break
        out.append(count)


async def main():
    servers = json.load(open(sys.argv[1]))["mcpServers"]
    out = []
    async with anyio.create_task_group() as group:
        for spec in servers.values():
            group.start_soon(one, spec["command"], spec["args"], out)
    print(len(out), sum(out))
    if len(out) != len(servers):
        sys.exit(1)


anyio.run(main)
"""


def build(base: Path, servers: int) -> tuple[Path, Path, Path]:
    """(home, root, bare script): a project whose `.mcp.json` lists `servers` stdio servers."""
    home, root = base / "home", base / "root"
    home.mkdir(parents=True)
    root.mkdir()
    spec = {"command": sys.executable, "args": [str(SERVER), "stdio"]}
    config = {"mcpServers": {f"live{index:02d}": spec for index in range(servers)}}
    (root / ".mcp.json").write_text(json.dumps(config, indent=2))
    bare = base / "bare.py"
    bare.write_text(BARE)
    return home, root, bare


def wall_ms(argv: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(argv, check=False, capture_output=True, text=True, env=env)
    return (time.perf_counter() - start) * 1000, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--servers", type=int, default=20)
    options = parser.parse_args()
    # An installed mcpir has its bytecode compiled at install time (see benchmarks/contain.py).
    compileall.compile_dir(REPO / "src", quiet=1)
    compileall.compile_file(str(SERVER), quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        pristine_home, pristine_root, bare = build(base / "pristine", options.servers)
        env = dict(os.environ, MCPIR_HOME=str(base / "state"))
        bare_ms: list[float] = []
        live_ms: list[float] = []
        wide_ms: list[float] = []
        listed = findings = 0
        for run in range(options.repeat):
            # A fresh project each run: the first listing of each server becomes its pin.
            work = base / f"run{run}"
            shutil.copytree(pristine_home, work / "home")
            shutil.copytree(pristine_root, work / "root")
            home, root = work / "home", work / "root"
            scan = [sys.executable, "-m", "mcpir", "scan", "--live", "--yes", "--only-root",
                    "--home", str(home), "--root", str(root), "--json"]  # fmt: skip
            took, out = wall_ms([sys.executable, str(bare), str(root / ".mcp.json")], env)
            bare_ms.append(took)
            listed = int(out.split()[0]) if out.strip() else 0
            if listed != options.servers:
                sys.exit(f"the bare client listed {listed} of {options.servers} servers")
            took, out = wall_ms(scan, env)
            live_ms.append(took)
            report = json.loads(out)
            findings = len(report["findings"])
            if report["live_errors"]:
                sys.exit(f"servers not listed: {report['live_errors']}")
            shutil.rmtree(root / ".atom-trail", ignore_errors=True)
            wide = [*scan, "--concurrency", str(options.servers)]
            wide_ms.append(wall_ms(wide, env)[0])
    base_ms, ours, ours_wide = (statistics.median(x) for x in (bare_ms, live_ms, wide_ms))
    print(f"{options.servers} stdio servers ({listed} listed by the bare client), "
          f"{findings} findings per scan, median of {options.repeat}")  # fmt: skip
    print(f"\n{'measure':<58}{'ms':>9}{'ratio':>8}")
    print(f"{'baseline: SDK client, all servers at once':<58}{base_ms:>9.1f}{1:>8.2f}")
    label = "mcpir scan --live --yes --only-root --json"
    print(f"{label:<58}{ours:>9.1f}{ours / base_ms:>8.2f}")
    label = f"  … --concurrency {options.servers} (shown, not judged)"
    print(f"{label:<58}{ours_wide:>9.1f}{ours_wide / base_ms:>8.2f}")
    sys.exit(0 if ours / base_ms <= TARGET else 1)


if __name__ == "__main__":
    main()
