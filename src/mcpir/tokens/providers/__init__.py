"""Token providers for `mcpir tokens verify|rotate`, by name.

Each provider lives in its own module and is imported when it is asked for: the GitHub one
pulls in PyGithub (~400 ms), which no other command should pay for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib import import_module

from mcpir.core.errors import UsageError
from mcpir.tokens.providers.base import (
    AppSettings,
    Options,
    Revocation,
    TokenProvider,
    Verification,
)

__all__ = [
    "NAMES", "REGISTRY", "AppSettings", "Options", "Revocation", "TokenProvider", "Verification",
    "guess", "provider",
]  # fmt: skip

# GitHub App installation tokens: minted by the API, not made by a person.
INSTALLATION_PREFIX = "ghs_"

Factory = Callable[[Options], TokenProvider]


def _lazy(module: str) -> Factory:
    """The `build` of `mcpir.tokens.providers.<module>`, imported only when it is called."""

    def make(options: Options) -> TokenProvider:
        build: Factory = import_module(f"{__name__}.{module}").build
        return build(options)

    return make


# Every rotation provider, by name. Adding one: one module with a `build(options)`, one line here.
REGISTRY: dict[str, Factory] = {
    "github": _lazy("github"),
    "github-app": _lazy("github_app"),
    "manual": _lazy("manual"),
}
NAMES = tuple(REGISTRY)


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
    factory = REGISTRY.get(name)
    if factory is None:
        raise UsageError(f"unknown provider {name!r}", hint=f"use one of {', '.join(NAMES)}")
    return factory(Options(api_url, tuple(verify_command or ()), timeout, app))


def guess(detected: str, value: str | None = None) -> str:
    """The rotation provider for a detector's name (`github-classic`…) and the value's prefix
    (`ghs_`: a GitHub App installation token); `manual` otherwise."""
    if not detected.startswith("github"):
        return "manual"
    return "github-app" if value and value.startswith(INSTALLATION_PREFIX) else "github"
