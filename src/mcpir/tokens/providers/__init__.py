"""Token providers for `mcpir tokens verify|rotate`, by name.

Each provider lives in its own module and is imported when it is asked for: the GitHub one
pulls in PyGithub (~400 ms), which no other command should pay for.
"""

from __future__ import annotations

from collections.abc import Sequence

from mcpir.errors import UsageError
from mcpir.tokens.providers.base import Revocation, TokenProvider, Verification

__all__ = ["NAMES", "Revocation", "TokenProvider", "Verification", "guess", "provider"]

NAMES = ("github", "manual")


def provider(
    name: str,
    *,
    api_url: str | None = None,
    verify_command: Sequence[str] | None = None,
    timeout: int | None = None,
) -> TokenProvider:
    """The provider called `name`; `verify_command` is the manual provider's check."""
    if name == "github":
        from mcpir.tokens.providers.github import DEFAULT_TIMEOUT, GitHubProvider

        return GitHubProvider(timeout or DEFAULT_TIMEOUT, api_url)
    if name == "manual":
        from mcpir.tokens.providers.manual import ManualProvider

        return ManualProvider(tuple(verify_command or ()))
    raise UsageError(f"unknown provider {name!r}", hint=f"use one of {', '.join(NAMES)}")


def guess(detected: str) -> str:
    """The rotation provider for a detector's name (`github-classic`…); `manual` otherwise."""
    return "github" if detected.startswith("github") else "manual"
