"""Red team, second round: attacks on the fixes for planted incidents, the key, the bounded
parsers and the proxy's pins. Each test asserts the SAFE behaviour.

- A sealed journal is bound to its incident id only, not to the project it lives in: a journal
  (and its backups) from project A, copied or linked into project B, is trusted in B, and
  `mcpir restore` run in B undoes A's containment.
- A planted incident whose journal cannot be read (a symlink, a directory) stops
  `mcpir restore` from finding the latest real incident.
- A planted journal of millions of tiny lines (a few KB once git compresses it) stalls every
  command that looks for the latest incident.
- YAML and TOML configs under the 5 MiB limit still take tens of seconds to parse.
- A directory where the journal key goes is a bare "[Errno 21]".
- Tool pins are plain files in the repository: a commit that rewrites the pin approves a
  changed tool, and `--block-changed` relays it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, RunCli

EVIL = {"mcpServers": {"evil": {"command": "npx", "args": ["-y", "evil-mcp"]}}}


def _mcpir(*args: str | Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "mcpir", *map(str, args)]
    return subprocess.run(argv, capture_output=True, text=True, check=False, timeout=timeout)


def _contain(run_cli: RunCli, home: Path, root: Path) -> str:
    result = run_cli("respond", "--only", "contain", "--yes", "--json", "--home", home,
                     "--root", root)  # fmt: skip
    assert result.code == 0, result.stderr
    return str(json.loads(result.stdout)["incident"])


# -- 1. a sealed incident of another project ------------------------------------------------


def test_a_sealed_incident_copied_from_another_project_is_not_restored_here(
    run_cli: RunCli, tmp_path: Path
) -> None:
    """Project A's `.mcp.json` is committed, so its bytes (and so the backup mcpir made of it)
    are known to anyone; A's journal travels with A. Copied into project B under the same id,
    it verifies (the MAC binds the id only), and `mcpir restore` in B re-enables A's server."""
    home, a, b = tmp_path / "home", tmp_path / "A", tmp_path / "B"
    for directory in (home, a, b):
        directory.mkdir()
    (a / ".mcp.json").write_text(json.dumps(EVIL))
    real = _contain(run_cli, home, a)
    assert (a / ".mcp.json.mcpir-disabled").exists() and not (a / ".mcp.json").exists()
    planted = b / ".atom-trail" / "incidents" / real
    planted.parent.mkdir(parents=True)
    shutil.copytree(a / ".atom-trail" / "incidents" / real, planted)
    (planted / "incident.json").unlink()
    result = run_cli("restore", "--root", b)
    assert result.code == 2, (result.code, result.stdout, result.stderr)
    assert (a / ".mcp.json.mcpir-disabled").exists() and not (a / ".mcp.json").exists()
    listed = json.loads(run_cli("report", "--list", "--json", "--root", b).stdout)
    assert [r["status"] for r in listed["incidents"]] == ["untrusted"]


@pytest.mark.parametrize("link", ["incident", "incidents"])
def test_a_linked_incident_directory_of_another_project_is_refused(
    run_cli: RunCli, tmp_path: Path, link: str
) -> None:
    """A relative symlink committed to project B (`incidents/<id>` or `incidents` itself)
    reaches the real incident of a sibling checkout A, backups and all: `mcpir restore` in B
    undoes A's containment in the home. SECURITY.md: links planted in the trail are refused."""
    home, a, b = tmp_path / "home", tmp_path / "A", tmp_path / "B"
    (home / ".cursor").mkdir(parents=True)
    a.mkdir()
    b.mkdir()
    shutil.copy2(FIXTURES / "homes" / "linux" / ".cursor" / "mcp.json", home / ".cursor")
    real = _contain(run_cli, home, a)
    disabled = home / ".cursor" / "mcp.json.mcpir-disabled"
    assert disabled.exists()
    (b / ".atom-trail" / "incidents").mkdir(parents=True)
    if link == "incident":
        (b / ".atom-trail" / "incidents" / real).symlink_to(
            Path("..", "..", "..", "A", ".atom-trail", "incidents", real)
        )
    else:
        (b / ".atom-trail" / "incidents").rmdir()
        (b / ".atom-trail" / "incidents").symlink_to(Path("..", "..", "A", ".atom-trail",
                                                          "incidents"))  # fmt: skip
    result = run_cli("restore", "--root", b)
    assert result.code == 2, (result.code, result.stdout, result.stderr)
    assert disabled.exists() and not (home / ".cursor" / "mcp.json").exists()


# -- 2. planted incidents that block or stall "the latest" -----------------------------------


@pytest.mark.parametrize("kind", ["symlink", "directory"])
def test_a_planted_unreadable_journal_does_not_block_restoring_the_latest(
    run_cli: RunCli, tmp_path: Path, kind: str
) -> None:
    """A commit can ship `incidents/<id>/journal.jsonl` as a symlink or a directory: every
    command that looks for the latest incident then fails, and the real one is not restored."""
    home, root = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    root.mkdir()
    (root / ".mcp.json").write_text(json.dumps(EVIL))
    _contain(run_cli, home, root)
    planted = root / ".atom-trail" / "incidents" / "ATOM-INC-20990101-001-planted"
    planted.mkdir()
    if kind == "symlink":
        (planted / "journal.jsonl").symlink_to(os.devnull)
    else:
        (planted / "journal.jsonl").mkdir()
        (planted / "journal.jsonl" / "x").write_text("x")
    result = run_cli("restore", "--root", root)
    assert result.code == 0, (result.code, result.stderr)
    assert (root / ".mcp.json").exists() and not (root / ".mcp.json.mcpir-disabled").exists()
    report = run_cli("report", "--root", root)
    assert report.code == 0, (report.code, report.stderr)


def test_a_huge_planted_journal_does_not_stall_restore(run_cli: RunCli, tmp_path: Path) -> None:
    """4 million tiny records (32 MB on disk, about 30 KB in git) in an incident nobody sealed:
    every one is parsed (several times) before mcpir sees none is sealed. ~16 s and ~1 GB today."""
    home, root = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    root.mkdir()
    (root / ".mcp.json").write_text(json.dumps(EVIL))
    _contain(run_cli, home, root)
    planted = root / ".atom-trail" / "incidents" / "ATOM-INC-20990101-001-planted"
    planted.mkdir()
    (planted / "journal.jsonl").write_bytes(b'{"a":1}\n' * 4_000_000)
    try:
        result = _mcpir("restore", "--root", root, "--dry-run", timeout=6)
    except subprocess.TimeoutExpired:
        pytest.fail("a planted 32 MB journal stalled `mcpir restore` for over 6 s")
    assert result.returncode == 0, result.stderr
    assert ".mcp.json" in result.stdout


# -- 3. bounded parsers that are not bounded in time -----------------------------------------


@pytest.mark.parametrize(
    ("rel", "text"),
    [
        # Continue's block files are read from the project.
        (".continue/mcpServers/pad.yaml",
         "mcpServers: [{name: a, command: npx}]\npad: [" + ",".join(["1"] * 1_000_000) + "]\n"),
        # Codex reads `.codex/config.toml` from the project too.
        (".codex/config.toml",
         "pad = [" + ",".join(["1"] * 2_500_000) + "]\n[mcp_servers.a]\ncommand = \"npx\"\n"),
    ],
    ids=["yaml-flow-2MB", "toml-array-5MB"],
)  # fmt: skip
def test_a_config_under_the_size_limit_is_parsed_or_refused_quickly(
    tmp_path: Path, rel: str, text: str
) -> None:
    """Under 5 MiB, yet a flat flow list of one-character scalars takes ~20 s in YAML (every
    scalar is a Python node, measured, then built) and ~10 s in TOML (tomllib)."""
    home, root = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    (root / rel).parent.mkdir(parents=True)
    (root / rel).write_text(text)
    assert len(text.encode()) < 5 * 1024 * 1024
    try:
        result = _mcpir("servers", "--json", "--home", home, "--root", root, timeout=6)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{rel} ({len(text):,} bytes) stalled `mcpir servers` for over 6 s")
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr


# -- 4. the key file -------------------------------------------------------------------------


def test_a_directory_where_the_key_goes_is_a_one_line_error_naming_it(
    run_cli: RunCli, tmp_path: Path
) -> None:
    home, root = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    root.mkdir()
    (root / ".mcp.json").write_text(json.dumps(EVIL))
    (Path(os.environ["MCPIR_HOME"]) / "journal.key").mkdir(parents=True)
    result = run_cli("respond", "--only", "contain", "--yes", "--home", home, "--root", root)
    assert result.code == 2, (result.code, result.stderr)
    assert "journal.key" in result.stderr and "Traceback" not in result.stderr
    assert (root / ".mcp.json").exists()
    # No half-made incident is left behind to take the day's number.
    incidents = root / ".atom-trail" / "incidents"
    assert not incidents.exists() or not any(incidents.iterdir())


# -- 5. pins are repository files ------------------------------------------------------------


def test_a_pin_rewritten_by_a_commit_does_not_approve_a_changed_tool(tmp_path: Path) -> None:
    """SECURITY.md lists pins among the repository files treated as hostile, yet the proxy
    takes `<root>/.atom-trail/tool-pins/<server>.json` as the approved list: a commit that
    rewrites it to the poisoned definition gets the poisoned tool past `--block-changed`."""
    from tests.test_adversarial_proxy import ADD, POISON, Session, _first_session, _listing

    _first_session(tmp_path, _listing(ADD))  # the user's proxy pins the benign tool
    pin = tmp_path / ".atom-trail" / "tool-pins" / "srv.json"
    document = json.loads(pin.read_text())
    poisoned = {**ADD, "description": POISON}
    document["tools"] = [poisoned]
    pin.write_text(json.dumps(document, indent=2))  # what `git pull` brings
    session = Session(tmp_path, "--block-changed", listing=_listing(poisoned))
    shown = session.tools()
    session.finish()
    assert all(t.get("description") != POISON for t in shown), shown
