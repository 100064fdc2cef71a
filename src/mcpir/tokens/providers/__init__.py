"""Token providers for `mcpir tokens verify|rotate`, by name.

Each provider lives in its own module and is imported when it is asked for: the GitHub one
pulls in PyGithub (~400 ms), which no other command should pay for.
"""

from __future__ import annotations

from collections.abc import Sequence

from mcpir.core.errors import UsageError
from mcpir.tokens.providers.base import AppSettings, Revocation, TokenProvider, Verification

__all__ = [
    "NAMES", "AppSettings", "Revocation", "TokenProvider", "Verification", "guess", "provider",
]  # fmt: skip

NAMES = ("github", "github-app", "manual")
# GitHub App installation tokens: minted by the API, not made by a person.
INSTALLATION_PREFIX = "ghs_"


def provider(
    name: str,
    *,
    api_url: str | None = None,
    verify_command: Sequence[str] | None = None,
    timeout: int | None = None,
    app: AppSettings | None = None,
) -> TokenProvider:
    """The provider called `name`; `verify_command` is the manual provider's check, `app`
    the GitHub App that mints installation tokens."""
    if name == "github":
        from mcpir.tokens.providers.github import DEFAULT_TIMEOUT, GitHubProvider

        return GitHubProvider(timeout or DEFAULT_TIMEOUT, api_url)
    if name == "github-app":
        from mcpir.tokens.providers.github import DEFAULT_TIMEOUT
        from mcpir.tokens.providers.github_app import GitHubAppProvider

        return GitHubAppProvider(app or AppSettings(), timeout or DEFAULT_TIMEOUT, api_url)
    if name == "manual":
        from mcpir.tokens.providers.manual import ManualProvider

        return ManualProvider(tuple(verify_command or ()))
    raise UsageError(f"unknown provider {name!r}", hint=f"use one of {', '.join(NAMES)}")


def guess(detected: str, value: str | None = None) -> str:
    """The rotation provider for a detector's name (`github-classic`…) and the value's prefix
    (`ghs_`: a GitHub App installation token); `manual` otherwise."""
    if not detected.startswith("github"):
        return "manual"
    return "github-app" if value and value.startswith(INSTALLATION_PREFIX) else "github"
