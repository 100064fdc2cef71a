"""What a notifier is given and what it answers: a reminder for one token, or its resolution.

A reminder names the token by id and fingerprint, says where it is written and which servers
read it, and gives the command that rotates it. It never holds a value: every text a notifier
sends is built here and passed through `mcpir.core.redact`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from mcpir.core.errors import McpirError
from mcpir.core.redact import redact_text

if TYPE_CHECKING:
    from mcpir.core.paths import Scopes
    from mcpir.tokens.status import TokenStatus

Say = Callable[[str], None]
MARKER = "mcpir-reminder"


class NotifyError(McpirError):
    """A notifier could not deliver (network, permissions, missing tool): reported, retried."""


@dataclass(frozen=True)
class Reminder:
    token_id: str
    provider: str
    fingerprint: str
    locations: tuple[str, ...]  # shown form: `~/.claude.json:7`, `keyring:GITHUB_TOKEN`
    servers: tuple[str, ...]
    state: str  # due-soon | overdue
    age_days: int
    max_age_days: int
    due: str
    days_left: int
    in_keyring: bool

    @classmethod
    def of(cls, status: TokenStatus, scopes: Scopes) -> Reminder:
        token = status.token
        return cls(
            token_id=token.id,
            provider=token.provider,
            fingerprint=token.fingerprint,
            locations=tuple(redact_text(scopes.display_location(w)) for w in token.locations),
            servers=tuple(redact_text(name) for name in token.servers),
            state=status.state,
            age_days=status.age_days,
            max_age_days=status.rule.max_age_days,
            due=status.due.isoformat(),
            days_left=status.days_left,
            in_keyring=status.in_keyring,
        )

    @property
    def command(self) -> str:
        return f"mcpir tokens rotate {self.token_id}"

    @property
    def marker(self) -> str:
        """Finds this token's reminder again (a GitHub issue body holds it)."""
        return f"<!-- {MARKER}: {self.token_id} -->"

    @property
    def when(self) -> str:
        if self.days_left < 0:
            late = -self.days_left
            return f"overdue since {self.due} ({late} day{'s' if late != 1 else ''} ago)"
        if self.days_left == 0:
            return f"due today ({self.due})"
        return f"due {self.due} (in {self.days_left} day{'s' if self.days_left != 1 else ''})"

    @property
    def title(self) -> str:
        return redact_text(f"Rotate {self.token_id} ({self.provider} MCP token): {self.when}")

    def lines(self) -> list[str]:
        servers = ", ".join(self.servers) or "no configured server"
        lines = [
            f"{self.token_id} ({self.provider}, {self.fingerprint}) is {self.age_days} "
            f"days old, policy {self.max_age_days}: {self.when}",
            f"found at: {', '.join(self.locations)}",
            f"read by servers: {servers}",
            f"rotate it: {self.command}",
        ]
        if not self.in_keyring:
            lines.append(
                "it is not in mcpir's keyring yet: move it there first "
                "(`mcpir tokens externalize`, or `mcpir tokens add NAME`)"
            )
        return [redact_text(line) for line in lines]

    def text(self) -> str:
        return "\n".join(self.lines())

    def markdown(self) -> str:
        where = "\n".join(f"  - `{w}`" for w in self.locations) or "  - (nowhere known)"
        servers = ", ".join(f"`{s}`" for s in self.servers) or "no configured server"
        body = (
            f"**MCP token `{self.token_id}` ({self.provider}) is {self.age_days} days old**; "
            f"the rotation policy allows {self.max_age_days}: {self.when}.\n\n"
            f"- fingerprint: `{self.fingerprint}`\n"
            f"- found at:\n{where}\n"
            f"- read by MCP servers: {servers}\n\n"
            f"Rotate it on the machine that holds it:\n\n```sh\n{self.command}\n```\n"
        )
        if not self.in_keyring:
            body += "\nIt is not in mcpir's keyring yet: run `mcpir tokens externalize` first.\n"
        body += "\n_Opened by `mcpir tokens status --notify`; closed by mcpir once rotated._\n"
        # The marker holds an id only; it is kept out of redaction so it is found again as is.
        return f"{self.marker}\n{redact_text(body)}"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.token_id,
            "provider": self.provider,
            "fingerprint": self.fingerprint,
            "locations": list(self.locations),
            "servers": list(self.servers),
            "state": self.state,
            "age_days": self.age_days,
            "max_age_days": self.max_age_days,
            "due": self.due,
            "days_left": self.days_left,
            "rotate": self.command,
        }


@dataclass(frozen=True)
class Resolution:
    """A token reminded of before is no longer due: rotated, or gone from every config."""

    token_id: str
    fingerprint: str
    detail: str

    @property
    def marker(self) -> str:
        return f"<!-- {MARKER}: {self.token_id} -->"

    def text(self) -> str:
        return f"{self.token_id} ({self.fingerprint}): {redact_text(self.detail)}"

    def to_json(self) -> dict[str, Any]:
        return {"id": self.token_id, "fingerprint": self.fingerprint, "detail": self.detail}


@dataclass(frozen=True)
class Delivery:
    channel: str
    token_id: str
    ok: bool
    detail: str


class Notifier(Protocol):
    name: ClassVar[str]

    def unavailable(self) -> str | None:
        """Why this notifier cannot work here (a missing tool, no token), else None."""

    def remind(self, reminder: Reminder) -> str:
        """Deliver; return what was done. Raises NotifyError."""

    def resolve(self, resolution: Resolution) -> str | None:
        """Withdraw the reminder (close the issue…); None when there was nothing to withdraw."""
