"""The post-incident report: skipped steps say "not run", the sections a team files, edits kept."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mcpir.core.errors import UsageError
from mcpir.demo.run import run_demo
from mcpir.incident.store import find_incident
from mcpir.report import Format, render
from mcpir.report import edit as report_edit
from mcpir.report.document import build
from tests.conftest import RunCli


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """One whole demo incident; the report as it is built from its journal."""
    import os

    base = tmp_path_factory.mktemp("demo")
    result = run_demo(base, say=lambda line: None)
    os.environ["MCPIR_HOME"] = str(result.state)  # its journal is sealed with the demo's key
    assert result.response.incident is not None
    incident = result.response.incident
    return {"result": result, "incident": incident, "doc": build(incident)}


def test_root_cause_names_the_planted_commit_and_merge(demo: dict[str, object]) -> None:
    result = demo["result"]
    planted = result.sandbox.planted  # type: ignore[attr-defined]
    doc = demo["doc"]
    [change] = doc["root_cause"]["changes"]  # type: ignore[index]
    assert change["commit"] == planted["unauthorized_commit"]
    assert change["merge"] == planted["merge_commit"]
    assert change["merged_by"] and "alex" in change["merged_by"].lower()
    assert change["servers"] == ["mermaid-diagrams"]
    markdown = render(doc, Format.MD)  # type: ignore[arg-type]
    for heading in ("Summary", "Impact", "Root cause", "Metrics", "Action items", "Lessons"):
        assert f"\n## {heading}" in markdown
    assert planted["merge_commit"][:12] in markdown.split("## Root cause")[1].split("##")[0]


def test_summary_metrics_and_actions_come_from_the_evidence(demo: dict[str, object]) -> None:
    doc = demo["doc"]
    overview = doc["overview"]  # type: ignore[index]
    assert len(overview) == 3 and "mermaid-diagrams" in overview[0]
    assert "mermaid-diagrams.render_diagram" in overview[1]
    metrics = doc["metrics"]  # type: ignore[index]
    assert metrics["detected"] and metrics["contained"] and metrics["time_to_contain"]
    assert metrics["first_malicious_activity"] < metrics["detected"]
    actions = doc["action_items"]  # type: ignore[index]
    assert actions[0]["id"] == "rotate" and actions[0]["priority"] == "P1"
    assert actions[0]["due"] == str(metrics["detected"])[:10]  # P1: due the day it was opened
    training = next(a for a in actions if a["id"] == "training")
    assert training["priority"] == "P3"
    flows = doc["impact"]["flows"]  # type: ignore[index]
    [render_flow] = [f for f in flows if f["to"] == "mermaid-diagrams.render_diagram"]
    planted = demo["result"].sandbox.planted  # type: ignore[attr-defined]
    assert {"from": "github.get_file_contents", "read": planted["exfiltrated_file"]}.items() <= {
        k: v for e in render_flow["evidence"] for k, v in e.items() if e.get("from")
    }.items()
    markdown = render(doc, Format.MD)  # type: ignore[arg-type]
    assert not re.search(r"\b1 (calls|sessions|files|secrets|changes|commits)\b", markdown)


def test_report_edit_is_journalled_and_survives_regeneration(
    demo: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MCPIR_HOME", str(demo["result"].state))  # type: ignore[attr-defined]
    incident = demo["incident"]
    edits = report_edit.parse(
        [
            "impact=payments/settings.py left through the diagram server",
            "owner.rotate=dana",
            "due.rotate=2026-12-08",
            "lessons=pin every npx server",
        ]  # fmt: skip
    )
    report_edit.apply(incident, edits, by="test")  # type: ignore[arg-type]
    again = find_incident(incident.directory.parents[2], incident.id)  # type: ignore[attr-defined]
    doc = build(again)
    rotate = next(a for a in doc["action_items"] if a["id"] == "rotate")
    assert (rotate["owner"], rotate["due"]) == ("dana", "2026-12-08")
    assert doc["impact"]["text"].startswith("payments/settings.py left")
    assert doc["lessons"] == "pin every npx server"
    assert render(doc, Format.MD) == render(build(again), Format.MD)  # same journal, same bytes


@pytest.mark.parametrize(
    "pair", ["status=closed", "due.rotate=tomorrow", "priority.rotate=P0", "nofield", "x.y=1"]
)
def test_report_edit_refuses_what_it_does_not_know(pair: str) -> None:
    with pytest.raises(UsageError):
        report_edit.parse([pair])


def test_skipped_steps_say_not_run_and_never_lower_severity(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`respond --only document` on a fresh incident: nothing ran, so nothing is "low" and
    nothing "was changed"; each section says not run."""
    from mcpir.config.project import Policy
    from mcpir.core.paths import Scopes
    from mcpir.playbook.engine import RespondRequest, respond

    monkeypatch.setenv("MCPIR_HOME", str(tmp_path / "state"))
    root = tmp_path / "project"
    root.mkdir()
    (tmp_path / "home").mkdir()
    scopes = Scopes(home=tmp_path / "home", root=root, environ={})
    result = respond(RespondRequest(scopes=scopes, only=("document",), yes=True), Policy())
    assert result.incident is not None
    doc = build(result.incident)
    assert doc["severity"] == "unknown"
    assert {s["id"]: s["status"] for s in doc["steps"]} == {
        "contain": "not run", "rotate": "not run", "audit": "not run", "investigate": "not run"
    }  # fmt: skip
    assert doc["contained"]["status"] == doc["tokens_status"] == "not run"
    markdown = render(doc, Format.MD)
    assert "Nothing was changed" not in markdown
    assert "No token was recorded" not in markdown
    assert "Not run: the contain step" in markdown and "Not run: the rotate step" in markdown
    assert any("--only rotate" in line for line in doc["follow_ups"])


def test_no_home_relative_path_in_the_document(demo: dict[str, object]) -> None:
    markdown = render(demo["doc"], Format.MD)  # type: ignore[arg-type]
    assert " ~/" not in markdown and "`~/" not in markdown


def test_report_edit_from_the_command_line(run_cli: RunCli, tmp_path: Path) -> None:
    """`report edit ID --set …` journals the edit, rewrites the document, and the next
    `report` keeps it; a bad field changes nothing (exit 2)."""
    import shutil

    from tests.conftest import FIXTURES, seal_journals

    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "report-golden" / "incidents", root / ".atom-trail" / "incidents")
    seal_journals(root)
    incident = "ATOM-INC-20261124-001-github-mcp-poisoning"
    journal = root / ".atom-trail" / "incidents" / incident / "journal.jsonl"
    before = journal.read_bytes()
    bad = run_cli("report", "edit", incident, "--set", "severity=low", "--root", root)
    assert bad.code == 2 and "no such field" in bad.stderr and journal.read_bytes() == before
    done = run_cli("report", "edit", incident, "--set", "lessons=pin every npx server",
                   "--set", "owner.rotate=dana", "--root", root)  # fmt: skip
    assert done.code == 0, done.stderr
    shown = run_cli("report", incident, "--root", root)
    assert "pin every npx server" in shown.stdout
    assert "| dana |" in shown.stdout.split("## Action items")[1].split("##")[0]
    again = run_cli("report", incident, "--root", root)
    assert again.stdout == shown.stdout


def _golden_project(tmp_path: Path) -> tuple[Path, str, Path]:
    import shutil

    from tests.conftest import FIXTURES, seal_journals

    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "report-golden" / "incidents", root / ".atom-trail" / "incidents")
    seal_journals(root)
    incident = "ATOM-INC-20261124-001-github-mcp-poisoning"
    return root, incident, root / ".atom-trail" / "incidents" / incident


def test_front_matter_edits_are_recorded_only_when_asked(run_cli: RunCli, tmp_path: Path) -> None:
    """A person fills the front matter in; `report edit ID --from-document` journals it; a
    rewrite before that keeps the person's file aside instead of writing over it."""
    root, incident, directory = _golden_project(tmp_path)
    document = directory / f"{incident}.md"
    document.write_text(run_cli("report", incident, "--root", root).stdout, encoding="utf-8")
    text = document.read_text(encoding="utf-8")
    edited = text.replace('lessons: ""', 'lessons: "pin every npx server"', 1).replace(
        'rotate: {owner: "Alex Moreau <alex@payments.example>"', 'rotate: {owner: "dana"', 1
    )
    document.write_text(edited, encoding="utf-8")
    # Another edit rewrites the document: the person's front matter is kept aside, not lost.
    other = run_cli("report", "edit", incident, "--set", "impact=settings.py left", "--root", root)
    assert other.code == 0, other.stderr
    aside = directory / f"{incident}.md.edited"
    assert aside.read_text(encoding="utf-8") == edited and "kept" in other.stderr
    recorded = run_cli("report", "edit", incident, "--from-document", "--document", aside,
                       "--root", root)  # fmt: skip
    assert recorded.code == 0, recorded.stderr
    # Each recorded edit is said with its value, old and new: what a document held is seen.
    assert 'lessons: "" → "pin every npx server"' in recorded.stdout
    assert 'owner.rotate: "Alex Moreau <alex@payments.example>" → "dana"' in recorded.stdout
    shown = run_cli("report", incident, "--root", root).stdout
    assert 'lessons: "pin every npx server"' in shown and "settings.py left" in shown
    assert 'rotate: {owner: "dana"' in shown
    again = run_cli("report", "edit", incident, "--from-document", "--document", aside,
                    "--root", root)  # fmt: skip
    assert again.code == 0 and "nothing recorded" in again.stdout


def test_a_hostile_front_matter_records_nothing(run_cli: RunCli, tmp_path: Path) -> None:
    root, incident, directory = _golden_project(tmp_path)
    journal = directory / "journal.jsonl"
    before = journal.read_bytes()
    bomb = (
        "---\n"
        + "\n".join(
            [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9) if i else '1'}]" for i in range(12)]
        )
        + "\n---\n"
    )
    cases = {
        "bomb.md": bomb,
        "unknown.md": '---\nseverity: "low"\n---\n',
        "baddate.md": '---\nactions:\n  rotate: {due: "tomorrow"}\n---\n',
        "none.md": "# no front matter\n",
        "huge.md": "---\nlessons: " + "x" * (2 * 1024 * 1024) + "\n---\n",
    }
    for name, text in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "link.md").symlink_to(tmp_path / "unknown.md")
    for name in [*cases, "link.md"]:
        result = run_cli("report", "edit", incident, "--from-document", "--document",
                         tmp_path / name, "--root", root)  # fmt: skip
        assert result.code == 2, (name, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
    assert journal.read_bytes() == before


def test_report_home_names_the_incidents_home(
    demo: dict[str, object], run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`report --home`, as restore and close: only an incident opened for that home."""
    result = demo["result"]
    monkeypatch.setenv("MCPIR_HOME", str(result.state))  # type: ignore[attr-defined]
    sandbox = result.sandbox  # type: ignore[attr-defined]
    incident = demo["incident"].id  # type: ignore[attr-defined]
    right = run_cli("report", incident, "--root", sandbox.root, "--home", sandbox.home)
    assert right.code == 0, right.stderr
    wrong = run_cli("report", incident, "--root", sandbox.root, "--home", tmp_path)
    assert wrong.code == 2 and len(wrong.stderr.splitlines()) == 1
