"""Red-team review of issue 16: the journal, change sets, lookups from anywhere, resume, restore.

Each test names the weakness it probes (see tests/adversarial16_support.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.adversarial16_support import (  # noqa: F401
    LS,
    PASSWORD,
    PLAYBOOK,
    SERVERS,
    TOKEN,
    _contain,
    _every_file_text,
    _git,
    _sandbox,
)
from tests.conftest import RunCli
from tests.treehash import tree_state

# --- 1. The journal: a Unicode line separator splits a sealed record ---------------------------


def test_a_sealed_record_holding_a_line_separator_is_read_back(tmp_path: Path) -> None:
    # Weakness: journal framing. Any attacker-chosen text a step records (a server name, a commit
    # author, a transcript excerpt, a title pasted from a pager) can erase that whole record.
    from mcpir.incident.store import open_incident

    incident = open_incident(tmp_path, "t", {"root": str(tmp_path), "playbook": PLAYBOOK})
    incident.journal.append({"type": "step-finished", "step": "audit", "status": "attention",
                             "summary": f"author mallory{LS}x", "findings": []})  # fmt: skip
    kinds = [r.get("type") for r in incident.journal.records()]
    assert kinds == ["incident-opened", "step-finished"]


def test_a_commit_author_cannot_make_restore_turn_a_flagged_server_back_on(
    run_cli: RunCli, tmp_path: Path
) -> None:
    # Weakness: restore keeping flagged servers disabled (issue 16, point 4) is defeated by a
    # crafted git identity: the audit's finding vanishes from the journal.
    home, root = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    root.mkdir()
    _git(root, "init", "-q", ".")
    (root / ".mcpir.toml").write_text('[audit]\nauthorized = ["alex@payments.example"]\n')
    (root / ".mcp.json").write_text(json.dumps(SERVERS) + "\n")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "init")
    (root / ".cursor").mkdir()
    evil = {"mcpServers": {"evil": {"command": "npx", "args": ["-y", "evil-mcp@latest"]}}}
    (root / ".cursor" / "mcp.json").write_text(json.dumps(evil) + "\n")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "diagrams", name=f"mallory{LS}x", email="m@evil.example")

    result = run_cli("respond", "--only", "contain,audit", "--yes", "--home", home, "--root", root,
                     "--title", "evil")  # fmt: skip
    assert result.code in (0, 1), result.stderr
    dry = run_cli("restore", "--dry-run", "--json", "--root", root)
    servers = {s["name"]: s["action"] for s in json.loads(dry.stdout)["servers"]}
    assert servers["evil"] == "kept-disabled", servers


def test_a_server_name_cannot_hide_a_change_from_restore(run_cli: RunCli, tmp_path: Path) -> None:
    # Weakness: journal framing again; data loss on the way back (the backup exists, mcpir
    # forgets it).
    home, root = _sandbox(tmp_path)
    shared = {"mcpServers": {f"b{LS}c": {"command": "npx", "args": ["-y", "y@1.0.0"]}},
              "theme": "dark"}  # fmt: skip
    (home / ".claude.json").write_text(json.dumps(shared))
    before = (home / ".claude.json").read_bytes()
    incident = _contain(run_cli, home, root)
    assert (home / ".claude.json").read_bytes() != before  # contained
    assert run_cli("restore", incident, "--root", root).code == 0
    assert (home / ".claude.json").read_bytes() == before


def test_a_title_with_a_line_separator_stays_an_incident(run_cli: RunCli, tmp_path: Path) -> None:
    # Weakness: kind confusion through the journal framing (an incident passed off as a change).
    home, root = _sandbox(tmp_path)
    incident = _contain(run_cli, home, root, title=f"alert{LS}from the pager")
    summary = json.loads((root / ".atom-trail" / "incidents" / incident / "incident.json")
                         .read_text())  # fmt: skip
    assert summary["kind"] == "incident"
    assert run_cli("close", incident, "--reason", "done", "--root", root).code == 0


# --- 2. Kind confusion: change sets --------------------------------------------------------------


def test_respond_incident_refuses_a_change_set(run_cli: RunCli, tmp_path: Path) -> None:
    # Weakness: a containment recorded under a change set is invisible to "the latest incident",
    # to `report`, to `close` and to posture's open incidents.
    home, root = _sandbox(tmp_path)
    wrapped = run_cli("wrap", "gh", "--yes", "--json", "--home", home, "--root", root)
    assert wrapped.code == 0, wrapped.stderr
    change = json.loads(wrapped.stdout)["incident"]
    assert change.startswith("ATOM-CHG-")
    before = tree_state(root)
    for option in ("--incident", "--resume"):
        result = run_cli("respond", option, change, "--only", "contain", "--yes",
                         "--home", home, "--root", root)  # fmt: skip
        assert result.code == 2, (option, result.stdout)
        assert "change set" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert tree_state(root) == before


def test_report_close_and_report_edit_refuse_a_change_set(run_cli: RunCli, tmp_path: Path) -> None:
    # Defence that holds: a change set has no report, cannot be closed or edited.
    home, root = _sandbox(tmp_path)
    wrapped = run_cli("wrap", "gh", "--yes", "--json", "--home", home, "--root", root)
    change = json.loads(wrapped.stdout)["incident"]
    before = tree_state(root)
    for command in (("report", change), ("close", change, "--reason", "x"),
                    ("report", "edit", change, "--set", "lessons=x")):  # fmt: skip
        result = run_cli(*command, "--root", root)
        assert result.code == 2 and "change set" in result.stderr, (command, result.stderr)
    assert tree_state(root) == before


# --- 3. Lookups from any directory ---------------------------------------------------------------


def test_an_exact_id_from_the_index_wins_over_a_longer_local_id(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Weakness: prefix matching shadows an exact id; `restore ID` turns on another incident's
    # servers.
    home = tmp_path / "home"
    home.mkdir()
    a, b = tmp_path / "a", tmp_path / "b"
    for root in (a, b):
        root.mkdir()
        (root / ".mcp.json").write_text(json.dumps(SERVERS) + "\n")
    wanted = _contain(run_cli, home, a, title="github mcp")
    other = _contain(run_cli, home, b, title="github mcp poisoning")
    assert other.startswith(wanted) and other != wanted
    monkeypatch.chdir(b)
    contained_b = tree_state(b)
    result = run_cli("restore", wanted)
    assert tree_state(b) == contained_b, "restored the incident of project b"
    assert result.code == 0 and (a / ".mcp.json").exists()


def test_resume_from_elsewhere_keeps_the_incidents_home(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Weakness: `--incident ID` from another directory acts on another home; the incident can
    # no longer be restored or reported.
    home, root = _sandbox(tmp_path)
    incident = _contain(run_cli, home, root)
    other_home = tmp_path / "other-home"
    other_home.mkdir()
    (other_home / ".claude.json").write_text(json.dumps(SERVERS) + "\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("HOME", str(other_home))
    before = tree_state(other_home)
    run_cli("respond", "--incident", incident, "--only", "contain", "--yes")
    assert tree_state(other_home) == before
    assert run_cli("restore", incident).code == 0


def test_planted_index_entries_are_pointers_not_trust(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Defence that holds: entries pointing at `/`, at a relative root, at a crafted journal or
    # carrying escape sequences are refused in one line (exit 2), and nothing is written.
    from mcpir.incident.index import index_path

    crafted = tmp_path / "victim"
    folder = crafted / ".atom-trail" / "incidents" / "ATOM-INC-20261124-003-c"
    folder.mkdir(parents=True)
    (folder / "journal.jsonl").write_text(json.dumps(
        {"type": "incident-opened", "id": folder.name, "home": "/", "root": "/",
         "playbook": PLAYBOOK, "mac": "0" * 64}) + "\n")  # fmt: skip
    rows = [
        {"id": "ATOM-INC-20261124-001-a", "root": "/"},
        {"id": "ATOM-INC-20261124-002-b", "root": "relative/dir"},
        {"id": "ATOM-INC-20261124-003-c", "root": str(crafted)},
        {"id": "../../../etc", "root": str(crafted)},
    ]
    index_path().parent.mkdir(parents=True, exist_ok=True)
    index_path().write_text(json.dumps({"version": 1, "incidents": [
        {"kind": "incident", "status": "open", "opened": "x", "updated": "y", **row}
        for row in rows]}))  # fmt: skip
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    before = tree_state(tmp_path)
    for incident in (
        "ATOM-INC-20261124-001",
        "ATOM-INC-20261124-002",
        "ATOM-INC-20261124-003",
        "../../../etc",
        "ATOM-INC-20261124-003-c/../..",
        "ATOM-INC-2026112",
    ):
        for command in (("restore", incident), ("report", incident),
                        ("close", incident, "--reason", "x"),
                        ("respond", "--resume", incident, "--yes")):  # fmt: skip
            result = run_cli(*command)
            assert result.code == 2, (command, result.stdout, result.stderr)
            assert len(result.stderr.strip().splitlines()) == 1, result.stderr
            assert "Traceback" not in result.stderr
    assert tree_state(tmp_path) == before


def test_a_planted_index_root_cannot_write_escape_sequences(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Weakness: control characters from a file mcpir reads reach stderr unescaped.
    from mcpir.incident.index import index_path

    index_path().parent.mkdir(parents=True, exist_ok=True)
    index_path().write_text(json.dumps({"version": 1, "incidents": [
        {"id": "ATOM-INC-20261124-004-d", "kind": "incident", "status": "open", "opened": "x",
         "updated": "y", "root": "/tmp/\x1b]0;pwned\x07\x1b[2J"}]}))  # fmt: skip
    monkeypatch.chdir(tmp_path)
    result = run_cli("restore", "ATOM-INC-20261124-004")
    assert result.code == 2
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr, repr(result.stderr)


def test_a_linked_index_and_lock_are_never_written_through(run_cli: RunCli, tmp_path: Path) -> None:
    # Defence that holds: the index and its lock, planted as links, redirect nothing.
    from mcpir.incident.index import index_path

    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "target.json").write_text('{"keep": "me"}')
    index_path().parent.mkdir(parents=True, exist_ok=True)
    index_path().symlink_to(victim / "target.json")
    Path(str(index_path()) + ".lock").symlink_to(victim / "lock")
    (tmp_path / "m").mkdir()
    home, root = _sandbox(tmp_path / "m")
    _contain(run_cli, home, root)
    assert (victim / "target.json").read_text() == '{"keep": "me"}'
    assert not (victim / "lock").exists()


@pytest.mark.parametrize(
    "content",
    [b"[" * 200_000 + b"]" * 200_000, b"\xff\xfe garbage", b'{"incidents": 5}',
     b'{"incidents": [1, "x", {"id": 5}, {"id": "ATOM-INC-20261124-001-a", "root": "\\u0000"}]}'],
)  # fmt: skip
def test_a_garbled_index_finds_nothing_and_is_rebuilt(
    run_cli: RunCli, tmp_path: Path, content: bytes
) -> None:
    # Defence that holds: a damaged index is empty to readers (no traceback), and rewritten.
    from mcpir.incident.index import entries, index_path

    index_path().parent.mkdir(parents=True, exist_ok=True)
    index_path().write_bytes(content)
    assert entries() == []
    home, root = _sandbox(tmp_path)
    incident = _contain(run_cli, home, root)
    assert [e.id for e in entries()] == [incident]


# --- 5. The report's new sections: typed records from a buggy version ----------------------------


WRONG = [None, True, 7, -1, 1.5, "", "x", [], {}, [1, "a", None], {"a": [1]}, 10**40]


def test_wrongly_typed_sealed_records_do_not_crash_report(run_cli: RunCli, tmp_path: Path) -> None:
    # Defence that holds: every record kind the report reads, sealed with fields of the wrong
    # type (only a buggy mcpir could seal them), renders as Markdown and JSON.
    from mcpir.incident.store import open_incident

    incident = open_incident(tmp_path, "t", {"home": str(tmp_path), "root": str(tmp_path),
                                             "playbook": PLAYBOOK, "steps": 5})  # fmt: skip
    records: list[dict[str, Any]] = []
    fields = {
        "step-finished": ("step", "status", "summary", "task", "notes", "findings", "tokens",
                          "introduced"),
        "step-started": ("step",),
        "process": ("pid", "server", "command", "outcome"),
        "investigation": ("since", "findings", "sources", "malformed"),
        "document-inputs": ("step", "owner", "checklist"),
        "incident-closed": ("reason", "by"),
        "restored": ("change",),
        "report-edit": ("field", "value", "by"),
        "restore-kept": ("changes", "servers", "flagged"),
    }  # fmt: skip
    for n, value in enumerate(WRONG):
        for kind, names in fields.items():
            records.append({"type": kind, "ts": WRONG[(n + 3) % len(WRONG)],
                            **dict.fromkeys(names, value)})  # fmt: skip
    finding = {"rule": "investigate/cross-tool-flow", "severity": "high", "server": 5,
               "tool": [], "time": {}, "session": 1.5, "read": ["x"], "line": "NaN"}  # fmt: skip
    records.append({"type": "investigation", "findings": [finding, 5, "x"], "sources": [1],
                    "malformed": {"count": "many", "first": None}})  # fmt: skip
    records.append({"type": "step-finished", "step": "audit", "status": "attention",
                    "summary": "s", "introduced": [{"commit": 5, "author": None, "servers": 7,
                                                    "merged_by": [], "date": 12}]})  # fmt: skip
    incident.journal.append_many(records)
    for fmt in ("md", "json"):
        result = run_cli("report", incident.id, "--root", tmp_path, "--format", fmt)
        assert result.code == 0, result.stderr[-2000:]


@pytest.mark.parametrize("playbook", ["legacy", {"sha256": "0" * 64}, {"path": 5}])
def test_resume_with_a_malformed_playbook_field_is_one_line(
    run_cli: RunCli, tmp_path: Path, playbook: object
) -> None:
    # Weakness: a record sealed by a buggy version crashes `respond --resume`.
    from mcpir.incident.store import open_incident

    home = tmp_path / "home"
    home.mkdir()
    incident = open_incident(tmp_path, "t", {"home": str(home), "root": str(tmp_path),
                                             "playbook": playbook})  # fmt: skip
    result = run_cli("respond", "--resume", incident.id, "--root", tmp_path, "--home", home,
                     "--yes")  # fmt: skip
    assert result.code == 2 and "Traceback" not in result.stderr, result.stderr[-800:]


# --- 7. restore and flagged servers -------------------------------------------------------------


def test_a_flagged_name_with_dots_or_controls_moves_restore_nowhere(
    run_cli: RunCli, tmp_path: Path
) -> None:
    # Defence that holds: a sealed finding naming `../../x` or an escape sequence only decides
    # which recorded change stays applied; restore writes only the recorded paths, and says the
    # name escaped.
    home, root = _sandbox(tmp_path)
    incident = _contain(run_cli, home, root)
    from mcpir.incident.store import find_incident

    journal = find_incident(root, incident).journal
    names = ["../../../etc/passwd", "gh\x1b[31m", "../.mcp.json"]
    journal.append({"type": "step-finished", "step": "audit", "status": "attention",
                    "summary": "s", "findings": [
                        {"rule": "audit/unauthorized-change", "severity": "high", "server": n,
                         "path": "/etc/passwd", "message": "m"} for n in names]})  # fmt: skip
    outside = tree_state(tmp_path / "home")
    dry = run_cli("restore", incident, "--root", root, "--dry-run")
    assert dry.code == 0 and "\x1b" not in dry.stdout + dry.stderr
    result = run_cli("restore", incident, "--root", root, "--json")
    assert result.code == 0, result.stderr
    assert json.loads((root / ".mcp.json").read_text()) == SERVERS
    assert tree_state(tmp_path / "home") == outside
    for name in names:
        refused = run_cli("restore", incident, "--root", root, "--only", name)
        assert refused.code == 2 and "\x1b" not in refused.stderr
