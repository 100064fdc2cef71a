"""Values that are settings, not secrets, whatever name they sit under.

`MAX_TOKENS=4096`, `TOKEN_TTL=3600`, `postgres-mcp==0.3.0`: masking them hides the change a
person must review in a diff, and protects nothing.
"""

from __future__ import annotations

import re

# A setting's value that no credential looks like: a version (`postgres-mcp==0.3.0`, `v1.2`)
# or a short decimal number (`MAX_TOKENS=4096`, `TOKEN_TTL=3600`). A number is still masked
# under a name that may hold a PIN, a code or a password.
_VERSION = re.compile(r"v?\d{1,6}(?:\.\d{1,6}){1,3}")
_SHORT_NUMBER = re.compile(r"\d{1,9}")
_NUMERIC_SECRET_NAME = re.compile(
    r"passw|passphrase|secret|pin|otp|code|(?<![a-z])pw|pwd|pass", re.I
)


def plain_setting(name: str, value: str) -> bool:
    """Whether `value`, under `name`, is a version or a count rather than a credential."""
    if _VERSION.fullmatch(value):
        return True
    return _SHORT_NUMBER.fullmatch(value) is not None and not _NUMERIC_SECRET_NAME.search(name)
