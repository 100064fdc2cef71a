"""Values that are settings, not secrets, whatever name they sit under.

`MAX_TOKENS=4096`, `TOKEN_TTL=3600`, `secret_version = "1.2.3"`: masking them hides the change
a person must review in a diff, and protects nothing. The name decides first, the value after:

- under a password-like name (`DB_PASSWORD`, `--pass`, `pin`) nothing is a setting: people
  choose dates (`15.08.1987`) and numbers as passwords;
- a short decimal number is a setting only under a name one of whose words counts something
  (`MAX_TOKENS`, `TOKEN_TTL`, `auth_timeout`): under `API_KEY` or `AUTH_TOKEN` it is a key;
- a version is a setting unless the name ends in what holds a credential's value (`…_TOKEN`,
  `…_KEY`, `…_SECRET`): `secret_version` names a version, `DB_SECRET` a secret.
"""

from __future__ import annotations

import re

_VERSION = re.compile(r"v?\d{1,6}(?:\.\d{1,6}){1,3}")
_SHORT_NUMBER = re.compile(r"\d{1,9}")
_NAME = re.compile(r"[A-Za-z0-9_.\-]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_WORD = re.compile(r"[a-z0-9]+")

# Words of a name whose value may be a password, a PIN or a one-time code: never a setting.
_PASSWORD_WORDS = frozenset(
    {"pw", "pwd", "pass", "passwd", "password", "passcode", "passphrase", "pin", "otp"}
)
_PASSWORD_PART = re.compile(r"passw|passphrase|passcode")  # `DBPASSWORD`, `mypassword`
# Words that count or measure something: a number under a name with one is a setting.
_COUNT_WORDS = frozenset(
    {
        "max", "maximum", "min", "minimum", "limit", "limits", "ttl", "timeout", "timeouts",
        "size", "port", "retries", "retry", "count", "tokens", "length", "len", "age",
        "expiry", "lifetime", "interval", "seconds", "secs", "ms", "attempts",
    }
)  # fmt: skip
# The last word of a name that holds a credential's value (`GITHUB_TOKEN`, `api_key`).
_VALUE_WORDS = frozenset(
    {
        "token", "secret", "secrets", "key", "apikey", "auth", "authorization", "credential",
        "credentials", "cookie", "signature", "sig", "code", "session", "bearer",
    }
)  # fmt: skip


def words(name: str) -> list[str]:
    """The words of the last name in `name` (`"DB_PASSWORD": "` → db, password;
    `--maxTokens ` → max, tokens), lowercased."""
    names = _NAME.findall(name)
    return _WORD.findall(_CAMEL.sub("_", names[-1]).lower()) if names else []


def plain_setting(name: str, value: str) -> bool:
    """Whether `value`, under `name`, is a version or a count rather than a credential."""
    parts = words(name)
    if any(w in _PASSWORD_WORDS or _PASSWORD_PART.search(w) for w in parts):
        return False
    if _SHORT_NUMBER.fullmatch(value):
        return any(w in _COUNT_WORDS for w in parts)
    if _VERSION.fullmatch(value):
        return not parts or parts[-1] not in _VALUE_WORDS
    return False
