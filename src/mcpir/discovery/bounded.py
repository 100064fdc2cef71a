"""A bound on the files one glob may bring: a directory of agents is read up to a limit.

Kiro and Amazon Q keep one JSON file per custom agent, and Kiro one directory per installed
power; a directory holding ten thousand of them is an attack on the responder, not a setup.
Past `LIMIT` files from one directory, the rest is one error line naming the directory: exit 1,
and containment lists it for a person instead of spending the incident on it.

The files are found and parsed by discovery before a client's `adjust` sees them (about 1.5 s
for 10,000 small agents on a shared 2-core machine); what the bound saves is everything after:
the listing, the scan, the token inventory and one journalled edit per file.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

from mcpir.core.model import ConfigFile, Format
from mcpir.discovery.client import CONTAINED_SUFFIX

LIMIT = 1000

_CONTAINED = re.compile(re.escape(CONTAINED_SUFFIX) + r"(?:\.\d+)?$")


def _globbed_dir(path: Path, pattern: str) -> Path | None:
    """The directory `pattern`'s first `*` segment was expanded in, if `path` is one of its
    matches (a renamed, contained copy included)."""
    segments = pattern.split("/")
    parts = (*path.parts[:-1], _CONTAINED.sub("", path.name))
    if len(parts) <= len(segments):
        return None
    tail = parts[len(parts) - len(segments) :]
    if not all(fnmatch.fnmatchcase(part, seg) for part, seg in zip(tail, segments, strict=True)):
        return None
    first = next(i for i, seg in enumerate(segments) if "*" in seg)
    return Path(*parts[: len(parts) - len(segments) + first])


def at_most(
    files: list[ConfigFile], client: str, patterns: tuple[str, ...], limit: int = LIMIT
) -> list[ConfigFile]:
    """`files` with at most `limit` of `client`'s files per directory a pattern's glob expands,
    in discovery's (sorted) order; each directory past the bound becomes one error line."""
    counts: dict[tuple[str, Path], int] = {}
    dropped: dict[tuple[str, Path], ConfigFile] = {}
    kept: list[ConfigFile] = []
    for config in files:
        where = None
        if config.client == client:
            where = next(
                (
                    (pattern, found)
                    for pattern in patterns
                    if (found := _globbed_dir(config.path, pattern)) is not None
                ),
                None,
            )
        if where is None:
            kept.append(config)
            continue
        counts[where] = counts.get(where, 0) + 1
        if counts[where] <= limit:
            kept.append(config)
        else:
            dropped.setdefault(where, config)
    for (pattern, directory), first in dropped.items():
        total = counts[(pattern, directory)]
        segments = pattern.split("/")
        glob = "/".join(segments[next(i for i, seg in enumerate(segments) if "*" in seg) :])
        error = (
            f"{total:,} files here match {glob}: only the first {limit:,} were read; "
            f"the other {total - limit:,} are neither listed nor contained: check them by hand"
        )
        kept.append(ConfigFile(client, first.scope, directory, Format.JSON, error=error))
    return kept
