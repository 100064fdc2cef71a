"""opencode's list of projects, for its client module's `projects` field.

opencode keeps every worktree it opened in the `project` table (`worktree` column) of its
SQLite database, `opencode.db` in its data dir: `$XDG_DATA_HOME/opencode` or
`~/.local/share/opencode` on every OS (xdg-basedir; anomalyco/opencode
`packages/opencode/src/project/project.sql.ts`). Its "global" project, for sessions outside any
repository, has the worktree `/`: not a project.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from mcpir.core.paths import Scopes
from mcpir.discovery.projects import ProjectHint
from mcpir.discovery.state import sqlite_strings

DATABASE = "opencode.db"


def recorded_projects(home: Path, scopes: Scopes) -> Iterator[ProjectHint]:
    dirs = [home / ".local" / "share" / "opencode"]
    moved = (scopes.environ or {}).get("XDG_DATA_HOME")
    if moved:
        dirs.insert(0, Path(moved).expanduser() / "opencode")
    for directory in dirs:
        db = directory / DATABASE
        for worktree in sqlite_strings(db, scopes, "project", "worktree"):
            if worktree.strip("/\\"):
                yield ProjectHint(worktree, db, parents=True)
