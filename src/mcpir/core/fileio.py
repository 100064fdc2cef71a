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
