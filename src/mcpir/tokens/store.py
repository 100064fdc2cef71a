"""Credentials mcpir keeps in the OS keyring, under the service name "mcpir".

Values go to the keyring and nowhere else; `inventory.json` holds only their names and
fingerprints, because a keyring cannot list its entries. `keyring` costs ~140 ms to import
and is imported only here, inside the functions that talk to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from mcpir.core.errors import UsageError
from mcpir.core.redact import redact_text
from mcpir.core.secret import Secret, fingerprint
from mcpir.tokens.backends import HEADLESS_HINT, KeyringUnavailable
from mcpir.tokens.model import Metadata, today

__all__ = [
    "DamagedEntry",
    "KeyringUnavailable",
    "UnknownToken",
    "add",
    "backend",
    "get",
    "names",
    "remove",
]

SERVICE = "mcpir"
# Each name becomes an environment variable of the command `mcpir run` starts.
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_HINT = (
    "start and unlock a Secret Service keyring such as GNOME Keyring or KWallet, "
    "the macOS Keychain or the Windows Credential Manager, then retry; " + HEADLESS_HINT
)


class UnknownToken(UsageError):
    """A name mcpir has not stored in the keyring (exit 2)."""


class DamagedEntry(UsageError):
    """An entry the backend holds but cannot open: its ciphertext fails its check (exit 2)."""

    def __init__(self, name: str, hint: str | None = None) -> None:
        super().__init__(
            f"the keyring entry {name} is damaged: it cannot be decrypted (its integrity "
            "check fails); nothing was changed",
            hint=hint or f"store it again with `mcpir tokens add {name}`, or remove it",
        )


def check_name(name: str) -> str:
    if _NAME.fullmatch(name) is None:
        raise UsageError(
            f"invalid token name {redact_text(name)!r}",
            hint="use letters, digits and _, not starting with a digit: it becomes an env var",
        )
    return name


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return redact_text(text[0]) if text else type(exc).__name__


def backend() -> None:
    """Raise `KeyringUnavailable` unless a usable keyring backend is there (see `backends`:
    the one chosen, unlocked, plaintext only when accepted)."""
    from mcpir.tokens import backends

    try:
        backends.active()
    except KeyringUnavailable as exc:
        if exc.message == "no usable OS keyring on this machine":
            raise KeyringUnavailable(exc.message, _HINT) from None
        raise
    except Exception as exc:  # a broken backend or keyringrc must not end in a traceback
        raise KeyringUnavailable(f"no usable OS keyring: {_one_line(exc)}", _HINT) from None


@contextmanager
def _guarded() -> Iterator[None]:
    backend()
    from keyring.errors import KeyringError

    try:
        yield
    except KeyringError as exc:
        raise KeyringUnavailable(f"OS keyring refused: {_one_line(exc)}", _HINT) from None


def get(name: str) -> Secret | None:
    """The value stored under `name`, or None when the keyring has none."""
    check_name(name)
    import keyring

    with _guarded():
        try:
            value = keyring.get_password(SERVICE, name)
        except (ValueError, KeyError, TypeError):
            # keyrings.cryptfile raises these for one entry it cannot open (a MAC that fails,
            # base64 or JSON that does not parse), after the passphrase itself was accepted:
            # the entry is named, its text and the backend's traceback are not shown.
            raise DamagedEntry(name) from None
    return None if value is None else Secret(value)


def add(name: str, value: str) -> str:
    """Store `value` under `name` (replacing any earlier one); returns its fingerprint."""
    check_name(name)
    if not value.strip():  # an empty paste, or a stray newline: no provider issues that
        raise UsageError("empty token value: nothing stored")
    if "\0" in value:
        raise UsageError("token value holds a NUL character, which no environment can carry")
    meta = Metadata.load()
    on = today()
    new = fingerprint(value)
    previous = meta.keyring.get(name)
    import keyring

    with _guarded():
        if "\n" in value.strip() and "keyring_pass" in type(keyring.get_keyring()).__module__:
            # keyring-pass keeps only the first line: a PEM key would be cut without a word.
            raise UsageError(
                f"{name}: the pass backend keeps one line only, and this value has several",
                hint="store it with another backend (`mcpir secrets backend cryptfile`)",
            )
        keyring.set_password(SERVICE, name, value)
    try:
        meta.put_keyring(name, new, on)
        meta.see(new, [name], on)
        if previous is not None and previous["fingerprint"] != new:
            meta.rotated(new, on)
        meta.save()
    except BaseException:
        # An entry missing from the index could never be listed or removed: take it back.
        if previous is None:
            with _guarded():
                keyring.delete_password(SERVICE, name)
        raise
    return new


def remove(name: str) -> None:
    """Delete `name` from the keyring and from the index."""
    check_name(name)
    meta = Metadata.load()
    import keyring
    from keyring.errors import PasswordDeleteError

    with _guarded():
        try:
            keyring.delete_password(SERVICE, name)
            deleted = True
        except PasswordDeleteError:
            deleted = False
    if not deleted and name not in meta.keyring:
        raise UnknownToken(f"no token named {name} in the keyring", hint="see `mcpir tokens list`")
    meta.drop_keyring(name)
    meta.save()


def names() -> list[str]:
    """The names mcpir stored, from its index: no keyring access, no keyring import."""
    return sorted(Metadata.load().keyring)
