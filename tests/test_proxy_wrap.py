"""`mcpir wrap` / `unwrap` on real config files: journalled, idempotent, byte-exact undo."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CANARY, RunCli

KEY = "sk-proj-CANARYwrapKEY000000000000000000001"
FILES = {
    ".mcp.json": f"""{{
  "mcpServers": {{
    "github": {{
      "command": "npx",
      "args": [
        "-y",
        "@modelcontextprotocol/server-github@2025.4.8"
      ],
      "env": {{ "GITHUB_PERSONAL_ACCESS_TOKEN": "${{GITHUB_TOKEN}}" }}
    }},
    "db": {{"command": "uvx", "args": ["mcp-server-postgres", "--api-key", "{KEY}"]}},
    "plain": {{"command": "simple-mcp"}},
    "remote": {{"type": "http", "url": "https://mcp.example.com/mcp"}}
  }}
}}
""",
    ".vscode/mcp.json": """// workspace servers
{
  "servers": {
    "fs": { "type": "stdio", "command": "node", "args": ["server.js"], },  // trailing comma
  },
}
""",
    ".codex/config.toml": """# codex settings
model = "o3"

[mcp_servers.docs]
command = "docs-mcp"
args = ["--port", "0"]  # keep
""",
}
STDIO = {"github", "db", "plain", "fs", "docs"}


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    home, root = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return home, root


def _contents(root: Path) -> dict[str, bytes]:
    return {name: (root / name).read_bytes() for name in FILES}


def _servers(run_cli: RunCli, home: Path, root: Path) -> dict[str, dict[str, Any]]:
    listed = run_cli("servers", "--home", home, "--root", root, "--json")
    return {s["name"]: s for s in json.loads(listed.stdout)}


def test_plan_then_wrap_then_unwrap_byte_exact(tree: tuple[Path, Path], run_cli: RunCli) -> None:
    home, root = tree
    original = _contents(root)
    where = ("--home", home, "--root", root)

    shown = run_cli("wrap", "--all", *where)
    assert shown.code == 1 and "pass --yes" in shown.stderr
    assert '"proxy", "--name", "github", "--", "npx"' in shown.stdout  # the diff
    assert CANARY not in shown.stdout + shown.stderr
    assert "remote" in shown.stdout and "not wrapped" in shown.stdout
    assert _contents(root) == original  # nothing written without --yes

    done = run_cli("wrap", "--all", "--yes", *where)
    assert done.code == 0, done.stderr
    assert "mcpir restore" in done.stderr and CANARY not in done.stdout + done.stderr
    servers = _servers(run_cli, home, root)
    for name in STDIO:
        assert servers[name]["command"] == "mcpir"
        assert servers[name]["args"][:4] == ["proxy", "--name", name, "--"]
    package = "@modelcontextprotocol/server-github@2025.4.8"
    assert servers["github"]["args"][4:] == ["npx", "-y", package]
    assert servers["plain"]["args"][4:] == ["simple-mcp"]
    assert servers["remote"]["url"] == "https://mcp.example.com/mcp"
    wrapped = _contents(root)
    toml = wrapped[".codex/config.toml"].decode()
    assert toml.startswith('# codex settings\nmodel = "o3"\n') and "# keep" in toml
    assert b"// trailing comma" in wrapped[".vscode/mcp.json"]

    again = run_cli("wrap", "--all", "--yes", *where, "--json")
    assert again.code == 0 and _contents(root) == wrapped  # idempotent
    report = json.loads(again.stdout)
    assert report["applied"] is False
    assert {s["server"]: s["status"] for s in report["servers"]} == {
        **dict.fromkeys(STDIO, "already"),
        "remote": "remote",
    }

    undone = run_cli("unwrap", "--all", "--yes", *where)
    assert undone.code == 0, undone.stderr
    assert _contents(root) == original


def test_restore_undoes_a_wrap(tree: tuple[Path, Path], run_cli: RunCli) -> None:
    home, root = tree
    original = _contents(root)
    assert run_cli("wrap", "github", "fs", "--yes", "--home", home, "--root", root).code == 0
    servers = _servers(run_cli, home, root)
    assert servers["github"]["command"] == "mcpir" and servers["db"]["command"] == "uvx"
    assert run_cli("restore", "--root", root).code == 0
    assert _contents(root) == original


def test_unwrap_after_other_edits_gives_the_command_back(
    tree: tuple[Path, Path], run_cli: RunCli
) -> None:
    home, root = tree
    where = ("--home", home, "--root", root)
    assert run_cli("wrap", "github", "docs", "--yes", *where).code == 0
    mcp = root / ".mcp.json"
    mcp.write_text(mcp.read_text().replace('"simple-mcp"', '"simple-mcp-2"'))
    assert run_cli("unwrap", "--all", "--yes", *where).code == 0
    servers = _servers(run_cli, home, root)
    assert servers["github"]["command"] == "npx"
    assert servers["github"]["args"] == ["-y", "@modelcontextprotocol/server-github@2025.4.8"]
    assert servers["plain"]["command"] == "simple-mcp-2"  # the user's edit is kept
    assert (root / ".codex/config.toml").read_bytes() == FILES[".codex/config.toml"].encode()


def test_bad_usage(tree: tuple[Path, Path], run_cli: RunCli) -> None:
    home, root = tree
    where = ("--home", home, "--root", root)
    assert run_cli("wrap", *where).code == 2
    assert run_cli("wrap", "github", "--all", *where).code == 2
    missing = run_cli("wrap", "nope", *where)
    assert missing.code == 2 and "no server named nope" in missing.stderr
    assert run_cli("unwrap", "github", *where).code == 0  # not wrapped: nothing to do
