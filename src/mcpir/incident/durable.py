"""The journal's writes to a user's files: each ends durable (fsynced) before the next begins.

Every durable write ends in `checkpoint()`, where the crash tests kill the process. Callers in
other modules call it as `durable.checkpoint()`, looked up when called, so a test that replaces
it here sees every write."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from mcpir.core.fileio import fsync_dir, private_dirs

TMP_SUFFIX = ".mcpir-tmp"
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)

# Fault injection for the crash tests: `MCPIR_TEST_CRASH_AT=N` kills the process (SIGKILL, no
# cleanup) at the N-th durable write, so every point a real crash could hit is exercised.
_CRASH_AT = int(os.environ.get("MCPIR_TEST_CRASH_AT", "0") or 0)
_writes = 0


def checkpoint() -> None:
    global _writes
    if _CRASH_AT:
        _writes += 1
        if _writes == _CRASH_AT:
            import signal

            os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def free_name(path: Path, suffix: str) -> Path:
    """`path` + `suffix`, or + `suffix.2`, `.3`…: a name nothing uses, links included."""
    candidate = path.with_name(path.name + suffix)
    number = 2
    while os.path.lexists(candidate):
        candidate = path.with_name(f"{path.name}{suffix}.{number}")
        number += 1
    return candidate


def write_private(path: Path, data: bytes, durable: bool = True) -> None:
    # O_NOFOLLOW: a symlink planted where a backup goes must not redirect the write.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        if durable:
            handle.flush()
            os.fsync(handle.fileno())
    checkpoint()


def move(path: Path, target: Path) -> None:
    """Rename `path` to `target`, durably."""
    os.replace(path, target)
    fsync_dir(path.parent)
    checkpoint()


def replace_bytes(
    path: Path, data: bytes, mode: int | None, owner: tuple[int, int] | None = None
) -> None:
    """Atomically give `path` exactly `data`; mode and owner are the current file's unless given."""
    import tempfile

    try:
        info = path.stat()
        mode = stat.S_IMODE(info.st_mode) if mode is None else mode
        owner = (info.st_uid, info.st_gid) if owner is None else owner
    except FileNotFoundError:
        mode = 0o644 if mode is None else mode
    private_dirs(path.parent)
    # mkstemp creates a new file (O_EXCL) under a random name: no planted link is followed.
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TMP_SUFFIX)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # The temporary copy (secrets included) stays 0600 until the instant it replaces the
        # file: a crash before then leaves a private leftover that `Journal.sweep` removes.
        checkpoint()
        os.chmod(tmp, mode)
        if owner is not None and hasattr(os, "chown"):
            try:
                os.chown(tmp, *owner)
            except PermissionError:  # only root can give a file away; a user's own file is theirs
                pass
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
    checkpoint()
