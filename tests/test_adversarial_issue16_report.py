"""Red-team review of issue 16: report edit and its front matter, the report's text, redaction.

Each test names the weakness it probes (see tests/adversarial16_support.py).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

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

# --- 4. report edit and the front matter ---------------------------------------------------------


@pytest.fixture
def documented(run_cli: RunCli, tmp_path: Path) -> tuple[Path, str, Path]:
    """A contained incident whose document step has written the Markdown and JSON."""
    home, root = _sandbox(tmp_path)
    result = run_cli("respond", "--only", "contain,document", "--yes", "--json", "--home", home,
                     "--root", root, "--title", "poisoned gh")  # fmt: skip
    assert result.code in (0, 1), result.stderr
    incident = str(json.loads(result.stdout)["incident"])
    md = root / ".atom-trail" / "incidents" / incident / f"{incident}.md"
    assert md.is_file()
    return root, incident, md


def _edits(root: Path, incident: str) -> list[tuple[str, str]]:
    from mcpir.incident.store import find_incident

    records = find_incident(root, incident).journal.records()
    return [(r["field"], r["value"]) for r in records if r.get("type") == "report-edit"]


def test_report_edit_without_set_never_reads_the_document(
    run_cli: RunCli, documented: tuple[Path, str, Path]
) -> None:
    # Weakness: README says a document is never read on its own; a commit that rewrote the
    # front matter (status.rotate: wontfix, a soothing summary) gets journalled by a bare
    # `mcpir report edit ID`, which prints only "status.rotate set", never the value.
    root, incident, md = documented
    text = md.read_text()
    text = text.replace('summary: ""', 'summary: "nothing left the machine; no action needed"', 1)
    md.write_text(text)
    result = run_cli("report", "edit", incident, "--root", root)
    assert result.code == 2, result.stdout
    assert _edits(root, incident) == []


def test_report_edit_from_the_document_says_each_value_redacted(
    run_cli: RunCli, documented: tuple[Path, str, Path]
) -> None:
    # Defence that holds: what `--from-document` records is said, old → new, one line per
    # field, with a pasted token masked; the journal and the document hold no token either.
    root, incident, md = documented
    text = md.read_text()
    text = text.replace('summary: ""', 'summary: "nothing left the machine"', 1)
    md.write_text(text.replace('impact: ""', f'impact: "leaked {TOKEN}"', 1))
    result = run_cli("report", "edit", incident, "--from-document", "--root", root)
    assert result.code == 0, result.stderr
    said = [line for line in result.stdout.splitlines() if line.startswith(incident + ": ")]
    assert f'{incident}: summary: "" → "nothing left the machine"' in said, said
    assert [line for line in said if ": impact: " in line][0].startswith(
        f'{incident}: impact: "" → "leaked ghp_…(sha256:'
    )
    assert TOKEN not in result.stdout + result.stderr
    assert TOKEN not in _every_file_text(root / ".atom-trail")


def _recorded_by_an_older_mcpir(root: Path, incident: str, field: str, value: str) -> None:
    """A `report-edit` record as `--set` wrote it before control characters were refused: a
    journal may hold one, and every rewrite must still render it safely."""
    from mcpir.incident.entries import ReportEdit
    from mcpir.incident.store import find_incident

    record = ReportEdit(field, value, "bob").to_record()
    find_incident(root, incident).journal.append_many([record])


def test_front_matter_escapes_bidi_and_c1_controls(
    run_cli: RunCli, documented: tuple[Path, str, Path]
) -> None:
    # Weakness: terminal/Trojan-Source text in the document's header block (the body below it
    # is escaped by `shown`). `--set` now refuses such a value (one line, exit 2, nothing
    # written); one recorded before that is still written escaped.
    root, incident, md = documented
    value = "impact=payments \u202eevil\u202c and \u009b31m and \x7f"
    before = tree_state(root)
    refused = run_cli("report", "edit", incident, "--set", value, "--root", root)
    assert refused.code == 2 and len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    assert tree_state(root) == before
    _recorded_by_an_older_mcpir(root, incident, "impact", value.partition("=")[2])
    assert run_cli("report", "edit", incident, "--set", "owner.training=bob",
                   "--root", root).code == 0  # fmt: skip
    printed = run_cli("report", incident, "--root", root).stdout
    assert "\\u202e" in md.read_text()  # written as its escape, not dropped
    for text in (md.read_text(), printed):
        assert not any(c in text for c in "\u202e\u202c\u009b\x7f"), text[:400]


def test_unrecorded_front_matter_edits_survive_a_value_yaml_cannot_read(
    run_cli: RunCli, documented: tuple[Path, str, Path]
) -> None:
    # Weakness: loses a byte of user data. A C1 control in a recorded value made the block
    # unparseable YAML (an mcpir before this fix wrote it raw); a rewrite then dropped the
    # person's unrecorded edits. Now the value is written escaped, and a block that does not
    # parse is kept aside like any unrecorded edit.
    root, incident, md = documented
    _recorded_by_an_older_mcpir(root, incident, "impact", "pasted \u009b text")
    assert run_cli("report", "edit", incident, "--set", "owner.training=alice",
                   "--root", root).code == 0  # fmt: skip
    text = md.read_text()
    assert "\u009b" not in text and 'impact: "pasted \\u009b text"' in text
    for raw in (False, True):  # as this mcpir writes it, and as an older one wrote it raw
        md.unlink(missing_ok=True)
        md.with_name(md.name + ".edited").unlink(missing_ok=True)
        edited = text.replace('lessons: ""', 'lessons: "MY CAREFULLY WRITTEN LESSONS"', 1)
        md.write_text(edited.replace("\\u009b", "\u009b") if raw else edited)
        assert run_cli("report", "edit", incident, "--set", "owner.training=bob",
                       "--root", root).code == 0  # fmt: skip
        kept = md.with_name(md.name + ".edited")
        assert "CAREFULLY" in md.read_text() or (kept.exists() and "CAREFULLY" in kept.read_text())


def test_a_document_without_front_matter_is_not_kept_and_escaped_controls_are_refused(
    run_cli: RunCli, documented: tuple[Path, str, Path], tmp_path: Path
) -> None:
    # Defence that holds: an older mcpir's document (no front matter) is rewritten, not kept
    # aside; a control character a document spells as a YAML escape is refused like `--set`.
    root, incident, md = documented
    md.write_text("# " + incident + "\n\nwritten before front matter\n")
    assert run_cli("report", "edit", incident, "--set", "owner.training=bob",
                   "--root", root).code == 0  # fmt: skip
    assert not md.with_name(md.name + ".edited").exists() and md.read_text().startswith("---")
    doc = tmp_path / "doc.md"
    for escape in ("\\u202e", "\\x9b", "\\x7f", "\\u2028", "\\x1b[31m"):
        doc.write_text(f'---\nimpact: "a {escape} b"\n---\n')
        before = tree_state(root)
        result = run_cli("report", "edit", incident, "--document", doc, "--root", root)
        assert result.code == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert tree_state(root) == before


def test_the_kept_aside_copy_holds_no_secret(
    run_cli: RunCli, documented: tuple[Path, str, Path]
) -> None:
    # Weakness: a file mcpir writes holds a secret value.
    root, incident, md = documented
    md.write_text(md.read_text().replace('impact: ""', f'impact: "leaked {TOKEN}"', 1))
    assert run_cli("report", "edit", incident, "--set", "owner.training=bob",
                   "--root", root).code == 0  # fmt: skip
    assert TOKEN not in _every_file_text(root / ".atom-trail")


def test_human_fields_cannot_restructure_the_markdown(
    run_cli: RunCli, documented: tuple[Path, str, Path]
) -> None:
    # Weakness: Markdown injection into the rendered report (values escaped only inline).
    root, incident, _ = documented
    for value in ("summary=```", "impact=# Resolved, no impact", "lessons=---"):
        assert run_cli("report", "edit", incident, "--set", value, "--root", root).code == 0
    text = run_cli("report", incident, "--root", root).stdout
    body = text.split("\n---\n", 1)[1]  # after the front matter
    fences = [line for line in body.splitlines() if line.lstrip().startswith("```")]
    # The timeline's graph, and the flow graph when the contain step recorded the flows.
    assert fences in (["```mermaid", "```"], ["```mermaid", "```"] * 2), fences
    assert "\n# Resolved" not in body and "\n---\n" not in body


def test_report_edit_refuses_crafted_documents_in_one_line(
    run_cli: RunCli, documented: tuple[Path, str, Path], tmp_path: Path
) -> None:
    # Defence that holds: links, FIFOs, alias bombs, deep nesting, python tags, oversized values
    # and fields that would overwrite computed facts are refused before anything is written.
    root, incident, _ = documented
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "link.md").symlink_to("/etc/passwd")
    os.mkfifo(docs / "fifo.md")
    bomb = ["---", 'a: &a ["l","l","l","l","l","l","l","l","l"]']
    bomb += [f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]"
             for i in range(8)]  # fmt: skip
    (docs / "bomb.md").write_text("\n".join([*bomb, "summary: *i", "---", ""]))
    (docs / "deep.md").write_text("---\nsummary: " + "[" * 5000 + "]" * 5000 + "\n---\n")
    (docs / "tag.md").write_text("---\nsummary: !!python/object/apply:os.system ['id']\n---\n")
    (docs / "huge.md").write_text('---\nsummary: "' + "A" * 5000 + '"\n---\n')
    (docs / "facts.md").write_text("---\nseverity: low\nstatus: resolved\n---\n")
    (docs / "due.md").write_text("---\nactions:\n  rotate: {due: tomorrow}\n---\n")
    before = tree_state(root)
    for name in ("link.md", "fifo.md", "bomb.md", "deep.md", "tag.md", "huge.md", "facts.md",
                 "due.md"):  # fmt: skip
        result = run_cli("report", "edit", incident, "--document", docs / name, "--root", root)
        assert result.code == 2, (name, result.stdout, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, (name, result.stderr)
    assert tree_state(root) == before
    for value in ("severity=low", "status=resolved", "due.rotate=soon", "priority.rotate=P0",
                  "status.rotate=gone", "owner.../x=y", "summary=" + "x" * 4001):  # fmt: skip
        result = run_cli("report", "edit", incident, "--set", value, "--root", root)
        assert result.code == 2, value
    assert tree_state(root) == before


def test_report_edit_document_that_is_a_directory_is_exit_2(
    run_cli: RunCli, documented: tuple[Path, str, Path], tmp_path: Path
) -> None:
    # Weakness: documented exit code and message for bad input.
    root, incident, _ = documented
    result = run_cli("report", "edit", incident, "--document", tmp_path, "--root", root)
    assert result.code == 2 and "Errno" not in result.stderr, result.stderr


def test_what_read_never_keeps_part_of_a_token() -> None:
    # Weakness: a secret in a transcript's `read` argument, partly unmasked.
    from mcpir.investigate.detectors.cross_tool_flow import _what_read

    for pad in range(150, 200):
        shown = _what_read({"path": "a" * pad + "/" + TOKEN}) or ""
        assert TOKEN[:8] not in shown, (pad, shown[-40:])


def test_what_read_masks_escapes_and_bounds() -> None:
    # Defence that holds: a whole token, ANSI and a 1 MB path are masked, escaped and cut.
    from mcpir.investigate.detectors.cross_tool_flow import _what_read

    shown = _what_read({"path": f"/x/{TOKEN}/\x1b[31m\u202e" + "p" * 1_000_000}) or ""
    assert TOKEN not in shown and "\x1b" not in shown and "\u202e" not in shown
    assert len(shown) < 400


# --- 8. Redaction of versions and numbers --------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["DB_PASSWORD=15.08.1987", '"DB_PASSWORD": "15.08.1987",', "password: 2024.01.15",
     "mysql -p15.08.1987", "curl -u bob:15.08.1987 https://db.example", "--password 15.08.1987"],
)  # fmt: skip
def test_a_date_shaped_password_is_masked(text: str) -> None:
    # Weakness: redaction regression; human passwords are often dates.
    from mcpir.core.redact import redact_diff, redact_keyed, redact_text

    assert "15.08.1987" not in redact_text(text) and "2024.01.15" not in redact_text(text)
    assert "15.08.1987" not in redact_diff(text)
    assert redact_keyed("15.08.1987", "password") != "15.08.1987"


@pytest.mark.parametrize(
    "text, value",
    [("API_KEY=123456789", "123456789"), ("export AUTH_TOKEN=987654321", "987654321"),
     ("Authorization: Bearer 123456789", "123456789"), ('"api_key": "48213377"', "48213377")],
)  # fmt: skip
def test_a_numeric_credential_is_masked(text: str, value: str) -> None:
    # Weakness: redaction regression (masked before a042ea2), judged low: such keys have little
    # entropy, but the name says credential, not count.
    from mcpir.core.redact import redact_keyed, redact_text

    assert value not in redact_text(text)
    assert redact_keyed(value, "api_key") != value


def test_settings_beside_credentials_stay_readable_and_credentials_masked() -> None:
    # Defence that holds: the counts the change meant to show stay shown, and real tokens and
    # long secrets beside them stay masked.
    from mcpir.core.redact import redact_text

    text = f"MAX_TOKENS=4096 TOKEN_TTL=3600 GITHUB_TOKEN={TOKEN} DB_PASSWORD={PASSWORD}"
    shown = redact_text(text)
    assert "MAX_TOKENS=4096" in shown and "TOKEN_TTL=3600" in shown
    assert TOKEN not in shown and PASSWORD not in shown
