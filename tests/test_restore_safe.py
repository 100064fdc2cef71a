"""`mcpir restore` is safe by default: a server the incident itself flagged stays disabled (with
every server sharing its file) unless named; `--only`, `--except`, `--dry-run`, and a partial
restore that a later run finishes, journalled (issue 16, point 4)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mcpir.incident.changes import Change
from mcpir.incident.flagged import Selection, partition
from tests.conftest import RunCli
from tests.treehash import tree_state

FLAGGED = {"mermaid-diagrams", "github"}  # audit (mermaid-diagrams), rotate's scan (github)
SHARING = {
    "changelog",
    "memory",
    "linear",
    "postgres-dev",
}  # in .mcp.json / ~/.claude.json with them


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:  # noqa: ANN401
    from mcpir.demo.run import run_demo

    result = run_demo(tmp_path / "demo", say=lambda line: None)
    monkeypatch.setenv("MCPIR_HOME", str(result.state))
    return result


def enabled(run_cli: RunCli, demo: Any) -> set[str]:  # noqa: ANN401
    sandbox = demo.sandbox
    listed = run_cli("servers", "--home", sandbox.home, "--root", sandbox.root, "--json")
    return {row["name"] for row in json.loads(listed.stdout) if row.get("enabled")}


def records(demo: Any) -> list[dict[str, Any]]:  # noqa: ANN401
    return demo.response.incident.journal.records()  # type: ignore[no-any-return]


def test_demo_restore_leaves_mermaid_diagrams_disabled_and_says_so(
    run_cli: RunCli,
    demo: Any,  # noqa: ANN401
) -> None:
    root = demo.sandbox.root
    result = run_cli("restore", "--root", root)
    assert result.code == 0, result.stderr
    assert (root / ".mcp.json.mcpir-disabled").exists() and not (root / ".mcp.json").exists()
    on = enabled(run_cli, demo)
    assert not on & (FLAGGED | SHARING) and {"stripe", "payments-db", "atlassian"} <= on
    lines = result.stdout.splitlines()
    mermaid = next(line for line in lines if " mermaid-diagrams " in line)
    assert mermaid.startswith("kept disabled") and "flagged by audit" in mermaid
    memory = next(line for line in lines if " memory " in line)
    assert "shares its file with flagged mermaid-diagrams" in memory
    assert any(line.startswith("turned back on") and " stripe " in line for line in lines)
    assert "flagged by this incident, kept disabled: github, mermaid-diagrams" in result.stdout
    assert f"mcpir restore {demo.response.incident.id} --include-flagged" in result.stdout


def test_demo_dry_run_names_the_incident_and_each_server_and_changes_nothing(
    run_cli: RunCli,
    demo: Any,  # noqa: ANN401
) -> None:
    before, journal = tree_state(demo.sandbox.home), records(demo)
    result = run_cli("restore", "--root", demo.sandbox.root, "--dry-run")
    assert result.code == 0, result.stderr
    assert tree_state(demo.sandbox.home) == before and records(demo) == journal
    incident = demo.response.incident.id
    assert result.stdout.startswith(f"incident {incident} (dry run: nothing changes)")
    for name in FLAGGED | SHARING:
        assert any(f"would keep disabled  {name} " in line for line in result.stdout.splitlines())
    assert any(
        line.startswith("would turn back on ") and " stripe " in line
        for line in result.stdout.splitlines()
    )
    dry = json.loads(run_cli("restore", "--root", demo.sandbox.root, "--dry-run", "--json").stdout)
    assert dry["incident"] == incident and dry["restored"] == [] and dry["planned"]
    assert set(dry["kept_disabled"]) == FLAGGED | SHARING
    count = f"would restore {len(dry['planned'])} files; 6 servers would be kept disabled"
    assert f"incident {incident}: {count}" in result.stdout


def test_a_partial_restore_is_journalled_and_a_later_one_finishes_it(
    run_cli: RunCli,
    demo: Any,  # noqa: ANN401
) -> None:
    root, incident = demo.sandbox.root, demo.response.incident.id
    first = run_cli("restore", "--root", root, "--json")
    assert first.code == 0, first.stderr
    report = json.loads(first.stdout)
    for key in ("version", "incident", "restored", "planned", "conflicts", "failed", "kept"):
        assert key in report  # every field it had
    rows = {row["name"]: row for row in report["servers"]}
    assert rows["mermaid-diagrams"] == {
        "name": "mermaid-diagrams",
        "file": str(root / ".mcp.json"),
        "flagged": True,
        "action": "kept-disabled",
        "reason": "flagged by audit: audit/unauthorized-change",
    }
    assert rows["memory"]["flagged"] is False and rows["memory"]["action"] == "kept-disabled"
    assert rows["stripe"]["action"] == "restored" and rows["stripe"]["reason"] is None
    assert set(report["kept_disabled"]) == FLAGGED | SHARING
    kept = [r for r in records(demo) if r.get("type") == "restore-kept"]
    assert len(kept) == 1 and set(kept[0]["servers"]) == FLAGGED | SHARING
    state = json.loads((demo.response.incident.directory / "incident.json").read_text())
    assert state["status"] == "partly restored"

    # Still the latest incident with something to undo: `--only` finishes one file.
    second = run_cli("restore", "--root", root, "--only", "mermaid-diagrams", "--json")
    assert second.code == 0, second.stderr
    assert json.loads(second.stdout)["incident"] == incident
    assert (root / ".mcp.json").exists() and {"memory", "mermaid-diagrams"} <= enabled(
        run_cli, demo
    )
    assert not enabled(run_cli, demo) & {"github", "linear"}

    third = run_cli("restore", "--root", root, "--include-flagged")
    assert third.code == 0, third.stderr
    assert "turned back on  github" in third.stdout and "(flagged by this incident)" in third.stdout
    assert FLAGGED | SHARING <= enabled(run_cli, demo)
    state = json.loads((demo.response.incident.directory / "incident.json").read_text())
    assert state["status"] == "restored"

    last = run_cli("restore", "--root", root)
    assert last.code == 0, last.stderr
    assert f"incident {incident}: nothing left to restore" in last.stdout


def test_except_keeps_an_unflagged_server_disabled_and_only_restores_just_one(
    run_cli: RunCli,
    demo: Any,  # noqa: ANN401
) -> None:
    root = demo.sandbox.root
    only = run_cli("restore", "--root", root, "--only", "stripe")
    assert only.code == 0, only.stderr
    assert (root / ".vscode" / "mcp.json").exists()
    assert enabled(run_cli, demo) == {"stripe"}
    assert "(not named by --only)" in only.stdout
    excepted = run_cli("restore", "--root", root, "--include-flagged", "--except", "payments-db",
                       "--except", "mermaid-diagrams")  # fmt: skip
    assert excepted.code == 0, excepted.stderr
    on = enabled(run_cli, demo)
    assert "github" in on and "linear" in on  # --include-flagged
    assert not on & {"payments-db", "mermaid-diagrams", "memory"}
    assert "kept disabled   payments-db" in excepted.stdout and "(--except)" in excepted.stdout
    assert "shares its file with mermaid-diagrams (--except)" in excepted.stdout


def test_a_refused_restore_says_no_server_came_back(
    run_cli: RunCli,
    demo: Any,  # noqa: ANN401
) -> None:
    """A file edited since refuses the whole restore: nothing is turned back on, and neither
    the text nor `servers` in the JSON may say otherwise."""
    gemini = demo.sandbox.home / ".gemini" / "settings.json"
    gemini.write_text(gemini.read_text().replace("{", "{ ", 1))
    text = run_cli("restore", "--root", demo.sandbox.root)
    assert text.code == 1 and "was edited since" in text.stderr
    assert "turned back on" not in text.stdout + text.stderr
    refused = run_cli("restore", "--root", demo.sandbox.root, "--json")
    assert refused.code == 1 and json.loads(refused.stdout)["restored"] == []
    rows = json.loads(refused.stdout)["servers"]
    assert rows and {row["action"] for row in rows} == {"kept-disabled"}
    assert not enabled(run_cli, demo) & {"stripe", "atlassian"}


@pytest.mark.parametrize(
    "args", [("--only", "nope"), ("--except", "../../etc/passwd"), ("--only", "memory\x1b[2J")]
)
def test_a_name_not_in_the_incident_is_a_one_line_error_and_changes_nothing(
    run_cli: RunCli,
    demo: Any,  # noqa: ANN401
    args: tuple[str, str],
) -> None:
    before, journal = tree_state(demo.sandbox.home), records(demo)
    result = run_cli("restore", "--root", demo.sandbox.root, *args)
    assert result.code == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "\x1b" not in result.stderr
    assert "is not a server this incident disabled" in result.stderr
    assert tree_state(demo.sandbox.home) == before and records(demo) == journal


# A small project, contained, then given the step records a test needs: what flags a server.
HOSTILE = "../../evil\x1b]0;pwned\x07"


@pytest.fixture
def project(tmp_path: Path, run_cli: RunCli) -> tuple[Path, Path, str]:
    home, root = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    root.mkdir()
    servers = {"a": {"command": "a-mcp"}, "b": {"command": "b-mcp"}, HOSTILE: {"command": "x"}}
    (root / ".mcp.json").write_text(json.dumps({"mcpServers": {"a": servers["a"]}}))
    (root / ".vscode").mkdir()
    both = {"servers": {"b": servers["b"], HOSTILE: servers[HOSTILE]}}
    (root / ".vscode" / "mcp.json").write_text(json.dumps(both))
    result = run_cli("respond", "--only", "contain", "--yes", "--json", "--home", home,
                     "--root", root)  # fmt: skip
    assert result.code == 0, result.stderr
    return home, root, str(json.loads(result.stdout)["incident"])


def finding(server: str, rule: str = "prompt-injection", severity: str = "high") -> dict[str, Any]:
    return {"rule": rule, "severity": severity, "server": server, "path": None, "line": None,
            "message": "m"}  # fmt: skip


def append(root: Path, incident: str, record: dict[str, Any]) -> None:
    from mcpir.incident.journal import Journal

    Journal(root / ".atom-trail" / "incidents" / incident).append(record)


def step(name: str, **fields: Any) -> dict[str, Any]:  # noqa: ANN401
    return {"type": "step-finished", "step": name, "task": name, "status": "attention",
            "summary": "", **fields}  # fmt: skip


TOKEN = {"fingerprint": "sha256:0123456789ab", "state": "pending", "detail": "", "flagged": ["a"]}
FLAGGING = {
    "audit finding": step("audit", findings=[finding("a")]),
    "investigate finding": step("investigate", findings=[finding("a", severity="medium")]),
    "investigation entry": {"type": "investigation", "findings": [finding("a")]},
    "rotate's flagged token": step("rotate", tokens=[TOKEN]),
}
NOT_FLAGGING = {
    "a credential written into it": step("audit", findings=[finding("a", "hardcoded-secret")]),
    "a low finding": step("investigate", findings=[finding("a", severity="low")]),
    "a step that judges no server": step("document", findings=[finding("a")]),
}


@pytest.mark.parametrize("record", FLAGGING.values(), ids=FLAGGING.keys())
def test_what_the_incident_recorded_flags_a_server(
    run_cli: RunCli, project: tuple[Path, Path, str], record: dict[str, Any]
) -> None:
    home, root, incident = project
    append(root, incident, record)
    result = run_cli("restore", "--root", root, "--json")
    assert result.code == 0, result.stderr
    assert (root / ".mcp.json.mcpir-disabled").exists() and (root / ".vscode/mcp.json").exists()
    assert json.loads(result.stdout)["kept_disabled"] == ["a"]


@pytest.mark.parametrize("record", NOT_FLAGGING.values(), ids=NOT_FLAGGING.keys())
def test_a_credential_or_low_finding_does_not_flag_a_server(
    run_cli: RunCli, project: tuple[Path, Path, str], record: dict[str, Any]
) -> None:
    home, root, incident = project
    append(root, incident, record)
    result = run_cli("restore", "--root", root, "--json")
    assert result.code == 0, result.stderr
    assert (root / ".mcp.json").exists() and json.loads(result.stdout)["kept_disabled"] == []


def test_a_hostile_flagged_name_is_shown_not_obeyed_and_writes_nowhere(
    run_cli: RunCli, project: tuple[Path, Path, str], tmp_path: Path
) -> None:
    """A server name with `../` and a terminal escape, flagged by the journal (and another
    flagged name no change holds): it only ever keeps its own file disabled."""
    home, root, incident = project
    append(root, incident, step("audit", findings=[finding(HOSTILE), finding("../../a\nb")]))
    before = tree_state(tmp_path)
    result = run_cli("restore", "--root", root)
    assert result.code == 0, result.stderr
    assert "\x1b" not in result.stdout + result.stderr and "\x07" not in result.stdout
    assert "../../evil\\x1b]0;pwned\\x07" in result.stdout
    assert "shares its file with flagged ../../evil\\x1b]0;pwned\\x07" in result.stdout
    after = tree_state(tmp_path)
    # The one file undone, nothing else anywhere: a name is never a path.
    assert set(after) ^ set(before) == {"project/.mcp.json", "project/.mcp.json.mcpir-disabled"}
    report = json.loads(run_cli("restore", "--root", root, "--json").stdout)
    assert {row["name"] for row in report["servers"]} == {"b", HOSTILE}
    assert report["kept_disabled"] == ["b", HOSTILE] and report["restored"] == []
    # Named, it comes back: a person's choice, never a default.
    assert run_cli("restore", "--root", root, "--only", HOSTILE).code == 0
    assert (root / ".vscode" / "mcp.json").exists()


def _change(number: int, path: str, *servers: str, target: str | None = None) -> Change:
    moved = Path(target) if target else None
    op = "rename" if target else "edit"
    return Change(number, op, Path(path), moved, None, None, None, "contain", "", servers)


def test_the_changes_to_one_file_are_undone_together_or_not_at_all() -> None:
    """contain renamed `.mcp.json` aside, then a token was moved out of the renamed copy:
    undoing the second alone would put the token back into a file that stays disabled."""
    changes = [  # newest first, as restore undoes them
        _change(4, "/p/settings.json"),  # an earlier mcpir recorded no server names
        _change(3, "/p/.mcp.json.mcpir-disabled", "memory"),
        _change(2, "/p/.mcp.json", "memory", "bad", target="/p/.mcp.json.mcpir-disabled"),
        _change(1, "/p/.vscode/mcp.json", "fs"),
    ]
    split = partition(changes, {"bad": "audit: prompt-injection"}, Selection())
    assert [c.id for c in split.undo] == [4, 1] and [c.id for c in split.keep] == [3, 2]
    memory = next(s for s in split.servers if s.name == "memory")
    assert memory.file == Path("/p/.mcp.json") and memory.shares_flagged
    split = partition(changes, {"bad": "x"}, Selection(only=("bad",)))
    assert [c.id for c in split.undo] == [3, 2]  # 4 names no server; --only names none
    split = partition(changes, {}, Selection(exclude=("memory",)))
    assert [c.id for c in split.undo] == [4, 1]


def test_wrap_names_the_change_set_to_restore(run_cli: RunCli, tmp_path: Path) -> None:
    """`restore` with no id picks only incidents: the undo hint must name the change set."""
    home, root = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    root.mkdir()
    (root / ".mcp.json").write_text('{"mcpServers": {"plain": {"command": "simple-mcp"}}}\n')
    done = run_cli("wrap", "plain", "--yes", "--home", home, "--root", root)
    assert done.code == 0, done.stderr
    assert "undo with `mcpir restore ATOM-CHG-" in done.stderr
