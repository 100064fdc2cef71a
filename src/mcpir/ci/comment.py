"""The pull request's review comment, through PyGithub (imported here: ~400 ms), posted once:
a review already carrying the marker is edited, not repeated, on a re-run."""

from __future__ import annotations

from mcpir.ci.summary import MARKER
from mcpir.core.redact import redact_text

DEFAULT_API = "https://api.github.com"
TIMEOUT = 20


class CommentFailed(Exception):
    """`denied`: no token, or one that may not comment (a fork's pull request gets a read-only
    token): a note, not a failed step, or every fork's pull request would fail its job."""

    def __init__(self, message: str, *, denied: bool = False) -> None:
        super().__init__(message)
        self.denied = denied


def post(api_url: str | None, token: str | None, repository: str, number: int, body: str) -> str:
    """Post (or update) the review; returns what was done, raises `CommentFailed` (one line)."""
    if not token:
        raise CommentFailed("no token: give the action `github-token` (or set GITHUB_TOKEN)",
                            denied=True)  # fmt: skip
    from github import Auth, Github, GithubException

    client = Github(base_url=(api_url or DEFAULT_API).rstrip("/"), auth=Auth.Token(token),
                    timeout=TIMEOUT, retry=None, lazy=True)  # fmt: skip
    try:
        pull = client.get_repo(repository).get_pull(number)
        for review in pull.get_reviews():
            if MARKER in (review.body or ""):
                review.edit(body)
                return f"updated the review on {repository}#{number}"
        pull.create_review(body=body, event="COMMENT")
    except GithubException as exc:
        data = exc.data if isinstance(exc.data, dict) else {}
        raise CommentFailed(redact_text(
            f"review on {repository}#{number}: HTTP {exc.status} {data.get('message', '')}"
        ).strip(), denied=exc.status in (401, 403)) from None  # fmt: skip
    except OSError as exc:
        raise CommentFailed(redact_text(f"review on {repository}#{number}: {exc}")) from None
    return f"reviewed {repository}#{number}"
