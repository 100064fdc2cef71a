"""Typed incident records: what steps write is read back as fields, old journals included."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest

from mcpir.config.project import Policy
from mcpir.core.paths import Scopes
from mcpir.incident import entries
from mcpir.incident.entries import (
    Closed,
    DocumentInputs,
    Introduced,
    Investigation,
    ProcessStopped,
    RecordedFinding,
    ReportEdit,
    Restored,
    StepFinished,
    StepStarted,
    TokenOutcome,
)
from mcpir.incident.store import find_incident
from mcpir.playbook.model import Step
from mcpir.playbook.tasks.base import Status, StepResult, TaskContext
from mcpir.report.document import build
from tests.conftest import FIXTURES, seal_journals

SRC = Path(__file__).resolve().parents[1] / "src" / "mcpir"
GOLDEN = FIXTURES / "report-golden"
INCIDENT = "ATOM-INC-20261124-001-github-mcp-poisoning"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(GOLDEN / "incidents", project / ".atom-trail" / "incidents")
    seal_journals(project)
    return project


def _row(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {"rule": "r", "severity": "high", "message": "m", "path": "/p",
                               "line": 3, "client": None, "server": "s", "tool": None,
                               "evidence": None}  # fmt: skip
    return base | fields


def test_every_entry_survives_its_own_round_trip() -> None:
    finding = RecordedFinding.from_row(_row())
    token = TokenOutcome("sha256:0123456789ab", "pending", "rotate it", "github", ("gh",), ("gh",))
    for entry in (
        StepStarted("contain"),
        StepFinished("rotate", "attention", "s", "rotate", ("a",), ("n",), (finding,), (token,)),
        ProcessStopped(12, "mermaid", "npx mermaid", "stopped (SIGTERM)"),
        DocumentInputs("document", "sec-team", ({"id": "x", "status": "pass"},)),
        Investigation.of({"since": "2026-11-17", "findings": [_row()], "sources": []}),
        StepFinished(
            "audit",
            "attention",
            "s",
            "audit",
            introduced=(
                Introduced(
                    "1ab7",
                    "drive-by <d@x>",
                    "2026-11-20",
                    ".mcp.json",
                    ("mermaid",),
                    "added",
                    ("not an owner",),
                    "merge",
                    "9f00",
                    "Alex",
                    "2026-11-21",
                    14,
                ),
            ),
        ),
        ReportEdit("owner.rotate", "dana", "alex"),
        Restored(3),
        Closed("over", "alex"),
    ):
        [back] = entries.read([entry.to_record()])
        assert back == entry


def test_a_journal_in_the_previous_format_still_reports_its_tokens(root: Path) -> None:
    """The golden journal was written before the rotate step recorded `tokens`: its notes are
    read once, by the entries module, into the same type."""
    journal = root / ".atom-trail" / "incidents" / INCIDENT / "journal.jsonl"
    assert '"tokens"' not in journal.read_text(encoding="utf-8")
    rotate = entries.finished(entries.read(find_incident(root, INCIDENT).journal.records()))
    tokens = rotate["rotate"].tokens
    assert [t.fingerprint for t in tokens] == ["sha256:eae8d32d10e6", "sha256:1a68a3e99273"]
    assert {t.state for t in tokens} == {"pending"}
    document = build(find_incident(root, INCIDENT))
    assert [t["fingerprint"] for t in document["tokens"]] == [t.fingerprint for t in tokens]


def test_the_report_reads_tokens_from_fields_not_from_notes(root: Path) -> None:
    """A rotate record in today's format: the notes say nothing the report could parse, the
    `tokens` field says everything, and that is what the document shows."""
    journal = root / ".atom-trail" / "incidents" / INCIDENT / "journal.jsonl"
    lines = []
    for line in journal.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record.get("type") == "step-finished" and record.get("step") == "rotate":
            record["notes"] = ["see the tokens field"]
            record["tokens"] = [
                TokenOutcome("sha256:aaaaaaaaaaaa", "moved", "moved to keyring:GH").to_record()
            ]
        lines.append(json.dumps(record))
    journal.write_text("\n".join(lines) + "\n", encoding="utf-8")
    seal_journals(root)
    tokens = build(find_incident(root, INCIDENT))["tokens"]
    assert tokens == [
        {"fingerprint": "sha256:aaaaaaaaaaaa", "state": "pending", "detail": "moved to keyring:GH"}
    ]


def test_investigate_takes_audit_flags_from_typed_findings(tmp_path: Path) -> None:
    from mcpir.playbook.tasks.investigate import _audit_flags

    audit = StepFinished(
        "audit",
        "attention",
        "s",
        findings=(
            RecordedFinding.from_row(_row(server="mermaid", rule="audit/unauthorized")),
            RecordedFinding.from_row(_row(server="quiet", severity="low")),
        ),
    )
    step = Step("investigate", "Investigate", "investigate")
    scopes = Scopes(home=tmp_path, root=tmp_path)
    ctx = TaskContext(scopes, Policy(), step, None, earlier={"audit": audit})
    assert _audit_flags(ctx) == {"mermaid": "audit: audit/unauthorized"}


def test_a_step_result_is_journalled_as_its_typed_record() -> None:
    token = TokenOutcome("sha256:0123456789ab", "pending", "rotate it")
    step = Step("rotate", "Rotate", "rotate")
    finished = StepResult(Status.ATTENTION, "1 token", notes=["n"], tokens=[token]).finished(step)
    assert finished.tokens == (token,) and finished.task == "rotate"
    assert entries.read([finished.to_record()]) == [finished]


def _string_constants(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def test_no_reader_looks_for_a_record_kind_that_nothing_writes() -> None:
    """Every kind the entries module reads is written outside it: its class is built there, or
    its name is written literally (the store and undo write theirs); and the report names no
    kind of its own (it once read `token-rotated`, which nothing ever wrote)."""
    others = [p for p in SRC.rglob("*.py") if p.name != "entries.py"]
    literals = set().union(*(_string_constants(p) for p in others))
    code = "".join(p.read_text(encoding="utf-8") for p in others)
    for kind in entries.KINDS:
        assert f"{kind.__name__}(" in code or kind.KIND in literals, kind.KIND
    for path in (SRC / "report").glob("*.py"):
        assert "token-rotated" not in _string_constants(path), path
