"""Whether a commit reached the default branch, and how: directly, by a merge, by a pull request.

The default branch's first-parent chain is what was on it, push by push; a commit off that
chain but reachable from it came in through the merge on the chain that first reached it.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass

from mcpir.audit.git import Repo
from mcpir.audit.history import Commit

_MERGED_PR = re.compile(r"^Merge pull request #(?P<number>\d+)\b")
_SQUASHED_PR = re.compile(r"\(#(?P<number>\d+)\)\s*$")
# GitHub's web-flow committer: a squash or rebase merge made in a pull request.
_WEB_FLOW = "noreply@github.com"


@dataclass(frozen=True)
class Reached:
    on_default: bool
    via: str | None  # "direct" | "merge" | "pull-request"; None when not on the default branch
    merge: str | None = None  # the merge commit that brought it in
    pull_request: int | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "default_branch": self.on_default,
            "via": self.via,
            "merge": self.merge,
            "pull_request": self.pull_request,
        }


NOT_MERGED = Reached(False, None)


class Reachability:
    def __init__(self, repo: Repo, default: str | None) -> None:
        self.repo = repo
        self.default = default
        self._chain: list[str] | None = None
        self._first_parent: frozenset[str] = frozenset()
        self._merged_by: dict[str, str] | None = None
        self._subjects: dict[str, str] = {}

    @property
    def first_parent(self) -> frozenset[str]:
        """What was on the default branch, push by push (asked for once, when first needed)."""
        if self._chain is None:
            default = self.default
            # `--end-of-options`: a revision is never read as an option, whatever its name.
            self._chain = self.repo.run("rev-list", "--first-parent", "--end-of-options",
                                        default).split() if default else []  # fmt: skip
            self._first_parent = frozenset(self._chain)
        return self._first_parent

    @property
    def branch(self) -> str:
        if not self.default:
            return "the default branch"
        return self.default.removeprefix("refs/heads/").removeprefix("refs/remotes/")

    def _attribute(self) -> dict[str, str]:
        """Each commit off the first-parent chain -> the chain's merge that first reached it.
        One `git log` gives every commit's parents, and the merges' subjects."""
        parents: dict[str, list[str]] = {}
        out = self.repo.run(
            "log", "-z", "--format=%H %P\x1f%s", "--end-of-options", str(self.default)
        )
        for record in out.split("\0"):
            shas, _, subject = record.partition("\x1f")
            sha, *rest = shas.split() or [""]
            parents[sha] = rest
            if len(rest) > 1:
                self._subjects[sha] = subject
        merged_by: dict[str, str] = {}
        for merge in reversed(self._chain or []):  # oldest first: the earliest merge claims
            queue = deque(parents.get(merge, [])[1:])
            while queue:
                sha = queue.popleft()
                if sha in self.first_parent or sha in merged_by:
                    continue
                merged_by[sha] = merge
                queue.extend(parents.get(sha, ()))
        return merged_by

    def of(self, commit: Commit) -> Reached:
        if commit.sha in self.first_parent:
            squash = _SQUASHED_PR.search(commit.subject)
            # GitHub signs every squash merge it makes: an unsigned commit naming GitHub as
            # committer is someone's own push, dressed up (`git -c user.email=...`).
            web_flow = commit.committer_email.lower() == _WEB_FLOW and commit.signature != "N"
            if squash and web_flow and len(commit.parents) < 2:
                return Reached(True, "pull-request", None, int(squash["number"]))
            return Reached(True, "direct")
        if self._merged_by is None:
            self._merged_by = self._attribute() if self.default else {}
        merge = self._merged_by.get(commit.sha)
        if merge is None:
            return NOT_MERGED
        pull = _MERGED_PR.match(self._subjects.get(merge, ""))
        if pull:
            return Reached(True, "pull-request", merge, int(pull["number"]))
        return Reached(True, "merge", merge)
