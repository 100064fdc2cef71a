"""The canary machine of tests/test_canary_sweep.py (41 canary secrets in every input), through
the commands issue 24 added: `servers --format cyclonedx`, `servers --all-users`, `mcpir
action` (its SARIF, summary and result file) and `org merge` of that result in every format.
No canary may appear in any output or any file written."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import RunCli
from tests.test_canary_sweep import Machine, build_machine


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Machine:
    built = build_machine(tmp_path / "machine", Path(os.environ["MCPIR_HOME"]))
    monkeypatch.setenv("HOME", str(built.home))
    for name in ("GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT", "GITHUB_EVENT_PATH", "GITHUB_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return built


def _leaks(machine: Machine, text: str) -> set[str]:
    return set(machine.finder.names(text))


def test_no_canary_in_the_bom_the_action_or_the_org_report(
    machine: Machine, run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    summary = out / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    scope = ("--home", machine.home, "--root", machine.root)
    texts: dict[str, str] = {}
    bom = run_cli("servers", *scope, "--format", "cyclonedx")
    texts["servers --format cyclonedx"] = bom.stdout + bom.stderr
    assert json.loads(bom.stdout)["services"]
    fleet = tmp_path / "fleet"
    shutil.copytree(machine.home, fleet / "home" / "alex", symlinks=True)
    for fmt in ("json", "cyclonedx"):
        result = run_cli("servers", "--all-users", "--system-root", fleet, "--format", fmt)
        texts[f"servers --all-users --format {fmt}"] = result.stdout + result.stderr
    action = run_cli("action", "--root", machine.root, "--home", machine.home, "--event",
                     "schedule", "--sarif", out / "a.sarif", "--results", out / "r.json",
                     "--fail-on", "never", "--json")  # fmt: skip
    assert action.code == 0, action.stderr
    texts["action"] = action.stdout + action.stderr
    for fmt in ("markdown", "json", "sarif", "cyclonedx"):
        merged = run_cli("org", "merge", out / "r.json", "--format", fmt, "--exit-zero")
        texts[f"org merge --format {fmt}"] = merged.stdout + merged.stderr
    for path in out.iterdir():
        texts[path.name] = path.read_text(encoding="utf-8")
    assert summary.exists() and (out / "a.sarif").exists()
    some = next(iter(machine.canaries.values())).value
    assert _leaks(machine, f"x {some} y")  # the finder does see a canary
    leaked = {label: _leaks(machine, text) for label, text in texts.items()}
    assert not any(leaked.values()), {k: v for k, v in leaked.items() if v}
