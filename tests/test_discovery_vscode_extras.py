"""VS Code's dev containers and workspace files, opencode's recorded projects, and Claude Code's
per-project switches on a copied home (issue 17).

`homes/vscode-extras` is another machine's home (`/home/alex`): a multi-root workspace opened in
VS Code (workspaceStorage), its folder's dev containers, an untitled workspace, and a project
Claude Code recorded with one `.mcp.json` server switched off (`disabledMcpjsonServers`).

Regenerate the golden after an intended change with
`MCPIR_UPDATE_GOLDEN=1 pytest tests/test_discovery_vscode_extras.py` and read the diff.
"""

from __future__ import annotations

import difflib
import json
import os
import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pyjson5
import pytest

from mcpir.core.documents import MAX_BYTES, MAX_DEPTH
from mcpir.core.paths import Scopes
from mcpir.discovery import discover
from mcpir.discovery.listing import list_servers, listing_rows
from tests.conftest import CANARY, FIXTURES, RunCli
from tests.treehash import tree_state

HOME = FIXTURES / "homes" / "vscode-extras"
GOLDEN = FIXTURES / "golden" / "vscode-extras.json"
DEVCONTAINERS = [
    "work/api/.devcontainer/devcontainer.json",
    "work/api/.devcontainer/python/devcontainer.json",
    "src/tool/.devcontainer.json",
]
WORKSPACES = ["work/team.code-workspace", ".config/Code/Workspaces/1733580000000/workspace.json"]

Tree = Callable[[str], Path]


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An unrelated working directory: its own tree holds no config."""
    cwd = tmp_path / "unrelated"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return cwd


@pytest.fixture
def home(fixture_tree: Tree) -> Path:
    return fixture_tree("homes/vscode-extras")


def _read(path: Path) -> Any:  # noqa: ANN401
    return pyjson5.decode(path.read_text(encoding="utf-8"))


def _at(data: Any, *keys: str) -> Any:  # noqa: ANN401
    for key in keys:
        data = data.get(key) if isinstance(data, Mapping) else None
    return data


def _vscode_would_start(rel: str, data: Any) -> list[str]:  # noqa: ANN401
    """The servers VS Code takes from this file, by its own rule: a dev container's
    `customizations.vscode.mcp.servers`; a workspace's `settings.mcp.servers` (and the dotted
    spelling), unless the workspace's settings say `"chat.mcp.access": "none"`."""
    if rel.endswith("devcontainer.json"):
        return list(_at(data, "customizations", "vscode", "mcp", "servers") or {})
    if _at(data, "settings", "chat.mcp.access") == "none":
        return []
    nested = _at(data, "settings", "mcp", "servers") or {}
    return [*nested, *(_at(data, "settings", "mcp.servers") or {})]


# --- discovery ----------------------------------------------------------------------------------


def test_listing_against_golden(elsewhere: Path) -> None:
    rows = listing_rows(list_servers(Scopes(HOME, None)))
    for row in rows:
        row["path"] = Path(row["path"]).relative_to(FIXTURES).as_posix()
        if "project" in row:
            row["project"] = Path(row["project"]).relative_to(HOME).as_posix()
    text = json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("MCPIR_UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8"), f"output differs from {GOLDEN}"
    found = {row["name"]: (row["scope"], row.get("project"), row["enabled"]) for row in rows}
    assert found == {
        # the workspace VS Code recorded (re-rooted under --home), and the folder it opens
        "ws-github": ("project", "work", True),
        "ws-dotted": ("project", "work", True),
        "dc-playwright": ("project", "work/api", True),
        "dc-postgres": ("project", "work/api", True),
        "dc-py-fetch": ("project", "work/api", True),  # .devcontainer/<folder>/devcontainer.json
        # a project Claude Code recorded: its root `.devcontainer.json`, and `tool-off`, which
        # Claude Code was told to leave off there, read as off under another machine's home
        "dc-root-time": ("project", "src/tool", True),
        "tool-on": ("project", "src/tool", True),
        "tool-off": ("project", "src/tool", False),
        "untitled-notes": ("user", None, True),  # <user data>/Workspaces/<id>/workspace.json
    }


def test_a_workspace_file_anywhere_under_root_and_its_switch(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "tools").mkdir(parents=True)
    (root / "tools" / "all.code-workspace").write_text(
        '{"folders": [], "settings": {"chat.mcp.access": "none",'
        ' "mcp": {"servers": {"quiet": {"command": "q"}}}}}'
    )
    (root / ".devcontainer.json").write_text(
        '{"customizations": {"vscode": {"mcp": {"servers-disabled-by-mcpir": '
        '{"aside": {"command": "a"}}, "servers": {"live": {"command": "l"}}}}}}'
    )
    files = discover(Scopes(tmp_path / "home", root, only_root=True))
    servers = {s.name: s.enabled for f in files for s in f.servers}
    assert servers == {"quiet": False, "aside": False, "live": True}


def test_the_audit_reads_both_as_shared_settings() -> None:
    """A commit that edits a workspace file's other settings is counted, not listed."""
    from mcpir.audit.paths import client_of, is_config, shared

    for path in ("deploy/team.code-workspace", ".devcontainer/devcontainer.json",
                 ".devcontainer/py/devcontainer.json", ".devcontainer.json"):  # fmt: skip
        assert is_config(path) and shared(path, client_of(path)), path
        assert client_of(path).name == "vscode"
    assert not is_config("docs/notes.code-workspace.md")


# --- containment and restore --------------------------------------------------------------------


def test_contain_patches_each_file_and_restore_gives_every_byte_back(
    run_cli: RunCli, home: Path, elsewhere: Path
) -> None:
    before = tree_state(home)
    originals = {
        rel: (home / rel).read_text(encoding="utf-8") for rel in DEVCONTAINERS + WORKSPACES
    }
    assert all(_vscode_would_start(rel, _read(home / rel)) for rel in originals)
    contained = run_cli("respond", "--only", "contain", "--yes", "--home", home, "--json")
    assert contained.code == 0, contained.stderr
    for rel, text in originals.items():
        path = home / rel
        assert path.is_file(), f"{rel}: renamed, where it had to be patched"
        data, was = _read(path), pyjson5.decode(text)
        assert _vscode_would_start(rel, data) == [], rel
        if rel in DEVCONTAINERS:  # the servers moved aside inside `mcp`; nothing else changed
            mcp = data["customizations"]["vscode"].pop("mcp")
            assert mcp == {
                "servers-disabled-by-mcpir": was["customizations"]["vscode"]["mcp"]["servers"]
            }
            was["customizations"]["vscode"].pop("mcp")
        else:  # one setting added to the workspace's settings; nothing else changed
            assert data["settings"].pop("chat.mcp.access") == "none"
        assert data == was, rel
        changed = [
            line for line in difflib.ndiff(text.splitlines(), path.read_text().splitlines())
            if line[:1] in "+-"
        ]  # fmt: skip
        assert len(changed) <= 2, (rel, changed)  # comments and layout kept
    listed = json.loads(run_cli("servers", "--home", home, "--json").stdout)
    assert [row["name"] for row in listed if row["enabled"]] == []
    restored = run_cli("restore", "--json")
    assert restored.code == 0, restored.stderr
    assert tree_state(home) == before


# --- hostile files: one line each, never a traceback --------------------------------------------


def _hostile_project(root: Path, home: Path) -> None:
    container = root / ".devcontainer"
    (container / "listed").mkdir(parents=True)
    (container / "huge").mkdir()
    (container / "deep").mkdir()
    (container / "listed" / "devcontainer.json").write_text(
        '{\n  "customizations": {"vscode": {"mcp": {\n    "servers": [{"command": "x"}]\n  }}}\n}'
    )
    pad = " " * (MAX_BYTES + 10)
    (container / "huge" / "devcontainer.json").write_text('{"name": "' + pad + '"}')
    deep = "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5)
    (container / "deep" / "devcontainer.json").write_text('{"customizations": ' + deep + "}")
    (root / "odd.code-workspace").write_text(
        f'{{"folders": [], "settings": {{"mcp": "{CANARY}"}}}}'
    )
    outside = home / "elsewhere.code-workspace"
    outside.write_text('{"settings": {"mcp": {"servers": {"far": {"command": "far"}}}}}')
    (root / "linked.code-workspace").symlink_to(outside)


def test_hostile_files_are_one_line_each(run_cli: RunCli, tmp_path: Path, elsewhere: Path) -> None:
    home, root = tmp_path / "home", tmp_path / "repo"
    home.mkdir()
    _hostile_project(root, home)
    result = run_cli("servers", "--home", home, "--root", root, "--only-root", "--json")
    assert result.code == 1 and "Traceback" not in result.stderr
    errors = {Path(row["path"]).relative_to(root).as_posix(): row["error"]
              for row in json.loads(result.stdout) if "error" in row}  # fmt: skip
    assert errors[".devcontainer/listed/devcontainer.json"] == (
        "line 3: customizations.vscode.mcp.servers is a list, not an object: "
        "VS Code reads no server"
    )
    assert errors[".devcontainer/huge/devcontainer.json"].startswith("too large")
    assert "nested deeper than" in errors[".devcontainer/deep/devcontainer.json"]
    assert errors["odd.code-workspace"].startswith("line 1: settings.mcp is a string")
    assert errors["linked.code-workspace"].startswith("symlink to ")
    assert errors["linked.code-workspace"].endswith("leaves --root: not followed")
    assert all("\n" not in error for error in errors.values())
    assert CANARY not in result.stdout + result.stderr
    table = run_cli("servers", "--home", home, "--root", root, "--only-root")
    assert table.code == 1 and "Traceback" not in table.stdout + table.stderr
    before = tree_state(tmp_path)
    contained = run_cli("respond", "--only", "contain", "--yes", "--home", home, "--root", root,
                        "--only-root", "--json")  # fmt: skip
    assert "Traceback" not in contained.stderr
    assert {k: v for k, v in tree_state(tmp_path).items() if ".atom-trail" not in k} == before


def test_a_recorded_workspace_file_linking_out_of_its_project_is_not_followed(
    run_cli: RunCli, tmp_path: Path, elsewhere: Path
) -> None:
    home = tmp_path / "home"
    storage = home / ".config" / "Code" / "User" / "workspaceStorage" / "0f0f"
    storage.mkdir(parents=True)
    uri = "file:///home/alex/ws/team.code-workspace"
    (storage / "workspace.json").write_text(json.dumps({"workspace": uri}))
    planted = tmp_path / "planted.code-workspace"  # outside the home and the project
    planted.write_text('{"settings": {"mcp": {"servers": {"far": {"command": "far"}}}}}')
    (home / "ws").mkdir()
    (home / "ws" / "team.code-workspace").symlink_to(planted)
    result = run_cli("servers", "--home", home, "--json")
    assert result.code == 1 and "Traceback" not in result.stderr
    rows = json.loads(result.stdout)
    assert [row["error"] for row in rows] == [
        f"symlink to {planted} leaves the project: not followed"
    ]
    assert "far" not in result.stdout


# --- opencode's recorded projects ---------------------------------------------------------------


def test_a_project_known_only_from_opencodes_database(
    run_cli: RunCli, tmp_path: Path, elsewhere: Path
) -> None:
    home = tmp_path / "home"
    data = home / ".local" / "share" / "opencode"
    data.mkdir(parents=True)
    with sqlite3.connect(data / "opencode.db") as connection:
        connection.execute("CREATE TABLE project (id TEXT PRIMARY KEY, worktree TEXT NOT NULL)")
        connection.executemany(
            "INSERT INTO project VALUES (?, ?)",
            [("global", "/"), ("a1", "/home/alex/code/agent")],  # recorded on another machine
        )
    connection.close()
    project = home / "code" / "agent"
    project.mkdir(parents=True)
    (project / "opencode.json").write_text(
        '{"mcp": {"oc-only": {"type": "local", "command": ["uvx", "mcp-server-git"]}}}'
    )
    rows = json.loads(run_cli("servers", "--home", home, "--json").stdout)
    assert [(r["name"], r["client"], r["project"]) for r in rows] == [
        ("oc-only", "opencode", str(project))
    ]
    projects = json.loads(run_cli("servers", "--home", home, "--projects", "--json").stdout)
    assert {p["recorded"]: p["known_from"] for p in projects}["/home/alex/code/agent"] == [
        "opencode"
    ]


# --- Claude Code's per-project switches ---------------------------------------------------------


def test_claude_codes_switch_is_found_on_this_machines_home_too(tmp_path: Path) -> None:
    """Without `--home`, recorded paths are where they are: the same lookup, not re-rooted."""
    home, project = tmp_path / "me", tmp_path / "disk" / "proj"
    home.mkdir()
    project.mkdir(parents=True)
    (project / ".mcp.json").write_text(
        '{"mcpServers": {"a": {"command": "a"}, "b": {"command": "b"}}}'
    )
    state = {"projects": {str(project): {"disabledMcpjsonServers": ["b"]}}}
    (home / ".claude.json").write_text(json.dumps(state))
    files = discover(Scopes(home, None, environ={}))
    servers = {s.name: s.enabled for f in files for s in f.servers}
    assert servers == {"a": True, "b": False}


def test_a_recorded_path_outside_the_copied_home_switches_nothing_here(tmp_path: Path) -> None:
    """`/srv/x` on the other machine is not `<--home>/srv/x`, nor this machine's `/srv/x`."""
    home = tmp_path / "home"
    project = home / "src" / "app"
    project.mkdir(parents=True)
    (project / ".mcp.json").write_text('{"mcpServers": {"a": {"command": "a"}}}')
    state = {
        "projects": {
            "/home/alex/src/app": {},
            "/home/alex/src/other": {},
            "/srv/src/app": {"disabledMcpjsonServers": ["a"]},
        }
    }
    (home / ".claude.json").write_text(json.dumps(state))
    files = discover(Scopes(home, None))
    assert [(s.name, s.enabled) for f in files for s in f.servers] == [("a", True)]
