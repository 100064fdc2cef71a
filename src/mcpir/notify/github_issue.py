"""A GitHub issue per token, in a repository the user names: one open issue per token (found
again by a marker in its body), updated while the token stays due, closed once it is rotated.

PyGithub is imported here, inside the calls (it costs ~400 ms to import). The token comes from
the environment variable named in `[notify.github] token`, else mcpir's keyring entry of that
name; it is never shown.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, ClassVar

from mcpir.core.redact import redact_text
from mcpir.notify.base import NotifyError, Reminder, Resolution, Say
from mcpir.notify.config import GitHubConfig, NotifyConfig

if TYPE_CHECKING:
    from github.Issue import Issue
    from github.Repository import Repository

DEFAULT_API = "https://api.github.com"
TIMEOUT = 10


class GitHubIssues:
    name: ClassVar[str] = "github"

    def __init__(self, config: GitHubConfig) -> None:
        self.config = config
        self._repository: Repository | None = None

    def _token(self) -> str | None:
        value = os.environ.get(self.config.token)
        if value:
            return value
        from mcpir.tokens import store

        try:
            secret = store.get(self.config.token)
        except (store.KeyringUnavailable, Exception):  # noqa: BLE001 - any keyring trouble
            return None
        return secret.reveal() if secret is not None else None

    def unavailable(self) -> str | None:
        if self._token() is None:
            return (
                f"no GitHub token: set ${self.config.token} or "
                f"`mcpir tokens add {self.config.token}`"
            )
        return None

    def _repo(self) -> Repository:
        if self._repository is None:
            from github import Auth, Github

            token = self._token()
            if token is None:
                raise NotifyError(self.unavailable() or "no GitHub token")
            api = self.config.api_url or os.environ.get("GITHUB_API_URL") or DEFAULT_API
            client = Github(
                base_url=api.rstrip("/"),
                auth=Auth.Token(token),
                timeout=TIMEOUT,
                retry=None,
                seconds_between_requests=None,
                seconds_between_writes=None,
                lazy=True,
            )
            self._repository = client.get_repo(self.config.repo)
        return self._repository

    def _find(self, marker: str) -> Issue | None:
        repo = self._repo()
        labels: Any = [self.config.labels[0]] if self.config.labels else []
        for issue in repo.get_issues(state="open", labels=labels):
            if marker in (issue.body or ""):
                return issue
        return None

    def _call(self, what: str, action: Any) -> Any:  # noqa: ANN401
        from github import GithubException

        try:
            return action()
        except GithubException as exc:
            data = exc.data if isinstance(exc.data, dict) else {}
            message = str(data.get("message", "")).strip()
            raise NotifyError(
                redact_text(f"GitHub {what} in {self.config.repo}: HTTP {exc.status} {message}")
            ) from None
        except OSError as exc:  # connection refused, timeout
            raise NotifyError(redact_text(f"GitHub {what}: {exc}")) from None

    def remind(self, reminder: Reminder) -> str:
        repo, body, title = self.config.repo, reminder.markdown(), reminder.title

        def act() -> str:
            issue = self._find(reminder.marker)
            if issue is None:
                labels = list(self.config.labels)
                created = self._repo().create_issue(title=title, body=body, labels=labels)
                return f"opened {repo}#{created.number}"
            if issue.body != body or issue.title != title:
                issue.edit(title=title, body=body)
                return f"updated {repo}#{issue.number}"
            return f"already open: {repo}#{issue.number}"

        return str(self._call("issue", act))

    def resolve(self, resolution: Resolution) -> str | None:
        repo = self.config.repo

        def act() -> str | None:
            issue = self._find(resolution.marker)
            if issue is None:
                return None
            note = f"\n\n**Resolved by mcpir:** {redact_text(resolution.detail)}\n"
            issue.edit(body=(issue.body or "") + note, state="closed", state_reason="completed")
            return f"closed {repo}#{issue.number}"

        done = self._call("issue", act)
        return None if done is None else str(done)


def make(config: NotifyConfig, say: Say) -> GitHubIssues:
    if config.github is None:
        raise NotifyError("no [notify.github] repo in the user config")
    return GitHubIssues(config.github)
