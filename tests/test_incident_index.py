"""Issue 16, point 6: incidents are found from anywhere. mcpir keeps an index of incidents in
its data dir (id, kind, root, status, opened), so `restore`, `report`, `close` and `respond
--resume` given an id work from any directory; the index only points, the journal's seal still
decides, and a lookup that fails writes nothing."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.treehash import tree_state

SERVERS = {"mcpServers": {"gh": {"command": "npx", "args": ["-y", "gh-mcp@1.0.0"]}}}


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, Path]:
    """A home, a project (a real git repository) and an unrelated directory to run from."""
    import git

    home, root, elsewhere = tmp_path / "home", tmp_path / "project", tmp_path / "elsewhere"
    for folder in (home, root, elsewhere):
        folder.mkdir()
    git.Repo.init(root)
    (root / ".mcp.json").write_text(json.dumps(SERVERS, indent=2) + "\n")
    monkeypatch.chdir(elsewhere)
    return home, root, elsewhere


def index() -> list[dict[str, str]]:
    from mcpir.incident.index import index_path

    rows: list[dict[str, str]] = json.loads(index_path().read_text())["incidents"]
    return rows


def contain(run_cli: RunCli, home: Path, root: Path) -> str:
    result = run_cli("respond", "--only", "contain", "--yes", "--json", "--home", home,
                     "--root", root, "--title", "poisoned gh")  # fmt: skip
    assert result.code == 0, result.stderr
    return str(json.loads(result.stdout)["incident"])


def test_the_index_records_each_incident_and_its_status(
    run_cli: RunCli, machine: tuple[Path, Path, Path]
) -> None:
    from mcpir.incident.index import index_path

    home, root, _ = machine
    assert not index_path().exists()  # created by the first incident
    incident = contain(run_cli, home, root)
    assert stat.S_IMODE(index_path().stat().st_mode) == 0o600
    opened = json.loads(
        (root / ".atom-trail" / "incidents" / incident / "incident.json").read_text()
    )
    [entry] = index()
    assert entry["id"] == incident and entry["kind"] == "incident"
    assert entry["root"] == os.path.realpath(root) and entry["status"] == "open"
    assert entry["opened"].startswith(opened["opened"][:19])
    assert set(entry) == {"id", "kind", "root", "status", "opened", "updated"}  # no title
    assert run_cli("restore", incident, "--root", root).code == 0
    assert [(e["id"], e["status"]) for e in index()] == [(incident, "restored")]
    assert run_cli("close", incident, "--reason", "done", "--root", root).code == 0
    assert [(e["id"], e["status"]) for e in index()] == [(incident, "closed")]
    # `restore` stays the way back after `close`, and the incident stays closed.
    assert run_cli("restore", incident, "--root", root).code == 0
    assert [(e["id"], e["status"]) for e in index()] == [(incident, "closed")]


def test_restore_report_close_by_id_from_another_directory(
    run_cli: RunCli, machine: tuple[Path, Path, Path]
) -> None:
    home, root, elsewhere = machine
    original = tree_state(root)
    incident = contain(run_cli, home, root)
    lives = f"incident {incident} lives in {os.path.realpath(root)}"

    report = run_cli("report", incident, "--format", "json")
    assert report.code == 0, report.stderr
    assert json.loads(report.stdout)["atom"] == incident and lives in report.stderr
    short = run_cli("report", incident[:21])  # a unique prefix works as it does in a project
    assert short.code == 0 and lives in short.stderr, short.stderr

    restored = run_cli("restore", incident, "--json")
    assert restored.code == 0, restored.stderr
    assert json.loads(restored.stdout)["incident"] == incident and lives in restored.stderr
    assert tree_state(root) == original

    closed = run_cli("close", incident, "--reason", "false alarm", "--by", "alex")
    assert closed.code == 0 and lives in closed.stderr, closed.stderr
    assert [e["status"] for e in index()] == ["closed"]
    assert os.listdir(elsewhere) == []  # nothing was written where the commands ran


def test_a_change_set_is_found_from_anywhere_too(
    run_cli: RunCli, machine: tuple[Path, Path, Path]
) -> None:
    home, root, elsewhere = machine
    original = tree_state(root)
    done = run_cli("wrap", "gh", "--yes", "--json", "--home", home, "--root", root)
    change = json.loads(done.stdout)["incident"]
    assert [(e["id"], e["kind"]) for e in index()] == [(change, "change")]
    restored = run_cli("restore", change)
    assert restored.code == 0, restored.stderr
    assert f"change set {change} lives in" in restored.stderr
    assert tree_state(root) == original and os.listdir(elsewhere) == []


def test_a_failed_lookup_writes_nothing(run_cli: RunCli, machine: tuple[Path, Path, Path]) -> None:
    home, root, elsewhere = machine
    contain(run_cli, home, root)
    for command in (
        ("restore",),
        ("restore", "ATOM-INC-19990101-001"),
        ("restore", "--dry-run"),
        ("report",),
        ("report", "ATOM-INC-19990101-001"),
        ("close", "ATOM-INC-19990101-001", "--reason", "x"),
    ):
        result = run_cli(*command)
        assert result.code == 2, (command, result.stderr)
        assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
        assert os.listdir(elsewhere) == [], command  # no `.atom-trail/` left behind


def test_a_planted_index_line_is_a_pointer_not_trust(
    run_cli: RunCli, machine: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    """The index is a plain file: a line pointing at a crafted journal is refused by the
    journal's seal, and its changes are never made."""
    from mcpir.incident.index import index_path

    home, root, elsewhere = machine
    contain(run_cli, home, root)  # a real incident, so the index and the key exist
    evil, planted = tmp_path / "evil", "ATOM-INC-20991231-999-planted"
    folder = evil / ".atom-trail" / "incidents" / planted
    folder.mkdir(parents=True)
    victim = home / ".bashrc"
    victim.write_text("precious\n")
    records = [
        {"ts": "2099-12-31T23:59:59.000+00:00", "type": "incident-opened", "id": planted,
         "home": str(home), "root": str(evil), "playbook": {"path": "x", "sha256": "0" * 64}},
        {"type": "change", "change": 1, "op": "create", "path": str(victim), "target": None,
         "before": None, "after": "0" * 64, "mode": 420, "servers": []},
        {"type": "applied", "change": 1},
    ]  # fmt: skip
    (folder / "journal.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    document = json.loads(index_path().read_text())
    line = {"id": planted, "kind": "incident", "root": str(evil), "status": "open"}
    document["incidents"].append(line | {"opened": "2099", "updated": "2099"})
    index_path().write_text(json.dumps(document))
    before = tree_state(evil), tree_state(home)
    for command in (("restore", planted), ("restore", planted, "--force"), ("report", planted),
                    ("close", planted, "--reason", "x")):  # fmt: skip
        result = run_cli(*command)
        assert result.code == 2, (command, result.stderr)
        assert "not opened by mcpir on this machine" in result.stderr, result.stderr
    assert (tree_state(evil), tree_state(home)) == before
    assert victim.read_text() == "precious\n" and os.listdir(elsewhere) == []


def test_an_index_that_cannot_be_read_finds_nothing_and_is_rebuilt(
    run_cli: RunCli, machine: tuple[Path, Path, Path]
) -> None:
    from mcpir.incident.index import index_path

    home, root, elsewhere = machine
    index_path().parent.mkdir(parents=True, exist_ok=True)
    index_path().write_text("{ not json")
    incident = contain(run_cli, home, root)
    assert [e["id"] for e in index()] == [incident]
    index_path().write_text('{"version": 1, "incidents": [{"id": 1}, "x", null]}')
    missing = run_cli("report", incident)
    assert missing.code == 2 and "index of incidents" in missing.stderr
    # With --root it is found as always; the next write puts it back in the index.
    assert run_cli("close", incident, "--reason", "done", "--root", root).code == 0
    assert [(e["id"], e["status"]) for e in index()] == [(incident, "closed")]
    assert os.listdir(elsewhere) == []


def test_a_moved_project_and_an_ambiguous_id_are_one_line_errors(
    run_cli: RunCli, machine: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    home, root, elsewhere = machine
    incident = contain(run_cli, home, root)
    other = tmp_path / "other"
    other.mkdir()
    (other / ".mcp.json").write_text(json.dumps(SERVERS))
    second = contain(run_cli, home, other)
    # Each project counts its own incidents: the same title on the same day, the same id.
    assert incident == second
    both = run_cli("report", incident)
    assert both.code == 2 and "more than one incident" in both.stderr, both.stderr
    assert str(root) in both.stderr and str(other) in both.stderr
    assert len(both.stderr.splitlines()) == 1
    root.rename(tmp_path / "moved")
    other.rename(tmp_path / "other-moved")
    gone = run_cli("restore", incident)
    assert gone.code == 2 and "does not hold it now" in gone.stderr, gone.stderr
    assert len(gone.stderr.splitlines()) == 1
    assert os.listdir(elsewhere) == []


def test_concurrent_updates_keep_every_entry(tmp_path: Path) -> None:
    """Each update is a read and a replace under one lock: none is lost to another."""
    from mcpir.incident import index
    from mcpir.incident.store import Incident

    def note(worker: int) -> None:
        for n in range(5):
            name = f"ATOM-INC-20261207-{worker * 10 + n:03d}-x"
            folder = tmp_path / str(worker) / ".atom-trail" / "incidents" / name
            index.note(Incident(name, folder), "open", {"ts": f"{worker}-{n}", "playbook": {}})

    threads = [threading.Thread(target=note, args=(worker,)) for worker in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(index.entries()) == 30
    assert not [p for p in index.index_path().parent.iterdir() if p.name.endswith(".tmp")]


def test_respond_resume_from_another_directory(
    run_cli: RunCli, machine: tuple[Path, Path, Path]
) -> None:
    home, root, elsewhere = machine
    incident = contain(run_cli, home, root)
    resumed = run_cli("respond", "--resume", incident, "--only", "contain", "--yes", "--json",
                      "--home", home)  # fmt: skip
    assert resumed.code == 0, resumed.stderr
    assert json.loads(resumed.stdout)["incident"] == incident
    assert f"incident {incident} lives in" in resumed.stderr
    assert os.listdir(elsewhere) == []


def test_respond_incident_adds_steps_to_an_open_incident(
    run_cli: RunCli, machine: tuple[Path, Path, Path]
) -> None:
    """`--incident ID --only document` continues the incident, from any directory, instead of
    opening a new one; a closed incident takes no more steps."""
    home, root, elsewhere = machine
    incident = contain(run_cli, home, root)
    added = run_cli("respond", "--incident", incident, "--only", "document", "--yes", "--json",
                    "--home", home)  # fmt: skip
    assert added.code in (0, 1), added.stderr
    assert json.loads(added.stdout)["incident"] == incident
    assert [s["id"] for s in json.loads(added.stdout)["steps"]] == ["document"]
    trail = root / ".atom-trail" / "incidents"
    assert sorted(p.name for p in trail.iterdir()) == [incident]
    assert (trail / incident / f"{incident}.md").is_file()
    assert os.listdir(elsewhere) == []
    closed = run_cli("close", incident, "--reason", "done", "--root", root)
    assert closed.code == 0, closed.stderr
    again = run_cli("respond", "--incident", incident, "--only", "document", "--yes",
                    "--home", home)  # fmt: skip
    assert again.code == 2 and "closed" in again.stderr
