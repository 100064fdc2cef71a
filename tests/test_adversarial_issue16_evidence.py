"""Red-team review of issue 16: token age and exposure evidence.

Each test names the weakness it probes (see tests/adversarial16_support.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.adversarial16_support import (  # noqa: F401
    LS,
    PASSWORD,
    PLAYBOOK,
    SERVERS,
    TOKEN,
    _contain,
    _every_file_text,
    _git,
    _sandbox,
)
from tests.conftest import RunCli

# --- 6. Token evidence --------------------------------------------------------------------------


def _transcript_machine(tmp_path: Path, tool: str, *, payload: int = 0) -> tuple[Path, Path]:
    home, root = tmp_path / "home", tmp_path / "project"
    (home / ".claude" / "projects" / "-p").mkdir(parents=True)
    root.mkdir()
    env = {"GITHUB_PERSONAL_ACCESS_TOKEN": TOKEN, "DB_PASSWORD": PASSWORD}
    (home / ".claude.json").write_text(json.dumps({"mcpServers": {"github": {
        "command": "npx", "args": ["-y", "@modelcontextprotocol/server-github@2025.4.8"],
        "env": env}}}))  # fmt: skip
    call = {"type": "assistant", "sessionId": "s1", "timestamp": "2026-12-01T10:00:00Z",
            "uuid": "u1", "message": {"role": "assistant", "content": [
                {"type": "tool_use", "id": "t1", "name": tool,
                 "input": {"q": TOKEN, "p": "x" * payload}}]}}  # fmt: skip
    (home / ".claude" / "projects" / "-p" / "s1.jsonl").write_text(json.dumps(call) + "\n")
    return home, root


def test_token_evidence_caches_hold_no_secret(run_cli: RunCli, tmp_path: Path) -> None:
    # Weakness: SECURITY.md says the data dir holds names, dates and fingerprints only.
    from mcpir.core.paths import data_dir

    home, root = _transcript_machine(tmp_path, f"mcp__evil__{TOKEN}")
    result = run_cli("tokens", "status", "--json", "--home", home, "--root", root)
    assert result.code == 1 and TOKEN not in result.stdout + result.stderr
    assert "exposed" in result.stdout
    assert TOKEN not in _every_file_text(data_dir())


def test_token_evidence_labels_are_bounded(run_cli: RunCli, tmp_path: Path) -> None:
    # Weakness: unbounded attacker-chosen text kept in mcpir's state.
    from mcpir.core.paths import data_dir

    home, root = _transcript_machine(tmp_path, "mcp__evil__" + "t" * 1_000_000)
    run_cli("tokens", "status", "--home", home, "--root", root)
    assert (data_dir() / "inventory.json").stat().st_size < 64 * 1024


def test_transcripts_linked_out_of_the_home_are_not_evidence(
    run_cli: RunCli, tmp_path: Path
) -> None:
    # Defence that holds: a transcript (or a folder of them) linked from outside the home is
    # not read for token evidence.
    home, root = _transcript_machine(tmp_path, "mcp__evil__send")
    outside = tmp_path / "outside"
    outside.mkdir()
    transcript = home / ".claude" / "projects" / "-p" / "s1.jsonl"
    transcript.rename(outside / "s1.jsonl")
    transcript.symlink_to(outside / "s1.jsonl")
    (home / ".claude" / "projects" / "-q").symlink_to(outside)
    result = run_cli("tokens", "status", "--json", "--home", home, "--root", root)
    states = {t["id"]: t["state"] for t in json.loads(result.stdout)}
    assert "exposed" not in states.values(), states


@pytest.mark.parametrize("name", ["cache/evidence-transcripts.json", "inventory.json"])
def test_a_nested_state_file_is_not_a_traceback(run_cli: RunCli, tmp_path: Path, name: str) -> None:
    # Weakness: "never trusted" caches still crash the reader.
    from mcpir.core.paths import cache_dir, data_dir

    home, root = _transcript_machine(tmp_path, "mcp__evil__send")
    target = (
        (cache_dir() / name.split("/", 1)[1]) if name.startswith("cache/") else (data_dir() / name)
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("[" * 100_000 + "]" * 100_000)
    result = run_cli("tokens", "status", "--home", home, "--root", root)
    assert result.code in (0, 1, 2) and "Traceback" not in result.stderr


def test_token_history_walk_holds_a_bounded_total(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Weakness: git history read for token age is bounded per blob, not in total.
    import mcpir.audit.git as git_module
    from mcpir.workspace.history import committed

    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q", ".")
    for n in range(18):
        doc = {"mcpServers": {"gh": {"command": "npx", "args": ["-y", "gh@1.0.0"],
                                     "env": {"GITHUB_TOKEN": TOKEN},
                                     "description": str(n) + "x" * (4 << 20)}}}  # fmt: skip
        (root / ".mcp.json").write_text(json.dumps(doc))
        _git(root, "add", "-A")
        _git(root, "commit", "-qm", f"c{n}")
    held: list[int] = []
    real = git_module.cat_blobs

    def measured(repo: Any, shas: Any) -> dict[str, bytes | str]:  # noqa: ANN401
        found = real(repo, shas)
        held.append(sum(len(v) for v in found.values()))
        return found

    monkeypatch.setattr(git_module, "cat_blobs", measured)
    committed(root)
    assert max(held, default=0) <= 64 << 20, f"{max(held) >> 20} MiB held at once"
