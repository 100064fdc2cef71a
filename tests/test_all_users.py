"""`mcpir servers --all-users` on a fake root with three homes, one of them hostile: a symlink
out of the home, a file over the size bound, a directory its owner cannot read."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from mcpir.discovery.all_users import homes
from tests.conftest import FIXTURES, RunCli

OUTSIDE_SECRET = "OUTSIDE-THE-HOME-CANARY"
NOBODY = 65534
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _server(name: str, command: str = "npx") -> str:
    body = {"mcpServers": {name: {"command": command, "args": ["-y", f"{name}-mcp@1.0.0"]}}}
    return json.dumps(body)


@pytest.fixture
def fake_root() -> Iterator[Path]:
    # Not pytest's tmp_path: its parents are 0700, which the hostile home's owner (when the
    # tests run as root, a reader with nobody's ids) could not traverse, as on a real /home.
    root = Path(tempfile.mkdtemp(prefix="mcpir-fleet-"))
    root.chmod(0o755)
    (root / "etc").mkdir()
    (root / "etc" / "passwd").write_text(
        "root:x:0:0:root:/root:/bin/bash\n"
        "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
        "alice:x:1000:1000:Alice:/home/alice:/bin/bash\n"
        "mallory:x:1002:1002::/home/mallory:/bin/bash\n"
        "ghost:x:1003:1003::/nonexistent:/usr/sbin/nologin\n"
    )
    for parent in ("home", "Users", "usr/sbin"):
        (root / parent).mkdir(parents=True)
    # alice: a copy of a real Linux home fixture (every client).
    shutil.copytree(FIXTURES / "homes" / "linux", root / "home" / "alice", symlinks=True)
    # bob (macOS, not in passwd): one Claude Desktop server.
    desktop = root / "Users" / "bob" / "Library" / "Application Support" / "Claude"
    desktop.mkdir(parents=True)
    (desktop / "claude_desktop_config.json").write_text(_server("bob-notes"))
    # mallory: hostile.
    mallory = root / "home" / "mallory"
    mallory.mkdir()
    secret = root / "etc" / "shadow-like.json"
    secret.write_text(_server(OUTSIDE_SECRET))
    (mallory / ".claude.json").symlink_to(secret)  # a link out of the home
    (mallory / ".cursor").mkdir()
    (mallory / ".cursor" / "mcp.json").write_bytes(b'{"mcpServers": {"x": ' + b" " * (6 << 20)
                                                   + b"{}}}")  # fmt: skip
    locked = mallory / ".gemini"
    locked.mkdir()
    (locked / "settings.json").write_text(_server("hidden-gemini"))
    (root / "home" / "link-home").symlink_to(root / "etc")  # a "home" that is a link out
    if IS_ROOT:  # mallory owns her home; root reads it with her ids
        for path in (mallory, mallory / ".cursor", mallory / ".cursor" / "mcp.json", locked,
                     locked / "settings.json"):  # fmt: skip
            os.chown(path, NOBODY, NOBODY)
        os.lchown(mallory / ".claude.json", NOBODY, NOBODY)
    locked.chmod(0)
    yield root
    locked.chmod(0o755)
    shutil.rmtree(root)


def _snapshot(root: Path) -> dict[str, tuple[int, int, int]]:
    out = {}
    for directory, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            info = os.lstat(os.path.join(directory, name))
            out[os.path.join(directory, name)] = (info.st_mode, info.st_size, info.st_mtime_ns)
    return out


def test_every_home_is_found_once_and_links_are_not_homes(fake_root: Path) -> None:
    found = {home.user: home for home in homes(fake_root)}
    assert set(found) == {"alice", "bob", "mallory", "root", "link-home"}
    assert found["root"].error is not None  # passwd names /root, which this root lacks
    assert found["link-home"].error == "a symlink: not followed"
    assert found["alice"].error is None and found["bob"].error is None
    assert "daemon" not in found and "ghost" not in found  # a system account, no home


def test_all_users_json_adds_user_and_never_leaves_a_home(fake_root: Path, run_cli: RunCli) -> None:
    before = _snapshot(fake_root)
    result = run_cli("servers", "--all-users", "--system-root", fake_root, "--json")
    assert _snapshot(fake_root) == before  # nothing written, not even an access-time tweak
    rows = json.loads(result.stdout)
    assert result.code == 1  # mallory's files could not be read, and each is listed
    assert all(list(row)[0] == "user" for row in rows)
    servers = {(row["user"], row["name"]) for row in rows if "name" in row}
    assert ("bob", "bob-notes") in servers
    alice = [row for row in rows if row["user"] == "alice" and "name" in row]
    assert len(alice) > 20 and all(row["path"].startswith(str(fake_root / "home" / "alice"))
                                   for row in alice)  # fmt: skip
    assert OUTSIDE_SECRET not in result.stdout + result.stderr
    assert not any(row["user"] == "mallory" for row in rows if "name" in row)
    errors = {Path(row["path"]).name: row["error"] for row in rows if row["user"] == "mallory"}
    assert "leaves" in errors[".claude.json"] and "not followed" in errors[".claude.json"]
    assert errors["mcp.json"].startswith("too large")
    if IS_ROOT or os.geteuid() != 0:
        # Read with mallory's ids (or as a non-root tester): her unreadable directory stays
        # unread, though root could have opened it.
        assert any("permission denied" in error for error in errors.values())
        assert "hidden-gemini" not in result.stdout
    assert any(row["user"] == "link-home" and "symlink" in row["error"] for row in rows)


def test_all_users_table_and_cyclonedx(fake_root: Path, run_cli: RunCli) -> None:
    table = run_cli("servers", "--all-users", "--system-root", fake_root)
    assert "user bob" in table.stdout and "bob-notes" in table.stdout
    bom = run_cli("servers", "--all-users", "--system-root", fake_root, "--format", "cyclonedx")
    from mcpir.bom.cyclonedx import validate

    assert validate(bom.stdout) is None
    document = json.loads(bom.stdout)
    users = {p["value"] for s in document["services"] for p in s["properties"]
             if p["name"] == "mcpir:user"}  # fmt: skip
    assert {"alice", "bob"} <= users
    assert OUTSIDE_SECRET not in bom.stdout


@pytest.mark.parametrize("option", [("--home", "."), ("--root", "."), ("--projects",),
                                    ("--only-root",)])  # fmt: skip
def test_all_users_refuses_per_user_options(run_cli: RunCli, option: tuple[str, ...]) -> None:
    result = run_cli("servers", "--all-users", *option)
    assert result.code == 2 and result.stderr.count("\n") == 1
    assert "does not apply" in result.stderr
