"""A config file swapped for a symlink between discovery's check and the read (red team, 24).

`mcpir servers --all-users` runs as root and reads each home as its owner. Discovery resolves
every config's links and refuses one that leaves the tree, but then opened the path again,
following links: a user who owns a directory in their home could swap the file (or a directory
on its way) for a symlink to a file outside between the check and the open. Now the target is
opened by the resolved path that was checked, no link followed on the way (O_NOFOLLOW on each
component), non-blocking and regular files only: a swap is refused, a FIFO never hangs it,
and a link inside the tree is read as before."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from mcpir.core import documents
from mcpir.core.documents import DocumentError, read_text
from mcpir.core.model import ConfigFile
from mcpir.core.paths import Scopes

OUTSIDE_SERVER = "outside-secret-server"

pytestmark = pytest.mark.skipif(os.name != "posix", reason="symlinks and FIFOs as on POSIX")


def _config(path: Path, name: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"mcpServers": {name: {"command": "npx", "args": ["-y", name]}}}))


def _discover(home: Path, root: Path) -> list[ConfigFile]:
    from mcpir.discovery import discover

    return discover(Scopes(home=home, root=root, only_root=True))


def _names(files: list[ConfigFile]) -> set[str]:
    return {server.name for file in files for server in file.servers}


@pytest.fixture
def machine(tmp_path: Path) -> tuple[Path, Path, Path]:
    home, root, outside = tmp_path / "home", tmp_path / "root", tmp_path / "outside"
    root.mkdir(parents=True)
    _config(home / ".cursor" / "mcp.json", "inside-server")
    _config(outside / "mcp.json", OUTSIDE_SERVER)
    _config(outside / ".cursor" / "mcp.json", OUTSIDE_SERVER)
    return home, root, outside


def _swap_after_check(monkeypatch: pytest.MonkeyPatch, swap: Callable[[], None]) -> list[str]:
    """Run `swap` right after discovery decided a file stays inside its tree: the window."""
    import mcpir.discovery as discovery
    from mcpir.discovery.walk import escapes as checked

    seen: list[str] = []

    def escapes_then_swap(real: str, base: str) -> bool:
        answer = checked(real, base)
        if not answer and real.endswith(os.path.join(".cursor", "mcp.json")) and not seen:
            seen.append(real)
            swap()
        return answer

    monkeypatch.setattr(discovery, "escapes", escapes_then_swap)
    return seen


def test_a_file_swapped_for_a_symlink_after_the_check_is_not_followed(
    machine: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    home, root, outside = machine
    config = home / ".cursor" / "mcp.json"

    def swap() -> None:
        config.unlink()
        config.symlink_to(outside / "mcp.json")

    seen = _swap_after_check(monkeypatch, swap)
    files = _discover(home, root)
    assert seen, "the swap never ran"
    assert OUTSIDE_SERVER not in _names(files)
    swapped = [f for f in files if f.path == config]
    assert swapped and swapped[0].error is not None and "symlink" in swapped[0].error


def test_a_directory_swapped_for_a_symlink_after_the_check_is_not_followed(
    machine: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    home, root, outside = machine

    def swap() -> None:
        (home / ".cursor").rename(home / ".cursor-old")
        (home / ".cursor").symlink_to(outside / ".cursor")

    seen = _swap_after_check(monkeypatch, swap)
    files = _discover(home, root)
    assert seen and OUTSIDE_SERVER not in _names(files)


def test_a_link_inside_the_tree_is_read_as_before(machine: tuple[Path, Path, Path]) -> None:
    home, root, outside = machine
    dotfiles = home / "dotfiles" / "cursor.json"
    _config(dotfiles, "dotfiles-server")
    config = home / ".cursor" / "mcp.json"
    config.unlink()
    config.symlink_to(dotfiles)
    assert "dotfiles-server" in _names(_discover(home, root))
    # One leaving the tree is refused, as before.
    config.unlink()
    config.symlink_to(outside / "mcp.json")
    files = _discover(home, root)
    assert OUTSIDE_SERVER not in _names(files)
    assert any(f.error and "leaves" in f.error for f in files if f.path == config)


def test_read_text_refuses_a_link_where_the_checked_path_was(tmp_path: Path) -> None:
    target, link = tmp_path / "target.json", tmp_path / "config.json"
    target.write_text("{}")
    link.symlink_to(target)
    # The caller checked `link` as a file: it is a link now, and is not followed.
    with pytest.raises(DocumentError, match="symlink"):
        read_text(link, real=str(link))
    # A directory on the way that became a link: refused too.
    (tmp_path / "dir").symlink_to(tmp_path)
    with pytest.raises(DocumentError, match="symlink"):
        read_text(tmp_path / "dir" / "target.json", real=str(tmp_path / "dir" / "target.json"))
    # Without a checked path, a link is resolved first, as every other caller expects.
    assert read_text(link) == "{}"


def test_a_fifo_is_refused_without_hanging(
    machine: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    home, root, _ = machine
    fifo = home / ".cursor" / "mcp.json"
    fifo.unlink()
    os.mkfifo(fifo)
    result: list[object] = []
    worker = threading.Thread(target=lambda: result.append(_discover(home, root)), daemon=True)
    worker.start()
    worker.join(timeout=30)
    if worker.is_alive():  # unblock the reader before failing, or the process hangs
        with open(fifo, "w"):  # noqa: PTH123 - a FIFO's writer end
            pass
        pytest.fail("reading a FIFO config hung")
    files = result[0]
    assert isinstance(files, list)
    assert any(f.error == "not a regular file" for f in files if f.path == fifo)
    with pytest.raises(DocumentError, match="not a regular file"):
        documents.read_text(fifo, real=str(fifo))


def test_a_state_file_swapped_after_its_check_is_not_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Discovery's state files (`~/.claude.json` read for its projects) in another user's home:
    checked to stay inside it, then read by the target checked, no link followed."""
    from mcpir.discovery import state

    home, outside = tmp_path / "home", tmp_path / "outside.json"
    home.mkdir()
    outside.write_text(json.dumps({"projects": {"/root/secret-project": {}}}))
    claude = home / ".claude.json"
    claude.write_text(json.dumps({"projects": {}}))
    scopes = Scopes(home=home, root=tmp_path, only_root=True)
    assert scopes.sandboxed
    checked = state.state_file

    def then_swap(
        path: Path, scopes: Scopes, max_bytes: int = state.MAX_STATE_BYTES
    ) -> Path | None:
        answer = checked(path, scopes, max_bytes)
        claude.unlink()
        claude.symlink_to(outside)
        return answer

    monkeypatch.setattr(state, "state_file", then_swap)
    assert state.load_state(claude, scopes) is None
