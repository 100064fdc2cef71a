"""Branch protection on GitHub (opt-in: `mcpir posture --branch-protection github:OWNER/REPO`):
the default branch must be protected, require pull-request reviews, and require code owners'.

Reading a branch's protection needs a token with admin rights on the repository; without them
the item is `unknown`, never `fail`. PyGithub is imported inside the call.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from mcpir.core.errors import UsageError
from mcpir.core.redact import redact_text
from mcpir.posture import PostureItem

TITLE = "Default branch protected, with code-owner review required"  # = items.TITLES
PROVIDERS = ("github",)
_SPEC = re.compile(
    r"^(?P<provider>[a-z]+):(?P<repo>[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)(?:@(?P<branch>\S+))?$"
)
DEFAULT_API = "https://api.github.com"


@dataclass(frozen=True)
class BranchProtection:
    repo: str
    branch: str | None = None
    api_url: str | None = None
    token_name: str = "GITHUB_TOKEN"  # noqa: S105 - a variable's name, not a value

    @classmethod
    def parse(cls, spec: str, api_url: str | None = None) -> BranchProtection:
        match = _SPEC.match(spec)
        if match is None or match["provider"] not in PROVIDERS:
            raise UsageError(f"--branch-protection {spec!r}: expected github:OWNER/REPO[@BRANCH]")
        return cls(match["repo"], match["branch"], api_url)


def _token(name: str) -> str | None:
    value = os.environ.get(name)
    if value:
        return value
    from mcpir.tokens import store

    try:
        secret = store.get(name)
    except Exception:  # noqa: BLE001 - no keyring here is "no token", not a crash
        return None
    return secret.reveal() if secret is not None else None


def check_branch(opt: BranchProtection) -> PostureItem:
    from github import Auth, Github, GithubException

    token = _token(opt.token_name)
    if token is None:
        return PostureItem(
            "branch-protection", TITLE, "unknown", f"no token in ${opt.token_name}",
            f"set ${opt.token_name} to a token with admin read on {opt.repo}",
        )  # fmt: skip
    api = (opt.api_url or os.environ.get("GITHUB_API_URL") or DEFAULT_API).rstrip("/")
    client = Github(
        base_url=api, auth=Auth.Token(token), timeout=10, retry=None,
        seconds_between_requests=None, seconds_between_writes=None,
    )  # fmt: skip
    fix = (
        f"protect the branch in {opt.repo} settings: require a pull request, with review "
        "from Code Owners"
    )
    try:
        repo = client.get_repo(opt.repo)
        name = opt.branch or repo.default_branch
        branch = repo.get_branch(name)
        if not branch.protected:
            return PostureItem(
                "branch-protection", TITLE, "fail", f"{opt.repo}@{name} is not protected", fix
            )
        reviews = branch.get_protection().required_pull_request_reviews
    except GithubException as exc:
        if exc.status == 404 and "protect" in str(exc.data).lower():
            return PostureItem(
                "branch-protection", TITLE, "fail", f"{opt.repo}: branch not protected", fix
            )
        data = exc.data if isinstance(exc.data, dict) else {}
        why = redact_text(f"GitHub answered HTTP {exc.status} {data.get('message', '')}".strip())
        return PostureItem("branch-protection", TITLE, "unknown", why, "")
    except OSError as exc:
        return PostureItem("branch-protection", TITLE, "unknown", redact_text(str(exc)), "")
    if reviews is None:
        return PostureItem(
            "branch-protection", TITLE, "fail",
            f"{opt.repo}@{name} is protected but requires no pull-request review", fix,
        )  # fmt: skip
    if not reviews.require_code_owner_reviews:
        return PostureItem(
            "branch-protection", TITLE, "fail",
            f"{opt.repo}@{name} requires {reviews.required_approving_review_count} review(s), "
            "not from code owners", fix,
        )  # fmt: skip
    return PostureItem(
        "branch-protection", TITLE, "pass",
        f"{opt.repo}@{name}: protected, {reviews.required_approving_review_count} review(s) "
        "incl. code owners",
        "",
    )  # fmt: skip
