"""Secrets ever committed to the project's MCP configs: by fingerprint, the commit that first
added each and its date. The audit's own walk (`mcpir.audit`), without judging anyone.

Walked only for a project root that is a git work tree's top level, over every branch, tag and
remote branch (a token on an unmerged branch has been pushed all the same), and remembered in
mcpir's cache by the state of those refs: a `tokens status` between two commits costs one
`git for-each-ref`. Fingerprints and commit ids only: no value is kept.

The walk reads at most `BUDGET` bytes of config blobs in all (each one at most the 5 MiB a
config may have), a few MiB per `git cat-file` and parsed one blob at a time: it runs on
every `tokens status` and in the daily check, and a small, well-compressed history can hold
gigabytes of configs. Oldest commit first, so a token found is dated by the commit that
first added it; past the budget the walk stops and says so (`Walk.partial`): a token added
later is not in `found`, which is then no proof that history holds no token.
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from mcpir.core.cache import JsonCache
from mcpir.core.errors import McpirError

if TYPE_CHECKING:
    from mcpir.audit.git import Repo
    from mcpir.audit.history import Commit, RawChange
    from mcpir.audit.semantic import Version

# By the repository's git dir, in the order they were last asked about.
CACHE = JsonCache("evidence-git.json", version=1, field="repos")
MAX_REPOS = 64  # one entry per repository asked about; the oldest go first
BUDGET = 64 << 20  # bytes of config blobs one walk reads, in all
CHUNK = 8 << 20  # bytes of blobs one `git cat-file` reads (a config blob is at most 5 MiB)

Committed = dict[str, tuple[str, date]]  # fingerprint -> (commit that first added it, its day)
Blob = tuple[str, str]  # a blob, and the path it is read as (which says its format)


class Walk(NamedTuple):
    found: Committed
    # The budget ran out before the newest commits: a secret they added is not in `found`.
    partial: bool = False


PARTIAL = f"git history read in part: over its {BUDGET >> 20} MiB budget"


def committed(root: Path) -> Walk:
    """Every secret committed to a config of the repository whose top level is `root`, with
    the commit that first added it; empty for anything else (not a repository, a
    subdirectory of one, git missing or refusing). `partial` when the walk stopped at its
    budget: what it found is dated right, but newer commits were not read."""
    from mcpir.audit.git import open_repo

    try:
        repo = open_repo(root)
        if repo.top is None or os.path.realpath(repo.top) != os.path.realpath(root):
            return Walk({})
        key = _refs_key(repo)
        cache = CACHE.load()
        entry = cache.get(str(repo.git_dir))
        if isinstance(entry, dict) and entry.get("key") == key:
            return Walk(_parsed(entry.get("secrets")), entry.get("partial") is True)
        walk = _walk(repo) if key else Walk({})
    except (McpirError, OSError, ValueError):
        return Walk({})
    cache.pop(str(repo.git_dir), None)
    cache[str(repo.git_dir)] = {
        "key": key,
        "secrets": {fp: [sha, day.isoformat()] for fp, (sha, day) in sorted(walk.found.items())},
        "partial": walk.partial,
    }
    CACHE.save(dict(list(cache.items())[-MAX_REPOS:]))
    return walk


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


def _walk(repo: Repo) -> Walk:
    from mcpir.audit.git import blob_sizes
    from mcpir.audit.history import read_log
    from mcpir.audit.paths import is_config
    from mcpir.audit.secrets import SecretTracker
    from mcpir.audit.semantic import EMPTY

    revs = ["--branches", "--tags", "--remotes", *(["HEAD"] if repo.verify("HEAD") else [])]
    oldest_first = list(reversed(read_log(repo, revs, is_config, None)))
    # Each blob, in the order the walk needs it, with the paths it is read as.
    paths: dict[str, set[str]] = {}
    for commit in oldest_first:
        for raw in commit.changes:
            for sha, path in _blobs(raw):
                paths.setdefault(sha, set()).add(path)
    parsed, partial = _read(repo, paths, blob_sizes(repo, paths))

    def version(blob: Blob | None) -> Version:
        return EMPTY if blob is None else parsed[blob]

    tracker = SecretTracker()
    by_sha: dict[str, Commit] = {}
    for commit in oldest_first:  # as the audit reads it, up to the first commit not read
        if any(blob not in parsed for raw in commit.changes for blob in _blobs(raw)):
            break
        by_sha[commit.sha] = commit
        for raw in commit.changes:
            before, others, after = _sides(raw)
            tracker.see(commit, raw, version(before), version(after), [version(b) for b in others])
    found: Committed = {}
    for secret in tracker.found:
        adding = by_sha.get(secret.added_in or "")
        day = _day(adding) if adding is not None else None
        if adding is None or day is None:
            continue
        if secret.fingerprint not in found or day < found[secret.fingerprint][1]:
            found[secret.fingerprint] = (adding.sha, day)
    return Walk(found, partial)


def _sides(raw: RawChange) -> tuple[Blob | None, list[Blob | None], Blob | None]:
    """The blobs of a change's file before, in each other parent of a merge, and after. None:
    no file, or a link or a submodule at a config path (no config to find secrets in)."""
    from mcpir.audit.history import GITLINK, SYMLINK

    def blob(sha: str | None, path: str | None, mode: str) -> Blob | None:
        return None if sha is None or path is None or mode in (GITLINK, SYMLINK) else (sha, path)

    modes = raw.other_modes or ("",) * len(raw.other_parents)
    return (
        blob(raw.old_blob, raw.old_path, raw.old_mode),
        [blob(sha, raw.path, mode) for sha, mode in zip(raw.other_parents, modes, strict=False)],
        blob(raw.new_blob, raw.path, raw.new_mode),
    )


def _blobs(raw: RawChange) -> list[Blob]:
    before, others, after = _sides(raw)
    return [blob for blob in (before, *others, after) if blob is not None]


def _read(
    repo: Repo, paths: dict[str, set[str]], sizes: dict[str, int | None]
) -> tuple[dict[Blob, Version], bool]:
    """Each blob of `paths` parsed (its secrets only), in order, until `BUDGET` bytes are
    read; True when the budget ran out first. `CHUNK` bytes per `git cat-file`, each blob
    dropped as soon as it is parsed: no more than one chunk is ever held."""
    from mcpir.audit.git import cat_blobs
    from mcpir.audit.semantic import EMPTY, Version, parse_version
    from mcpir.core.documents import MAX_BYTES

    parsed: dict[Blob, Version] = {}
    for sha in paths.keys() - sizes.keys():
        for path in paths[sha]:
            parsed[(sha, path)] = EMPTY  # git could not even size it (damaged): never read
    # Missing, or over a config's limit: `cat_blobs` names it without reading it.
    costs = {sha: size if size is not None and size <= MAX_BYTES else 0
             for sha, size in sizes.items()}  # fmt: skip
    todo = [sha for sha in paths if sha in costs]
    spent = start = 0
    while start < len(todo):
        chunk: list[str] = []
        held = 0
        for sha in todo[start:]:
            cost = costs[sha]
            if spent + held + cost > BUDGET or (chunk and held + cost > CHUNK):
                break
            chunk.append(sha)
            held += cost
        if not chunk:
            return parsed, True
        blobs = cat_blobs(repo, chunk)
        for sha in chunk:
            data = blobs.pop(sha, "missing object")
            for path in paths[sha]:
                found = parse_version(data, path, repo.root).secrets
                parsed[(sha, path)] = Version(secrets=found) if found else EMPTY
            del data
        spent += held
        start += len(chunk)
    return parsed, False


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
