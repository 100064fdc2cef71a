"""`mcpir secrets backend`: describe the backend in use, try one with a round trip, record
the choice; what could be chosen instead."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mcpir.core.errors import UsageError
from mcpir.core.redact import redact_text
from mcpir.tokens.backends import (
    KNOWN,
    PROBE_SERVICE,
    Choice,
    _choice_path,
    _detected,
    _line,
    _unlock,
    _warned,
    active,
    atomic_writes,
    class_path,
    encrypted_at_rest,
    load,
    load_choice,
    resolve_name,
    save_choice,
    short_name,
    source,
    where,
)

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend


@dataclass(frozen=True)
class Description:
    name: str
    path: str
    encrypted: bool | None
    chosen_by: str
    file: str | None
    round_trip: str  # "ok", "failed: …", "not run"

    def as_dict(self) -> dict[str, Any]:
        return {
            "backend": self.name,
            "class": self.path,
            "encrypted_at_rest": self.encrypted,
            "chosen_by": self.chosen_by,
            "file": self.file,
            "round_trip": self.round_trip,
        }


def round_trip(backend: KeyringBackend) -> str:
    """Store, read back and delete a random probe value: "ok" or why not."""
    import base64
    import os

    # os.urandom, not the secrets module: `secrets` is also this project's own package name.
    name = f"probe-{os.urandom(8).hex()}"
    value = base64.urlsafe_b64encode(os.urandom(18)).decode()
    try:
        backend.set_password(PROBE_SERVICE, name, value)
        try:
            back = backend.get_password(PROBE_SERVICE, name)
        finally:
            backend.delete_password(PROBE_SERVICE, name)
    except Exception as exc:  # noqa: BLE001 - any backend failure is the answer here
        return f"failed: {_line(exc)}"
    return "ok" if back == value else "failed: the value read back differs"


def describe(*, test: bool = True) -> Description:
    backend = active()
    return Description(
        short_name(backend),
        class_path(backend),
        encrypted_at_rest(backend),
        redact_text(source()),
        where(backend),
        round_trip(backend) if test else "not run",
    )


def choose(name: str, *, insecure: bool, dry_run: bool) -> tuple[Description, Path | None]:
    """Try backend `name` (a round trip) and, unless `dry_run`, record it as mcpir's choice."""
    import keyring

    path = resolve_name(name)
    candidate = load(path)
    plaintext = encrypted_at_rest(candidate) is False
    if plaintext and not insecure:
        raise UsageError(
            f"{name} stores secrets unencrypted: refused",
            hint="pass --insecure to accept that (a warning follows every use)",
        )
    previous = _detected()
    keyring.set_keyring(candidate)
    try:
        if plaintext and id(candidate) not in _warned:
            _warned.add(id(candidate))
            at = where(candidate) or path
            print(f"mcpir: warning: secrets are stored UNENCRYPTED in {at}", file=sys.stderr)
        _unlock(candidate, prompt=True)
        atomic_writes(candidate)
        result = round_trip(candidate)
    finally:
        keyring.set_keyring(previous)
    written = None
    if result == "ok" and not dry_run:
        written = save_choice(Choice(path, plaintext and insecure))
    by = "not recorded (--dry-run)" if dry_run else f"mcpir secrets backend ({_choice_path()})"
    return (
        Description(
            short_name(candidate),
            path,
            encrypted_at_rest(candidate),
            by if result == "ok" else "not recorded (the round trip failed)",
            where(candidate),
            result,
        ),
        written,
    )


def catalogue() -> list[dict[str, Any]]:
    """Every backend mcpir knows, and whether it is installed (found, not imported)."""
    from importlib.util import find_spec

    rows = []
    for one in KNOWN:
        module = one.path.rsplit(".", 1)[0]
        try:
            installed = find_spec(module) is not None
        except (ImportError, ValueError):
            installed = False
        rows.append(
            {"backend": one.name, "class": one.path, "encrypted_at_rest": one.encrypted,
             "installed": installed, "install": None if installed else one.install}
        )  # fmt: skip
    return rows


def held_elsewhere(name: str) -> int:
    """How many tokens mcpir stored that would stay behind if `name` became the backend."""
    from mcpir.tokens.model import Metadata

    stored = len(Metadata.load().keyring)
    if not stored:
        return 0
    try:
        choice = load_choice()
        current = choice.path if choice is not None else class_path(_detected())
    except Exception:  # noqa: BLE001 - no current backend: nothing to compare with
        return stored
    return 0 if current == resolve_name(name) else stored
