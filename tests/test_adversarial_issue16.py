"""Red-team review of issue 16's surfaces: the index of incidents and lookups from anywhere,
change sets, `report edit` and its front matter, the report's new sections, token evidence,
restore keeping flagged servers disabled, and redaction of versions and numbers.

Each test names the weakness it probes. A test that fails today is marked
`xfail(strict=True)` with what is wrong, so the suite stays green and a fix flips it; the
others prove a defence holds.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RunCli
from tests.treehash import tree_state

TOKEN = "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"  # a fake, valid-looking classic PAT
PASSWORD = "CANARY-issue16-pw-7f3c"
# LINE SEPARATOR: str.splitlines() splits on it; json.dumps(ensure_ascii=False) keeps it raw.
LS = "\u2028"
SERVERS = {"mcpServers": {"gh": {"command": "npx", "args": ["-y", "gh-mcp@1.0.0"]}}}
PLAYBOOK = {"path": "incident-response.yaml", "sha256": "0" * 64}


def _contain(run_cli: RunCli, home: Path, root: Path, title: str = "poisoned gh") -> str:
    result = run_cli("respond", "--only", "contain", "--yes", "--json", "--home", home,
                     "--root", root, "--title", title)  # fmt: skip
    assert result.code == 0, result.stderr
    return str(json.loads(result.stdout)["incident"])


def _sandbox(tmp_path: Path, servers: dict[str, Any] | None = None) -> tuple[Path, Path]:
    home, root = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    root.mkdir()
    (root / ".mcp.json").write_text(json.dumps(servers or SERVERS, indent=2) + "\n")
    return home, root


def _git(root: Path, *args: str, name: str = "Alex", email: str = "alex@payments.example") -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email,
               GIT_COMMITTER_NAME=name, GIT_COMMITTER_EMAIL=email)  # fmt: skip
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def _every_file_text(*trees: Path) -> str:
    return "\n".join(
        path.read_bytes().decode("utf-8", "replace")
        for tree in trees
        for path in tree.rglob("*")
        if path.is_file() and not path.is_symlink()
    )


# --- 1. The journal: a Unicode line separator splits a sealed record ---------------------------


@pytest.mark.xfail(
    strict=True,
    reason="records.py reads the journal with str.splitlines(), which also splits on U+2028, "
    "U+2029 and U+0085, while append_jsonl writes them raw (ensure_ascii=False): the record is "
    "torn in two and silently dropped",
)
def test_a_sealed_record_holding_a_line_separator_is_read_back(tmp_path: Path) -> None:
    # Weakness: journal framing. Any attacker-chosen text a step records (a server name, a commit
    # author, a transcript excerpt, a title pasted from a pager) can erase that whole record.
    from mcpir.incident.store import open_incident

    incident = open_incident(tmp_path, "t", {"root": str(tmp_path), "playbook": PLAYBOOK})
    incident.journal.append({"type": "step-finished", "step": "audit", "status": "attention",
                             "summary": f"author mallory{LS}x", "findings": []})  # fmt: skip
    kinds = [r.get("type") for r in incident.journal.records()]
    assert kinds == ["incident-opened", "step-finished"]


@pytest.mark.xfail(
    strict=True,
    reason="an unauthorized commit whose author name holds U+2028 tears the audit step's sealed "
    "record, so restore no longer sees the server the audit flagged and turns it back on",
)
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


@pytest.mark.xfail(
    strict=True,
    reason="a server name holding U+2028 tears contain's `change` record: restore never puts "
    "that file back, and still reports the incident as restored",
)
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


@pytest.mark.xfail(
    strict=True,
    reason="a title holding U+2028 tears the opening record in records(): the incident is "
    "indexed and written as kind 'change', and `close` refuses it as a change set",
)
def test_a_title_with_a_line_separator_stays_an_incident(run_cli: RunCli, tmp_path: Path) -> None:
    # Weakness: kind confusion through the journal framing (an incident passed off as a change).
    home, root = _sandbox(tmp_path)
    incident = _contain(run_cli, home, root, title=f"alert{LS}from the pager")
    summary = json.loads((root / ".atom-trail" / "incidents" / incident / "incident.json")
                         .read_text())  # fmt: skip
    assert summary["kind"] == "incident"
    assert run_cli("close", incident, "--reason", "done", "--root", root).code == 0


# --- 2. Kind confusion: change sets --------------------------------------------------------------


@pytest.mark.xfail(
    strict=True,
    reason="respond --incident/--resume accept a change set (engine.respond never checks the "
    "kind): incident steps run inside ATOM-CHG, which report and close then refuse",
)
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


@pytest.mark.xfail(
    strict=True,
    reason="an exact id that the index places in another project is taken as a prefix of a "
    "longer id here (index.locate / find_incident): restore acts on the wrong incident",
)
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


@pytest.mark.xfail(
    strict=True,
    reason="respond --incident/--resume take the home from the environment, not the incident's "
    "sealed header: changes land outside the incident's bounds and restore then refuses the "
    "whole journal (exit 2), report too",
)
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


@pytest.mark.xfail(
    strict=True,
    reason="index.locate puts an entry's root into its UsageError unescaped: a planted root "
    "holding escape sequences reaches the terminal raw",
)
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


@pytest.mark.xfail(
    strict=True,
    reason="`report edit ID` without --set reads the committed document's front matter as if "
    "--from-document were given, and seals what anyone's commit put there under this user's name",
)
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


@pytest.mark.xfail(
    strict=True,
    reason="the front matter is json.dumps(ensure_ascii=False) of each value: bidi overrides and "
    "C1 controls reach the .md file and `mcpir report` stdout unescaped",
)
def test_front_matter_escapes_bidi_and_c1_controls(
    run_cli: RunCli, documented: tuple[Path, str, Path]
) -> None:
    # Weakness: terminal/Trojan-Source text in the document's header block (the body below it
    # is escaped by `shown`).
    root, incident, md = documented
    value = "impact=payments \u202eevil\u202c and \u009b31m and \x7f"
    assert run_cli("report", "edit", incident, "--set", value, "--root", root).code == 0
    printed = run_cli("report", incident, "--root", root).stdout
    for text in (md.read_text(), printed):
        assert not any(c in text for c in "\u202e\u202c\u009b\x7f"), text[:400]


@pytest.mark.xfail(
    strict=True,
    reason="a C1 control or DEL in any recorded value makes the front matter unparseable YAML; "
    "kept_aside() then returns None and the next rewrite overwrites a person's unrecorded edits",
)
def test_unrecorded_front_matter_edits_survive_a_value_yaml_cannot_read(
    run_cli: RunCli, documented: tuple[Path, str, Path]
) -> None:
    # Weakness: loses a byte of user data.
    root, incident, md = documented
    assert run_cli("report", "edit", incident, "--set", "impact=pasted \u009b text",
                   "--root", root).code == 0  # fmt: skip
    text = md.read_text()
    md.write_text(text.replace('lessons: ""', 'lessons: "MY CAREFULLY WRITTEN LESSONS"', 1))
    assert run_cli("report", "edit", incident, "--set", "owner.training=bob",
                   "--root", root).code == 0  # fmt: skip
    kept = md.with_name(md.name + ".edited")
    assert "CAREFULLY" in md.read_text() or (kept.exists() and "CAREFULLY" in kept.read_text())


@pytest.mark.xfail(
    strict=True,
    reason="kept_aside() copies the document verbatim: a token a person pasted into the front "
    "matter (which the journal records masked) is written again into <id>.md.edited, which "
    ".atom-trail/.gitignore does not list",
)
def test_the_kept_aside_copy_holds_no_secret(
    run_cli: RunCli, documented: tuple[Path, str, Path]
) -> None:
    # Weakness: a file mcpir writes holds a secret value.
    root, incident, md = documented
    md.write_text(md.read_text().replace('impact: ""', f'impact: "leaked {TOKEN}"', 1))
    assert run_cli("report", "edit", incident, "--set", "owner.training=bob",
                   "--root", root).code == 0  # fmt: skip
    assert TOKEN not in _every_file_text(root / ".atom-trail")


@pytest.mark.xfail(
    strict=True,
    reason="person-written fields are rendered at the start of a line with only [\\\\*_[]<>|] "
    "escaped: ``` opens a fence that swallows the Action items and Root cause, # makes a heading",
)
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
    assert fences == ["```mermaid", "```"], fences
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


@pytest.mark.xfail(
    strict=True,
    reason="front_matter.read() calls os.fdopen() before fstat: --document DIR is "
    "'[Errno 21] Is a directory: 3' and exit 3, not a one-line usage error (exit 2)",
)
def test_report_edit_document_that_is_a_directory_is_exit_2(
    run_cli: RunCli, documented: tuple[Path, str, Path], tmp_path: Path
) -> None:
    # Weakness: documented exit code and message for bad input.
    root, incident, _ = documented
    result = run_cli("report", "edit", incident, "--document", tmp_path, "--root", root)
    assert result.code == 2 and "Errno" not in result.stderr, result.stderr


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


@pytest.mark.xfail(
    strict=True,
    reason="engine.respond reads header['playbook']['path'] unchecked: a sealed opening whose "
    "playbook is not a mapping with a string path is a traceback, not a one-line error",
)
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


@pytest.mark.xfail(
    strict=True,
    reason="cross_tool_flow._what_read cuts the value to 200 characters before masking it: a "
    "token cut in two is no longer recognised and up to 17 of its characters reach the report",
)
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


# --- 6. Token evidence --------------------------------------------------------------------------


def _transcript_machine(tmp_path: Path, tool: str, *, payload: int = 0) -> tuple[Path, Path]:
    home, root = tmp_path / "home", tmp_path / "project"
    (home / ".claude" / "projects" / "-p").mkdir(parents=True)
    root.mkdir()
    env = {"GITHUB_PERSONAL_ACCESS_TOKEN": TOKEN, "DB_PASSWORD": PASSWORD}
    (home / ".claude.json").write_text(json.dumps({"mcpServers": {"github": {
        "command": "npx", "args": ["-y", "@modelcontextprotocol/server-github@2025.4.8"],
        "env": env}}}))  # fmt: skip
    call = {"type": "assistant", "sessionId": "s1", "timestamp": "2026-12-01T10:00:00Z",
            "uuid": "u1", "message": {"role": "assistant", "content": [
                {"type": "tool_use", "id": "t1", "name": tool,
                 "input": {"q": TOKEN, "p": "x" * payload}}]}}  # fmt: skip
    (home / ".claude" / "projects" / "-p" / "s1.jsonl").write_text(json.dumps(call) + "\n")
    return home, root


@pytest.mark.xfail(
    strict=True,
    reason="workspace/transcripts.py keeps a tool's label (`server.tool`) raw and unbounded: a "
    "tool named after the token writes the token into evidence-transcripts.json and, as "
    "`sent-to:` evidence, into inventory.json",
)
def test_token_evidence_caches_hold_no_secret(run_cli: RunCli, tmp_path: Path) -> None:
    # Weakness: SECURITY.md says the data dir holds names, dates and fingerprints only.
    from mcpir.core.paths import data_dir

    home, root = _transcript_machine(tmp_path, f"mcp__evil__{TOKEN}")
    result = run_cli("tokens", "status", "--json", "--home", home, "--root", root)
    assert result.code == 1 and TOKEN not in result.stdout + result.stderr
    assert "exposed" in result.stdout
    assert TOKEN not in _every_file_text(data_dir())


@pytest.mark.xfail(
    strict=True,
    reason="a tool name is stored whole as `sent-to:<server>.<tool>` evidence: a 1 MB name "
    "grows inventory.json by 1 MB for good",
)
def test_token_evidence_labels_are_bounded(run_cli: RunCli, tmp_path: Path) -> None:
    # Weakness: unbounded attacker-chosen text kept in mcpir's state.
    from mcpir.core.paths import data_dir

    home, root = _transcript_machine(tmp_path, "mcp__evil__" + "t" * 1_000_000)
    run_cli("tokens", "status", "--home", home, "--root", root)
    assert (data_dir() / "inventory.json").stat().st_size < 64 * 1024


def test_transcripts_linked_out_of_the_home_are_not_evidence(
    run_cli: RunCli, tmp_path: Path
) -> None:
    # Defence that holds: a transcript (or a folder of them) linked from outside the home is
    # not read for token evidence.
    home, root = _transcript_machine(tmp_path, "mcp__evil__send")
    outside = tmp_path / "outside"
    outside.mkdir()
    transcript = home / ".claude" / "projects" / "-p" / "s1.jsonl"
    transcript.rename(outside / "s1.jsonl")
    transcript.symlink_to(outside / "s1.jsonl")
    (home / ".claude" / "projects" / "-q").symlink_to(outside)
    result = run_cli("tokens", "status", "--json", "--home", home, "--root", root)
    states = {t["id"]: t["state"] for t in json.loads(result.stdout)}
    assert "exposed" not in states.values(), states


@pytest.mark.xfail(
    strict=True,
    reason="core.cache.JsonCache.load (and tokens.model.Metadata.load) catch ValueError but not "
    "RecursionError: a nested cache or inventory makes every `tokens status` a traceback",
)
@pytest.mark.parametrize("name", ["cache/evidence-transcripts.json", "inventory.json"])
def test_a_nested_state_file_is_not_a_traceback(run_cli: RunCli, tmp_path: Path, name: str) -> None:
    # Weakness: "never trusted" caches still crash the reader.
    from mcpir.core.paths import cache_dir, data_dir

    home, root = _transcript_machine(tmp_path, "mcp__evil__send")
    target = (
        (cache_dir() / name.split("/", 1)[1]) if name.startswith("cache/") else (data_dir() / name)
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("[" * 100_000 + "]" * 100_000)
    result = run_cli("tokens", "status", "--home", home, "--root", root)
    assert result.code in (0, 1, 2) and "Traceback" not in result.stderr


@pytest.mark.xfail(
    strict=True,
    reason="workspace.history._walk hands every config blob of every ref to one cat_blobs call: "
    "each is capped at 5 MiB but their total is not, so a small, well-compressed history costs "
    "hundreds of MB on every `tokens status` (40 x 4 MiB: 528 MB RSS, 8.5 s)",
)
def test_token_history_walk_holds_a_bounded_total(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Weakness: git history read for token age is bounded per blob, not in total.
    import mcpir.audit.git as git_module
    from mcpir.workspace.history import committed

    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q", ".")
    for n in range(18):
        doc = {"mcpServers": {"gh": {"command": "npx", "args": ["-y", "gh@1.0.0"],
                                     "env": {"GITHUB_TOKEN": TOKEN},
                                     "description": str(n) + "x" * (4 << 20)}}}  # fmt: skip
        (root / ".mcp.json").write_text(json.dumps(doc))
        _git(root, "add", "-A")
        _git(root, "commit", "-qm", f"c{n}")
    held: list[int] = []
    real = git_module.cat_blobs

    def measured(repo: Any, shas: Any) -> dict[str, bytes | str]:  # noqa: ANN401
        found = real(repo, shas)
        held.append(sum(len(v) for v in found.values()))
        return found

    monkeypatch.setattr(git_module, "cat_blobs", measured)
    committed(root)
    assert max(held, default=0) <= 64 << 20, f"{max(held) >> 20} MiB held at once"


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


# --- 8. Redaction of versions and numbers --------------------------------------------------------


@pytest.mark.xfail(
    strict=True,
    reason="setting_values._VERSION is checked before the name: a date-shaped password "
    "(15.08.1987, 2024.01.15) under PASSWORD, after -p or in `curl -u user:pw` is shown in clear "
    "(masked before a042ea2)",
)
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


@pytest.mark.xfail(
    strict=True,
    reason="setting_values masks short numbers only under pin/code/pass names: a numeric API "
    "key or token (API_KEY=123456789, AUTH_TOKEN=987654321, Bearer 123456789) is shown in clear",
)
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
