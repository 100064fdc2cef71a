"""`respond --only contain` then `restore` on a home holding one file for each place Kiro,
opencode, Amazon Q and Antigravity read: every server off as each client would read it (checked
here with each client's own rule, not mcpir's discovery), then every byte back."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pyjson5
import pytest

from tests.conftest import CANARY, FIXTURES, RunCli
from tests.treehash import tree_state

# Files that hold only servers (renamed aside) and files that hold other settings (patched).
RENAMED = [
    ".kiro/powers/installed/stripe/mcp.json",
    ".aws/amazonq/mcp.json",
    ".gemini/antigravity/mcp_config.json",
    "project/.kiro/settings/mcp.json",
    "project/.amazonq/mcp.json",
]
FLAGGED = {  # path -> client
    ".kiro/settings/mcp.json": "kiro",
    ".kiro/agents/backend.json": "kiro",
    "project/.kiro/agents/reviewer.json": "kiro",
    ".aws/amazonq/agents/default.json": "amazonq",
    ".aws/amazonq/cli-agents/aws-expert.json": "amazonq",
    "project/.amazonq/cli-agents/dev.json": "amazonq",
    ".config/opencode/opencode.jsonc": "opencode",
    ".opencode/opencode.json": "opencode",
    "project/opencode.json": "opencode",
    "project/.opencode/opencode.jsonc": "opencode",
    ".config/Antigravity/User/settings.json": "antigravity",
}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(FIXTURES / "homes" / "peers", copy)
    return copy


def _read(path: Path) -> Any:  # noqa: ANN401
    return pyjson5.decode(path.read_text(encoding="utf-8"))


def _mcp_servers(data: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Kiro, Amazon Q, Antigravity: `mcpServers`, and Kiro's installed powers' section."""
    found = data.get("powers")
    powers: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    for section in (data.get("mcpServers"), powers.get("mcpServers")):
        yield from (section or {}).items()


def _running(client: str, data: Mapping[str, Any]) -> list[str]:
    """The servers `client` would start from this file, by its own documented rule."""
    if client == "opencode":  # V1 `mcp.<name>`: `enabled`; V2 `mcp.servers.<name>`: `disabled`
        mcp = data.get("mcp", {})
        nested = mcp.get("servers") if isinstance(mcp.get("servers"), Mapping) else {}
        flat = {k: v for k, v in mcp.items() if k not in ("servers", "timeout")}
        on = [name for name, entry in flat.items() if entry.get("enabled", True) is not False]
        return on + [name for name, entry in nested.items() if entry.get("disabled") is not True]
    if client == "antigravity" and "editor.fontSize" in data:  # the editor's VS Code settings
        return list(data.get("mcp", {}).get("servers", {})) + list(data.get("mcp.servers", {}))
    return [name for name, entry in _mcp_servers(data) if entry.get("disabled") is not True]


def test_contain_then_restore_every_new_client(run_cli: RunCli, home: Path) -> None:
    root = home / "project"
    before = tree_state(home)
    listed = json.loads(run_cli("servers", "--home", home, "--root", root, "--json").stdout)
    assert {row["client"] for row in listed} == {"kiro", "opencode", "amazonq", "antigravity"}
    on_before = sum(
        len(_running(client, _read(home / rel))) for rel, client in FLAGGED.items()
    ) + sum(len(_running("kiro", _read(home / rel))) for rel in RENAMED)
    assert on_before == len([row for row in listed if row["enabled"]]) == 21

    result = run_cli("respond", "--only", "contain", "--yes", "--json", "--home", home,
                     "--root", root, "--title", "peer clients")  # fmt: skip
    assert result.code == 0, result.stdout + result.stderr
    incident = json.loads(result.stdout)["incident"]
    assert CANARY not in result.stdout + result.stderr

    # Each client, reading its own files its own way, starts nothing.
    for rel in RENAMED:
        assert not (home / rel).exists(), rel
        assert (home / (rel + ".mcpir-disabled")).is_file(), rel
    for rel, client in FLAGGED.items():
        assert _running(client, _read(home / rel)) == [], rel
    # ...and every other setting, comment and byte of a shared file is still there.
    jsonc = (home / ".config/opencode/opencode.jsonc").read_text()
    assert "// Global opencode settings" in jsonc and '"theme": "opencode"' in jsonc
    v2 = _read(home / ".opencode/opencode.json")["mcp"]
    assert v2["servers"]["oc2-filesystem"] == {
        "type": "local", "cwd": ".", "disabled": True,
        "command": ["npx", "-y", "@modelcontextprotocol/server-filesystem", "/srv"],
    }  # fmt: skip
    assert "enabled" not in v2["servers"]["oc2-filesystem"]  # no key V2's schema lacks
    assert _read(home / ".config/opencode/opencode.jsonc")["mcp"]["oc-jira"] == {"enabled": False}
    assert "disabled" not in _read(home / "project/opencode.json")["mcp"]["oc-project-docs"]
    editor = _read(home / ".config/Antigravity/User/settings.json")
    assert editor["editor.fontSize"] == 13 and editor["files.autoSave"] == "afterDelay"
    assert "ag-editor-playwright" in editor["mcp-disabled-by-mcpir"]["servers"]
    agent = _read(home / ".kiro/agents/backend.json")
    assert agent["prompt"] == "You are a backend developer." and agent["includeMcpJson"]
    assert _read(home / ".kiro/settings/mcp.json")["powers"]["mcpServers"][
        "power-stripe-stripe"
    ] == {"url": "https://mcp.stripe.com", "disabled": True}
    # mcpir agrees: every server listed, none enabled.
    after = json.loads(run_cli("servers", "--home", home, "--root", root, "--json").stdout)
    assert len(after) == len(listed) and not [row for row in after if row["enabled"]]

    again = run_cli("respond", "--only", "contain", "--yes", "--json", "--home", home,
                    "--root", root, "--title", "peer clients again")  # fmt: skip
    assert json.loads(again.stdout)["steps"][0]["status"] == "ok", again.stdout

    restored = run_cli("restore", "--root", root, incident)
    assert restored.code == 0, restored.stdout + restored.stderr
    assert tree_state(home) == before


def test_dry_run_shows_each_switch_and_changes_nothing(run_cli: RunCli, home: Path) -> None:
    before = tree_state(home)
    result = run_cli("respond", "--only", "contain", "--dry-run", "--home", home,
                     "--root", home / "project")  # fmt: skip
    assert result.code == 0, result.stderr
    for line in ('+      "enabled": false,', '+        "disabled": true,', "rename "):
        assert line in result.stdout, line
    assert tree_state(home) == before and CANARY not in result.stdout
