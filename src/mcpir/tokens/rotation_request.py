"""What a rotation is asked to do, the hooks it calls, and how it ends."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from mcpir.core.errors import UsageError
from mcpir.core.secret import Secret
from mcpir.tokens.providers.base import Ask, TokenProvider

if TYPE_CHECKING:
    from mcpir.core.paths import Scopes
    from mcpir.tokens.references import Reference

STEP = "rotate"  # the incident step that rewrites configs holding the old value
Status = Literal["done", "needs-you", "refused", "stopped", "declined"]
EXIT = {"done": 0, "needs-you": 1, "refused": 1, "declined": 1, "stopped": 3}


@dataclass(frozen=True)
class ActionsSecret:
    repo: str
    name: str

    @classmethod
    def parse(cls, text: str) -> ActionsSecret:
        repo, colon, name = text.partition(":")
        if not colon or repo.count("/") != 1 or not all(repo.split("/")) or not name:
            raise UsageError(f"--actions-secret {text!r}: expected OWNER/REPO:NAME")
        return cls(repo, name)

    def __str__(self) -> str:
        return f"{self.repo}:{self.name}"


@dataclass(frozen=True)
class Request:
    name: str  # the keyring entry that holds the token
    provider: TokenProvider
    api_url: str | None = None
    actions: tuple[ActionsSecret, ...] = ()
    yes: bool = False
    timeout: int = 10
    # Where configs are looked for: those holding the old value written out are externalized.
    scopes: Scopes | None = None
    exclude: tuple[str, ...] = ()
    # The old value when the keyring entry does not hold it yet (a token only a config holds).
    old_value: Secret | None = None
    # A token kept in a vault (`op://…`, `vault://…`, then `name` is its text): read from it,
    # and the new value stored back into it, instead of a keyring entry.
    reference: Reference | None = None


@dataclass(frozen=True)
class Hooks:
    ask: Ask
    say: Callable[[str], None]
    confirm: Callable[[str], bool]
    # Called around every phase; tests raise from it to simulate a crash there.
    checkpoint: Callable[[str], None] = lambda stage: None


@dataclass
class Outcome:
    status: Status
    detail: str
    needs_you: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return EXIT[self.status]
