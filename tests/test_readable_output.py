"""Readable output (issue 18): every table has a header row and fits 100 columns off a terminal,
a long cell folds whole inside its column (the JSON keeps every text as it is), counts are
singular or plural as they should be, and scan evidence says what it is."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest

from mcpir.demo.sandbox import Sandbox, build_sandbox
from tests.conftest import RunCli

WIDTH = 100


@pytest.fixture(scope="module")
def sb(tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    """The demo's fake machine, before any response: every kind of row has something to show."""
    return build_sandbox(tmp_path_factory.mktemp("readable") / "machine")


def _scope(sb: Sandbox) -> tuple[str, ...]:
    return ("--home", str(sb.home), "--root", str(sb.root))


def _fits(text: str) -> None:
    too_long = [line for line in text.splitlines() if len(line) > WIDTH]
    assert not too_long, too_long


def _unfolded(text: str) -> str:
    """The text with every line's leading blanks dropped and lines joined: what a folded cell
    says, whatever its column's width."""
    return "".join(line.strip() for line in text.splitlines())


def test_scan_table_has_a_header_fits_100_columns_and_labels_evidence(
    run_cli: RunCli, sb: Sandbox
) -> None:
    done = run_cli("scan", *_scope(sb))
    assert done.code == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["severity", "rule", "finding"]
    _fits(done.stdout)
    # The secret's evidence is labelled, on its own line under the finding, and so is where.
    secret = next(i for i, line in enumerate(lines) if "hardcoded-secret" in line)
    under = [line.strip() for line in lines[secret + 1 : secret + 4]]
    assert any(line.startswith("evidence: env GITHUB_PERSONAL_ACCESS_TOKEN") for line in under)
    assert "at ~/.claude.json:" in "\n".join(under)
    # Folded, never cut: every message and every place is there whole.
    document = json.loads(run_cli("scan", *_scope(sb), "--format", "json").stdout)
    flat = _unfolded(done.stdout).replace(" ", "")
    for row in document["findings"]:
        assert row["message"].replace(" ", "") in flat
    assert "7 findings in 11 files, 17 servers" in done.stdout


def test_servers_blocks_have_a_header_fit_100_columns_and_count_right(
    run_cli: RunCli, sb: Sandbox
) -> None:
    done = run_cli("servers", *_scope(sb))
    assert done.code == 0, done.stderr
    _fits(done.stdout)
    lines = done.stdout.splitlines()
    assert lines[0].startswith("~/.claude.json  claude-code · user")
    header = ["line", "server", "transport", "state", "command", "or", "url"]
    headers = [i for i, line in enumerate(lines) if line.split() == header]
    headings = [i for i, line in enumerate(lines) if line.startswith(("~/", "./"))]
    assert [i - 1 for i in headers] == headings and len(headings) == 11  # one per file
    # The columns line up from one block to the next.
    assert len({line.index("command or url") for line in lines if line.startswith("line ")}) == 1
    github = next(line for line in lines if line.split()[1:2] == ["github"])
    assert github.split()[2:] == ["stdio", "on", "npx", "-y", "@modelcontextprotocol/server-github"]
    # A long command folds in its column, every word kept.
    rows = json.loads(run_cli("servers", *_scope(sb), "--json").stdout)
    flat = " ".join(done.stdout.split())
    for row in rows:
        assert row["name"] in flat
    assert "17 MCP servers (0 disabled) in 11 config files" in done.stdout


def test_servers_count_one_server_in_one_file(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "home").mkdir()
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / ".mcp.json").write_text('{"mcpServers": {"a": {"command": "x"}}}')
    done = run_cli("servers", "--home", tmp_path / "home", "--root", tmp_path / "root")
    assert "1 MCP server (0 disabled) in 1 config file" in done.stdout


def test_a_long_config_path_folds_in_the_servers_heading(run_cli: RunCli, tmp_path: Path) -> None:
    home, deep = tmp_path / "home", tmp_path / "root" / ("nested-directory-" * 8) / "x"
    home.mkdir()
    deep.mkdir(parents=True)
    (deep / ".mcp.json").write_text('{"mcpServers": {"a": {"command": "x"}}}')
    done = run_cli("servers", "--home", home, "--root", tmp_path / "root")
    _fits(done.stdout)
    assert f"./{'nested-directory-' * 8}/x/.mcp.json" in "".join(done.stdout.splitlines())


def test_projects_table_has_a_header_and_fits(run_cli: RunCli, sb: Sandbox) -> None:
    done = run_cli("servers", "--projects", *_scope(sb))
    assert done.stdout.splitlines()[0].split() == [
        "project", "state", "known", "from", "files", "servers"
    ]  # fmt: skip
    _fits(done.stdout)


def test_tokens_list_is_a_table_with_a_header_that_fits(run_cli: RunCli, sb: Sandbox) -> None:
    done = run_cli("tokens", "list", *_scope(sb))
    _fits(done.stdout)
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["token", "status", "age", "provider", "read", "by"]
    tokens = json.loads(run_cli("tokens", "list", *_scope(sb), "--json").stdout)
    rows = [line.split() for line in lines[1:] if line.startswith("tok_")]
    assert [row[0] for row in rows] == [token["id"] for token in tokens]
    literal = next(row for row in rows if "literal" in row)
    assert literal[2].endswith("d") and literal[3:] == ["github-classic", "github"]
    assert "at ~/.claude.json:" in done.stdout  # where it is, labelled, under the servers
    assert "exposed (git:" in done.stdout
    assert f"{len(tokens)} tokens (1 literal, 1 prompted; 1 exposed: rotate it)" in done.stdout
    assert "1 token is written into config files" in done.stderr


def test_tokens_list_counts_one_token(run_cli: RunCli, tmp_path: Path) -> None:
    (tmp_path / "home").mkdir()
    (tmp_path / "root").mkdir()
    server = {"command": "x", "env": {"GITHUB_TOKEN": "${input:gh}"}}
    (tmp_path / "root" / ".mcp.json").write_text(json.dumps({"mcpServers": {"a": server}}))
    done = run_cli("tokens", "list", "--home", tmp_path / "home", "--root", tmp_path / "root")
    assert "\n1 token (" in done.stdout, done.stdout


def test_investigate_table_has_a_header_fits_and_labels_evidence(
    run_cli: RunCli, sb: Sandbox
) -> None:
    done = run_cli("investigate", *_scope(sb), "--since", "30d")
    assert done.code == 1, done.stderr
    _fits(done.stdout)
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["severity", "time", "finding"]
    document = json.loads(run_cli("investigate", *_scope(sb), "--since", "30d", "--json").stdout)
    flat = _unfolded(done.stdout).replace(" ", "")
    for row in document["findings"]:
        assert row["rule"] in flat and row["message"].replace(" ", "") in flat
        if row.get("evidence"):
            assert ("evidence:" + row["evidence"]).replace(" ", "") in flat
    calls = document["calls"]
    assert f"{calls} tool calls (" in done.stdout


RECAP_LINE = re.compile(r"^(\S+) +changed=(\d+) +attention=(\d+) +(\S.*)$")


def _recap(stdout: str) -> dict[str, tuple[int, int, str]]:
    """The recap's lines, after its title: step -> (changed, attention, status)."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("RECAP"))
    found = {}
    for line in lines[start + 1 :]:
        match = RECAP_LINE.match(line)
        if match is None:
            break
        found[match[1]] = (int(match[2]), int(match[3]), match[4])
    return found


def test_respond_ends_with_a_recap_line_per_step(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    machine = build_sandbox(tmp_path / "machine")
    monkeypatch.chdir(machine.root)
    done = run_cli("respond", *_scope(machine), "--title", "readable")
    assert done.code == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines[-6].startswith("RECAP *") and len(lines[-6]) == 80
    recap = _recap(done.stdout)
    assert list(recap) == ["contain", "rotate", "audit", "investigate", "document"]
    assert lines[-5:] == [line for line in lines if RECAP_LINE.match(line)]  # it ends the output
    document = json.loads(
        next(machine.root.glob(".atom-trail/incidents/*/*.json")).read_text(encoding="utf-8")
    )
    assert document  # the incident was written
    # contain changed 11 files, and a person must restart the clients; rotate waits for --yes.
    assert recap["contain"] == (11, 1, "changed")
    assert recap["rotate"] == (0, 1, "attention")
    assert recap["audit"][1:] == (5, "attention")
    found = re.search(r"in transcript files \(.*\); (\d+) findings", done.stdout)
    assert found is not None
    assert recap["investigate"] == (0, int(found[1]), "attention")  # one per finding
    assert recap["document"] == (2, 0, "ok")
    # the columns line up, so a column of counts reads down
    assert len({line.index("changed=") for line in lines[-5:]}) == 1
    assert len({line.index("attention=") for line in lines[-5:]}) == 1
    # and --json carries the same counts
    again = run_cli("respond", *_scope(machine), "--incident", _incident(machine),
                    "--only", "document", "--json")  # fmt: skip
    step = json.loads(again.stdout)["steps"][0]
    assert (step["id"], step["changed"], step["attention"], step["status"]) == (
        "document", 2, 0, "ok"
    )  # fmt: skip


def _incident(machine: Sandbox) -> str:
    [incident] = [p.name for p in (machine.root / ".atom-trail" / "incidents").iterdir()]
    return incident


def test_a_step_left_out_is_not_run_in_the_recap(run_cli: RunCli, sb: Sandbox) -> None:
    done = run_cli("respond", *_scope(sb), "--dry-run", "--only", "investigate")
    assert "dry run: nothing was changed" in done.stdout
    assert done.stdout.splitlines()[-6].startswith("RECAP (dry run) *")
    recap = _recap(done.stdout)
    assert recap["investigate"][1:] == (recap["investigate"][1], "attention")
    assert recap["investigate"][1] > 0
    for step in ("contain", "rotate", "audit", "document"):
        assert recap[step] == (0, 0, "not run")
    _fits(done.stdout.split("RECAP")[1])


class Recorder:
    """A bar that writes down what it was asked to draw."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.phases: list[tuple[str, int | None]] = []
        self.counts: list[int] = []

    def started(self, what: str, total: int | None) -> None:
        self.events.append("started")
        self.phases.append((what, total))

    def advanced(self, count: int) -> None:
        self.events.append("advanced")
        self.counts.append(count)

    def step(self, text: str) -> None:
        self.events.append("step")

    def finished(self) -> None:
        self.events.append("finished")

    def outcome(self, status: str, summary: str, details: Sequence[str], body: str) -> None:
        self.events.append("outcome")


def test_investigate_draws_its_bar_inside_respond(
    sb: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    from mcpir.config.project import load_policy
    from mcpir.core.paths import Scopes
    from mcpir.output.respond_view import StepView
    from mcpir.playbook.engine import RespondRequest, respond

    bar = Recorder()
    scopes = Scopes(home=sb.home, root=sb.root)
    request = RespondRequest(scopes, dry_run=True, only=("audit", "investigate"),
                             progress=StepView(bar=bar))  # fmt: skip
    respond(request, load_policy(sb.root))
    out = capsys.readouterr().out
    # the bar counted investigate's bytes, indented under its step, and was gone before its
    # outcome; the step's header and outcome are printed once each, on stdout
    [(what, total)] = bar.phases
    assert what == "      reading transcripts"
    assert total is not None and total > 0 and sum(bar.counts) == total
    assert bar.events[0] == "started" and bar.events[-1] == "finished"
    assert "outcome" not in bar.events
    assert out.count("investigate  Investigate") == 1 and out.count("audit  Audit") == 1
    assert "reading transcripts" not in out
    assert out.index("investigate  Investigate") < out.rindex("      attention: ")


def _respond_on_a_terminal(sb: Sandbox, *extra: str) -> tuple[int, str, bytes]:
    """`mcpir respond` with stderr on a pseudo-terminal: its code, stdout, and what the
    terminal got."""
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "mcpir", "respond", *_scope(sb), "--dry-run", "--only",
             "investigate", *extra],
            stdout=subprocess.PIPE, stderr=follower, check=False, timeout=60, text=True,
            env={**os.environ, "COLUMNS": "100", "TERM": "xterm"},
        )  # fmt: skip
        os.close(follower)
        follower = -1
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        if follower >= 0:
            os.close(follower)
        os.close(leader)
    return done.returncode, done.stdout, seen


def test_respond_draws_the_bar_on_a_terminal_and_nothing_under_json(sb: Sandbox) -> None:
    code, out, seen = _respond_on_a_terminal(sb)
    assert code in (0, 1), seen
    assert b"reading transcripts" in seen  # on the terminal, while the step ran
    assert "reading transcripts" not in out and "investigate  changed=0" in out
    code, out, seen = _respond_on_a_terminal(sb, "--json")
    json.loads(out)
    assert b"reading transcripts" not in seen


def test_respond_draws_no_bar_off_a_terminal(run_cli: RunCli, sb: Sandbox) -> None:
    done = run_cli("respond", *_scope(sb), "--dry-run", "--only", "investigate")
    assert "reading transcripts" not in done.stdout + done.stderr
    assert "\x1b" not in done.stdout + done.stderr


def test_one_of_a_thing_is_singular_everywhere(capsys: pytest.CaptureFixture[str]) -> None:
    from mcpir.audit.model import AuditReport
    from mcpir.incident.restore import RestoreResult
    from mcpir.incident.store import Incident
    from mcpir.output import audit, posture, proxy, restore
    from mcpir.posture import PostureItem

    incident = cast(Incident, SimpleNamespace(id="ATOM-INC-20261124-001-x"))
    done = RestoreResult(incident, done=["a"], kept=["b"], left=1)
    assert restore._summary(done, "incident", dry_run=False).endswith(
        ": 1 file restored, 1 newer copy kept aside"
    )
    planned = RestoreResult(incident, planned=["a"], left=1)
    assert restore._summary(planned, "incident", dry_run=True).endswith(": would restore 1 file")

    item = PostureItem("training", "Training", "pass", "done", "")
    posture.show([item], json_output=False)
    assert "1 item passes or cannot be judged here" in capsys.readouterr().out
    posture.show([item, item], json_output=False)
    assert "all 2 items pass or cannot be judged here" in capsys.readouterr().out

    proxy.pins_list(
        [{"server": "github", "tools": 1, "approved": "2026-11-24", "pending": []}],
        json_output=False,
    )
    assert capsys.readouterr().out == "github  1 tool  approved 2026-11-24\n"

    quiet = AuditReport(Path("/repo"), "main", [], 0, [], [], [], [], quiet=1)
    assert "(1 edit of shared settings files left" in audit.render_table(quiet, color=False)
