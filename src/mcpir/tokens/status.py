"""`mcpir tokens status`: every token's age against the rotation policy, and when it is due.

A token's age counts from its last rotation, else from the oldest evidence of it
(`mcpir.tokens.evidence`: a commit, a file's mtime, a transcript, when mcpir first saw it). It
is `exposed` while evidence says it may have leaked and no rotation followed, whatever its age;
else `overdue` once older than its `max_age_days`, `due-soon` from the first reminder day on,
else `ok`. Tokens without a value here (a VS Code prompt, a variable nothing provides) have no
age and are counted apart, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Literal

from mcpir.config.rotation import RotationPolicy, Rule
from mcpir.tokens.model import Token, today

if TYPE_CHECKING:
    from mcpir.config.project import Policy
    from mcpir.core.model import ConfigFile
    from mcpir.core.paths import Scopes

State = Literal["ok", "due-soon", "overdue", "exposed"]
STATES: tuple[State, ...] = ("exposed", "overdue", "due-soon", "ok")
OVERDUE_STAGE = 0


@dataclass(frozen=True)
class TokenStatus:
    token: Token
    base: date  # last rotated, else the oldest evidence
    rule: Rule
    due: date
    days_left: int  # negative once overdue
    state: State

    @property
    def age_days(self) -> int:
        return self.rule.max_age_days - self.days_left

    @property
    def rotate_command(self) -> str:
        return f"mcpir tokens rotate {self.token.id}"

    @property
    def in_keyring(self) -> bool:
        return any(where.startswith("keyring:") for where in self.token.locations)

    @property
    def stage(self) -> int | None:
        """The reminder this token has reached: a remind day, `OVERDUE_STAGE`, or None (ok)."""
        if self.days_left < 0:
            return OVERDUE_STAGE
        crossed = [day for day in self.rule.remind_days if self.days_left <= day]
        return min(crossed) if crossed else None

    def as_dict(self) -> dict[str, Any]:
        """The `mcpir tokens status --json` contract."""
        return {
            **self.token.identity(),
            "age_days": self.age_days,
            "max_age_days": self.rule.max_age_days,
            "due": self.due.isoformat(),
            "days_left": self.days_left,
            "state": self.state,
            "rotate": self.rotate_command,
        }


def _base(token: Token) -> date | None:
    since = token.last_rotated or token.aged_from or token.first_seen
    if token.age_days is None or since is None:
        return None
    try:
        return date.fromisoformat(since)
    except ValueError:
        return None


def token_status(token: Token, rule: Rule, on: date) -> TokenStatus | None:
    """None for a token with no age (no value here, or no date mcpir can read)."""
    base = _base(token)
    if base is None:
        return None
    due = base + timedelta(days=rule.max_age_days)
    days_left = (due - on).days
    state: State = "ok"
    if token.exposed:
        state = "exposed"
    elif days_left < 0:
        state = "overdue"
    elif rule.remind_days and days_left <= rule.remind_days[0]:
        state = "due-soon"
    return TokenStatus(token, base, rule, due, days_left, state)


def statuses(
    tokens: Iterable[Token], rotation: RotationPolicy, on: date | None = None
) -> tuple[list[TokenStatus], list[Token]]:
    """(aged tokens, most urgent first; tokens with no age)."""
    on = on or today()
    aged: list[TokenStatus] = []
    unaged: list[Token] = []
    default = Rule(rotation.max_age_days, rotation.remind_days)
    overrides = bool(rotation.override)
    for token in tokens:
        rule = rotation.rule_for(token) if overrides else default
        found = token_status(token, rule, on)
        if found is None:
            unaged.append(token)
        else:
            aged.append(found)
    aged.sort(key=lambda s: (STATES.index(s.state), s.days_left, s.token.id))
    return aged, unaged


@dataclass(frozen=True)
class Check:
    """One `tokens status` run: the aged tokens, the ones with no age, unreadable configs."""

    aged: list[TokenStatus]
    unaged: list[Token]
    problems: list[ConfigFile]
    # `[[rotation.override]]` entries no token matched: a typo in a glob silently gives a
    # token the default age, so the text output names them.
    unmatched: tuple[str, ...] = ()

    @property
    def overdue(self) -> int:
        """Past their maximum age, exposed or not."""
        return sum(status.days_left < 0 for status in self.aged)

    @property
    def exposed(self) -> int:
        return sum(status.state == "exposed" for status in self.aged)


def check(
    scopes: Scopes,
    policy: Policy | None = None,
    *,
    configs: list[ConfigFile] | None = None,
    tokens: list[Token] | None = None,
) -> Check:
    """Every token this machine and project hold, against the rotation policy in force.
    `configs` already discovered under `scopes` are not walked again; with them, `tokens`
    already listed from them are not listed again."""
    from mcpir.config.project import load_policy
    from mcpir.config.rotation import load_rotation
    from mcpir.tokens import list_tokens

    if policy is None:
        policy = load_policy(scopes.root) if scopes.root is not None else None
    exclude = policy.discovery.exclude if policy is not None else ()
    problems: list[ConfigFile] = []
    if tokens is not None and configs is not None:
        problems = [config for config in configs if config.error]  # as list_tokens collects
    else:
        tokens = list_tokens(
            scopes, environ=scopes.environ, exclude=exclude, problems=problems, configs=configs
        )
    rotation = load_rotation(policy)
    aged, unaged = statuses(tokens, rotation)
    return Check(aged, unaged, problems, unmatched_overrides(rotation, tokens))


def unmatched_overrides(rotation: RotationPolicy, tokens: list[Token]) -> tuple[str, ...]:
    """Each override no token matches, with its globs (not as `token = "…"`: redaction
    would take that for a credential and mask it)."""
    unused = []
    for index, entry in enumerate(rotation.override, 1):
        if not any(entry.matches(token) for token in tokens):
            globs = [entry.token] if entry.token is not None else []
            globs += [f"provider {entry.provider}"] if entry.provider is not None else []
            unused.append(f"rotation override {index} ({', '.join(globs)})")
    return tuple(unused)
