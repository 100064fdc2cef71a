"""Fault injection: SIGKILL at every durable write of `contain`, then resume, then restore.

After each crash, `respond --resume` must reach exactly the state of an uninterrupted run, and
`restore` must then give back the original tree byte for byte, modes included.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.treehash import tree_state

FILES = (
    ".cursor/mcp.json",  # MCP only: renamed
    ".config/zed/settings.json",  # JSONC with comments: one flag per server
    ".codex/config.toml",  # TOML: enabled = false
    ".claude.json",  # shared JSON: a disabled list and a section moved aside
)


def _machine(base: Path) -> tuple[Path, Path]:
    home, root = base / "home", base / "root"
    for rel in FILES:
        (home / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(FIXTURES / "homes" / "linux" / rel, home / rel)
    root.mkdir()
    return home, root


def _mcpir(*args: str | Path, crash_at: int = 0) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MCPIR_TEST_CRASH_AT": str(crash_at)}
    return subprocess.run(
        [sys.executable, "-m", "mcpir", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=60,
    )


def _latest(root: Path) -> str:
    return sorted(os.listdir(root / ".atom-trail" / "incidents"))[-1]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_crash_at_every_write_point_then_resume_then_restore(tmp_path: Path) -> None:
    home, root = _machine(tmp_path / "reference")
    original = tree_state(home)
    done = _mcpir("respond", "--only", "contain", "--yes", "--home", home, "--root", root)
    assert done.returncode == 0, done.stdout + done.stderr
    contained = tree_state(home)
    assert contained != original

    point = 0
    while True:
        point += 1
        assert point < 200, "the crash loop never reached a clean run"
        home, root = _machine(tmp_path / f"crash-{point}")
        crashed = _mcpir(
            "respond", "--only", "contain", "--yes", "--home", home, "--root", root, crash_at=point
        )
        if crashed.returncode == 0:
            break  # past the last write point: every one has been tried
        assert crashed.returncode == -9, (point, crashed.stderr)
        resumed = _mcpir(
            "respond", "--resume", _latest(root), "--only", "contain", "--yes",
            "--home", home, "--root", root,
        )  # fmt: skip
        assert resumed.returncode == 0, (point, resumed.stdout, resumed.stderr)
        assert tree_state(home) == contained, f"crash at write {point}: wrong state after resume"
        restored = _mcpir("restore", "--root", root)
        assert restored.returncode == 0, (point, restored.stderr)
        assert tree_state(home) == original, f"crash at write {point}: restore not byte-exact"
    assert point > 10  # the fixture really has that many write points


def test_new_respond_after_a_crash_points_to_resume(tmp_path: Path) -> None:
    home, root = _machine(tmp_path)
    # The 4th write is inside the first file change: the journal holds a change not applied.
    crashed = _mcpir("respond", "--only", "contain", "--yes", "--home", home, "--root", root,
                     crash_at=4)  # fmt: skip
    assert crashed.returncode == -9
    again = _mcpir("respond", "--only", "contain", "--yes", "--home", home, "--root", root)
    assert again.returncode == 2 and "--resume" in again.stderr
