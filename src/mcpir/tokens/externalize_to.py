"""`mcpir tokens externalize --to op://VAULT/ITEM|vault://MOUNT/PATH`: the values go into the
team's vault instead of the keyring, one field (or key) per name, and each config gets the
reference, its server started by `mcpir run --only NAME`, which reads it when it starts."""

from __future__ import annotations

from collections.abc import Callable

from mcpir.tokens.externalize import ExternalizeFailed, Plan
from mcpir.tokens.references import Reference, under


def store_in_vault(plan: Plan, to: Reference) -> None:
    """`store_all` for `--to`: every value into the vault, each read back, before any file."""
    from mcpir.tokens.references import ReferenceFailed, read, write

    try:
        for name, secret in plan.names.items():
            write(under(to, name), secret)
        for name, secret in plan.names.items():
            if read(under(to, name)) != secret:
                raise ExternalizeFailed(f"{under(to, name)} did not give back the value stored")
    except ReferenceFailed as exc:
        raise ExternalizeFailed(
            f"{exc.message}; no config was changed", hint="run the command again to finish"
        ) from None


def vault_held(to: Reference) -> Callable[[str], str | None]:
    """What `to` holds under a name (a fingerprint): names taken there are never reused."""
    from mcpir.tokens.references import held

    def fingerprint_at(name: str) -> str | None:
        secret = held(under(to, name))
        return secret.fingerprint if secret is not None else None

    return fingerprint_at
