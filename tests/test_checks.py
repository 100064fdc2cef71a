"""Every scan rule with its own good and bad samples, tested together (as gitleaks does)."""

from __future__ import annotations

import pkgutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

import mcpir.scan.checks as checks_package
from mcpir.core.model import Finding, Location, Scope, Server, Tool
from mcpir.discovery import ANY_CLIENT
from mcpir.discovery.client import Entry
from mcpir.discovery.shapes import build_server
from mcpir.launchers.commands import argv
from mcpir.launchers.packages import package_run
from mcpir.scan.checks import CHECKS, RULES
from mcpir.scan.checks.base import Check, ScanContext

CTX = ScanContext(known_tools=frozenset({"send_email", "read_file"}))
WITH_SAMPLES = [check for check in CHECKS if check.on_server or check.on_tool]


def server_of(raw: Mapping[str, Any]) -> Server:
    return build_server(
        Entry("sample", raw, ()), ANY_CLIENT, Scope.PROJECT, Path("/p/.mcp.json"), 1
    )


def run(check: Check, sample: Mapping[str, Any] | str) -> list[Finding]:
    if isinstance(sample, str):
        assert check.on_tool is not None
        tool = Tool("sample_tool", sample, Location(Path("/p/tools.json"), 1))
        return list(check.on_tool(tool, CTX))
    assert check.on_server is not None
    return list(check.on_server(server_of(sample), CTX))


def _cases(kind: str) -> list[Any]:
    return [
        pytest.param(check, sample, id=f"{check.rule.id}-{kind}{number}")
        for check in WITH_SAMPLES
        for number, sample in enumerate(getattr(check, kind))
    ]


@pytest.mark.parametrize(("check", "sample"), _cases("bad"))
def test_bad_sample_raises_its_rule(check: Check, sample: Mapping[str, Any] | str) -> None:
    findings = run(check, sample)
    assert findings, f"{check.rule.id} missed {sample!r}"
    assert {f.rule_id for f in findings} == {check.rule.id}


@pytest.mark.parametrize(("check", "sample"), _cases("good"))
def test_good_sample_is_clean(check: Check, sample: Mapping[str, Any] | str) -> None:
    assert run(check, sample) == []


def test_every_rule_has_samples_and_help() -> None:
    assert len(RULES) == len(CHECKS), "rule ids must be unique"
    for check in WITH_SAMPLES:
        assert len(check.bad) >= 3 and len(check.good) >= 3, check.rule.id
    for rule in RULES.values():
        assert rule.help.endswith(".") and len(rule.help) > 80, rule.id


def test_every_check_module_is_registered() -> None:
    registered = {check.rule.id for check in CHECKS}
    for module in pkgutil.iter_modules(checks_package.__path__):
        loaded = __import__(f"mcpir.scan.checks.{module.name}", fromlist=["CHECK"])
        if hasattr(loaded, "CHECK"):
            assert loaded.CHECK.rule.id in registered, module.name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"command": "cmd", "args": ["/c", "npx", "-y", "x"]}, ["npx", "-y", "x"]),
        ({"command": "sh", "args": ["-c", "npx -y x", "extra"]}, ["npx", "-y", "x", "extra"]),
        ({"command": "env", "args": ["A=1", "-i", "uvx", "x"]}, ["uvx", "x"]),
        ({"command": "mcpir", "args": ["run", "--only", "T", "--", "npx", "x"]}, ["npx", "x"]),
    ],
)
def test_command_lines_are_unwrapped(raw: Mapping[str, Any], expected: list[str]) -> None:
    assert argv(server_of(raw)) == expected


@pytest.mark.parametrize(
    ("raw", "spec", "exact"),
    [
        ({"command": "npx", "args": ["-y", "@scope/pkg@1.2.3"]}, "@scope/pkg@1.2.3", True),
        ({"command": "npx", "args": ["-p", "@scope/pkg@1.2.3", "bin"]}, "@scope/pkg@1.2.3", True),
        ({"command": "C:\\nodejs\\npx.cmd", "args": ["-y", "@scope/pkg"]}, "@scope/pkg", False),
        ({"command": "uvx", "args": ["--from", "git==2.0.0", "git"]}, "git==2.0.0", True),
        ({"command": "uv", "args": ["tool", "run", "pkg@0.1.0"]}, "pkg@0.1.0", True),
        ({"command": "pipx", "args": ["run", "pkg"]}, "pkg", False),
    ],
)
def test_package_specs(raw: Mapping[str, Any], spec: str, exact: bool) -> None:
    run_info = package_run(server_of(raw))
    assert run_info is not None and run_info.spec == spec and run_info.exact is exact
