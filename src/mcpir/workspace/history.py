"""Secrets ever committed to the project's MCP configs: by fingerprint, the commit that first
added each and its date. The audit's own walk (`mcpir.audit`), without judging anyone.

Walked only for a project root that is a git work tree's top level, over every branch, tag and
remote branch (a token on an unmerged branch has been pushed all the same), and remembered in
mcpir's cache by the state of those refs: a `tokens status` between two commits costs one
`git for-each-ref`. Fingerprints and commit ids only: no value is kept.
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mcpir.core.cache import JsonCache
from mcpir.core.errors import McpirError

if TYPE_CHECKING:
    from mcpir.audit.git import Repo
    from mcpir.audit.history import Commit

# By the repository's git dir, in the order they were last asked about.
CACHE = JsonCache("evidence-git.json", version=1, field="repos")
MAX_REPOS = 64  # one entry per repository asked about; the oldest go first

Committed = dict[str, tuple[str, date]]  # fingerprint -> (commit that first added it, its day)


def committed(root: Path) -> Committed:
    """Every secret committed to a config of the repository whose top level is `root`, with
    the commit that first added it; empty for anything else (not a repository, a
    subdirectory of one, git missing or refusing)."""
    from mcpir.audit.git import open_repo

    try:
        repo = open_repo(root)
        if repo.top is None or os.path.realpath(repo.top) != os.path.realpath(root):
            return {}
        key = _refs_key(repo)
        cache = CACHE.load()
        entry = cache.get(str(repo.git_dir))
        if isinstance(entry, dict) and entry.get("key") == key:
            return _parsed(entry.get("secrets"))
        found = _walk(repo) if key else {}
    except (McpirError, OSError, ValueError):
        return {}
    cache.pop(str(repo.git_dir), None)
    cache[str(repo.git_dir)] = {
        "key": key,
        "secrets": {fp: [sha, day.isoformat()] for fp, (sha, day) in sorted(found.items())},
    }
    CACHE.save(dict(list(cache.items())[-MAX_REPOS:]))
    return found


def _refs_key(repo: Repo) -> str:
    """Changes whenever a branch, tag or remote branch moves; empty with no commit at all."""
    refs = repo.run(
        "for-each-ref", "--format=%(objectname) %(refname)", "refs/heads", "refs/tags",
        "refs/remotes",
    )  # fmt: skip
    head = repo.verify("HEAD") or ""
    if not refs.strip() and not head:
        return ""
    return hashlib.sha256(f"{head}\n{refs}".encode("utf-8", "surrogateescape")).hexdigest()


def _walk(repo: Repo) -> Committed:
    from mcpir.audit.git import cat_blobs
    from mcpir.audit.history import GITLINK, SYMLINK, read_log
    from mcpir.audit.paths import is_config
    from mcpir.audit.secrets import SecretTracker
    from mcpir.audit.semantic import EMPTY, Version, parse_version

    revs = ["--branches", "--tags", "--remotes", *(["HEAD"] if repo.verify("HEAD") else [])]
    commits = read_log(repo, revs, is_config, None)
    shas = [
        sha
        for commit in commits
        for change in commit.changes
        for sha, mode in zip(
            (change.old_blob, *change.other_parents, change.new_blob),
            change.modes or ("",) * (len(change.other_parents) + 2),
            strict=False,
        )
        if sha and mode not in (GITLINK, SYMLINK)
    ]
    blobs = cat_blobs(repo, shas)
    parsed: dict[tuple[str, str], Version] = {}

    def version(sha: str | None, path: str | None, mode: str) -> Version:
        # A link or a submodule at a config path holds no config to find secrets in.
        if sha is None or path is None or mode in (GITLINK, SYMLINK):
            return EMPTY
        if (sha, path) not in parsed:
            parsed[(sha, path)] = parse_version(blobs.get(sha, "missing object"), path, repo.root)
        return parsed[(sha, path)]

    tracker = SecretTracker()
    for commit in reversed(commits):  # oldest first, as the audit reads it
        for raw in commit.changes:
            others = raw.other_modes or ("",) * len(raw.other_parents)
            tracker.see(
                commit,
                raw,
                version(raw.old_blob, raw.old_path, raw.old_mode),
                version(raw.new_blob, raw.path, raw.new_mode),
                [version(s, raw.path, m) for s, m in zip(raw.other_parents, others, strict=False)],
            )
    by_sha = {commit.sha: commit for commit in commits}
    found: Committed = {}
    for secret in tracker.found:
        adding = by_sha.get(secret.added_in or "")
        day = _day(adding) if adding is not None else None
        if adding is None or day is None:
            continue
        if secret.fingerprint not in found or day < found[secret.fingerprint][1]:
            found[secret.fingerprint] = (adding.sha, day)
    return found


def _day(commit: Commit) -> date | None:
    """The commit's author date, in UTC: when the token was written into the file."""
    try:
        return datetime.fromisoformat(commit.date).astimezone(UTC).date()
    except ValueError:
        return None


def _parsed(secrets: object) -> Committed:
    found: Committed = {}
    if not isinstance(secrets, dict):
        return found
    for fp, value in secrets.items():
        if isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value):
            try:
                found[fp] = (value[0], date.fromisoformat(value[1]))
            except ValueError:
                continue
    return found
