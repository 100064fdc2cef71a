"""What a token provider can do for a rotation: check a token, obtain a new one, revoke one.

Providers talk to the network; nothing here or in `mcpir.tokens.providers` imports a client
library at module level, so `mcpir --help` and containment stay light.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from mcpir.core.secret import Secret

Ask = Callable[[str], Secret | None]


@dataclass(frozen=True)
class Verification:
    """What a provider says about a token. Never holds the token itself.

    `ok` False with `unknown` False means the provider rejected the token (revoked, expired,
    wrong); `unknown` True means it could not be asked (network, rate limit, server error),
    which a rotation must treat as "retry later", never as "invalid".
    """

    ok: bool
    login: str | None = None
    scopes: frozenset[str] | None = None
    expires: str | None = None
    detail: str = ""
    unknown: bool = False


@dataclass(frozen=True)
class Revocation:
    """The outcome of asking a provider to revoke a token; `detail` is one line to show.

    When `revoked` is False, `detail` tells the user how to revoke it by hand. `by_hand` says
    that mcpir cannot do it at all (a re-run would not help), rather than "failed this time".
    """

    revoked: bool
    detail: str
    by_hand: bool = False

    def __str__(self) -> str:
        return self.detail


class TokenProvider(Protocol):
    name: str

    def verify(self, secret: Secret, api_url: str | None) -> Verification:
        """Ask the provider whether `secret` works, and as whom."""
        ...

    def obtain_new(self, old: Verification, *, ask: Ask) -> Secret:
        """A replacement for the token `old` describes, from the user (`ask` reads it hidden)."""
        ...

    def revoke(self, secret: Secret, api_url: str | None) -> Revocation:
        """Revoke `secret`, or say how to revoke it by hand."""
        ...


@dataclass(frozen=True)
class AppSettings:
    """A GitHub App that mints installation tokens: its id, its private key (PEM), and the
    installation (None: the app's only one)."""

    app_id: str | None = None
    private_key: Secret | None = None
    installation_id: int | None = None


@dataclass(frozen=True)
class Options:
    """What `mcpir.tokens.providers.provider` was given; each provider's `build` takes what
    it needs: the API (`api_url`, `timeout`: None for the provider's default), the manual
    provider's `verify_command`, the GitHub App's settings."""

    api_url: str | None = None
    verify_command: Sequence[str] = ()
    timeout: int | None = None
    app: AppSettings | None = None


class NoNewToken(Exception):
    """No new value: the user gave none (empty input, end of file), or, with `retry`, the
    provider could not mint one this time (network, rate limit): a re-run tries again."""

    def __init__(self, message: str, *, retry: bool = False) -> None:
        super().__init__(message)
        self.retry = retry


def one_line(text: str, limit: int = 200) -> str:
    """The first line of a provider's message, cut short: messages go to a terminal."""
    from mcpir.core.redact import redact_text

    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return redact_text(first[:limit])
