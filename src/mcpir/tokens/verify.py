"""`mcpir tokens verify`: find the token an id or a name stands for, and ask its provider.

The value is looked up where mcpir may read it — its keyring entries, this process's
environment (for `${VAR}` references), and, for a token written into a config file, that file,
read in memory — and is shown to nobody: only the provider sees it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mcpir.core.errors import UsageError
from mcpir.core.secret import Secret
from mcpir.tokens import store
from mcpir.tokens.model import Metadata, token_id
from mcpir.tokens.providers import guess

if TYPE_CHECKING:
    from mcpir.core.paths import Scopes


@dataclass(frozen=True)
class Target:
    label: str  # `keyring:NAME`, `env:VAR` or `config:FILE:LINE`
    secret: Secret
    detected: str  # the detector's provider name, `unknown` when none matched
    keyring_name: str | None


def detected_provider(value: str, name: str | None) -> str:
    from mcpir.secrets import find_secrets

    whole = [h for h in find_secrets(value, name) if h.start == 0 and h.end == len(value)]
    return whole[0].provider if whole else "unknown"


def keyring_name(ident: str) -> str | None:
    """The keyring entry `ident` names: itself, or the entry whose token has that id."""
    index = Metadata.load().keyring
    if ident in index:
        return ident
    if ident.startswith("tok_"):
        for name, record in sorted(index.items()):
            if token_id(record["fingerprint"]) == ident:
                return name
    return None


def not_here(ident: str) -> UsageError:
    return UsageError(
        f"{ident} is neither a keyring entry of mcpir, a variable of this environment, "
        "nor a value written into a config",
        hint="`mcpir tokens list` shows the ids",
    )


def find_literal(ident: str, scopes: Scopes, exclude: tuple[str, ...] = ()) -> Target | None:
    """The token `ident` (a `tok_` id) where a config holds it written out, read in memory."""
    from mcpir.discovery import discover
    from mcpir.tokens.inventory import _Lines, _literals, _pairs, _parts

    if not ident.startswith("tok_"):
        return None
    lines = _Lines()
    for config in discover(scopes, exclude):
        for server in config.servers if not config.error else ():
            for name, value in _pairs(server):
                for key, part in _parts(name, value):
                    for provider, text in _literals(key, part):
                        secret = Secret(text)
                        if token_id(secret.fingerprint) == ident:
                            where = scopes.display_location(lines.of(server, text))
                            return Target(f"config:{where}", secret, provider, None)
    return None


def resolve(
    ident: str,
    environ: Mapping[str, str] | None = None,
    scopes: Scopes | None = None,
    exclude: tuple[str, ...] = (),
) -> Target:
    if ident.startswith(("op://", "vault://")):  # read from the vault now, shown to no one
        from mcpir.tokens import references

        held = references.read(references.parse(ident))
        return Target(ident, held, detected_provider(held.reveal(), None), None)
    name = keyring_name(ident)
    if name is not None:
        secret = store.get(name)
        if secret is None:
            raise store.UnknownToken(
                f"the keyring no longer holds {name}", hint=f"`mcpir tokens add {name}`"
            )
        return Target(f"keyring:{name}", secret, detected_provider(secret.reveal(), name), name)
    env = os.environ if environ is None else environ
    if not ident.startswith("tok_") and env.get(ident):
        # CI: the secret arrives as an environment variable (store `env`), read only.
        value = env[ident]
        return Target(f"env:{ident}", Secret(value), detected_provider(value, ident), None)
    if ident.startswith("tok_"):
        for var, value in sorted(env.items()):
            if value and token_id(Secret(value).fingerprint) == ident:
                return Target(f"env:{var}", Secret(value), detected_provider(value, var), None)
        found = find_literal(ident, scopes, exclude) if scopes is not None else None
        if found is not None:
            return found
    raise not_here(ident)


__all__ = [
    "Target", "detected_provider", "find_literal", "guess", "keyring_name", "resolve",
]  # fmt: skip
