"""A secret value that cannot leak through repr, str, format or logging by accident."""

from __future__ import annotations

import hashlib
import hmac

FINGERPRINT_HEX = 12


def fingerprint(value: str) -> str:
    """`sha256:` + 12 hex: enough to tell tokens apart, far too little to recover one."""
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
    return f"sha256:{digest[:FINGERPRINT_HEX]}"


class Secret:
    """Wraps a credential; only `.reveal()` gives the value back."""

    # The fingerprint is computed when first asked for: discovery wraps every env and header
    # value of every server, and a scan shows the fingerprints of a few.
    __slots__ = ("_fingerprint", "_value")

    def __init__(self, value: str) -> None:
        self._value = value
        self._fingerprint: str | None = None

    @property
    def fingerprint(self) -> str:
        known = self._fingerprint
        if known is None:
            known = self._fingerprint = fingerprint(self._value)
        return known

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({self.fingerprint})"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return format(repr(self), spec)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        mine, theirs = (v.encode("utf-8", "surrogatepass") for v in (self._value, other._value))
        return hmac.compare_digest(mine, theirs)

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def __reduce__(self) -> tuple[object, ...]:
        # Pickling would write the value to disk or a socket; secrets belong in the keyring only.
        raise TypeError("Secret values cannot be pickled")
