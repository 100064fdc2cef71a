"""Every project the user works in: found in the clients' own saved state, listed with its state,
contained and restored, and never a way to make mcpir read or write outside what it should."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from mcpir.core.paths import Scopes
from mcpir.discovery import discover
from mcpir.discovery.clients import CLIENTS
from mcpir.discovery.projects import MAX_PROJECTS, Collection, ProjectState, collect
from tests.conftest import CANARY, RunCli

Tree = Callable[[str], Path]


@pytest.fixture
def home(fixture_tree: Tree) -> Path:
    """A copy of a home whose three projects are known only from Claude Code's `projects`,
    VS Code's workspaceStorage and Codex's `[projects]`, recorded as `/home/alex/…`."""
    return fixture_tree("projects-home")


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An unrelated working directory: its own tree holds no config."""
    cwd = tmp_path / "unrelated"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return cwd


@pytest.fixture
def real_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home used as this machine's own (no --home): recorded paths are read where they are."""
    home = tmp_path / "me"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for var in ("CLAUDE_CONFIG_DIR", "CODEX_HOME", "XDG_DATA_HOME", "VSCODE_PORTABLE",
                "COPILOT_HOME", "CLAUDE_CODE_PLUGIN_CACHE_DIR", "OPENCODE_CONFIG",
                "OPENCODE_CONFIG_DIR", "XDG_CONFIG_HOME"):  # fmt: skip
        monkeypatch.delenv(var, raising=False)
    return home


def _tree_hashes(tree: Path) -> dict[str, str]:
    return {
        path.relative_to(tree).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(tree.rglob("*"))
        if path.is_file() and ".atom-trail" not in path.parts
    }


def _by_state(collection: Collection) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for project in collection.projects:
        found.setdefault(project.state.value, set()).add(project.recorded)
    return found


def _claude(home: Path, *projects: str) -> None:
    state: dict[str, object] = {"projects": {p: {"allowedTools": []} for p in projects}}
    (home / ".claude.json").write_text(json.dumps(state), encoding="utf-8")


def _mcp(project: Path, name: str) -> Path:
    project.mkdir(parents=True, exist_ok=True)
    path = project / ".mcp.json"
    path.write_text(json.dumps({"mcpServers": {name: {"command": "npx", "args": [name]}}}))
    return path


def _window(home: Path, key: str, uri: str, user_dir: str = ".config/Code/User") -> None:
    window = home / user_dir / "workspaceStorage" / f"w{abs(hash(uri)) % 10**8}"
    window.mkdir(parents=True)
    (window / "workspace.json").write_text(json.dumps({key: uri}), encoding="utf-8")


# --- the whole job, from an unrelated directory -------------------------------------------------


def test_servers_from_an_unrelated_directory_lists_every_project(
    run_cli: RunCli, home: Path, elsewhere: Path
) -> None:
    result = run_cli("servers", "--home", home, "--json")
    assert result.code == 0, result.stderr
    rows = json.loads(result.stdout)
    found = {row["name"]: (row["client"], row["scope"], row.get("project")) for row in rows}
    assert found == {
        # re-rooted: recorded as /home/alex/…, read under --home
        "api-db": ("claude-code", "project", str(home / "src" / "api")),
        "web-browser": ("vscode", "project", str(home / "src" / "web app")),
        "cli-docs": ("codex", "project", str(home / "work" / "cli")),
        "cli-search": ("cursor", "project", str(home / "work" / "cli")),
        # Claude Code was started in mono/packages/worker: the monorepo root is read too
        "mono-root": ("claude-code", "project", str(home / "mono")),
    }
    # A recorded project is read at its top, where its clients read it: not walked.
    assert "nested-not-read" not in result.stdout
    assert CANARY not in result.stdout + result.stderr


def test_projects_listing_says_what_was_not_read_and_why(
    run_cli: RunCli, home: Path, elsewhere: Path
) -> None:
    result = run_cli("servers", "--home", home, "--projects", "--json")
    assert result.code == 0, result.stderr
    rows = {row["recorded"]: row for row in json.loads(result.stdout)}
    assert rows[str(elsewhere)]["known_from"] == ["--root"]
    api = rows["/home/alex/src/api"]
    assert api["state"] == "ok" and api["project"] == str(home / "src" / "api")
    assert (api["known_from"], api["files"], api["servers"]) == (["claude-code"], 1, 1)
    assert rows["/home/alex/src/web app"]["known_from"] == ["vscode"]  # file:// URI, decoded
    assert rows["/home/alex/work/cli"]["servers"] == 2
    gone = rows["/home/alex/src/deleted-long-ago"]
    assert (gone["state"], gone["reason"]) == ("missing", "no longer exists")
    shared = rows["/srv/shared/tool"]
    assert shared["state"] == "unreachable" and "outside /home/alex" in shared["reason"]
    remote = rows["vscode-remote://ssh-remote%2Bbuildbox/home/alex/src/remote-only"]
    assert (remote["state"], remote["reason"]) == ("unreachable", "not a local path")
    assert rows[str(home / "mono")]["known_from"] == ["parent folder"]
    table = run_cli("servers", "--home", home)
    assert "missing, no longer exists" in table.stdout and table.code == 0


def test_the_table_names_the_first_projects_not_read_then_counts(
    run_cli: RunCli, tmp_path: Path, elsewhere: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    _claude(home, *(f"/home/alex/gone{n:02}" for n in range(25)))
    table = run_cli("servers", "--home", home).stdout
    assert "1 project read, 25 not read" in table
    assert "gone09: missing" in table and "gone10" not in table
    assert "and 15 more: mcpir servers --projects" in table


def test_only_root_reads_no_recorded_project(run_cli: RunCli, home: Path, elsewhere: Path) -> None:
    result = run_cli("servers", "--home", home, "--only-root", "--json")
    assert result.code == 0 and json.loads(result.stdout) == []


def test_contain_disables_every_project_and_restore_puts_every_byte_back(
    run_cli: RunCli, home: Path, elsewhere: Path
) -> None:
    before = _tree_hashes(home)
    contained = run_cli("respond", "--only", "contain", "--yes", "--home", home, "--json")
    assert contained.code == 0, contained.stderr
    step = json.loads(contained.stdout)["steps"][0]
    assert "disabled 5 servers in 5 files across 4 projects" in step["summary"]
    # Out of reach, so not contained: said, without failing the step (exit 0).
    far = [note for note in step["notes"] if note.startswith("not contained, out of reach")]
    assert len(far) == 2 and "/srv/shared/tool" in far[0] and "vscode-remote://" in far[1]
    rows = json.loads(run_cli("servers", "--home", home, "--json").stdout)
    assert len(rows) == 5 and not any(row["enabled"] for row in rows)
    restored = run_cli("restore", "--json")
    assert restored.code == 0, restored.stderr
    assert _tree_hashes(home) == before


def test_a_project_outside_home_and_root_is_contained_and_restored(
    run_cli: RunCli, real_home: Path, elsewhere: Path, tmp_path: Path
) -> None:
    """The journal's bounds grow by the projects the contain step named, sealed, beforehand."""
    outside = tmp_path / "disk" / "tool"
    config = _mcp(outside, "far-away")
    original = config.read_bytes()
    _claude(real_home, str(outside))
    assert run_cli("respond", "--only", "contain", "--yes").code == 0
    assert not config.exists()
    journal = next(elsewhere.glob(".atom-trail/incidents/*/journal.jsonl"))
    records = [json.loads(line) for line in journal.read_text().splitlines()]
    kinds = [r["type"] for r in records]
    assert kinds.index("projects") < kinds.index("change")
    assert records[kinds.index("projects")]["roots"] == [str(outside)]
    restored = run_cli("restore")
    assert restored.code == 0, restored.stderr
    assert config.read_bytes() == original


def test_a_projects_record_after_a_change_or_a_swapped_root_bounds_nothing(
    run_cli: RunCli, real_home: Path, elsewhere: Path, tmp_path: Path
) -> None:
    from mcpir.incident.journal import Journal

    outside = tmp_path / "disk" / "tool"
    config = _mcp(outside, "far-away")
    _claude(real_home, str(outside))
    assert run_cli("respond", "--only", "contain", "--yes").code == 0
    journal_path = next(elsewhere.glob(".atom-trail/incidents/*/journal.jsonl"))
    journal = Journal(journal_path.parent)
    assert journal.changes()  # inside the recorded project: accepted
    # The project's folder swapped for a link to elsewhere since: it bounds nothing now.
    target = tmp_path / "victim"
    target.mkdir()
    (tmp_path / "disk" / "tool").rename(tmp_path / "disk" / "tool-moved")
    (tmp_path / "disk" / "tool").symlink_to(target)
    result = run_cli("restore", "--force")
    assert result.code == 2 and "outside the incident's home and root" in result.stderr
    assert not (target / ".mcp.json").exists() and not config.exists()


def test_a_sealed_change_before_its_projects_record_is_still_refused(
    run_cli: RunCli, real_home: Path, elsewhere: Path, tmp_path: Path
) -> None:
    from mcpir.incident.journal import Journal

    folder = elsewhere / ".atom-trail" / "incidents" / "ATOM-INC-20261207-009-planted"
    folder.mkdir(parents=True)
    outside = tmp_path / "far"
    outside.mkdir()
    journal = Journal(folder)
    journal.append({"type": "incident-opened", "home": str(real_home), "root": str(elsewhere)})
    (elsewhere / "payload.txt").write_text("payload")
    journal.append({"type": "change", "change": 1, "op": "rename", "path": str(outside / "x"),
                    "target": str(elsewhere / "payload.txt"), "before": None, "after": None,
                    "mode": 420, "servers": []})  # fmt: skip
    journal.append({"type": "projects", "step": "contain", "roots": [str(outside)]})
    journal.append({"type": "applied", "change": 1})
    result = run_cli("restore", folder.name, "--force")
    assert result.code == 2 and "outside the incident's home and root" in result.stderr
    assert not (outside / "x").exists()


@pytest.mark.parametrize("roots", [["/"], ["relative/dir"], ["/tmp/../etc"], [7], "/etc"])
def test_a_projects_record_naming_no_real_project_bounds_nothing(roots: object) -> None:
    from mcpir.incident.records import _project_bounds

    assert _project_bounds({"type": "projects", "roots": roots}) == []


# --- where each client records its projects -----------------------------------------------------


def test_each_client_records_its_projects_in_its_own_state(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for name in ("claude", "code", "cursor", "windsurf", "codex", "remote", "ws-a", "ws-b"):
        (home / "p" / name).mkdir(parents=True)
    _claude(home, str(home / "p" / "claude"))
    _window(home, "folder", (home / "p" / "code").as_uri())
    _window(
        home, "folder", (home / "p" / "cursor").as_uri(), "Library/Application Support/Cursor/User"
    )
    _window(home, "folder", (home / "p" / "windsurf").as_uri(), "AppData/Roaming/Windsurf/User")
    # A remote window's server runs where the project is: its vscode-remote URI is local there.
    _window(home, "folder", f"vscode-remote://ssh-remote%2Bbox{home / 'p' / 'remote'}",
            ".vscode-server/data/User")  # fmt: skip
    workspace = home / "p" / "team.code-workspace"
    folders = [{"path": "ws-a"}, {"uri": (home / "p" / "ws-b").as_uri()}]
    workspace.write_text(json.dumps({"folders": folders, "settings": {}}))
    _window(home, "workspace", workspace.as_uri())
    (home / ".codex").mkdir()
    (home / ".codex" / "config.toml").write_text(
        f'[projects."{home / "p" / "codex"}"]\ntrust_level = "trusted"\n'
    )
    found = {p.path.name: p.known_from for p in collect(Scopes(home, None), CLIENTS).projects}
    assert found == {
        "claude": ("claude-code",),
        "code": ("vscode",),
        "cursor": ("cursor",),
        "windsurf": ("windsurf",),
        "remote": ("vscode",),
        "ws-a": ("vscode",),
        "ws-b": ("vscode",),
        "p": ("vscode",),  # the workspace file's own folder
        "codex": ("codex",),
    }


def test_opencode_projects_come_from_its_database_read_only(tmp_path: Path) -> None:
    from mcpir.discovery.opencode_projects import recorded_projects

    home = tmp_path / "home"
    data = home / ".local" / "share" / "opencode"
    data.mkdir(parents=True)
    db = data / "opencode.db"
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE project (id TEXT PRIMARY KEY, worktree TEXT NOT NULL)")
        connection.executemany(
            "INSERT INTO project VALUES (?, ?)",
            [("global", "/"), ("a", str(home / "app")), ("b", "x" * 10_000)],
        )
    connection.close()
    before = db.read_bytes()
    hints = [hint.path for hint in recorded_projects(home, Scopes(home, None))]
    assert hints == [str(home / "app")]  # the global project and a 10,000-char path are not
    assert db.read_bytes() == before and not list(data.glob("opencode.db-*"))


@pytest.mark.parametrize(
    "content",
    [b"not a database at all", b"SQLite format 3\x00" + b"\x00" * 200, b"", b"\xff" * 5000],
)
def test_a_file_that_is_not_a_database_gives_no_project(tmp_path: Path, content: bytes) -> None:
    from mcpir.discovery.opencode_projects import recorded_projects

    data = tmp_path / ".local" / "share" / "opencode"
    data.mkdir(parents=True)
    (data / "opencode.db").write_bytes(content)
    assert list(recorded_projects(tmp_path, Scopes(tmp_path, None))) == []


# --- planted state: nothing outside, nothing unbounded ------------------------------------------


@pytest.mark.parametrize(
    ("uri", "why"),
    [
        ("file:///etc", "a system directory, not a project: not read"),
        ("file:///home/alex/src/../../../etc", "not a normalized absolute path"),
        ("file:///home/alex/src/%2e%2e/%2e%2e/%2e%2e/etc", "not a normalized absolute path"),
        ("file:///", "a system directory, not a project: not read"),
    ],
)
def test_a_planted_workspace_pointing_out_is_never_read(tmp_path: Path, uri: str, why: str) -> None:
    home = tmp_path / "home"
    _window(home, "folder", uri)
    projects = collect(Scopes(home, None, environ={}), CLIENTS).projects
    assert [(p.state, p.reason) for p in projects] == [(ProjectState.UNREACHABLE, why)]
    # With another machine's home, it is outside that home before anything else.
    sandboxed = collect(Scopes(home, None), CLIENTS).projects
    assert [p.state for p in sandboxed] == [ProjectState.UNREACHABLE]


def test_a_recorded_project_that_is_a_symlink_leaving_home_is_not_followed(
    tmp_path: Path,
) -> None:
    home, outside = tmp_path / "home", tmp_path / "outside"
    _mcp(outside, "outside-server")
    (home / "src").mkdir(parents=True)
    (home / "src" / "link").symlink_to(outside)
    _claude(home, "/home/alex/src/link")
    scopes = Scopes(home, None)
    (project,) = collect(scopes, CLIENTS).projects
    assert project.state is ProjectState.UNREACHABLE
    assert project.reason == f"symlink to {outside} leaves --home: not followed"
    assert not [c for c in discover(scopes) if "outside" in str(c.path)]


def test_a_file_linked_out_of_a_project_is_refused_as_today(tmp_path: Path) -> None:
    home, outside = tmp_path / "home", tmp_path / "outside"
    secret = _mcp(outside, "outside-server")
    (home / "src" / "app").mkdir(parents=True)
    (home / "src" / "app" / ".mcp.json").symlink_to(secret)
    _claude(home, "/home/alex/src/app")
    (config,) = [c for c in discover(Scopes(home, None)) if c.project is not None]
    assert config.error is not None and "leaves the project: not followed" in config.error
    assert config.project == home / "src" / "app" and not config.servers


def test_ten_thousand_recorded_projects_are_bounded(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    _claude(home, *(f"/home/alex/p{n}" for n in range(10_000)))
    start = time.perf_counter()
    collection = collect(Scopes(home, None), CLIENTS)
    elapsed = time.perf_counter() - start
    assert len(collection.projects) == MAX_PROJECTS and collection.dropped == 9_000
    assert elapsed < 5, elapsed


@pytest.mark.parametrize(
    "content",
    [
        b'{"projects": {"/home/alex/a": {}}, "x": "\xff\xfe"}',  # not UTF-8
        b'{"projects": {"/home/alex/a": {}}, "pad": "' + b"x" * (6 * 1024 * 1024) + b'"}',
        b'{"projects": ' * 10_000,  # nested past every bound, and malformed
    ],
)
def test_a_broken_or_huge_state_file_records_nothing(tmp_path: Path, content: bytes) -> None:
    home = tmp_path / "home"
    (home / "a").mkdir(parents=True)
    (home / ".claude.json").write_bytes(content)
    assert collect(Scopes(home, None), CLIENTS).projects == ()


def test_workspace_storage_is_read_up_to_a_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mcpir.discovery import state

    monkeypatch.setattr(state, "MAX_ENTRIES", 3)
    monkeypatch.setattr(state.entries, "__defaults__", (3,))
    home = tmp_path / "home"
    for n in range(10):
        _window(home, "folder", f"file:///home/alex/p{n}")
    assert len(collect(Scopes(home, None), CLIENTS).projects) == 3


# --- another machine's home, and this machine's volumes -----------------------------------------


def test_a_copied_windows_home_is_re_rooted(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for name in ("claude", "code"):
        (home / "src" / name).mkdir(parents=True)
    _claude(home, "C:\\Users\\alex\\src\\claude", "D:\\data\\elsewhere")
    _window(home, "folder", "file:///c%3A/Users/alex/src/code", "AppData/Roaming/Code/User")
    found = {p.recorded: (p.state, p.path) for p in collect(Scopes(home, None), CLIENTS).projects}
    assert found["C:\\Users\\alex\\src\\claude"] == (ProjectState.OK, home / "src" / "claude")
    assert found["c:/Users/alex/src/code"] == (ProjectState.OK, home / "src" / "code")
    assert found["D:\\data\\elsewhere"][0] is ProjectState.UNREACHABLE


def test_missing_and_unmounted_projects_on_this_machine(real_home: Path, tmp_path: Path) -> None:
    deleted = tmp_path / "deleted"
    _claude(real_home, str(deleted), "/Volumes/NoSuchDisk/app", "/mnt/no-such-volume/app")
    found = {
        p.recorded: (p.state, p.reason)
        for p in collect(Scopes(real_home, None, environ={}), CLIENTS).projects
    }
    assert found[str(deleted)] == (ProjectState.MISSING, "no longer exists")
    for volume in ("/Volumes/NoSuchDisk", "/mnt/no-such-volume"):
        state, reason = found[f"{volume}/app"]
        assert state is ProjectState.UNREACHABLE
        assert reason == f"on a volume that is not mounted ({volume})"


def test_an_unreadable_project_is_listed_not_fatal(
    real_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "locked"
    _mcp(locked, "locked-server")
    _claude(real_home, str(locked))
    real_access = os.access
    # As if this user could not enter it (root can enter any directory, so chmod would not do).
    monkeypatch.setattr(os, "access", lambda p, m: Path(p) != locked and real_access(p, m))
    scopes = Scopes(real_home, None, environ={})
    (project,) = collect(scopes, CLIENTS).projects
    assert (project.state, project.reason) == (
        ProjectState.UNREACHABLE,
        "cannot be read: permission denied",
    )
    assert not [c for c in discover(scopes) if c.project is not None]


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_a_crash_at_every_write_of_a_project_outside_home_resumes_and_restores(
    real_home: Path, elsewhere: Path, tmp_path: Path
) -> None:
    """The `projects` record is one more durable write: a crash before or after it must still
    resume to the contained state and restore to the original bytes."""
    import subprocess
    import sys

    def mcpir(*args: str, crash_at: int = 0) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "MCPIR_TEST_CRASH_AT": str(crash_at)}
        return subprocess.run([sys.executable, "-m", "mcpir", *args], capture_output=True,
                              text=True, env=env, check=False, timeout=120)  # fmt: skip

    point = 0
    while True:
        point += 1
        assert point < 50, "the crash loop never reached a clean run"
        outside = tmp_path / f"disk-{point}" / "tool"
        config = _mcp(outside, "far-away")
        original = config.read_bytes()
        _claude(real_home, str(outside))
        crashed = mcpir("respond", "--only", "contain", "--yes", crash_at=point)
        if crashed.returncode == 0:
            assert not config.exists()
            assert mcpir("restore").returncode == 0 and config.read_bytes() == original
            break
        assert crashed.returncode == -9, (point, crashed.stderr)
        incidents = sorted((elsewhere / ".atom-trail" / "incidents").iterdir())
        if incidents:
            resumed = mcpir("respond", "--resume", incidents[-1].name, "--only", "contain", "--yes")
            assert resumed.returncode == 0, (point, resumed.stdout, resumed.stderr)
            assert not config.exists(), point
            restored = mcpir("restore", incidents[-1].name)
            assert restored.returncode == 0, (point, restored.stderr)
        assert config.read_bytes() == original, point
    assert point > 3  # the projects record, the change, its backup, the rename were all tried


def test_every_command_that_discovers_can_stay_in_the_root() -> None:
    """Recorded projects are read by default wherever discovery is: each such command takes
    `--only-root`. `audit` reads one repository's history and `schedule` installs a timer for
    one project: neither discovers projects (`missing` lists the rest, for the message)."""
    import typer

    from mcpir.cli import app

    def walk(command: object, path: tuple[str, ...]) -> list[tuple[str, ...]]:
        params = getattr(command, "params", [])
        options = {o for p in params if p.param_type_name == "option" for o in p.opts}
        found = [path] if "--home" in options and "--only-root" not in options else []
        if hasattr(command, "list_commands"):
            ctx = command.context_class(command)  # type: ignore[attr-defined]
            for name in command.list_commands(ctx):
                found += walk(command.get_command(ctx, name), (*path, name))  # type: ignore[attr-defined]
        return found

    missing = walk(typer.main.get_command(app), ())
    # restore, close and report take `--home` to name an incident's home, not to discover.
    incidents = {("restore",), ("close",), ("report",)}
    # action scans the one repository a CI job checked out, never recorded projects.
    one_repository = {("audit",), ("action",), ("schedule", "run"), ("schedule", "install")}
    assert set(missing) <= one_repository | incidents


def test_every_client_every_place_and_every_recorded_project_from_anywhere(
    run_cli: RunCli, home: Path, elsewhere: Path
) -> None:
    """Issue 17's whole claim: three projects known only through Claude Code's `projects`,
    VS Code's workspaceStorage and Codex's `[projects]`, plus the files of every client and
    place (the linux home and the peers home laid over it), seen from an unrelated directory:
    every server is listed with its project, `contain` disables all, `restore` puts every byte
    back."""
    import shutil

    from tests.conftest import FIXTURES

    for source in (FIXTURES / "homes" / "linux", FIXTURES / "homes" / "peers"):
        for path in sorted(source.rglob("*")):
            target = home / path.relative_to(source)
            if path.is_file() and not path.is_symlink() and not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
    before = _tree_hashes(home)
    rows = json.loads(run_cli("servers", "--home", home, "--json").stdout)
    servers = [row for row in rows if "name" in row]
    clients = {row["client"] for row in servers}
    assert clients >= {client.name for client in CLIENTS}
    projects = {row["project"] for row in servers if row["scope"] == "project"}
    assert {str(home / "src" / "api"), str(home / "src" / "web app"),
            str(home / "work" / "cli")} <= projects  # fmt: skip
    assert all(row.get("project") for row in servers if row["scope"] == "project")
    enabled = [row for row in servers if row["enabled"]]
    assert len(enabled) > 30
    contained = run_cli("respond", "--only", "contain", "--yes", "--home", home, "--json")
    assert contained.code in (0, 1), contained.stderr
    after = json.loads(run_cli("servers", "--home", home, "--json").stdout)
    still = [f"{r['client']}:{r['name']}" for r in after if "name" in r and r["enabled"]]
    assert still == []
    restored = run_cli("restore", "--include-flagged", "--json")
    assert restored.code == 0, restored.stderr
    assert _tree_hashes(home) == before
