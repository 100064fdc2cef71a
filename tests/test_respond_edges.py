"""Edge cases found in review: planted symlinks, odd paths, shared files, owners, re-runs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.treehash import tree_state

SERVERS = {"mcpServers": {"gh": {"command": "npx", "args": ["-y", "gh-mcp@1.0.0"]}}}


def contain(run_cli: RunCli, home: Path, root: Path, *extra: str) -> dict[str, object]:
    result = run_cli("respond", "--only", "contain", "--yes", "--json",
                     "--home", home, "--root", root, *extra)  # fmt: skip
    document: dict[str, object] = json.loads(result.stdout) if result.stdout else {}
    document["exit"] = result.code
    document["stderr"] = result.stderr
    return document


def dirs(tmp_path: Path, root_name: str = "root") -> tuple[Path, Path]:
    home, root = tmp_path / "home", tmp_path / root_name
    home.mkdir()
    root.mkdir()
    return home, root


def test_planted_symlinks_are_never_written_through(run_cli: RunCli, tmp_path: Path) -> None:
    home, root = dirs(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (root / ".zed").mkdir()
    (root / ".zed" / "settings.json").write_text(
        json.dumps({"theme": "x", "context_servers": {"z": {"command": "zed-mcp"}}})
    )
    (root / ".zed" / ".settings.json.mcpir-tmp").symlink_to(victim)
    document = contain(run_cli, home, root)
    assert document["exit"] == 0, document
    assert victim.read_text() == "precious\n"
    assert not (root / ".zed" / "settings.json").is_symlink()
    (root / ".atom-trail" / "respond.lock").unlink()
    (root / ".atom-trail" / "respond.lock").symlink_to(victim)
    result = run_cli("restore", "--root", root)
    assert result.code == 2 and "cannot be used as a lock" in result.stderr
    assert victim.read_text() == "precious\n"


def test_a_trail_that_is_a_symlink_is_refused(run_cli: RunCli, tmp_path: Path) -> None:
    home, root = dirs(tmp_path)
    (root / ".mcp.json").write_text(json.dumps(SERVERS))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / ".atom-trail").symlink_to(elsewhere)
    document = contain(run_cli, home, root)
    assert document["exit"] == 2 and "symbolic link" in str(document["stderr"])
    assert list(elsewhere.iterdir()) == []


def test_paths_that_look_like_tokens_survive_the_journal(run_cli: RunCli, tmp_path: Path) -> None:
    home, root = dirs(tmp_path, "task-management-service-api-and-more")
    (root / ".mcp.json").write_text(json.dumps(SERVERS))
    before = tree_state(root)
    assert contain(run_cli, home, root)["exit"] == 0
    assert run_cli("restore", "--root", root).code == 0
    assert tree_state(root) == before


def test_one_file_read_by_two_clients_is_contained_once(run_cli: RunCli, tmp_path: Path) -> None:
    home, root = dirs(tmp_path)
    (root / ".mcp.json").write_text(json.dumps(SERVERS))
    (root / ".cursor").mkdir()
    (root / ".cursor" / "mcp.json").symlink_to("../.mcp.json")
    before = tree_state(root)
    document = contain(run_cli, home, root)
    assert document["exit"] == 0, document
    rows = json.loads(run_cli("servers", "--home", home, "--root", root, "--json").stdout)
    assert not [row for row in rows if row.get("enabled")]
    assert run_cli("restore", "--root", root).code == 0
    assert tree_state(root) == before


def test_shared_file_behind_a_link_gets_both_clients_edits(run_cli: RunCli, tmp_path: Path) -> None:
    home, root = dirs(tmp_path)
    shared = {"theme": "dark", **SERVERS}
    (root / ".mcp.json").write_text(json.dumps(shared, indent=2))
    (root / ".roo").mkdir()
    (root / ".roo" / "mcp.json").symlink_to("../.mcp.json")
    before = tree_state(root)
    assert contain(run_cli, home, root)["exit"] == 0
    rows = json.loads(run_cli("servers", "--home", home, "--root", root, "--json").stdout)
    assert not [row for row in rows if row.get("enabled")]
    assert run_cli("restore", "--root", root).code == 0
    assert tree_state(root) == before


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give files to another owner")
def test_owner_is_kept_through_contain_and_restore(run_cli: RunCli, tmp_path: Path) -> None:
    home, root = dirs(tmp_path)
    config = home / ".claude.json"
    config.write_text(json.dumps({"numStartups": 1, **SERVERS}))
    os.chown(config, 65534, 65534)
    config.chmod(0o600)
    assert contain(run_cli, home, root)["exit"] == 0
    assert (config.stat().st_uid, config.stat().st_gid) == (65534, 65534)
    assert run_cli("restore", "--root", root).code == 0
    assert (config.stat().st_uid, config.stat().st_gid) == (65534, 65534)


def test_backups_are_kept_out_of_git(run_cli: RunCli, tmp_path: Path) -> None:
    home, root = dirs(tmp_path)
    (root / ".mcp.json").write_text(json.dumps(SERVERS))
    contain(run_cli, home, root)
    ignore = (root / ".atom-trail" / ".gitignore").read_text()
    assert "incidents/*/backups/" in ignore


def test_restore_without_id_takes_the_incident_with_changes(
    run_cli: RunCli, tmp_path: Path
) -> None:
    home, root = dirs(tmp_path)
    (root / ".mcp.json").write_text(json.dumps(SERVERS))
    before = tree_state(root)
    first = contain(run_cli, home, root)
    second = contain(run_cli, home, root)
    assert first["incident"] != second["incident"]
    assert run_cli("restore", "--root", root).code == 0
    assert tree_state(root) == before


def test_a_re_added_section_is_moved_aside_again(run_cli: RunCli, tmp_path: Path) -> None:
    home, root = dirs(tmp_path)
    config = home / ".claude.json"
    config.write_text(json.dumps({"numStartups": 1, **SERVERS}, indent=2))
    assert contain(run_cli, home, root)["exit"] == 0
    data = json.loads(config.read_text())
    data["mcpServers"] = {"again": {"command": "x"}}
    config.write_text(json.dumps(data, indent=2))
    assert contain(run_cli, home, root)["exit"] == 0
    keys = set(json.loads(config.read_text()))
    assert {"mcpServers-disabled-by-mcpir", "mcpServers-disabled-by-mcpir-2"} <= keys


def test_hostile_names_never_crash_or_reach_the_terminal_raw(
    run_cli: RunCli, tmp_path: Path
) -> None:
    home, root = dirs(tmp_path)
    name = "x[/]\x1b[2J\rfake"
    (root / ".mcp.json").write_text(json.dumps({"mcpServers": {name: {"command": "a[b]"}}}))
    for args in (("servers",), ("scan",)):
        result = run_cli(*args, "--home", home, "--root", root)
        assert result.code in (0, 1), result.stderr
        assert "\x1b" not in result.stdout and "\r" not in result.stdout


def test_a_project_plugins_cache_dir_is_not_a_claude_plugin(
    run_cli: RunCli, tmp_path: Path
) -> None:
    home, root = dirs(tmp_path)
    target = root / "vendor" / "plugins" / "cache" / "x" / "y" / "z"
    target.mkdir(parents=True)
    (target / ".mcp.json").write_text(json.dumps(SERVERS))
    rows = json.loads(run_cli("servers", "--home", home, "--root", root, "--json").stdout)
    assert [row["enabled"] for row in rows] == [True]
    assert contain(run_cli, home, root)["exit"] == 0
    assert (target / ".mcp.json.mcpir-disabled").exists()
    assert not (tmp_path / "settings.json").exists()


def test_torn_journal_line_with_broken_utf8_is_skipped(tmp_path: Path) -> None:
    from mcpir.incident.journal import Journal

    journal = Journal(tmp_path)
    journal.append({"type": "incident-opened", "title": "t"})
    with journal.path.open("ab") as handle:
        handle.write(b'{"type": "change", "summary": "\xe2\x82')
    assert [r["type"] for r in journal.records()] == ["incident-opened"]
    journal.append({"type": "step-started", "step": "contain"})
    assert [r["type"] for r in journal.records()] == ["incident-opened", "step-started"]


def test_restore_of_a_file_changed_twice_checks_the_renamed_away_path_before_any_write(
    tmp_path: Path,
) -> None:
    """contain renames `.mcp.json` aside, rotate edits the renamed file; a new `.mcp.json`
    appears meanwhile. Restore is all or nothing: it must refuse before undoing the edit, not
    undo the edit and then fail on the rename, leaving a half-restored project."""
    from mcpir.incident.journal import PlannedChange
    from mcpir.incident.restore import restore
    from mcpir.incident.store import open_incident

    config, aside = tmp_path / ".mcp.json", tmp_path / ".mcp.json.mcpir-disabled"
    original, edited = b'{"mcpServers": {"a": {}}}\n', b'{"mcpServers": {"b": {}}}\n'
    config.write_bytes(original)
    incident = open_incident(tmp_path, "twice", {"root": str(tmp_path)})
    journal = incident.journal
    rename = PlannedChange("rename", config, "renamed aside", target=aside, before=original)
    journal.apply_all([rename], "contain")
    journal.apply_all([PlannedChange("edit", aside, "edited", edited, before=original)], "rotate")
    config.write_bytes(b"{}\n")  # a new config, written after the incident

    planned = restore(tmp_path, incident.id, dry_run=True, force=False)
    assert any(".mcp.json exists again" in reason for reason in planned.conflicts)
    done = restore(tmp_path, incident.id, dry_run=False, force=False)
    assert done.conflicts and not done.done
    assert aside.read_bytes() == edited and config.read_bytes() == b"{}\n"  # nothing written
