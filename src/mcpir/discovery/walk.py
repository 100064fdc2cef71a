"""Finding candidate config files: fixed paths under a base, and a pruned walk of a project tree."""

from __future__ import annotations

import fnmatch
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


# When the project root is the home directory itself (no git repository around the cwd), these
# hold tools, caches and application data, not projects; user-scope paths already cover them.
HOME_ONLY_SKIP = frozenset(
    {
        "Library",
        "AppData",
        ".local",
        ".config",
        "snap",
        ".vscode",
        ".vscode-server",
        ".cursor",
        ".cursor-server",
        ".pyenv",
        ".nvm",
        ".rbenv",
        ".conda",
        "miniconda3",
        "anaconda3",
        "go",
        ".docker",
        ".Trash",
    }
)


def escapes(real: str, base_real: str) -> bool:
    """Whether a resolved path lies outside a resolved base (a symlink on the way left it)."""
    return os.path.commonpath((real, base_real)) != base_real


def _excluded(name: str, rel: str, exclude: tuple[str, ...]) -> bool:
    return name in SKIP_DIRS or any(
        fnmatch.fnmatchcase(name, glob) or fnmatch.fnmatchcase(rel, glob) for glob in exclude
    )


def project_files(
    root: Path,
    patterns: Iterable[tuple[str, str]],
    exclude: tuple[str, ...] = (),
    home: Path | None = None,
    errors: list[OSError] | None = None,
    top_only: bool = False,
) -> Iterator[tuple[str, Path]]:
    """(key, path) for every `rel` pattern found in any directory of the tree under `root`.

    `patterns` holds (key, rel) pairs; a directory is checked only for the patterns whose first
    segment it actually contains, so the walk costs one `scandir` per directory. `exclude`
    holds directory names or globs relative to `root` (from `.mcpir.toml`). `top_only` checks
    `root` alone: a project a client recorded is read where the client reads it, at its top.
    """
    by_first: dict[str, list[tuple[str, str]]] = defaultdict(list)
    globbed: list[tuple[str, str, str]] = []  # (first segment glob, key, rel)
    for key, rel in patterns:
        first = rel.split("/", 1)[0]
        if "*" in first:
            globbed.append((first, key, rel))
        else:
            by_first[first].append((key, rel))
    # A directory that cannot be listed may hold a config: it is reported, never skipped quietly.
    onerror = errors.append if errors is not None else None
    for current, dirnames, filenames in os.walk(root, followlinks=False, onerror=onerror):
        if "pyvenv.cfg" in filenames:  # a virtualenv under any name
            dirnames[:] = []
            continue
        here = Path(current)
        prefix = here.relative_to(root).as_posix()
        kept = [
            d
            for d in dirnames
            if not _excluded(d, d if prefix == "." else f"{prefix}/{d}", exclude)
        ]
        # A home's tool directories (`.vscode`, `.config`…) are not descended into, but the
        # config files directly inside them are still matched here.
        present = {*kept, *filenames}
        skip_here = HOME_ONLY_SKIP if home is not None and here == home else frozenset()
        dirnames[:] = [] if top_only else sorted(d for d in kept if d not in skip_here)
        for name in sorted(by_first.keys() & present):
            for key, rel in by_first[name]:
                for path in expand(here, rel):
                    yield key, path
        for first, key, rel in globbed:
            head = first.split("*", 1)[0]  # a cheap prefix test before the glob
            if any(n.startswith(head) and fnmatch.fnmatchcase(n, first) for n in present):
                for path in expand(here, rel):
                    yield key, path
