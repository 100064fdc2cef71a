"""Issue 16, point 5: the edits of `wrap`, `tokens externalize` and `tokens rotate` are change
sets (`ATOM-CHG-…`), not incidents. `mcpir restore ID` undoes one; `restore`, `report` and
`close` without an id take the latest *incident*; `report` and `close` refuse a change set;
journals an earlier mcpir wrote (ATOM-INC ids holding only such edits) still restore."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.test_externalize import MemoryKeyring, memory_keyring
from tests.treehash import tree_state

SERVERS = {
    "mcpServers": {
        "gh": {"command": "npx", "args": ["-y", "gh-mcp@1.0.0"]},
        "db": {"command": "uvx", "args": ["db-mcp==0.3.0"]},
    }
}
CHANGE_ID = re.compile(r"^ATOM-CHG-\d{8}-\d{3}-[a-z0-9-]+$")


@pytest.fixture
def memory() -> Iterator[MemoryKeyring]:
    yield from memory_keyring()


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    home, root = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    root.mkdir()
    (root / ".mcp.json").write_text(json.dumps(SERVERS, indent=2) + "\n")
    return home, root


def wrap(run_cli: RunCli, home: Path, root: Path, *servers: str) -> str:
    result = run_cli("wrap", *servers, "--yes", "--json", "--home", home, "--root", root)
    assert result.code == 0, result.stderr
    return str(json.loads(result.stdout)["incident"])


def contain(run_cli: RunCli, home: Path, root: Path) -> str:
    result = run_cli("respond", "--only", "contain", "--yes", "--json", "--home", home,
                     "--root", root, "--title", "poisoned gh")  # fmt: skip
    assert result.code == 0, result.stderr
    return str(json.loads(result.stdout)["incident"])


def test_wrap_opens_a_change_set_that_restore_undoes_only_when_named(
    run_cli: RunCli, project: tuple[Path, Path]
) -> None:
    home, root = project
    before = tree_state(root)
    change = wrap(run_cli, home, root, "gh")
    assert CHANGE_ID.match(change), change
    folder = root / ".atom-trail" / "incidents" / change
    assert json.loads((folder / "incident.json").read_text())["kind"] == "change"
    # No incident in this project: "the latest incident" is none, and the wrap stays.
    wrapped = tree_state(root)
    latest = run_cli("restore", "--root", root)
    assert latest.code == 2 and "only changes" in latest.stderr, latest.stderr
    assert tree_state(root) == wrapped != before
    undone = run_cli("restore", change, "--root", root, "--json")
    assert undone.code == 0, undone.stderr
    assert json.loads(undone.stdout)["incident"] == change
    assert tree_state(root) == before


def test_latest_incident_is_never_a_later_change_set(
    run_cli: RunCli, project: tuple[Path, Path]
) -> None:
    home, root = project
    incident = contain(run_cli, home, root)
    assert (root / ".mcp.json.mcpir-disabled").exists()
    (root / ".vscode").mkdir()
    (root / ".vscode" / "mcp.json").write_text(
        json.dumps({"servers": {"fs": {"type": "stdio", "command": "node"}}})
    )
    change = wrap(run_cli, home, root, "fs")  # after the incident, so newer

    report = run_cli("report", "--root", root, "--format", "json")
    assert report.code == 0 and json.loads(report.stdout)["atom"] == incident, report.stderr
    dry = run_cli("restore", "--root", root, "--dry-run", "--json")
    assert json.loads(dry.stdout)["incident"] == incident
    assert run_cli("restore", "--root", root).code == 0
    assert not (root / ".mcp.json.mcpir-disabled").exists()
    assert json.loads((root / ".mcp.json").read_text()) == SERVERS
    assert '"mcpir"' in (root / ".vscode" / "mcp.json").read_text()  # the wrap is kept

    for command in (("report", change), ("close", change, "--reason", "done")):
        refused = run_cli(*command, "--root", root)
        assert refused.code == 2, (command, refused.stderr)
        assert "is a change set" in refused.stderr and len(refused.stderr.splitlines()) == 1
        assert f"mcpir restore {change}" in refused.stderr
    assert run_cli("close", incident, "--reason", "contained", "--root", root).code == 0


def test_change_sets_count_apart_from_incidents(tmp_path: Path) -> None:
    from mcpir.incident.store import find_incident, open_change_set, open_incident

    playbook = {"path": "p.yaml", "sha256": "0" * 64}
    first = open_incident(tmp_path, "first", {"root": str(tmp_path), "playbook": playbook})
    change = open_change_set(tmp_path, "wrap mcp servers", {"root": str(tmp_path)})
    second = open_incident(tmp_path, "second", {"root": str(tmp_path), "playbook": playbook})
    assert first.id.split("-")[3] == "001" and second.id.split("-")[3] == "002"
    assert CHANGE_ID.match(change.id) and change.id.split("-")[3] == "001"
    assert change.directory.parent == first.directory.parent  # beside the incidents
    assert find_incident(tmp_path, None).id == second.id
    assert find_incident(tmp_path, change.id).kind == "change"
    assert find_incident(tmp_path, "ATOM-CHG").id == change.id  # a prefix only it has


def test_a_change_set_is_sealed_like_an_incident(run_cli: RunCli, tmp_path: Path) -> None:
    """Its id is part of what the seal covers: renamed to an incident's id, or planted by a
    repository, it is nobody's."""
    from mcpir.incident.store import open_change_set

    root = tmp_path / "project"
    root.mkdir()
    change = open_change_set(root, "wrap", {"root": str(root)})
    base = change.directory.parent
    renamed = base / change.id.replace("ATOM-CHG-", "ATOM-INC-")
    change.directory.rename(renamed)
    for name in (renamed.name, "ATOM-INC"):
        refused = run_cli("restore", name, "--root", root)
        assert refused.code == 2 and "not opened by mcpir" in refused.stderr, refused.stderr
    planted = base / "ATOM-CHG-20991231-001-planted"
    planted.mkdir()
    header = {"type": "incident-opened", "id": planted.name, "root": str(root)}
    (planted / "journal.jsonl").write_text(json.dumps(header) + "\n")
    refused = run_cli("restore", planted.name, "--root", root)
    assert refused.code == 2 and "not opened by mcpir" in refused.stderr, refused.stderr


def test_a_journal_an_earlier_mcpir_wrote_for_a_wrap_still_restores(
    run_cli: RunCli, project: tuple[Path, Path]
) -> None:
    """Before change sets, `wrap` opened an ATOM-INC with no playbook; its journal must still
    restore, by id, and never be taken for the latest incident or reported as one."""
    from mcpir.core.paths import Scopes
    from mcpir.incident.store import open_incident
    from mcpir.proxy import wrap as wrapping
    from mcpir.workspace import Workspace

    home, root = project
    original = (root / ".mcp.json").read_bytes()
    scopes = Scopes.resolve(home, root, None)
    plan = wrapping.plan(Workspace.load(scopes).configs(), {"gh"}, unwrap=False, root=root)
    # What the previous version's `wrap.apply` wrote, record for record.
    legacy = open_incident(root, "wrap mcp servers in mcpir proxy",
                           {"root": str(root), "home": str(home)})  # fmt: skip
    legacy.journal.append({"type": "step-started", "step": "wrap"})
    assert legacy.journal.apply_all(plan.changes, "wrap")
    legacy.journal.append({"type": "step-finished", "step": "wrap", "status": "changed",
                           "summary": "wrapped 1 server", "notes": []})  # fmt: skip
    legacy.write_summary("open")
    assert legacy.id.startswith("ATOM-INC-") and (root / ".mcp.json").read_bytes() != original

    for command in (("restore",), ("report",), ("close", "--reason", "x")):
        refused = run_cli(*command, "--root", root)
        assert refused.code == 2, (command, refused.stderr)
    assert "is a change set" in run_cli("report", legacy.id, "--root", root).stderr
    posture = json.loads(run_cli("posture", "--home", home, "--root", root, "--json").stdout)
    assert {i["id"]: i["status"] for i in posture}["open-incidents"] == "pass"
    undone = run_cli("restore", legacy.id, "--root", root)
    assert undone.code == 0, undone.stderr
    assert (root / ".mcp.json").read_bytes() == original


@pytest.mark.usefixtures("memory")
def test_externalize_opens_a_change_set(run_cli: RunCli, tmp_path: Path) -> None:
    home, root = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    root.mkdir()
    config = root / ".mcp.json"
    token = "ghp_" + "K" * 36
    config.write_text(json.dumps({"mcpServers": {"gh": {"command": "gh-mcp",
                                  "env": {"GITHUB_TOKEN": token}}}}, indent=2))  # fmt: skip
    original = config.read_bytes()
    done = run_cli("tokens", "externalize", "--yes", "--json", "--home", home, "--root", root)
    change = json.loads(done.stdout)["incident"]
    assert CHANGE_ID.match(change), done.stdout
    assert token not in config.read_text()
    assert run_cli("restore", "--root", root).code == 2  # not an incident
    assert run_cli("restore", change, "--root", root).code == 0
    assert config.read_bytes() == original
