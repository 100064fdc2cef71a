"""Containment is the first thing run in an incident: start-up must stay light."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import FIXTURES

HEAVY = ["github", "git", "apscheduler", "keyring", "sqlalchemy", "dotenv", "pydantic"]

PROBE = """
import json, sys
sys.argv = ["mcpir", *sys.argv[1:]]
from mcpir.cli import main
try:
    main()
except SystemExit:
    pass
heavy = %r
sys.stderr.write(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in heavy)))
"""


def _loaded(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE % HEAVY, *args], capture_output=True, text=True, check=False
    )
    return list(json.loads(done.stderr.strip().splitlines()[-1]))


def test_help_imports_no_heavy_library() -> None:
    assert _loaded("--help") == []


def test_servers_imports_no_heavy_library() -> None:
    home, root = FIXTURES / "homes" / "linux", FIXTURES / "project"
    assert _loaded("servers", "--home", str(home), "--root", str(root), "--json") == []


def test_heavy_libraries_are_installed_so_the_check_means_something() -> None:
    import importlib.util

    for name in ("github", "git", "apscheduler", "keyring"):
        assert importlib.util.find_spec(name) is not None, name


def test_scan_imports_no_heavy_library() -> None:
    root = FIXTURES / "project"
    loaded = _loaded(
        "scan", "--home", str(FIXTURES / "empty"), "--root", str(root), "--format", "json"
    )
    assert loaded == []


def test_respond_contain_imports_no_heavy_library(tmp_path: Path) -> None:
    home, root = tmp_path / "home", tmp_path / "root"
    home.mkdir()
    root.mkdir()
    loaded = _loaded(
        "respond", "--only", "contain", "--yes", "--home", str(home), "--root", str(root)
    )
    assert loaded == []


def test_a_run_builds_only_the_command_it_names() -> None:
    """Start-up: typer builds click parameters for every registered command; a run builds
    only its own, and help, a group or an unknown name still see the whole app."""
    from mcpir.cli import _for, app

    respond = _for(["respond", "--only", "contain"])
    assert [c.callback.__name__ for c in respond.registered_commands] == ["respond"]  # type: ignore[union-attr]
    assert respond.registered_groups == []
    tokens = _for(["tokens", "list"])
    assert tokens.registered_commands == [] and len(tokens.registered_groups) == 1
    for args in (["--help"], [], ["no-such-command"], ["--version"]):
        assert _for(args) is app
    assert len(app.registered_commands) > 5  # the whole app is left as it was
