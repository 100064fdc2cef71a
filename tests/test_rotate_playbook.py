"""The playbook's rotate step after contain: every token named by fingerprint, and — where the
playbook asks for it — literal tokens moved out of the contained configs into the keyring,
through the incident's journal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from mcpir.core.secret import fingerprint
from tests.conftest import RunCli
from tests.test_externalize import MemoryKeyring, files_holding, memory_keyring
from tests.treehash import tree_state

TOKEN = "ghp_CANARYplaybookROTATE0000000000000001"
PLAYBOOK = """\
version: 1
name: contain-and-move
steps:
  - id: contain
    title: contain
    task: contain
    on_failure: stop
  - id: rotate
    title: rotate
    task: rotate
    approval: true
    params:
      externalize: true
    on_failure: stop
"""


@pytest.fixture
def memory() -> Iterator[MemoryKeyring]:
    """An in-process keyring: the step's flow runs on machines without an OS one."""
    yield from memory_keyring()


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A home with the token in ~/.claude.json (contained: section moved aside) and a project
    whose MCP-only files hold it too (contained: renamed), one of them JSONC with comments.
    $HOME is that home: the keyring is this user's to fill."""
    home, root = tmp_path / "home", tmp_path / "project"
    (root / ".vscode").mkdir(parents=True)
    home.mkdir()
    server = {"command": "npx", "args": ["-y", "server-github"], "env": {"GH_PB_TOKEN": TOKEN}}
    (home / ".claude.json").write_text(
        json.dumps({"numStartups": 3, "mcpServers": {"gh": server}}, indent=2) + "\n"
    )
    (root / ".mcp.json").write_text(json.dumps({"mcpServers": {"gh": server}}) + "\n")
    (root / ".vscode" / "mcp.json").write_text(
        '{\n  // the team\'s servers\n  "servers": {\n    "gh": {"type": "stdio", '
        f'"command": "npx", "env": {{"GH_PB_TOKEN": "{TOKEN}"}}}}, // trailing\n  }},\n}}\n'
    )
    monkeypatch.setenv("HOME", str(home))
    return home, root


def respond(run_cli: RunCli, home: Path, root: Path, *extra: str | Path) -> tuple[int, str]:
    result = run_cli("respond", "--yes", "--json", "--home", home, "--root", root, *extra)
    assert "Traceback" not in result.stderr
    return result.code, result.stdout


def rotate_step(stdout: str) -> dict[str, object]:
    steps = json.loads(stdout)["steps"]
    return next(step for step in steps if step["id"] == "rotate")


def test_without_the_param_nothing_moves_and_every_token_is_named(
    run_cli: RunCli, machine: tuple[Path, Path], memory: MemoryKeyring, tmp_path: Path
) -> None:
    home, root = machine
    playbook = tmp_path / "list-only.yaml"
    playbook.write_text(PLAYBOOK.replace("    params:\n      externalize: true\n", ""))
    code, out = respond(run_cli, home, root, "--playbook", playbook)
    step = rotate_step(out)
    assert code == 1 and step["status"] == "attention", out
    assert fingerprint(TOKEN) in " ".join(map(str, step["notes"]))  # type: ignore[call-overload]
    assert memory.values == {}  # nothing went into the keyring
    assert files_holding(home, [TOKEN]) and files_holding(root, [TOKEN])


def test_moves_contained_literals_into_the_keyring_and_restore_is_byte_exact(
    run_cli: RunCli, machine: tuple[Path, Path], memory: MemoryKeyring, tmp_path: Path
) -> None:
    home, root = machine
    before = tree_state(home), tree_state(root)
    code, out = respond(run_cli, home, root)  # the built-in playbook
    step = rotate_step(out)
    notes = " ".join(map(str, step["notes"]))  # type: ignore[call-overload]
    assert code == 1 and step["status"] == "attention", out
    assert "moved out of 3 configs" in str(step["summary"])
    # Named by fingerprint, with the keyring entry it went into and the rotate command.
    assert f"{fingerprint(TOKEN)} (" in notes and "moved to keyring:GH_PB_TOKEN" in notes
    assert "mcpir tokens rotate tok_" in notes
    assert ("mcpir", "GH_PB_TOKEN") in memory.values
    assert set(memory.values.values()) == {TOKEN}
    # The contained files reference it; none holds it (the journal's backups aside).
    assert files_holding(home, [TOKEN]) == [] and files_holding(root, [TOKEN]) == []
    assert "${GH_PB_TOKEN}" in (root / ".mcp.json.mcpir-disabled").read_text()
    jsonc = (root / ".vscode" / "mcp.json.mcpir-disabled").read_text()
    assert "// the team's servers" in jsonc and "${env:GH_PB_TOKEN}" in jsonc
    assert TOKEN not in out
    restored = run_cli("restore", "--root", root, "--include-flagged")  # all of it, newest first
    assert restored.code == 0, restored.stderr
    assert (tree_state(home), tree_state(root)) == before


def test_a_home_that_is_not_this_users_fills_no_keyring(
    run_cli: RunCli,
    machine: tuple[Path, Path],
    memory: MemoryKeyring,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home, root = machine
    monkeypatch.setenv("HOME", str(tmp_path))  # --home is another machine's disk, a sandbox
    playbook = tmp_path / "pb.yaml"
    playbook.write_text(PLAYBOOK)
    code, out = respond(run_cli, home, root, "--playbook", playbook)
    assert code == 1 and memory.values == {}
    assert files_holding(root, [TOKEN])
    assert fingerprint(TOKEN) in out


def test_a_keyring_that_refuses_moves_nothing(
    run_cli: RunCli, machine: tuple[Path, Path], tmp_path: Path
) -> None:
    import keyring

    home, root = machine
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring(fail_writes=True))
    try:
        playbook = tmp_path / "pb.yaml"
        playbook.write_text(PLAYBOOK)
        code, out = respond(run_cli, home, root, "--playbook", playbook)
    finally:
        keyring.set_keyring(previous)
    step = rotate_step(out)
    assert code == 1 and step["status"] == "attention"
    assert "no file changed" in " ".join(map(str, step["notes"]))  # type: ignore[call-overload]
    assert "${GH_PB_TOKEN}" not in (root / ".mcp.json.mcpir-disabled").read_text()
