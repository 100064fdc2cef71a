"""Finding candidate config files: fixed paths under a base, and a pruned walk of a project tree."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

# Directories no client reads configs from, and that can be huge.
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        "site-packages",
        "dist-packages",
        ".atom-trail",  # mcpir's own state, including backups of configs it contained
        ".cache",
        ".npm",
        ".pnpm-store",
        ".yarn",
        ".gradle",
        ".m2",
        ".cargo",
        ".rustup",
    }
)


def expand(base: Path, rel: str) -> list[Path]:
    """`rel` under `base`; a `*` segment is a glob. Symlinks are returned, not resolved."""
    if "*" in rel:
        try:
            return sorted(base.glob(rel))
        except OSError:
            return []
    path = base / rel
    return [path] if os.path.lexists(path) else []


def escapes(path: Path, base: Path) -> Path | None:
    """The real target of `path` when a symlink on the way leads outside `base`, else None."""
    try:
        real = path.resolve()
        return None if real.is_relative_to(base.resolve()) else real
    except (OSError, RuntimeError):  # symlink loops
        return path


def project_files(root: Path, patterns: Iterable[tuple[str, str]]) -> Iterator[tuple[str, Path]]:
    """(key, path) for every `rel` pattern found in any directory of the tree under `root`.

    `patterns` holds (key, rel) pairs; a directory is checked only for the patterns whose first
    segment it actually contains, so the walk costs one `scandir` per directory.
    """
    by_first: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key, rel in patterns:
        by_first[rel.split("/", 1)[0]].append((key, rel))
    for current, dirnames, filenames in os.walk(root, followlinks=False):
        if "pyvenv.cfg" in filenames:  # a virtualenv under any name
            dirnames[:] = []
            continue
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        here = Path(current)
        for name in sorted(by_first.keys() & {*dirnames, *filenames}):
            for key, rel in by_first[name]:
                for path in expand(here, rel):
                    yield key, path
