"""Issue 18, "One grammar" and "Exit codes scripts can trust": what each command now accepts
and how it exits, run as a user would (tests/test_cli_contract.py checks the whole surface)."""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mcpir.cli.exits import EXITS, markdown
from mcpir.secrets.fakes import fake_token
from tests.conftest import FIXTURES, RunCli
from tests.test_externalize import MemoryKeyring, memory_keyring

TOKEN = fake_token("github-classic", random.Random(18))  # noqa: S311 - a test fixture


def _git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    ident = ["-c", "user.name=Alex", "-c", "user.email=alex@example.invalid"]
    subprocess.run(["git", *ident, *args], cwd=root, env=env, check=True, capture_output=True)


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A home and a git project whose committed `.mcp.json` holds one literal token."""
    home, root = tmp_path / "home", tmp_path / "root"
    home.mkdir()
    root.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    server = {"command": "npx", "args": ["-y", "server-github"], "env": {"GITHUB_TOKEN": TOKEN}}
    (root / ".mcp.json").write_text(json.dumps({"mcpServers": {"github": server}}))
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".mcp.json")
    _git(root, "commit", "-q", "-m", "add github server")
    return home, root


def _incident(run_cli: RunCli, home: Path, root: Path) -> str:
    done = run_cli("respond", "--only", "contain", "-y", "--json", "--home", home, "--root", root)
    assert done.code == 0, done.stderr
    ident: str = json.loads(done.stdout)["incident"]
    return ident


# One grammar: the shared options on every command that reads configs or incidents.


def test_restore_and_close_take_the_home_the_incident_was_opened_for(
    run_cli: RunCli, machine: tuple[Path, Path], tmp_path: Path
) -> None:
    home, root = machine
    other = tmp_path / "other-home"
    other.mkdir()
    ident = _incident(run_cli, home, root)

    refused = run_cli("restore", "--home", other, "--root", root)
    assert refused.code == 2 and refused.stdout == ""
    assert f"was opened for the home {home}, not {other}" in refused.stderr
    assert len(refused.stderr.splitlines()) == 1
    assert not (root / ".mcp.json").exists()  # still contained: nothing was restored

    preview = run_cli("restore", ident, "--home", home, "--root", root, "-n", "--json")
    assert preview.code == 0, preview.stderr
    assert not (root / ".mcp.json").exists()
    restored = run_cli("restore", ident, "--home", home, "--root", root)
    assert restored.code == 0, restored.stderr
    assert (root / ".mcp.json").exists()

    wrong = run_cli("close", ident, "--home", other, "--root", root, "--reason", "done")
    assert wrong.code == 2 and "was opened for the home" in wrong.stderr
    closed = run_cli("close", ident, "--home", home, "--root", root, "--reason", "done", "--json")
    assert closed.code == 0, closed.stderr
    json.loads(closed.stdout)


def test_audit_takes_root_and_keeps_repo(
    run_cli: RunCli, machine: tuple[Path, Path], tmp_path: Path
) -> None:
    home, root = machine
    by_root = run_cli("audit", "--root", root, "--home", home, "--json")
    by_repo = run_cli("audit", "--repo", root, "--home", home, "--json")
    assert by_root.code == by_repo.code == 1  # a committed secret
    assert json.loads(by_root.stdout)["secrets"] == json.loads(by_repo.stdout)["secrets"]
    both = run_cli("audit", "--root", root, "--repo", tmp_path, "--home", home)
    assert both.code == 2 and "--root and --repo" in both.stderr
    options = run_cli("audit", "--help").stdout.split("Options:")[1]
    assert "--repo <path>" not in options  # the old name is said, not listed

    written = tmp_path / "audit.sarif"
    sarif = run_cli("audit", "--root", root, "--home", home, "--format", "sarif", "-o", written)
    assert sarif.code == 1 and json.loads(written.read_text())["version"] == "2.1.0"
    managed = tmp_path / "system"
    managed.mkdir()
    scoped = run_cli("audit", "--root", root, "--home", home, "--system-root", managed)
    assert scoped.code == 1, scoped.stderr


def test_audit_and_investigate_read_since_alike(
    run_cli: RunCli, machine: tuple[Path, Path]
) -> None:
    home, root = machine
    where = ("--home", home, "--root", root)
    assert run_cli("audit", *where, "--since", "30m", "--json").code in {0, 1}
    assert run_cli("investigate", *where, "--since", "30m", "--json").code == 0
    errors = [run_cli(c, *where, "--since", "30 x").stderr for c in ("audit", "investigate")]
    assert errors[0] == errors[1] and "not a duration or a date" in errors[0]


def test_posture_ack_takes_the_options_after_it(
    run_cli: RunCli, machine: tuple[Path, Path], tmp_path: Path
) -> None:
    home, root = machine
    missing = run_cli("posture", "ack", "training", "--by", "dana", "--home", tmp_path / "nope")
    assert missing.code == 2 and missing.stderr.startswith("mcpir: error: --home ")
    assert "training" in json.loads(run_cli("posture", "--home", home, "--root", root, "--json")
                                     .stdout)[-1]["id"]  # fmt: skip

    after = run_cli("posture", "ack", "training", "--by", "dana", "--home", home, "--root", root)
    assert after.code == 0, after.stderr
    assert "acknowledged by dana on " in after.stdout
    assert "Team trained on MCP risks" in after.stdout  # the checklist for --home/--root

    before = run_cli("posture", "--home", home, "--root", root, "ack", "training", "--json")
    assert before.code == 0, before.stderr
    document = json.loads(before.stdout)
    assert document["acknowledged"]["item"] == "training"
    training = [i for i in document["checklist"] if i["id"] == "training"]
    assert training and training[0]["status"] == "pass"

    bare = run_cli("posture", "ack", "training", "--by", "dana", "--json")
    assert bare.code == 0 and json.loads(bare.stdout)["checklist"] is None


def test_tokens_commands_read_managed_files_under_system_root(
    run_cli: RunCli, tmp_path: Path
) -> None:
    home, root, system = tmp_path / "home", tmp_path / "root", tmp_path / "system"
    for directory in (home, root, system / "etc/claude-code"):
        directory.mkdir(parents=True)
    server = {"command": "npx", "args": ["server-github"], "env": {"GITHUB_TOKEN": TOKEN}}
    managed = system / "etc/claude-code/managed-mcp.json"
    managed.write_text(json.dumps({"mcpServers": {"github": server}}))
    where = ("--home", home, "--root", root)
    assert json.loads(run_cli("tokens", "list", *where, "--json").stdout) == []
    listed = run_cli("tokens", "list", *where, "--system-root", system, "--json")
    (token,) = json.loads(listed.stdout)
    assert token["locations"] and str(managed) in token["locations"][0]
    status = run_cli("tokens", "status", *where, "--system-root", system, "--json")
    assert [t["id"] for t in json.loads(status.stdout)] == [token["id"]]
    plan = run_cli("tokens", "externalize", *where, "--system-root", system, "-n", "--json")
    assert plan.code in {0, 1} and managed.read_text().count(TOKEN) == 1  # listed, not edited

    verified = run_cli("tokens", "verify", token["id"], *where, "--system-root", system,
                       "--provider", "manual", "--verify-command", "true", "--json")  # fmt: skip
    assert verified.code == 0, verified.stderr
    shown = json.loads(verified.stdout)
    assert (shown["status"], shown["fingerprint"]) == ("valid", token["fingerprint"])
    assert TOKEN not in verified.stdout + verified.stderr + listed.stdout + plan.stdout


def test_schedule_install_previews_with_dry_run(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no crontab, no systemctl: nothing installed
    monkeypatch.chdir(tmp_path)
    shown = [run_cli("schedule", "install", "--cron", flag, "--root", tmp_path)
             for flag in ("--dry-run", "-n", "--print")]  # fmt: skip
    assert [r.code for r in shown] == [0, 0, 0], [r.stderr for r in shown]
    assert shown[0].stdout == shown[1].stdout == shown[2].stdout
    assert "schedule run --once" in shown[0].stdout
    assert "--print" not in run_cli("schedule", "install", "--help").stdout


def test_schedule_run_once_json(run_cli: RunCli, tmp_path: Path) -> None:
    done = run_cli("schedule", "run", "--once", "--home", tmp_path, "--root", tmp_path, "--json")
    assert done.code == 0, done.stderr
    assert json.loads(done.stdout)["tokens"] == 0
    refused = run_cli("schedule", "run", "--json", "--home", tmp_path, "--root", tmp_path)
    assert refused.code == 2 and "--json needs --once" in refused.stderr


# Shell completion: typer's own, and step names after --only/--skip/--from.


def _complete(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, line: str) -> list[str]:
    words = line.split(" ")
    monkeypatch.setenv("_MCPIR_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", line)
    monkeypatch.setenv("COMP_CWORD", str(len(words) - 1))
    done = run_cli()
    assert done.code == 0, done.stderr
    return done.stdout.split()


def test_shell_completion(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    script = run_cli("--show-completion", "bash")
    assert script.code == 0 and "_MCPIR_COMPLETE=complete_bash" in script.stdout
    assert "--install-completion" in run_cli("--help").stdout

    steps = ["contain", "rotate", "audit", "investigate", "document"]
    assert _complete(run_cli, monkeypatch, "mcpir respond --only ") == steps
    assert _complete(run_cli, monkeypatch, "mcpir respond --skip contain,r") == ["contain,rotate"]
    assert _complete(run_cli, monkeypatch, "mcpir respond --from inv") == ["investigate"]
    book = tmp_path / "book.yaml"
    book.write_text("version: 1\nsteps:\n  - id: page\n    title: Page\n    task: contain\n")
    assert _complete(run_cli, monkeypatch, f"mcpir respond --playbook {book} --only ") == ["page"]
    assert _complete(run_cli, monkeypatch, "mcpir res") == ["respond", "restore"]


# Exit codes: 1 is a finding or something that needs a person, never a preview or a listing.


def test_a_preview_exits_0(run_cli: RunCli, machine: tuple[Path, Path]) -> None:
    home, root = machine
    preview = run_cli("respond", "--dry-run", "--json", "--home", home, "--root", root)
    assert preview.code == 0, preview.stderr
    statuses = {step["status"] for step in json.loads(preview.stdout)["steps"]}
    assert "attention" in statuses  # what a real run would stop on: shown, not an exit 1
    assert (root / ".mcp.json").exists()


def test_a_listing_exits_0(run_cli: RunCli, machine: tuple[Path, Path]) -> None:
    home, root = machine
    listed = run_cli("tokens", "list", "--home", home, "--root", root, "--json")
    assert listed.code == 0, listed.stderr
    assert [t["status"] for t in json.loads(listed.stdout)] == ["literal"]
    assert "written into config files" in listed.stderr  # still said, as a note
    (root / "broken").mkdir()
    (root / "broken" / ".mcp.json").write_text("{not json")
    unread = run_cli("tokens", "list", "--home", home, "--root", root, "--json")
    assert unread.code == 1  # a config it could not read: the listing is incomplete


REPORTS: list[tuple[str, ...]] = [
    ("audit",),
    ("tokens", "status"),
    ("posture",),
]


@pytest.mark.parametrize("command", REPORTS, ids=" ".join)
def test_exit_zero_reports(
    run_cli: RunCli, machine: tuple[Path, Path], command: tuple[str, ...]
) -> None:
    home, root = machine
    where = ("--home", home, "--root", root)
    assert run_cli(*command, *where).code == 1
    assert run_cli(*command, *where, "--exit-zero").code == 0
    bad = run_cli(*command, *where, "--exit-zero", "--home", root / "no-such-dir")
    assert bad.code == 2  # bad usage is never hidden


def test_investigate_exit_zero(run_cli: RunCli) -> None:
    where = ("--home", FIXTURES / "transcripts/home", "--root", FIXTURES / "transcripts/root")
    assert run_cli("investigate", *where, "--since", "2026-11-15").code == 1
    assert run_cli("investigate", *where, "--since", "2026-11-15", "--exit-zero").code == 0
    assert run_cli("investigate", *where, "--since", "soon", "--exit-zero").code == 2


def test_exit_table_renders_for_the_readme() -> None:
    text = markdown()
    rows = [line for line in text.splitlines() if line.startswith("| `mcpir ")]
    assert len(rows) == len(EXITS)
    assert all(line.count(" | ") == 4 for line in rows), rows
    assert "`mcpir tokens list` | listed" in text


@pytest.fixture
def memory() -> Iterator[MemoryKeyring]:
    yield from memory_keyring()


def test_rotate_json_keeps_stdout_for_the_outcome(
    run_cli: RunCli,
    machine: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    memory: MemoryKeyring,
) -> None:
    home, root = machine
    where = ("--home", home, "--root", root)
    (token,) = json.loads(run_cli("tokens", "list", *where, "--json").stdout)
    new = fake_token("github-classic", random.Random(19))  # noqa: S311 - a test fixture
    monkeypatch.setattr(sys, "stdin", io.StringIO(new + "\n"))
    done = run_cli("tokens", "rotate", token["id"], "--provider", "manual",
                   "--verify-command", "false", "--new-value-stdin", "-y", "--json",
                   *where)  # fmt: skip
    assert done.code == 1, done.stderr  # the current token is already rejected: refused
    outcome: dict[str, Any] = json.loads(done.stdout)  # the whole of stdout
    assert outcome["status"] == "refused" and outcome["needs_you"] == []
    assert "already rejected" in outcome["detail"]
    assert TOKEN not in done.stdout + done.stderr and new not in done.stdout + done.stderr
