"""A whole incident with canary secrets in every input: none may reach the trail or the terminal.

The inputs: the demo machine (a GitHub token in `~/.claude.json`, a database password in the
project and in a transcript) plus the transcript fixtures of every client (GitHub tokens sent
to and returned by tools). Backups are the one exception by design: they are byte-exact copies
of the config files, kept private (0600) and git-ignored, so that `restore` can put them back.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mcpir.demo.sandbox import Sandbox, build_sandbox
from tests.conftest import CANARY, FIXTURES, CliResult, RunCli

TRANSCRIPTS = FIXTURES / "transcripts"


@pytest.fixture
def machine(tmp_path: Path) -> tuple[Sandbox, list[str]]:
    sandbox = build_sandbox(tmp_path / "machine")
    for part in (".claude/projects/-home-dev-app", ".codex", ".gemini", "Library"):
        shutil.copytree(TRANSCRIPTS / "home" / part, sandbox.home / part, dirs_exist_ok=True)
    shutil.copytree(TRANSCRIPTS / "root" / ".atom-trail", sandbox.root / ".atom-trail")
    # Cline / Roo / Kilo task logs (a GitHub token sent to a tool and one returned by it).
    shutil.copytree(TRANSCRIPTS / "vscode-home", sandbox.home, dirs_exist_ok=True)
    claude = json.loads((sandbox.home / ".claude.json").read_text(encoding="utf-8"))
    token = claude["mcpServers"]["github"]["env"]["GITHUB_PERSONAL_ACCESS_TOKEN"]
    secrets = [CANARY, token, sandbox.planted["canary"]]
    return sandbox, secrets


def _clean(result: CliResult, secrets: list[str]) -> None:
    for secret in secrets:
        assert secret not in result.stdout and secret not in result.stderr


def test_no_canary_reaches_the_trail_stdout_or_stderr(
    run_cli: RunCli, machine: tuple[Sandbox, list[str]]
) -> None:
    sandbox, secrets = machine
    scope = ("--home", sandbox.home, "--root", sandbox.root)
    respond = run_cli("respond", "--yes", "--json", *scope, "--title", "canary run")
    assert respond.code == 1, respond.stderr  # steps need attention
    steps = {s["id"]: s["status"] for s in json.loads(respond.stdout)["steps"]}
    assert steps["investigate"] == "attention" and steps["document"] == "ok"
    incident = json.loads(respond.stdout)["incident"]
    outputs = [
        respond,
        run_cli("respond", "--yes", *scope, "--title", "canary run, text"),
        run_cli("investigate", *scope, "--since", "2026-11-15"),
        run_cli("investigate", *scope, "--since", "2026-11-15", "--json"),
        run_cli("report", "--root", sandbox.root, incident),
        run_cli("report", "--root", sandbox.root, incident, "--format", "json"),
        run_cli("report", "--root", sandbox.root, "--list"),
    ]
    for result in outputs:
        _clean(result, secrets)
    trail = sandbox.root / ".atom-trail"
    checked = 0
    for path in trail.rglob("*"):
        if not path.is_file() or "backups" in path.relative_to(trail).parts:
            continue
        data = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, f"{secret[:6]}… in {path}"
        checked += 1
    assert checked >= 10
    # The fixtures really do hold the canaries: the check above can fail.
    planted = TRANSCRIPTS / "home/.claude/projects/-home-dev-app"
    assert any(CANARY in p.read_text(encoding="utf-8") for p in planted.iterdir())
    kilo = next((TRANSCRIPTS / "vscode-home").rglob("kilo-task-1/ui_messages.json"))
    assert kilo.read_text(encoding="utf-8").count("ghp_CANARY") == 2


def test_document_step_and_report_give_the_same_document(
    run_cli: RunCli, machine: tuple[Sandbox, list[str]]
) -> None:
    sandbox, _ = machine
    respond = run_cli("respond", "--yes", "--json", "--home", sandbox.home, "--root", sandbox.root)
    incident = json.loads(respond.stdout)["incident"]
    directory = sandbox.root / ".atom-trail" / "incidents" / incident
    written = (directory / f"{incident}.md").read_text(encoding="utf-8")
    assert run_cli("report", "--root", sandbox.root).stdout == written
    as_json = run_cli("report", "--root", sandbox.root, "--format", "json").stdout
    assert as_json == (directory / f"{incident}.json").read_text(encoding="utf-8")
    assert (directory / f"{incident}.md").stat().st_mode & 0o777 == 0o600
    for heading in ("## Summary", "## Timeline", "```mermaid", "## Containment", "## Tokens",
                    "## History findings (audit)", "## Investigation findings",
                    "## Monitoring checklist", "## Follow-ups", "## References"):  # fmt: skip
        assert heading in written, heading
    assert "investigate/cross-tool-flow" in written
    assert "ATOM-DOC-20260102-009-mcp-security-notes" in written


def test_planted_exfiltration_chain_is_found(
    run_cli: RunCli, machine: tuple[Sandbox, list[str]]
) -> None:
    sandbox, _ = machine
    result = run_cli(
        "investigate", "--home", sandbox.home, "--root", sandbox.root, "--json", "--since", "7d"
    )
    assert result.code == 1
    transcript = Path(sandbox.planted["transcript"])
    lines = transcript.read_text(encoding="utf-8").splitlines()
    exfil = next(i for i, line in enumerate(lines, 1) if sandbox.planted[
        "exfiltration_tool_use_id"] in line and '"tool_use"' in line)  # fmt: skip
    flows = [
        row
        for row in json.loads(result.stdout)["findings"]
        if row["rule"] == "investigate/cross-tool-flow" and row["path"] == str(transcript)
    ]
    assert [(f["line"], f["server"], f["severity"]) for f in flows] == [
        (exfil, sandbox.planted["poisoned_server"], "high")
    ]
    assert "returned by github.get_file_contents" in flows[0]["message"]
    assert flows[0]["session"] == sandbox.planted["session_id"]
    rules = {row["rule"] for row in json.loads(result.stdout)["findings"]}
    assert "investigate/echoed-instruction" in rules and "investigate/outbound-email" in rules


def test_demo_ends_with_the_document_path(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("demo", "--dir", tmp_path / "demo")
    assert result.code == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("the incident document (GitHub Markdown): ")
    document = Path(last.split(": ", 1)[1])
    assert document.name.startswith("ATOM-INC-") and document.suffix == ".md"
    text = document.read_text(encoding="utf-8")
    for step in ("contain", "rotate", "audit", "investigate"):
        assert f"- {step} (" in text, step
    assert CANARY not in result.stdout + text
