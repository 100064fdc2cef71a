"""Contract A end to end: what the real `mcpir proxy` logs, `mcpir investigate` reads."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RunCli

SERVER = Path(__file__).parent / "mcp_fixture_server.py"
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("mcpir.proxy") is None or importlib.util.find_spec("mcp") is None,
    reason="needs mcpir's proxy (issue 8) and the mcp SDK",
)
MESSAGES: list[dict[str, Any]] = [
    {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "test", "version": "1"}}},
    {"jsonrpc": "2.0", "method": "notifications/initialized"},
    {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
    {"jsonrpc": "2.0", "id": 3, "method": "tools/call",
     "params": {"name": "add", "arguments": {"a": 1, "b": 2}}},
]  # fmt: skip


def _session(root: Path, rug: bool) -> None:
    """One client session through the proxy; stdin stays open until the answers are back."""
    env = {**os.environ, "MCPIR_FIXTURE_RUG": "1" if rug else "0"}
    argv = [sys.executable, "-m", "mcpir", "proxy", "--name", "fixture", "--",
            sys.executable, str(SERVER)]  # fmt: skip
    proxy = subprocess.Popen(  # noqa: S603
        argv, cwd=root, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert proxy.stdin is not None and proxy.stdout is not None
    for message in MESSAGES:
        proxy.stdin.write(json.dumps(message) + "\n")
        proxy.stdin.flush()
        if "id" in message:
            proxy.stdout.readline()  # the answer: the next request follows it, as a client does
    proxy.stdin.close()
    proxy.wait(timeout=60)


def test_a_rug_pull_logged_by_the_proxy_is_investigated(run_cli: RunCli, tmp_path: Path) -> None:
    home, root = tmp_path / "home", tmp_path / "root"
    home.mkdir()
    root.mkdir()
    _session(root, rug=False)
    _session(root, rug=True)
    result = run_cli("investigate", "--home", home, "--root", root, "--json")
    assert result.code == 1, result.stderr
    document = json.loads(result.stdout)
    assert document["malformed"]["count"] == 0
    assert [s["calls"] for s in document["sources"] if s["source"] == "mcpir-proxy"] == [2]
    changed = [f for f in document["findings"] if f["rule"] == "investigate/tool-changed"]
    assert len(changed) == 1 and changed[0]["severity"] == "high"
    assert changed[0]["server"] == "fixture" and changed[0]["tool"] == "add"
    assert "1 call to it followed" in changed[0]["message"]
