"""Readable output (issue 18): every table has a header row and fits 100 columns off a terminal,
a long cell folds whole inside its column (the JSON keeps every text as it is), counts are
singular or plural as they should be, and scan evidence says what it is."""

from __future__ import annotations

import json
from pathlib import Path

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
    assert "7 findings in 11 files, 16 servers" in done.stdout
