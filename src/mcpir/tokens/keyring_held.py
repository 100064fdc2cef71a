"""Which fingerprint the keyring holds under a name: what externalizing a secret checks first.

A value already stored under the name it would get, and stored outside mcpir's index too, must
never be overwritten; planning asks these functions before it names an entry.
"""

from __future__ import annotations

from collections.abc import Callable

Held = Callable[[str], str | None]


def in_keyring(name: str) -> str | None:
    """The fingerprint the keyring holds under `name`; `KeyringUnavailable` when none answers."""
    from mcpir.tokens import store

    secret = store.get(name)
    return secret.fingerprint if secret is not None else None


def in_keyring_or_index() -> Held:
    """`in_keyring` while the keyring answers; after that, mcpir's index of it (a dry run on a
    machine without a keyring still plans)."""
    from mcpir.tokens import store
    from mcpir.tokens.model import Metadata

    index, reachable = Metadata.load().keyring, [True]

    def held(name: str) -> str | None:
        if reachable[0]:
            try:
                return in_keyring(name)
            except store.KeyringUnavailable:
                reachable[0] = False
        record = index.get(name)
        return record["fingerprint"] if record is not None else None

    return held
