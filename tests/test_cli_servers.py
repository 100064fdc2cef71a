"""`mcpir servers` end to end: the JSON contract, exit codes, bad input, symlinks, no leaks."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CANARY, FIXTURES, RunCli

SERVER_FIELDS = [
    "client", "scope", "path", "line", "name", "transport",
    "command", "args", "url", "env_keys", "header_keys", "enabled",
]  # fmt: skip
ERROR_FIELDS = ["client", "scope", "path", "error"]
LINUX = FIXTURES / "homes" / "linux"
PROJECT = FIXTURES / "project"


def test_json_contract_fields_exactly(run_cli: RunCli) -> None:
    result = run_cli("servers", "--home", LINUX, "--root", PROJECT, "--json")
    rows = json.loads(result.stdout)
    servers = [row for row in rows if "name" in row]
    errors = [row for row in rows if "name" not in row]
    assert len(servers) == 58
    # A project's records name it (`project`, the root here); user and system ones do not.
    assert all(list(row) == SERVER_FIELDS + ["project"] * (row["scope"] == "project")
               for row in servers)  # fmt: skip
    assert [list(row) for row in errors] == [[*ERROR_FIELDS, "project"]]
    assert errors[0]["path"].endswith("packages/broken/.cursor/mcp.json")
    assert errors[0]["error"].startswith("line 3: malformed JSON")
    assert result.code == 1  # one file could not be read


def test_every_server_of_a_home_holding_every_client(run_cli: RunCli) -> None:
    rows = json.loads(
        run_cli("servers", "--home", LINUX, "--root", FIXTURES / "empty", "--json").stdout
    )
    by_client: dict[str, set[str]] = {}
    for row in rows:
        by_client.setdefault(row["client"], set()).add(row["name"])
    assert by_client["claude-code"] == {
        "github", "linear", "local-db", "notes",
        "database-tools", "database-tools-old", "plugin-api",  # plugins' cached .mcp.json
        "list-api",  # a plugin manifest's "mcpServers": [...] list
    }  # fmt: skip
    assert by_client["codex"] == {"docs", "weird name", "review-db"}  # + a profile file
    assert by_client["continue"] == {"sqlite-continue", "remote-continue"}
    assert by_client["zed"] == {"old-form", "new-form", "remote"}
    assert by_client["kiro"] == {"kiro-fetch"}  # every shape of each: homes/peers
    assert by_client["opencode"] == {"oc-time"}
    assert by_client["amazonq"] == {"q-aws-docs"}
    assert by_client["antigravity"] == {"ag-memory"}
    assert len(by_client) == 18


def test_env_and_header_values_never_printed(run_cli: RunCli) -> None:
    for extra in ((), ("--json",)):
        result = run_cli("servers", "--home", LINUX, "--root", PROJECT, *extra)
        assert CANARY not in result.stdout + result.stderr
    rows = json.loads(run_cli("servers", "--home", LINUX, "--root", PROJECT, "--json").stdout)
    github = next(row for row in rows if row.get("name") == "github")
    assert github["env_keys"] == ["GITHUB_PERSONAL_ACCESS_TOKEN"]
    atom = next(row for row in rows if row.get("name") == "root-atom")
    assert atom["url"].startswith("https://atom.example.com/mcp?token=…(sha256:")


def test_enabled_state_follows_each_clients_switch(run_cli: RunCli) -> None:
    rows = json.loads(run_cli("servers", "--home", LINUX, "--root", PROJECT, "--json").stdout)
    off = {row["name"] for row in rows if row.get("enabled") is False}
    assert off == {
        "local-db",  # ~/.claude.json projects[...].disabledMcpServers
        "notes-ext",  # Claude Desktop extension settings isEnabled: false
        "sqlite",  # Windsurf "disabled": true
        "old-sse",  # Gemini mcp.excluded
        "weird name",  # Codex enabled = false
        "new-form",  # Zed enabled: false
        "cline-remote",  # Cline disabled
        "switched-off",  # .claude/settings.local.json disabledMcpjsonServers
        "project-roo",  # Roo disabled
        "database-tools-old",  # a plugin version marked .orphaned_at
        "plugin-api",  # enabledPlugins["off-plugin@acme"] is false
    }


def test_skipped_trees_and_policy_excludes(run_cli: RunCli) -> None:
    out = run_cli("servers", "--home", FIXTURES / "empty", "--root", PROJECT, "--json").stdout
    assert "must-not-appear" not in out  # node_modules, a virtualenv, .atom-trail, policy exclude
    assert "nested-api" in out


def test_table_lists_servers_and_problems(run_cli: RunCli) -> None:
    result = run_cli("servers", "--home", LINUX, "--root", PROJECT)
    assert "~/.claude.json" in result.stdout and "github" in result.stdout
    assert "58 MCP servers (11 disabled)" in result.stdout
    assert "packages/broken/.cursor/mcp.json: line 3: malformed JSON" in result.stderr
    assert result.code == 1


def test_clean_home_exits_zero(run_cli: RunCli) -> None:
    result = run_cli(
        "servers", "--home", FIXTURES / "homes" / "macos", "--root", FIXTURES / "empty"
    )
    assert result.code == 0, result.stderr
    assert "mac-desktop" in result.stdout


@pytest.mark.parametrize("option", ["--home", "--root", "--system-root"])
def test_missing_directory_is_a_one_line_usage_error(run_cli: RunCli, option: str) -> None:
    result = run_cli("servers", option, "/nonexistent/place", "--json")
    assert result.code == 2
    assert result.stdout == ""
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("mcpir: error:") and "Traceback" not in result.stderr


def test_bad_policy_is_a_one_line_usage_error(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / ".mcpir.toml").write_text("[discovery]\nexclde = []\n")
    result = run_cli("servers", "--home", FIXTURES / "empty", "--root", tmp_path)
    assert result.code == 2
    assert "unknown key discovery.exclde" in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_symlink_leaving_the_tree_is_reported_not_followed(
    run_cli: RunCli, tmp_path: Path, fixture_tree: Callable[[str], Path]
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "mcp.json").write_text(json.dumps({"mcpServers": {"smuggled": {"command": "x"}}}))
    home = fixture_tree("homes/macos")
    (home / ".cursor").mkdir()
    (home / ".cursor" / "mcp.json").symlink_to(outside / "mcp.json")
    root = tmp_path / "proj"
    root.mkdir()
    (root / ".vscode").symlink_to(outside)
    rows = json.loads(run_cli("servers", "--home", home, "--root", root, "--json").stdout)
    assert "smuggled" not in json.dumps(rows)
    errors = {row["client"]: row["error"] for row in rows if "error" in row}
    assert "leaves --home: not followed" in errors["cursor"]
    assert "leaves --root: not followed" in errors["vscode"]


def test_symlink_inside_the_tree_is_followed_once(
    run_cli: RunCli, fixture_tree: Callable[[str], Path]
) -> None:
    home = fixture_tree("homes/macos")
    (home / "dotfiles").mkdir()
    (home / "dotfiles" / "mcp.json").write_text(
        json.dumps({"mcpServers": {"dot": {"command": "x"}}})
    )
    (home / ".cursor").mkdir()
    (home / ".cursor" / "mcp.json").symlink_to(home / "dotfiles" / "mcp.json")
    rows = json.loads(run_cli("servers", "--home", home, "--root", home, "--json").stdout)
    assert [row["name"] for row in rows if row["client"] == "cursor"] == ["dot"]


def test_bad_files_never_stop_discovery(
    run_cli: RunCli, tmp_path: Path, fixture_tree: Callable[[str], Path]
) -> None:
    root = fixture_tree("project")
    (root / "big" / ".cursor").mkdir(parents=True)
    with (root / "big" / ".cursor" / "mcp.json").open("wb") as handle:
        handle.truncate(5 * 1024 * 1024 + 1)
    (root / "bin" / ".roo").mkdir(parents=True)
    (root / "bin" / ".roo" / "mcp.json").write_bytes(b"\x7fELF\x00\x01\x02")
    (root / "list" / ".cursor").mkdir(parents=True)
    (root / "list" / ".cursor" / "mcp.json").write_text("[1, 2]")
    os.mkfifo(root / "mcp-servers.json.fifo")
    (root / "fifo").mkdir()
    os.mkfifo(root / "fifo" / "mcp-servers.json")
    result = run_cli("servers", "--home", FIXTURES / "empty", "--root", root, "--json")
    rows = json.loads(result.stdout)
    errors = {
        Path(row["path"]).parent.parent.name + "/" + row["error"] for row in rows if "error" in row
    }
    assert any(e.startswith("big/too large") for e in errors)
    assert any(e.startswith("bin/line 1: binary file") for e in errors)
    assert any(e.startswith("list/expected a JSON object") for e in errors)
    assert any("not a regular file" in e for e in errors)
    assert sum("name" in row for row in rows) == 17  # everything else still listed
    assert result.code == 1


def test_version_and_help(run_cli: RunCli) -> None:
    assert run_cli("--version").stdout.startswith("mcpir ")
    assert "servers" in run_cli("--help").stdout


def test_references_are_kept_as_written(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / ".vscode").mkdir()
    (tmp_path / ".vscode" / "mcp.json").write_text(
        """{
  "inputs": [{"type": "promptString", "id": "key", "password": true}],
  "servers": {"refs": {"command": "docker",
    "args": ["run", "-e", "API_KEY=${input:key}", "--token", "${env:GH_TOKEN}", "img@sha256:ab"],
    "env": {"API_KEY": "${input:key}"}, }, },
}"""
    )
    rows = json.loads(
        run_cli("servers", "--home", FIXTURES / "empty", "--root", tmp_path, "--json").stdout
    )
    assert rows[0]["args"] == [
        "run", "-e", "API_KEY=${input:key}", "--token", "${env:GH_TOKEN}", "img@sha256:ab"
    ]  # fmt: skip
    assert rows[0]["env_keys"] == ["API_KEY"]


def test_vscode_kill_switch_turns_that_profiles_servers_off(
    run_cli: RunCli, fixture_tree: Callable[[str], Path]
) -> None:
    home = fixture_tree("homes/macos")
    user = home / "Library" / "Application Support" / "Code" / "User"
    (user / "settings.json").write_text(
        '{\n  // MCP off everywhere\n  "chat.mcp.access": "none",\n}'
    )
    rows = json.loads(
        run_cli("servers", "--home", home, "--root", FIXTURES / "empty", "--json").stdout
    )
    state = {row["name"]: row["enabled"] for row in rows}
    assert state["mac-vscode"] is False
    assert state["mac-desktop"] is True and state["cline-in-cursor"] is True


def test_home_as_root_finds_projects_once_and_skips_app_data(
    run_cli: RunCli, fixture_tree: Callable[[str], Path]
) -> None:
    home = fixture_tree("homes/macos")
    (home / "src" / "app").mkdir(parents=True)
    (home / "src" / "app" / ".mcp.json").write_text('{"mcpServers": {"app": {"command": "a"}}}')
    rows = json.loads(run_cli("servers", "--home", home, "--root", home, "--json").stdout)
    names = [row["name"] for row in rows]
    assert sorted(names) == sorted(
        ["mac-desktop", "mac-vscode", "mac-profile", "cline-in-cursor", "mac-zed", "app"]
    )


@pytest.mark.parametrize(
    ("server_dir", "extension", "client"),
    [
        (".vscode-server", "saoudrizwan.claude-dev", "cline"),
        (".cursor-server", "rooveterinaryinc.roo-cline", "roo"),
    ],
)
def test_remote_window_user_dirs_are_discovered_and_contained(
    run_cli: RunCli, tmp_path: Path, server_dir: str, extension: str, client: str
) -> None:
    # An SSH/WSL/dev-container window keeps the extension's MCP settings on the remote machine.
    home, root = tmp_path / "home", tmp_path / "root"
    settings = home / server_dir / "data/User/globalStorage" / extension / "settings"
    settings.mkdir(parents=True)
    root.mkdir()
    name = "cline_mcp_settings.json" if client == "cline" else "mcp_settings.json"
    server = {"command": "npx", "args": ["-y", "some-mcp@1.0.0"]}
    (settings / name).write_text(json.dumps({"mcpServers": {"remote-one": server}}))
    rows = json.loads(run_cli("servers", "--json", "--home", home, "--root", root).stdout)
    assert [(row["client"], row["name"], row["enabled"]) for row in rows] == [
        (client, "remote-one", True)
    ]
    contained = run_cli("respond", "--only", "contain", "--yes", "--home", home, "--root", root)
    assert contained.code == 0, contained.stderr
    rows = json.loads(run_cli("servers", "--json", "--home", home, "--root", root).stdout)
    assert [row["enabled"] for row in rows] == [False]


def test_a_newline_in_a_server_name_cannot_forge_a_row(run_cli: RunCli, tmp_path: Path) -> None:
    home, root = tmp_path / "home", tmp_path / "root"
    (home / ".cursor").mkdir(parents=True)
    root.mkdir()
    forged = "ok\n 9  trusted  stdio  on   npx -y @modelcontextprotocol/server-memory@1.0.0"
    server = {"command": "npx", "args": ["-y", "@upstash/context7-mcp"]}  # unpinned: a finding
    (home / ".cursor" / "mcp.json").write_text(json.dumps({"mcpServers": {forged: server}}))
    for command in ("servers", "scan"):
        out = run_cli(command, "--home", home, "--root", root).stdout
        assert "ok\\n 9  trusted" in out, out
        assert not any(line.lstrip().startswith("9  trusted") for line in out.splitlines())
