"""`mcpir report` on incidents that did not end well: none of its steps finished, a crash
mid-step, a full restore; and `--output` pointed at what already exists. Each failed before."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest

from mcpir.incident.store import find_incident
from mcpir.report import Format, render
from mcpir.report.document import build
from tests.conftest import FIXTURES, RunCli, seal_journals

GOLDEN = FIXTURES / "report-golden"
INCIDENT = "ATOM-INC-20261124-001-github-mcp-poisoning"


def _project(tmp_path: Path, keep: int | None = None, extra: list[dict[str, object]] = ()) -> Path:  # type: ignore[assignment]
    """The golden incident, its journal cut after `keep` records, then `extra` appended."""
    project = tmp_path / "project"
    shutil.copytree(GOLDEN / "incidents", project / ".atom-trail" / "incidents")
    journal = project / ".atom-trail" / "incidents" / INCIDENT / "journal.jsonl"
    lines = journal.read_text().splitlines()[:keep]
    lines += [json.dumps(record) for record in extra]
    journal.write_text("\n".join(lines) + "\n")
    seal_journals(project)
    return project


def _records(project: Path) -> list[dict[str, object]]:
    journal = project / ".atom-trail" / "incidents" / INCIDENT / "journal.jsonl"
    return [json.loads(line) for line in journal.read_text().splitlines()]


def _doc(project: Path) -> dict[str, object]:
    return build(find_incident(project, INCIDENT))


def test_no_step_finished(tmp_path: Path) -> None:
    doc = _doc(_project(tmp_path, keep=2))  # opened, contain started: the process died
    assert doc["status"] == "open"
    started = "started 2026-11-24T09:00:00.006+00:00 and never finished"
    not_run = "this step did not run in this incident"
    assert doc["steps"] == [
        {"id": "contain", "task": None, "status": "interrupted", "summary": started},
        *[{"id": s, "task": None, "status": "not run", "summary": not_run}
          for s in ("rotate", "audit", "investigate")],
    ]  # fmt: skip
    assert f"finish the contain step: mcpir respond --resume {INCIDENT}" in doc["follow_ups"]  # type: ignore[operator]
    assert "interrupted" in render(doc, Format.MD)
    only_opened = _doc(_project(tmp_path / "b", keep=1))
    assert only_opened["status"] == "open" and only_opened["severity"] == "unknown"
    assert {s["status"] for s in only_opened["steps"]} == {"not run"}  # type: ignore[attr-defined]


def test_a_crash_after_a_finished_step_is_not_resolved(tmp_path: Path) -> None:
    project = _project(tmp_path)
    records = _records(project)
    cut = next(i for i, r in enumerate(records) if r.get("type") == "step-started"
               and r.get("step") == "rotate")  # fmt: skip
    # contain finished cleanly ("changed"), rotate started, then the machine lost power.
    doc = _doc(_project(tmp_path / "b", keep=cut + 1))
    assert [(s["id"], s["status"]) for s in doc["steps"]] == [  # type: ignore[attr-defined]
        ("contain", "changed"), ("rotate", "interrupted"), ("audit", "not run"),
        ("investigate", "not run"),
    ]  # fmt: skip
    assert doc["status"] == "open"


def test_a_restored_incident_says_so(tmp_path: Path) -> None:
    project = _project(tmp_path)
    changes = [r["change"] for r in _records(project) if r.get("type") == "applied"]
    done = {r["change"] for r in _records(project) if r.get("type") == "restored"}
    undo = [{"ts": "2026-11-24T11:00:00.000+00:00", "type": "restored", "change": c,
             "forced": False} for c in changes if c not in done]  # fmt: skip
    doc = _doc(_project(tmp_path / "b", extra=undo))
    assert doc["status"] == "restored"
    assert doc["contained"]["undo"] is None  # type: ignore[index]
    assert not any("undo the containment" in f for f in doc["follow_ups"])  # type: ignore[attr-defined]
    assert _doc(project)["status"] == "partly restored"  # 2 of 11 undone


def test_output_to_an_existing_file_a_directory_or_nowhere(run_cli: RunCli, tmp_path: Path) -> None:
    project = _project(tmp_path)
    old = tmp_path / "old.md"
    old.write_text("old")
    old.chmod(0o644)
    result = run_cli("report", "--root", project, "--output", old)
    assert result.code == 0 and result.stdout == ""
    assert f"\n---\n\n# {INCIDENT}" in old.read_text()  # after its front matter
    assert stat.S_IMODE(old.stat().st_mode) == 0o600
    for bad in (tmp_path, Path("/proc/no/such.md")):
        result = run_cli("report", "--root", project, "--output", bad)
        assert result.code == 2, result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize("fmt", ["md", "json"])
def test_same_journal_same_bytes(run_cli: RunCli, tmp_path: Path, fmt: str) -> None:
    project = _project(tmp_path)
    first = run_cli("report", "--root", project, "--format", fmt)
    again = run_cli("report", "--root", project, "--format", fmt)
    assert first.code == again.code == 0 and first.stdout == again.stdout
    assert first.stdout == (GOLDEN / f"{INCIDENT}.{fmt}").read_text()


@pytest.mark.parametrize("kind", ["missing", "directory", "link"])
def test_a_journal_that_is_gone_is_bad_input(run_cli: RunCli, tmp_path: Path, kind: str) -> None:
    project = _project(tmp_path)
    journal = project / ".atom-trail" / "incidents" / INCIDENT / "journal.jsonl"
    outside = tmp_path / "elsewhere.jsonl"
    shutil.move(journal, outside)
    if kind == "directory":
        journal.mkdir()
    elif kind == "link":
        journal.symlink_to(outside)
    result = run_cli("report", "--root", project, INCIDENT)
    assert result.code == 2 and result.stdout == ""
    assert "missing or not a regular file" in result.stderr and "Traceback" not in result.stderr


def test_list_shows_a_broken_incident_and_goes_on(run_cli: RunCli, tmp_path: Path) -> None:
    project = _project(tmp_path)
    incidents = project / ".atom-trail" / "incidents"
    broken = "ATOM-INC-20261125-001-broken"
    (incidents / broken / "journal.jsonl").mkdir(parents=True)
    result = run_cli("report", "--root", project, "--list", "--json")
    assert result.code == 0, result.stderr
    rows = json.loads(result.stdout)["incidents"]
    assert [(r["id"], r["status"]) for r in rows] == [
        (broken, "unreadable"), (INCIDENT, "partly restored"),
    ]  # fmt: skip
