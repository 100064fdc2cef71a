"""Red-team reproductions for `mcpir scan --live` (issue 19): hostile stdio servers.

Every byte a started server sends, and everything it does, is hostile. What held is covered in
tests/test_scan_live.py; this file keeps what did not hold (xfail, strict) and one guard for
the server-chosen error line.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from tests.conftest import FIXTURES, RunCli

EMPTY = FIXTURES / "empty"
MARKER = f"mcpir-adv19-{uuid.uuid4().hex}"
TOKEN = "ghp_" + "Xk9" * 12

# A raw JSON-RPC stdio server; argv[1] picks how it misbehaves on the list requests.
RAW = """
import json, os, sys
mode = sys.argv[1]
def send(obj):
    sys.stdout.write(json.dumps(obj) + "\\n")
    sys.stdout.flush()
for line in sys.stdin:
    msg = json.loads(line)
    if "id" not in msg:
        continue
    if msg["method"] == "initialize":
        send({"jsonrpc": "2.0", "id": msg["id"], "result": {
            "protocolVersion": msg["params"]["protocolVersion"], "capabilities": {"tools": {}},
            "serverInfo": {"name": "raw", "version": "1"}}})
    elif mode == "error":
        text = "boom \\x1b[2J\\x1b]0;pwned\\x07 " + os.environ["TOKEN"] + " \\u202e line\\nnext"
        send({"jsonrpc": "2.0", "id": msg["id"], "error": {"code": -1, "message": text}})
    elif mode == "many":
        n = int(os.environ["N"])
        tools = ",".join('{"name":"t%d","inputSchema":{"type":"object"}}' % i for i in range(n))
        head = '{"jsonrpc":"2.0","id":%d,"result":{"tools":[' % msg["id"]
        sys.stdout.write(head + tools + "]}}\\n")
        sys.stdout.flush()
"""

# Forks a grandchild into its own session (setsid, double fork): out of the process group that
# `stop` signals. It sleeps with MARKER in its argv so the test can find it.
DAEMON = """
import os, sys, time
marker = sys.argv[1]
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.closerange(0, 3)
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(60)", marker])
    os._exit(0)
time.sleep(60)
"""


def _marked() -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline"]):
        try:
            cmdline = process.info.get("cmdline") or []
        except psutil.Error:
            continue
        if any(MARKER in part for part in cmdline):
            found.append(process)
    return found


@pytest.fixture(autouse=True)
def kill_leftovers() -> Iterator[None]:
    yield
    for process in _marked():  # what this file's servers left behind, found by MARKER only
        try:
            process.kill()
        except psutil.Error:
            pass


def _project(tmp_path: Path, servers: dict[str, dict[str, Any]]) -> Path:
    root = tmp_path / "project"
    root.mkdir(exist_ok=True)
    (root / ".git").mkdir(exist_ok=True)
    (root / ".mcp.json").write_text(json.dumps({"mcpServers": servers}, indent=2))
    return root


def _live(run_cli: RunCli, root: Path, *args: str) -> Any:  # noqa: ANN401
    return run_cli("scan", "--home", EMPTY, "--root", root, "--live", "--yes", *args)


def test_a_setsid_daemon_does_not_outlive_scan_live(run_cli: RunCli, tmp_path: Path) -> None:
    script = tmp_path / "daemon.py"
    script.write_text(DAEMON)
    server = {"command": sys.executable, "args": [str(script), MARKER]}
    root = _project(tmp_path, {"daemon": server})
    _live(run_cli, root, "--timeout", "2")
    deadline = time.monotonic() + 2
    while _marked() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _marked() == []


MEASURE = """
import json, pathlib, resource, sys, time
from mcpir.core.model import Location, Scope, Server, Transport
from mcpir.core.secret import Secret
from mcpir.live.run import list_live

script, n = sys.argv[1], sys.argv[2]
server = Server(name="many", client="c", scope=list(Scope)[0], transport=Transport.STDIO,
                location=Location(pathlib.Path(script)), command=sys.executable,
                args=(script, "many"), env={"N": Secret(n)})
start = time.monotonic()
[result] = list_live([server], timeout=3)
print(json.dumps({"seconds": time.monotonic() - start, "error": result.error,
                  "mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
"""


def test_one_page_of_many_tools_is_bounded_in_memory_and_time(tmp_path: Path) -> None:
    script = tmp_path / "raw.py"
    script.write_text(RAW)
    measure = tmp_path / "measure.py"
    measure.write_text(textwrap.dedent(MEASURE))
    run = subprocess.run(
        [sys.executable, str(measure), str(script), "330000"],
        capture_output=True,
        text=True,
        timeout=50,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["mb"] < 400, seen  # about 1.2 GB today, the page's 14 MB x ~85
    # timeout=3 plus the shutdown grace (3 x 1 s): more is the event loop blocked on parsing.
    assert seen["seconds"] < 3 + 3 + 1, seen


def test_a_hostile_error_line_is_shown_not_obeyed(run_cli: RunCli, tmp_path: Path) -> None:
    """Guard (held): the server-chosen error message is one line, escaped, and redacted."""
    script = tmp_path / "raw.py"
    script.write_text(RAW)
    server = {"command": sys.executable, "args": [str(script), "error", MARKER]}
    root = _project(tmp_path, {"bad": server | {"env": {"TOKEN": TOKEN}}})
    for fmt in ("table", "json", "sarif"):
        result = _live(run_cli, root, "--format", fmt)
        out = result.stdout + result.stderr
        assert TOKEN not in out, fmt
        assert "\x1b" not in out and "\x07" not in out, fmt
        if fmt == "table":  # JSON and SARIF keep U+202E raw (ensure_ascii=False): low, noted
            assert "\u202e" not in out and "\\x1b" in out, out
        assert "could not list" in out or "live_errors" in out or "live-unreachable" in out, fmt
    for path in (root / ".atom-trail").rglob("*"):
        if path.is_file():
            assert TOKEN not in path.read_text(errors="replace"), path
