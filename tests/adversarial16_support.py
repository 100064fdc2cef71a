"""Shared helpers of the red-team review of issue 16 (tests/test_adversarial_issue16_*.py):
the index, change sets, report edit, the report, token evidence, restore, redaction.

A test that fails today is marked `xfail(strict=True)` with what is wrong, so the suite stays
green and a fix flips it; the others prove a defence holds.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from tests.conftest import RunCli

TOKEN = "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"  # a fake, valid-looking classic PAT
PASSWORD = "CANARY-issue16-pw-7f3c"
# LINE SEPARATOR: str.splitlines() splits on it; json.dumps(ensure_ascii=False) keeps it raw.
LS = "\u2028"
SERVERS = {"mcpServers": {"gh": {"command": "npx", "args": ["-y", "gh-mcp@1.0.0"]}}}
PLAYBOOK = {"path": "incident-response.yaml", "sha256": "0" * 64}


def _contain(run_cli: RunCli, home: Path, root: Path, title: str = "poisoned gh") -> str:
    result = run_cli("respond", "--only", "contain", "--yes", "--json", "--home", home,
                     "--root", root, "--title", title)  # fmt: skip
    assert result.code == 0, result.stderr
    return str(json.loads(result.stdout)["incident"])


def _sandbox(tmp_path: Path, servers: dict[str, Any] | None = None) -> tuple[Path, Path]:
    home, root = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    root.mkdir()
    (root / ".mcp.json").write_text(json.dumps(servers or SERVERS, indent=2) + "\n")
    return home, root


def _git(root: Path, *args: str, name: str = "Alex", email: str = "alex@payments.example") -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email,
               GIT_COMMITTER_NAME=name, GIT_COMMITTER_EMAIL=email)  # fmt: skip
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def _every_file_text(*trees: Path) -> str:
    return "\n".join(
        path.read_bytes().decode("utf-8", "replace")
        for tree in trees
        for path in tree.rglob("*")
        if path.is_file() and not path.is_symlink()
    )
