"""The places existing clients read beyond their main files (issue 17): found, contained the way
the client reads them, restored byte for byte; and hostile trees there stay one-line errors.

Places: Claude Code plugins under `$CLAUDE_CONFIG_DIR` and `$CLAUDE_CODE_PLUGIN_CACHE_DIR` and
a manifest's `"mcpServers": [...]` list; VS Code named profiles' settings.json, the dotted
`"mcp.servers"` key and `$VSCODE_PORTABLE`; Codex profile files `*.config.toml` (also under
`$CODEX_HOME`) and the system file; Copilot CLI's `.github/mcp.json`.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from mcpir.core.paths import Scopes
from mcpir.discovery import discover
from tests.conftest import FIXTURES, RunCli
from tests.treehash import tree_state

NEW_IN_FIXTURES = {"list-api", "profile-dotted", "review-db", "repo-issues"}
VARIABLES = ("CLAUDE_CONFIG_DIR", "CLAUDE_CODE_PLUGIN_CACHE_DIR", "VSCODE_PORTABLE", "CODEX_HOME")


def _rows(run_cli: RunCli, *args: str | Path) -> list[dict[str, object]]:
    result = run_cli("servers", *args, "--json")
    assert "Traceback" not in result.stderr, result.stderr
    rows: list[dict[str, object]] = json.loads(result.stdout)
    return rows


def _state(rows: list[dict[str, object]]) -> dict[str, object]:
    return {str(row["name"]): row["enabled"] for row in rows if "name" in row}


def _contain(run_cli: RunCli, *scope: str | Path) -> dict[str, object]:
    result = run_cli("respond", "--only", "contain", "--yes", "--json", *scope,
                     "--title", "places")  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr
    document: dict[str, object] = json.loads(result.stdout)
    document["exit"] = result.code
    return document


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_fixture_places_are_switched_off_natively_and_restored(
    run_cli: RunCli, tmp_path: Path
) -> None:
    home, root = tmp_path / "home", tmp_path / "project"
    shutil.copytree(FIXTURES / "homes" / "linux", home)
    shutil.copytree(FIXTURES / "project", root)
    (root / "packages" / "broken" / ".cursor" / "mcp.json").unlink()
    before = tree_state(home), tree_state(root)
    scope = ("--home", home, "--root", root)
    state = _state(_rows(run_cli, *scope))
    assert all(state[name] is True for name in NEW_IN_FIXTURES), state

    document = _contain(run_cli, *scope)
    assert document["exit"] == 0, document
    after = _state(_rows(run_cli, *scope))
    assert [name for name in NEW_IN_FIXTURES if after[name] is not False] == []
    # A named profile's settings.json keeps its settings and gets VS Code's own switch.
    profile = (home / ".config/Code/User/profiles/1a2b3c/settings.json").read_text()
    assert '"workbench.colorTheme": "Solarized Light"' in profile
    assert '"chat.mcp.access": "none"' in profile and "// A named profile" in profile
    # A Codex profile layer: `enabled = false` on the server, the rest kept.
    review = (home / ".codex/review.config.toml").read_text()
    assert 'approval_policy = "on-request"' in review and "enabled = false" in review
    # A plugin is switched off where Claude Code reads it; its cached manifest is untouched.
    settings = json.loads((home / ".claude/settings.json").read_text())
    assert settings["enabledPlugins"]["list-plugin@acme"] is False
    manifest = home / ".claude/plugins/cache/acme/list-plugin/2.0.0/.claude-plugin/plugin.json"
    assert manifest.read_bytes() == (FIXTURES / manifest.relative_to(tmp_path).as_posix()
                                     .replace("home/", "homes/linux/", 1)).read_bytes()  # fmt: skip
    # Copilot CLI's repository file holds MCP only: moved aside.
    assert (root / ".github/mcp.json.mcpir-disabled").exists()
    assert not (root / ".github/mcp.json").exists()

    restored = run_cli("restore", "--root", root, str(document["incident"]))
    assert restored.code == 0, restored.stderr
    assert (tree_state(home), tree_state(root)) == before


def _variable_trees(home: Path) -> dict[str, Path]:
    """One server in each place a variable names, inside the home (restore's bounds)."""
    config, cache = home / "alt-claude", home / "plugin-root"
    portable, codex = home / "VSCode-portable" / "data", home / "codex-home"
    _write(config / "settings.json", '{\n  "enabledPlugins": {"alt-tools@corp": true}\n}\n')
    _write(config / "plugins/cache/corp/alt-tools/1.0.0/.mcp.json",
           '{"alt-server": {"command": "alt-mcp", "args": ["--stdio"]}}\n')  # fmt: skip
    _write(cache / "cache/corp/cached-tools/3.1.0/.claude-plugin/plugin.json",
           '{"name": "cached-tools",\n "mcpServers": {"cached-server": {"url": '
           '"https://cached.example.com/mcp"}}}\n')  # fmt: skip
    _write(portable / "user-data/User/mcp.json",
           '{"servers": {"portable-server": {"command": "portable-mcp"}}}\n')  # fmt: skip
    _write(portable / "user-data/User/profiles/77/settings.json",
           '{\n  "files.autoSave": "off",\n  "mcp.servers": {"portable-profile": '
           '{"command": "pp-mcp"}}\n}\n')  # fmt: skip
    _write(codex / "config.toml", 'model = "o4-mini"\n')
    _write(codex / "team.config.toml",
           'model = "gpt-5"\n\n[mcp_servers.team-tool]\ncommand = "team-mcp"\n')  # fmt: skip
    return {"CLAUDE_CONFIG_DIR": config, "CLAUDE_CODE_PLUGIN_CACHE_DIR": cache,
            "VSCODE_PORTABLE": portable, "CODEX_HOME": codex}  # fmt: skip


def test_places_named_by_variables_are_contained_and_restored(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, root, system = tmp_path / "home", tmp_path / "project", tmp_path / "system"
    for directory in (home, root, system):
        directory.mkdir()
    for var in ("COPILOT_HOME", *VARIABLES):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(home))
    for var, path in _variable_trees(home).items():
        monkeypatch.setenv(var, str(path))
    before = tree_state(home)
    # No --home: this is the real home, so the clients' variables are read.
    scope = ("--root", root, "--system-root", system)
    names = {"alt-server", "cached-server", "portable-server", "portable-profile", "team-tool"}
    assert {k: v for k, v in _state(_rows(run_cli, *scope)).items() if k in names} == dict.fromkeys(
        names, True
    )

    document = _contain(run_cli, *scope)
    assert document["exit"] == 0, document
    assert all(_state(_rows(run_cli, *scope))[name] is False for name in names)
    # Plugins under either variable are switched off in $CLAUDE_CONFIG_DIR/settings.json.
    enabled = json.loads((home / "alt-claude/settings.json").read_text())["enabledPlugins"]
    assert enabled == {"alt-tools@corp": False, "cached-tools@corp": False}
    assert "enabled = false" in (home / "codex-home/team.config.toml").read_text()
    assert (home / "VSCode-portable/data/user-data/User/mcp.json.mcpir-disabled").exists()

    restored = run_cli("restore", "--root", root, str(document["incident"]))
    assert restored.code == 0, restored.stderr
    assert tree_state(home) == before


def test_named_profiles_read_their_own_kill_switch(tmp_path: Path) -> None:
    user = tmp_path / ".config/Code/User"
    _write(user / "settings.json", '{"chat.mcp.access": "none"}')
    _write(user / "mcp.json", '{"servers": {"default-one": {"command": "a"}}}')
    _write(user / "profiles/p1/mcp.json", '{"servers": {"profile-one": {"command": "b"}}}')
    _write(user / "profiles/p2/settings.json",
           '{"chat.mcp.access": "none", "mcp": {"servers": {"p2": {"command": "c"}}}}')  # fmt: skip
    state = {s.name: s.enabled for f in discover(Scopes(tmp_path, None)) for s in f.servers}
    # The default profile's switch is its own; a named profile runs unless its file says so.
    assert state == {"default-one": False, "profile-one": True, "p2": False}


def _errors(rows: list[dict[str, object]], home: Path) -> dict[str, str]:
    return {
        Path(str(row["path"])).relative_to(home).as_posix(): str(row["error"])
        for row in rows
        if "error" in row
    }


def test_hostile_plugin_trees_and_profiles(run_cli: RunCli, tmp_path: Path) -> None:
    home, outside = tmp_path / "home", tmp_path / "outside"
    cache = home / ".claude/plugins/cache"
    _write(cache / "acme/ok/1.0.0/.mcp.json", '{"mcpServers": {"ok-server": {"command": "ok"}}}')
    # 10,000 entries where versions are looked for, and a tree 50 levels deep.
    wide = cache / "acme" / "wide"
    wide.mkdir(parents=True)
    for index in range(10_000):
        (wide / f"v{index}").touch()
    deep = cache.joinpath("deep", *["d"] * 50)
    _write(deep / ".mcp.json", '{"mcpServers": {"too-deep": {"command": "x"}}}')
    # A manifest that is huge, one that is not JSON, one whose list holds junk.
    big = _write(cache / "acme/big/1.0.0/.claude-plugin/plugin.json", "")
    with big.open("wb") as handle:
        handle.truncate(5 * 1024 * 1024 + 1)
    _write(cache / "acme/junk/1.0.0/.claude-plugin/plugin.json", "{not json at all")
    junk_list = '[1, "./x.json", null, {"bad": 5}, {"good": {"command": "g"}}]'
    _write(cache / "acme/list/1.0.0/.claude-plugin/plugin.json", f'{{"mcpServers": {junk_list}}}')
    # A Codex profile that is a symlink leaving the home; a dotted key that is not a map.
    secret = _write(outside / "stolen.toml", '[mcp_servers.outside-server]\ncommand = "x"\n')
    (home / ".codex").mkdir()
    (home / ".codex" / "evil.config.toml").symlink_to(secret)
    _write(home / ".config/Code/User/profiles/x/settings.json", '{"mcp.servers": [1, 2]}')

    root = tmp_path / "empty-root"
    root.mkdir()
    started = time.monotonic()
    rows = _rows(run_cli, "--home", home, "--root", root)
    assert time.monotonic() - started < 30
    state, errors = _state(rows), _errors(rows, home)
    assert state == {"ok-server": True, "good": True}
    manifests = ".claude/plugins/cache/acme/{}/1.0.0/.claude-plugin/plugin.json"
    assert errors.pop(manifests.format("big")).startswith("too large")
    assert "malformed JSON" in errors.pop(manifests.format("junk"))
    link = errors.pop(".codex/evil.config.toml")
    assert link == f"symlink to {os.path.realpath(secret)} leaves --home: not followed"
    assert errors == {}

    before = secret.read_bytes()
    document = _contain(run_cli, "--home", home, "--root", root)
    assert document["exit"] in (0, 1), document
    assert secret.read_bytes() == before  # never written through the link


def test_places_outside_the_home_are_restored_too(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`$CLAUDE_CONFIG_DIR` or `$CODEX_HOME` on another disk: containment changes files there,
    so the journal names those directories (sealed, before the changes) and restore accepts
    them; it once refused the whole journal as "outside the incident's home and root"."""
    home, root, system = tmp_path / "home", tmp_path / "project", tmp_path / "system"
    elsewhere = tmp_path / "other-disk"
    for directory in (home, root, system, elsewhere):
        directory.mkdir()
    for var in ("COPILOT_HOME", *VARIABLES):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(home))
    for var, path in _variable_trees(elsewhere).items():
        monkeypatch.setenv(var, str(path))
    before = tree_state(elsewhere)
    scope = ("--root", root, "--system-root", system)
    document = _contain(run_cli, *scope)
    assert document["exit"] == 0, document
    assert tree_state(elsewhere) != before
    restored = run_cli("restore", "--root", root, "--include-flagged", str(document["incident"]))
    assert restored.code == 0, restored.stderr
    assert tree_state(elsewhere) == before


def test_a_link_out_of_a_variables_tree_is_not_followed(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`$CODEX_HOME` names Codex's tree: a profile there that links out of it is refused like
    one under `~/.codex`, never read (it once was: files found through a variable had no tree)."""
    home, root, system = tmp_path / "home", tmp_path / "project", tmp_path / "system"
    for directory in (home, root, system):
        directory.mkdir()
    for var in ("COPILOT_HOME", *VARIABLES):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(home))
    codex = _write(tmp_path / "codex-home" / "config.toml", 'model = "o4-mini"\n').parent
    secret = _write(tmp_path / "outside" / "stolen.toml", '[mcp_servers.stolen]\ncommand = "x"\n')
    (codex / "evil.config.toml").symlink_to(secret)
    monkeypatch.setenv("CODEX_HOME", str(codex))
    rows = _rows(run_cli, "--root", root, "--system-root", system)
    assert "stolen" not in _state(rows)
    [error] = [r["error"] for r in rows if str(r.get("path", "")).endswith("evil.config.toml")]
    assert "leaves $CODEX_HOME: not followed" in str(error)
