"""Writing files so that a crash or Ctrl-C leaves the old file or the new one, never half."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def private_dirs(path: Path) -> None:
    """`path` and any missing parents, each created 0700: `mkdir(parents=True, mode=…)` gives
    the parents the umask's default (often 0755), so a cache of a user's state became readable."""
    missing = []
    for directory in (path, *path.parents):
        if directory.is_dir():
            break
        missing.append(directory)
    for directory in reversed(missing):
        directory.mkdir(mode=0o700, exist_ok=True)


def atomic_write_text(path: Path, text: str, mode: int | None = None) -> None:
    private_dirs(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def jsonl_lines(text: str) -> list[str]:
    """The lines of a JSON Lines text, split on newlines only. `str.splitlines` also splits on
    U+2028, U+2029 and U+0085, which JSON keeps raw inside strings: a record holding one (an
    author's name, a server's) would be torn in two and dropped."""
    return [line.removesuffix("\r") for line in text.split("\n")]


def json_records(lines: Iterable[str]) -> list[dict[str, Any]]:
    """Every line of a JSON Lines file that holds a JSON object, in order. Any other line (one
    torn by a crash mid-append, or not an object) is skipped: an append-only log stays readable."""
    out: list[dict[str, Any]] = []
    for line in lines:
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):  # nested past Python's limit: not a record either
            continue
        if isinstance(record, dict):
            out.append(record)
    return out


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def append_lines(path: Path, lines: Iterable[str], *, durable: bool = False) -> None:
    """Append whole lines to a log in one `write`: no other writer's line lands inside them.

    The file is created 0600 and never reached through a link (O_NOFOLLOW: a link planted
    where a log goes would redirect every record). A lone surrogate, from a crafted file or
    server name, is written as its escape rather than failing the record. With `durable`, the
    lines (and a new file's directory entry) are fsynced before this returns."""
    data = "".join(lines).encode("utf-8", "backslashreplace")
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND | _NOFOLLOW, 0o600)
    try:
        size = os.fstat(fd).st_size
        # A crash mid-append leaves a torn last line: it must not swallow this record.
        if size and os.lseek(fd, -1, os.SEEK_END) >= 0 and os.read(fd, 1) != b"\n":
            data = b"\n" + data
        view = memoryview(data)
        while view:  # one write unless a signal splits it
            view = view[os.write(fd, view) :]
        if durable:
            os.fsync(fd)
    finally:
        os.close(fd)
    if durable and not size:
        fsync_dir(path.parent)


def append_jsonl(
    path: Path, records: Iterable[dict[str, Any]], *, durable: bool = False, sort_keys: bool = False
) -> None:
    """`records` as JSON Lines, through `append_lines`."""
    append_lines(
        path,
        (json.dumps(r, ensure_ascii=False, sort_keys=sort_keys) + "\n" for r in records),
        durable=durable,
    )


def fsync_dir(directory: Path) -> None:
    """Make a new or renamed directory entry durable."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # Windows cannot open directories; its replace is durable enough
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
