"""`mcpir org repos`: an organization's repositories, every one or only those whose tree holds
a file discovery reads, as a list and as an Actions matrix.

Two ways to tell which hold one: the git trees API (one call per repository, exact, on the
default branch) or code search (a dozen calls for the whole organization, but GitHub indexes
only default branches of repositories it chose to index, and forks only when asked). A tree
GitHub cut short (`truncated`, over 100,000 entries) cannot rule a repository out: it is kept,
with that reason. A repository the token cannot read is listed as such, never dropped.
"""

from __future__ import annotations

import enum
import fnmatch
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mcpir.core.errors import UsageError
from mcpir.core.redact import redact_text
from mcpir.org.github import PER_PAGE, Session, message

# Actions refuses a matrix of more than 256 jobs; a larger sweep is split by the caller.
MATRIX_LIMIT = 256
MAX_PAGES = 1000  # 100,000 repositories: past that, a bound, not an organization


class Select(enum.StrEnum):
    ALL = "all"
    TREES = "trees"
    SEARCH = "search"


@dataclass(frozen=True)
class Repo:
    full_name: str
    default_branch: str | None
    private: bool
    archived: bool
    fork: bool
    holds: tuple[str, ...] = ()  # the config paths found (at most a few, for the reader)
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "repository": redact_text(self.full_name),
            "default_branch": self.default_branch,
            "private": self.private,
            "archived": self.archived,
            "fork": self.fork,
            "holds": [redact_text(path) for path in self.holds],
            "note": self.note,
        }


@dataclass
class RepoListing:
    org: str
    select: Select
    listed: int = 0  # repositories the organization has that were looked at
    repos: list[Repo] = field(default_factory=list)
    unreachable: list[tuple[str, str]] = field(default_factory=list)  # (repo, why)
    calls: int = 0
    waited: float = 0.0

    def matrix(self) -> dict[str, Any]:
        return {
            "include": [
                {"repository": repo.full_name, "ref": repo.default_branch or ""}
                for repo in self.repos[:MATRIX_LIMIT]
            ]
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "org": redact_text(self.org),
            "select": self.select.value,
            "listed": self.listed,
            "repositories": [repo.to_json() for repo in self.repos],
            "unreachable": [
                {"repository": redact_text(name), "error": redact_text(why)}
                for name, why in self.unreachable
            ],
            "matrix": self.matrix(),
            "matrix_truncated": len(self.repos) > MATRIX_LIMIT,
            "api_calls": self.calls,
            "waited_seconds": round(self.waited, 1),
        }


def config_patterns() -> tuple[str, ...]:
    """Every path, relative to a project, where a client reads MCP servers."""
    from mcpir.discovery.clients import CLIENTS

    return tuple(sorted({rel for client in CLIENTS for rel in client.project}))


def holds_config(path: str, patterns: Iterable[str]) -> bool:
    """Whether a repository path is one discovery reads (at the top or anywhere below, as
    the project walk of `--root` finds them)."""
    for pattern in patterns:
        if fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase(path, "*/" + pattern):
            return True
    return False


def _repo(raw: Any, holds: tuple[str, ...] = (), note: str | None = None) -> Repo:  # noqa: ANN401
    return Repo(str(raw.full_name), raw.default_branch, bool(raw.private), bool(raw.archived),
                bool(raw.fork), holds, note)  # fmt: skip


def _every(session: Session, org: str, include_archived: bool, include_forks: bool) -> list[Any]:
    from github.GithubObject import NotSet

    owner = session.client.get_organization(org)
    paged = owner.get_repos(type="all", sort=NotSet)
    found: list[Any] = []
    seen: set[str] = set()
    for page in range(MAX_PAGES):
        batch: list[Any] = session.call(f"listing {org}'s repositories",
                                        functools.partial(paged.get_page, page))  # fmt: skip
        session.progress.advanced(len(batch))
        new = [r for r in batch if str(r.full_name) not in seen]
        seen.update(str(r.full_name) for r in new)
        found += new
        if len(batch) < PER_PAGE or not new:  # a page of nothing new: a server going round
            break
    return [r for r in found if (include_archived or not r.archived)
            and (include_forks or not r.fork)]  # fmt: skip


def list_repos(
    session: Session,
    org: str,
    select: Select = Select.TREES,
    *,
    include_archived: bool = False,
    include_forks: bool = False,
) -> RepoListing:
    from github import GithubException

    listing = RepoListing(org, select)
    session.progress.started(f"repositories of {org}", None)
    try:
        every = _every(session, org, include_archived, include_forks)
    except GithubException as exc:  # no such organization, or a token that may not list it
        raise UsageError(f"GitHub listing {org}'s repositories: {message(exc)}",
                         hint="check --org and the token's access to it") from None  # fmt: skip
    finally:
        session.progress.finished()
    listing.listed = len(every)
    if select is Select.ALL:
        listing.repos = [_repo(raw) for raw in every]
    elif select is Select.SEARCH:
        _by_search(session, org, every, listing)
    else:
        patterns = config_patterns()
        session.progress.started("trees", len(every))
        try:
            for raw in every:
                try:
                    kept = _by_tree(session, raw, patterns)
                except GithubException as exc:
                    if exc.status == 409:  # an empty repository has no tree
                        kept = None
                    else:
                        listing.unreachable.append((str(raw.full_name), message(exc)))
                        kept = None
                except (TypeError, AttributeError, ValueError, KeyError) as exc:
                    why = f"its tree is not the API's answer ({type(exc).__name__})"
                    listing.unreachable.append((str(raw.full_name), why))
                    kept = None
                if kept is not None:
                    listing.repos.append(kept)
                session.progress.advanced(1)
        finally:
            session.progress.finished()
    listing.calls, listing.waited = session.calls, session.waited
    return listing


def _by_tree(session: Session, raw: Any, patterns: tuple[str, ...]) -> Repo | None:  # noqa: ANN401
    branch = raw.default_branch or "HEAD"
    tree = session.call(f"reading {raw.full_name}'s tree",
                        lambda: raw.get_git_tree(branch, recursive=True))  # fmt: skip
    holds = tuple(item.path for item in tree.tree if item.type == "blob"
                  and holds_config(item.path, patterns))  # fmt: skip
    if holds:
        return _repo(raw, holds[:5])
    if tree.raw_data.get("truncated"):
        return _repo(raw, (), "tree truncated by GitHub: kept, since it cannot be ruled out")
    return None


def search_queries(org: str) -> list[str]:
    """Code search queries that together find every pattern's file name in `org`."""
    names = set()
    for pattern in config_patterns():
        name = pattern.rsplit("/", 1)[-1]
        names.add(f"extension:{name[2:]}" if name.startswith("*.") else f"filename:{name}")
    return [f"org:{org} {term}" for term in sorted(names) if "*" not in term]


def _by_search(session: Session, org: str, every: list[Any], listing: RepoListing) -> None:
    patterns = config_patterns()
    wanted = {str(raw.full_name): raw for raw in every}
    holds: dict[str, list[str]] = {}
    queries = search_queries(org)
    session.progress.started("code search", len(queries))
    try:
        for query in queries:
            results = session.client.search_code(query)
            for page in range(10):  # code search answers at most 1,000 results
                fetch = functools.partial(results.get_page, page)
                batch: list[Any] = session.call("code search", fetch)
                for item in batch:
                    name = str(item.repository.full_name)
                    if name in wanted and holds_config(str(item.path), patterns):
                        holds.setdefault(name, []).append(str(item.path))
                if len(batch) < PER_PAGE:
                    break
            session.progress.advanced(1)
    finally:
        session.progress.finished()
    listing.repos = [_repo(wanted[name], tuple(sorted(paths))[:5])
                     for name, paths in sorted(holds.items())]  # fmt: skip
