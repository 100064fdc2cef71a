"""The Workspace: one discovery per run, shared by every step, renewed after a journalled change."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import mcpir.discovery
from mcpir.core.model import ConfigFile
from mcpir.demo.sandbox import build_sandbox
from tests.conftest import RunCli


def _count_discovery(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Wrap `discover` wherever mcpir looks it up: the package itself, and every module that
    imported the name at load time (a later import of the package would miss those)."""
    original = mcpir.discovery.discover
    calls: list[object] = []

    def counting(*args: Any, **kwargs: Any) -> list[ConfigFile]:  # noqa: ANN401
        calls.append(args)
        return original(*args, **kwargs)

    import mcpir.tokens.inventory  # noqa: F401 - it binds `discover` when it loads

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
