"""The ATOM incident document: golden files, `mcpir report`, determinism, the Mermaid timeline."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcpir.incident.store import Incident, find_incident
from mcpir.report import Format, render
from mcpir.report.document import build
from mcpir.report.timeline import mermaid
from tests.conftest import CANARY, FIXTURES, RunCli, seal_journals

GOLDEN = FIXTURES / "report-golden"
INCIDENT = "ATOM-INC-20261124-001-github-mcp-poisoning"
UPDATE = os.environ.get("MCPIR_UPDATE_GOLDEN") == "1"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A project whose trail holds the golden incident's journal (and nothing else)."""
    project = tmp_path / "project"
    shutil.copytree(GOLDEN / "incidents", project / ".atom-trail" / "incidents")
    seal_journals(project)
    return project


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs (MCPIR_UPDATE_GOLDEN=1)"


@pytest.mark.parametrize("fmt", list(Format))
def test_document_matches_the_golden_file(root: Path, fmt: Format) -> None:
    incident = find_incident(root, INCIDENT)
    _golden(f"{INCIDENT}.{fmt.value}", render(build(incident), fmt))


def test_every_format_has_a_renderer(root: Path) -> None:
    document = build(find_incident(root, None))
    for fmt in Format:
        assert render(document, fmt).strip()


def test_report_cli_regenerates_the_same_document_every_time(
    run_cli: RunCli, root: Path, tmp_path: Path
) -> None:
    first = run_cli("report", "--root", root, INCIDENT)
    again = run_cli("report", "--root", root, "ATOM-INC-20261124")  # a unique prefix
    assert first.code == again.code == 0, first.stderr
    assert first.stdout == again.stdout == (GOLDEN / f"{INCIDENT}.md").read_text(encoding="utf-8")
    as_json = run_cli("report", "--root", root, "--format", "json")
    assert json.loads(as_json.stdout)["atom"] == INCIDENT
    out = tmp_path / "doc.json"
    written = run_cli("report", "--root", root, "--format", "json", "--output", out)
    assert written.code == 0 and written.stdout == ""
    assert out.read_text(encoding="utf-8") == as_json.stdout
    assert out.stat().st_mode & 0o777 == 0o600


def test_report_list_and_bad_input(run_cli: RunCli, root: Path, tmp_path: Path) -> None:
    listed = run_cli("report", "--root", root, "--list", "--json")
    rows = json.loads(listed.stdout)["incidents"]
    assert [(r["id"], r["status"], r["severity"]) for r in rows] == [
        (INCIDENT, "partly restored", "high")  # 2 of its 11 changes were undone
    ]
    assert rows[0]["steps"]["investigate"] == "attention"
    text = run_cli("report", "--root", root, "--list")
    assert text.code == 0 and INCIDENT in text.stdout and "github mcp poisoning" in text.stdout
    bad = run_cli("report", "--root", root, "--format", "pdf")
    assert bad.code == 2 and "choose md or json" in bad.stderr and "Traceback" not in bad.stderr
    missing = run_cli("report", "--root", root, "ATOM-INC-1999")
    assert missing.code == 2 and "no incident matches" in missing.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    none = run_cli("report", "--root", empty)
    assert none.code == 2 and "no incidents" in none.stderr
    assert run_cli("report", "--root", empty, "--list").stdout.startswith("no incidents yet")


def test_document_sections_say_what_happened(root: Path) -> None:
    doc = build(find_incident(root, INCIDENT))
    assert (doc["status"], doc["severity"]) == ("partly restored", "high")
    assert doc["owner"] == "Alex Moreau <alex@payments.example>"
    assert doc["opened"] == "2026-11-24T09:00:00.000+00:00"
    states = [f["state"] for f in doc["contained"]["files"]]
    assert states.count("restored") == 2 and states.count("applied") == 9
    assert doc["contained"]["processes"][0]["outcome"] == "stopped (SIGTERM)"
    assert (
        doc["contained"]["undo"] == f"mcpir restore --root /home/alex/src/payments-api {INCIDENT}"
    )
    assert {t["state"] for t in doc["tokens"]} == {"pending"}
    assert all(re.fullmatch(r"sha256:[0-9a-f]{12}", t["fingerprint"]) for t in doc["tokens"])
    rules = {f["rule"] for f in doc["investigation"]["findings"]}
    assert {"investigate/cross-tool-flow", "investigate/echoed-instruction"} <= rules
    assert all(f.get("session") and f.get("time") for f in doc["investigation"]["findings"])
    assert "audit/unauthorized-change" in {f["rule"] for f in doc["history"]["findings"]}
    assert {item["status"] for item in doc["checklist"]} <= {"pass", "fail", "unknown"}
    assert doc["references"][0] == "ATOM-DOC-20260102-009-mcp-security-notes"
    assert any("2 of 11 containment changes have since been undone" in s for s in doc["summary"])
    # The document step's own records are not part of the document: it is stable.
    assert not any("document" in e["event"] for e in doc["timeline"])


def test_without_a_document_step_the_checklist_is_unknown(root: Path) -> None:
    journal = root / ".atom-trail" / "incidents" / INCIDENT / "journal.jsonl"
    kept = [
        line
        for line in journal.read_text(encoding="utf-8").splitlines(keepends=True)
        if '"document-inputs"' not in line
    ]
    journal.write_text("".join(kept), encoding="utf-8")
    doc = build(Incident(INCIDENT, journal.parent), owner="someone")
    assert doc["owner"] == "someone"
    assert {item["status"] for item in doc["checklist"]} == {"unknown"}
    assert any("mcpir posture" in line for line in doc["follow_ups"])


HOSTILE = [
    {"ts": "2026-11-24T09:00:00.000+00:00", "event": "a: b # c; d\n<script>x</script> %% e"},
    {"ts": "2026-11-24T09:00:00.500+00:00", "event": "second: in the same minute"},
    {"ts": "2026-11-25T00:00:00Z", "event": ""},
]


def test_mermaid_timeline_is_valid_whatever_the_text() -> None:
    diagram = mermaid("ATOM: #1", HOSTILE)
    lines = diagram.splitlines()
    assert lines[0] == "timeline" and lines[1] == "    title ATOM 1"
    assert "    section 2026-11-24" in lines and "    section 2026-11-25" in lines
    period = [line for line in lines if " : " in line and not line.strip().startswith(":")]
    assert period[0].strip().startswith("09h UTC : ")
    for line in lines[2:]:
        body = line.strip()
        assert "#" not in body and "<" not in body and "%%" not in body
        # Only the period separator is a colon followed by a space.
        assert body.count(": ") <= 1
    assert "            : second in the same minute" in lines  # same hour: one period
    assert lines[-1] == "        00h UTC : -"


def test_mermaid_shows_one_short_line_per_kind_per_hour() -> None:
    """Not the list below it cut mid-word: each hour names each kind of event once, counted."""
    long = "cross-tool-flow in session e3167aa5: 7 values returned by github.get_file_contents"
    timeline = [
        {"ts": f"2026-11-23T06:{m:02d}:00Z", "kind": "cross-tool-flow", "event": long}
        for m in range(5)
    ] + [{"ts": "2026-11-23T06:59:00Z", "kind": "contain changed", "event": "contain: 3 files"}]
    lines = mermaid("t", timeline).splitlines()
    assert lines[2:] == [
        "    section 2026-11-23",
        "        06h UTC : cross-tool-flow ×5",
        "            : contain changed",
    ]


def test_no_canary_in_the_golden_files() -> None:
    for path in GOLDEN.rglob("*"):
        if path.is_file():
            assert CANARY not in path.read_text(encoding="utf-8"), path


_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
_RECORD = st.fixed_dictionaries(
    {"type": st.sampled_from(["incident-opened", "step-finished", "process", "restored",
                              "investigation", "document-inputs", "step-started", "other"])},
    optional=dict.fromkeys(
        ("ts", "step", "status", "summary", "notes", "findings", "title", "root", "home",
         "playbook", "checklist", "owner", "sources", "malformed", "pid", "outcome", "time"),
        _VALUE,
    ),
)  # fmt: skip


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=st.lists(_RECORD, max_size=8))
def test_any_journal_gives_a_document(tmp_path: Path, records: list[dict[str, object]]) -> None:
    directory = tmp_path / INCIDENT
    directory.mkdir(exist_ok=True)
    lines = [json.dumps(r, default=str) for r in records]
    (directory / "journal.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    seal_journals(directory)
    document = build(Incident(INCIDENT, directory), owner="x")
    markdown = render(document, Format.MD)
    assert markdown.startswith("---\n") and f"\n---\n\n# {INCIDENT}" in markdown
    json.loads(render(document, Format.JSON))
    for line in document["mermaid"].splitlines()[2:]:
        assert "#" not in line and line.strip().count(": ") <= 1


def test_report_list_leaves_out_an_earlier_mcpirs_change_sets(run_cli: RunCli, root: Path) -> None:
    """Before ATOM-CHG ids, wrap and externalize journalled their edits as ATOM-INC incidents
    without a playbook: they are change sets, not incidents, and are not listed."""
    legacy = "ATOM-INC-20261125-001-externalize-tokens"
    directory = root / ".atom-trail" / "incidents" / legacy
    directory.mkdir()
    opened = {"ts": "2026-11-25T09:00:00.000+00:00", "type": "incident-opened", "id": legacy,
              "title": "externalize tokens", "home": "/home/alex", "root": str(root)}  # fmt: skip
    (directory / "journal.jsonl").write_text(json.dumps(opened) + "\n", encoding="utf-8")
    seal_journals(root)
    rows = json.loads(run_cli("report", "--root", root, "--list", "--json").stdout)["incidents"]
    assert [r["id"] for r in rows] == [INCIDENT]
