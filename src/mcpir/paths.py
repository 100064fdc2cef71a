"""The defaults every command shares: the user's home and the project root."""

from __future__ import annotations

from pathlib import Path


def default_home() -> Path:
    return Path.home()


def default_root(cwd: Path | None = None) -> Path:
    """The git top-level of the working directory, else the working directory itself."""
    start = (cwd or Path.cwd()).resolve()
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return start
