"""How old a token may grow: `[rotation]` in `.mcpir.toml` and in the user config.

```toml
[rotation]
max_age_days = 90            # rotate every token at least this often
remind_days = [14, 7, 1]     # remind this many days before the due date (then when overdue)

[[rotation.override]]        # first match wins; a project's overrides come before the user's
token = "keyring:OPENAI_*"   # a token id (tok_…), or a glob over its id or its locations
provider = "openai"          # optional: only tokens of this provider (glob)
max_age_days = 30
remind_days = [7, 1]         # optional: the section's when left out
```

Two places hold it: the project's `.mcpir.toml` (read by `mcpir.config.project`) and the user
config, `config.toml` in mcpir's user data dir (`mcpir.core.paths.data_dir()`, so
`MCPIR_HOME` moves it too). A key the project sets wins over the user's; override lists are
joined, project first.
The user config may also hold `[notify]` (see `mcpir.notify.config`); nothing else.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from mcpir.config.tables import array_of_tables, convert_keys, convert_table
from mcpir.core.errors import PolicyError

if TYPE_CHECKING:
    from mcpir.config.project import Policy

USER_CONFIG = "config.toml"
DEFAULT_MAX_AGE = 90
DEFAULT_REMIND: tuple[int, ...] = (14, 7, 1)
_LONGEST = 3650  # ten years: anything longer is a typo, not a policy


class Token(Protocol):
    """What a policy reads of a token (`mcpir.tokens.model.Token` is one).

    A protocol, not that class: policy sits below the tokens package, which reads it.
    """

    @property
    def id(self) -> str: ...
    @property
    def provider(self) -> str: ...
    @property
    def locations(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class TokenOverride:
    token: str | None = None
    provider: str | None = None
    max_age_days: int | None = None
    remind_days: tuple[int, ...] | None = None

    def matches(self, token: Token) -> bool:
        if self.provider is not None and not fnmatch.fnmatchcase(token.provider, self.provider):
            return False
        if self.token is None:
            return True
        names = (token.id, *token.locations)
        return any(fnmatch.fnmatchcase(name, self.token) for name in names)


@dataclass(frozen=True)
class Rule:
    """What applies to one token."""

    max_age_days: int
    remind_days: tuple[int, ...]  # descending


@dataclass(frozen=True)
class RotationPolicy:
    max_age_days: int = DEFAULT_MAX_AGE
    remind_days: tuple[int, ...] = DEFAULT_REMIND
    override: tuple[TokenOverride, ...] = ()
    # The keys this file set, so a project's policy can be laid over the user's key by key.
    explicit: frozenset[str] = field(default=frozenset(), compare=False)

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> RotationPolicy:
        """From the converted keys of one `[rotation]` table."""
        return cls(**values, explicit=frozenset(values))

    def over(self, base: RotationPolicy) -> RotationPolicy:
        """This policy laid over `base`: every key set here wins; overrides are joined."""
        return RotationPolicy(
            max_age_days=self.max_age_days
            if "max_age_days" in self.explicit
            else base.max_age_days,
            remind_days=self.remind_days if "remind_days" in self.explicit else base.remind_days,
            override=self.override + base.override,
            explicit=self.explicit | base.explicit,
        )

    def rule_for(self, token: Token) -> Rule:
        for entry in self.override:
            if entry.matches(token):
                return Rule(
                    entry.max_age_days or self.max_age_days,
                    entry.remind_days if entry.remind_days is not None else self.remind_days,
                )
        return Rule(self.max_age_days, self.remind_days)


def _days(value: Any, where: str) -> int:  # noqa: ANN401
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= _LONGEST:
        raise PolicyError(f"{where} must be a whole number of days from 1 to {_LONGEST}")
    return value


def _remind(value: Any, where: str) -> tuple[int, ...]:  # noqa: ANN401
    if not isinstance(value, list):
        raise PolicyError(f"{where} must be a list of days, e.g. [14, 7, 1]")
    return tuple(sorted({_days(v, where) for v in value}, reverse=True))


_OVERRIDE_KEYS: dict[str, Callable[[Any, str], Any]] = {
    "token": lambda v, w: _text(v, w),
    "provider": lambda v, w: _text(v, w),
    "max_age_days": _days,
    "remind_days": _remind,
}


def _text(value: Any, where: str) -> str:  # noqa: ANN401
    if not isinstance(value, str) or not value:
        raise PolicyError(f"{where} must be a non-empty string")
    return value


def _override(item: dict[str, Any], entry: str) -> TokenOverride:
    values = convert_keys(item, _OVERRIDE_KEYS, f"{entry}: unknown key ", f"{entry}.")
    if "token" not in values and "provider" not in values:
        raise PolicyError(f"{entry} needs a token or a provider to match")
    if "max_age_days" not in values and "remind_days" not in values:
        raise PolicyError(f"{entry} needs max_age_days or remind_days")
    return TokenOverride(**values)


def _overrides(value: Any, where: str) -> tuple[TokenOverride, ...]:  # noqa: ANN401
    return array_of_tables(value, where, "rotation.override", _override)


# The `[rotation]` keys and their converters: `mcpir.config.project` registers this table as a
# section.
ROTATION_KEYS: dict[str, Callable[[Any, str], Any]] = {
    "max_age_days": _days,
    "remind_days": _remind,
    "override": _overrides,
}


def parse_rotation(table: Any, where: str) -> RotationPolicy:  # noqa: ANN401
    return RotationPolicy.of(convert_table(table, ROTATION_KEYS, where, "rotation"))


def user_config_path() -> Path:
    from mcpir.core.paths import data_dir

    return data_dir() / USER_CONFIG


_USER_SECTIONS = ("rotation", "notify")


def load_user_config(path: Path | None = None) -> dict[str, Any]:
    """The user config's tables, checked for unknown sections; `{}` when there is no file."""
    path = path or user_config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{path}: cannot be read: {exc}") from None
    from mcpir.core.documents import DocumentError, parse_toml

    try:
        data: dict[str, Any] = parse_toml(text).data
    except DocumentError as exc:
        raise PolicyError(f"{path}: {exc}") from None
    for name in data:
        if name not in _USER_SECTIONS:
            raise PolicyError(
                f"{path}: unknown section [{name}]", hint=f"known: {', '.join(_USER_SECTIONS)}"
            )
    return data


def load_rotation(policy: Policy | None, user: Mapping[str, Any] | None = None) -> RotationPolicy:
    """The rotation policy in force: the project's (from `policy`) over the user config's."""
    if user is None:
        user = load_user_config()
    mine = (
        parse_rotation(user["rotation"], str(user_config_path()))
        if "rotation" in user
        else RotationPolicy()
    )
    return policy.rotation.over(mine) if policy is not None else mine
