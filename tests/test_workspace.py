"""The Workspace: one discovery per run, shared by every step, renewed after a journalled change."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any, cast

import pytest

import mcpir.discovery
from mcpir.config.project import Policy
from mcpir.containment.plan import plan_containment
from mcpir.core.model import ConfigFile
from mcpir.core.paths import Scopes
from mcpir.demo.sandbox import build_sandbox
from mcpir.incident.journal import Journal, PlannedChange
from mcpir.incident.store import open_incident
from mcpir.workspace import Workspace
from tests.conftest import RunCli


def _count_discovery(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Wrap `discover` wherever mcpir looks it up: the package itself, and every module that
    imported the name at load time (a later import of the package would miss those)."""
    original = mcpir.discovery.discover
    calls: list[object] = []

    def counting(*args: Any, **kwargs: Any) -> list[ConfigFile]:  # noqa: ANN401
        calls.append(args)
        return original(*args, **kwargs)

    importlib.import_module("mcpir.tokens.inventory")  # it binds `discover` when it loads
    for name, module in list(sys.modules.items()):
        if name.startswith("mcpir") and getattr(module, "discover", None) is original:
            monkeypatch.setattr(module, "discover", counting)
    return calls


def test_one_respond_on_the_demo_discovers_at_most_twice(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = build_sandbox(tmp_path / "machine")
    calls = _count_discovery(monkeypatch)
    result = run_cli("respond", "--yes", "--json", "--title", "github mcp poisoning",
                     "--home", sb.home, "--root", sb.root)  # fmt: skip
    document = json.loads(result.stdout)
    steps = {step["id"]: step["status"] for step in document["steps"]}
    # Every step ran, and containment changed files: the second discovery is the one it needs.
    assert steps["contain"] == "changed", document
    assert set(steps) == {"contain", "rotate", "audit", "investigate", "document"}
    assert "failed" not in steps.values(), document
    # Once for the machine as found, once after containment rewrote its configs.
    assert len(calls) <= 2, f"discover() ran {len(calls)} times"


def _machine(tmp_path: Path) -> Scopes:
    home, root = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    root.mkdir()
    server = {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"]}
    (root / ".mcp.json").write_text(json.dumps({"mcpServers": {"github": server}}))
    return Scopes(home=home, root=root)


def test_discovers_once_until_the_journal_changes_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scopes = _machine(tmp_path)
    assert scopes.root is not None
    calls = _count_discovery(monkeypatch)
    workspace = Workspace(scopes, Policy())
    found = workspace.configs()
    assert [server.enabled for config in found for server in config.servers] == [True]
    report, tokens = workspace.scan(), workspace.tokens()
    assert any(f.rule_id == "unpinned-package" for f in report.findings)
    assert workspace.configs() == found and workspace.scan() is report
    assert workspace.tokens() == tokens
    assert len(calls) == 1  # the scan and the token inventory read the same discovery

    header = {"home": str(scopes.home), "root": str(scopes.root)}
    journal = open_incident(scopes.root, "workspace test", header).journal
    assert workspace.apply_all(journal, [], "contain") == []
    workspace.configs()
    assert len(calls) == 1  # nothing changed: nothing to discover again

    applied = workspace.apply_all(journal, plan_containment(found).changes, "contain")
    assert applied
    after = workspace.configs()
    assert len(calls) == 2
    assert [server.enabled for config in after for server in config.servers] in ([], [False])
    assert workspace.scan() is not report
    assert len(calls) == 2


class _FailingJournal:
    def apply_all(self, planned: list[PlannedChange], step: str) -> list[object]:
        raise OSError("disk full")


def test_a_change_that_raises_still_makes_the_workspace_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_discovery(monkeypatch)
    workspace = Workspace(_machine(tmp_path), Policy())
    workspace.configs()
    with pytest.raises(OSError, match="disk full"):
        workspace.apply_all(cast(Journal, _FailingJournal()), [], "contain")
    workspace.configs()
    assert len(calls) == 2  # some files may have changed before it raised
