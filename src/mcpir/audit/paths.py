"""Which repository paths are MCP configs: the project-scope patterns discovery walks for."""

from __future__ import annotations

import fnmatch
import re
from functools import cache
from pathlib import PurePosixPath

from mcpir.discovery.client import Client
from mcpir.discovery.clients import CLIENTS
from mcpir.discovery.walk import SKIP_DIRS


@cache
def project_patterns() -> tuple[str, ...]:
    """Every client's project-scope path (`.mcp.json`, `.vscode/mcp.json`…), found in any
    directory of the tree, exactly as discovery's project walk finds them."""
    return tuple(sorted({rel for client in CLIENTS for rel in client.project}))


@cache
def _matcher() -> tuple[frozenset[str], tuple[str, ...], re.Pattern[str]]:
    names: set[str] = set()
    needles: list[str] = []
    alternatives = []
    for rel in project_patterns():
        head, _, last = rel.rpartition("/")
        if "*" in last:
            needles.append(f"{head}/" if head else "")
        else:
            names.add(last)
        alternatives.append("[^/]*".join(re.escape(part) for part in rel.split("*")))
    regex = re.compile(f"(?:^|/)(?:{'|'.join(alternatives)})\\Z")
    return frozenset(names), tuple(needles), regex


def is_config(path: str) -> bool:
    """Whether a repository path is one of those configs (cheap: a name test first)."""
    names, needles, regex = _matcher()
    name = path[path.rfind("/") + 1 :]
    if name not in names and not any(needle in path for needle in needles):
        return False
    return regex.search(path) is not None


def excluded(path: str, exclude: tuple[str, ...]) -> bool:
    """A path under a directory the project walk skips (`node_modules`, `[discovery] exclude`)."""
    parts = PurePosixPath(path).parts[:-1]
    for depth, name in enumerate(parts):
        rel = "/".join(parts[: depth + 1])
        if name in SKIP_DIRS or any(
            fnmatch.fnmatchcase(name, glob) or fnmatch.fnmatchcase(rel, glob) for glob in exclude
        ):
            return True
    return False


@cache
def client_of(path: str) -> Client:
    """The client that reads this path (the most specific project pattern that matches)."""
    from pathlib import Path

    from mcpir.discovery import client_for

    return client_for(Path(path))


def shared(path: str, client: Client) -> bool:
    """A file that also holds other settings (`.vscode/settings.json`): only its MCP part counts."""
    return PurePosixPath(path).name in client.shared_files
