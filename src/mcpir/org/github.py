"""One PyGithub client for an organization sweep, and every call through `call()`: the
primary rate limit is waited out (its reset time, from the headers GitHub sends on every
answer), a secondary one by its `Retry-After`, both within `max_wait` seconds in all; an
answer GitHub cannot give becomes one line. PyGithub is imported inside (~400 ms)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from mcpir.core.errors import McpirError, UsageError
from mcpir.core.progress import SILENT, Progress
from mcpir.core.redact import redact_text

if TYPE_CHECKING:
    from github import Github, GithubException

DEFAULT_API = "https://api.github.com"
TIMEOUT = 20
PER_PAGE = 100
# Below this many calls left, the next ones wait for the reset instead of meeting a 403.
RESERVE = 2
T = TypeVar("T")


class GitHubUnavailable(McpirError):
    """GitHub could not be asked (network, rate limit past --max-wait, server error): exit 3."""

    exit_code = 3


@dataclass
class Session:
    api_url: str
    token: str | None
    max_wait: float = 900.0
    progress: Progress = SILENT
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    waited: float = 0.0
    calls: int = 0
    _client: Github | None = field(default=None, repr=False)

    @property
    def client(self) -> Github:
        if self._client is None:
            from github import Auth, Github

            self._client = Github(
                base_url=self.api_url.rstrip("/"),
                auth=Auth.Token(self.token) if self.token else None,
                timeout=TIMEOUT,
                per_page=PER_PAGE,
                retry=None,  # waits are decided here, where --max-wait bounds them
                seconds_between_requests=None,
                seconds_between_writes=None,
                lazy=True,
            )
        return self._client

    def _wait(self, seconds: float, why: str) -> None:
        seconds = max(0.0, seconds)
        if self.waited + seconds > self.max_wait:
            raise GitHubUnavailable(
                f"GitHub {why}: waiting {seconds:.0f} s more would pass --max-wait "
                f"{self.max_wait:.0f} s",
                hint="run it again later, or raise --max-wait",
            )
        self.progress.step(f"{why}: waiting {seconds:.0f} s")
        self.sleep(seconds)
        self.waited += seconds

    def _before(self) -> None:
        # The requester's own record of the last answer's headers: `Github.rate_limiting`
        # would spend a call on /rate_limit when no answer carried them yet.
        requester = self.client.requester
        remaining, _limit = requester.rate_limiting
        if 0 <= remaining < RESERVE:
            self._wait(requester.rate_limiting_resettime - self.clock() + 1, "rate limit reached")

    def call(self, what: str, action: Callable[[], T]) -> T:
        """`action()`, waiting out rate limits; a GitHub error other than a rate limit is
        raised as it is, for the caller to judge (a repository without access is not fatal)."""
        from github import GithubException, RateLimitExceededException

        for _ in range(5):
            self._before()
            self.calls += 1
            try:
                return action()
            except GithubException as exc:
                headers = {key.lower(): str(value) for key, value in (exc.headers or {}).items()}
                retry, reset = headers.get("retry-after"), headers.get("x-ratelimit-reset")
                # A 403 with Retry-After is a secondary limit, whatever its message says.
                limited = exc.status == 429 or (exc.status == 403 and retry is not None)
                if not isinstance(exc, RateLimitExceededException) and not limited:
                    self._failed(what, exc)
                if retry and retry.isdigit():
                    self._wait(float(retry), "secondary rate limit")
                elif reset and str(reset).isdigit():
                    self._wait(float(reset) - self.clock() + 1, "rate limit reached")
                else:
                    self._wait(60.0, "rate limit reached")
            except OSError as exc:  # connection refused, timeout
                raise GitHubUnavailable(redact_text(f"GitHub {what}: {exc}")) from None
            except (ValueError, TypeError, AttributeError, KeyError) as exc:
                # Not JSON, or not the shape PyGithub reads (a proxy's page, a broken server).
                raise GitHubUnavailable(
                    f"GitHub {what}: an answer that is not the API's ({type(exc).__name__})"
                ) from None
        raise GitHubUnavailable(f"GitHub {what}: still rate limited after 5 waits")

    @staticmethod
    def _failed(what: str, exc: GithubException) -> None:
        if exc.status == 401:
            raise UsageError(
                f"GitHub {what}: bad credentials (HTTP 401)",
                hint="set GITHUB_TOKEN to a token that can read the organization",
            ) from None
        if exc.status >= 500:
            raise GitHubUnavailable(f"GitHub {what}: {message(exc)}") from None
        raise exc


def message(exc: Exception) -> str:
    """One line for a GitHub error: its status and GitHub's own message, redacted."""
    from github import GithubException

    if isinstance(exc, GithubException):
        data = exc.data if isinstance(exc.data, dict) else {}
        text = str(data.get("message", "")).strip()
        return " ".join(redact_text(f"HTTP {exc.status} {text}").split())
    return " ".join(redact_text(str(exc)).split())  # one line: a workflow prints it as one
