"""What a started server is given: its config's values with `${VAR}` references resolved, and an
environment that holds only its `env` plus `PATH`, `HOME` and the locale."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from mcpir.core.secret import Secret

# `${VAR}`, `${env:VAR}`, `${VAR:-default}`; `${input:id}` (a VS Code prompt) asks the keyring.
_REFERENCE = re.compile(
    r"\$\{(?:(?P<input>input):|env:)?(?P<name>[A-Za-z_][A-Za-z0-9_.\-]*)(?::?-(?P<default>[^}]*))?\}"
)
_KEPT = ("PATH", "HOME", "LANG", "LANGUAGE")

Lookup = Callable[[str], str | None]


def resolver(environ: Mapping[str, str], secret: Lookup | None) -> Callable[[str], str]:
    """Expand references in a value: the keyring first (as `mcpir run`, which puts its tokens
    over the environment), then `environ`, then the reference's default, else empty."""
    cache: dict[str, str | None] = {}

    def lookup(name: str) -> str | None:
        if name not in cache:
            found = None
            if secret is not None:
                try:
                    found = secret(name)
                except Exception:  # a locked or missing keyring: fall back to the environment
                    found = None
            cache[name] = found if found is not None else environ.get(name)
        return cache[name]

    def expand(value: str) -> str:
        def one(match: re.Match[str]) -> str:
            found = lookup(match["name"])
            if found:
                return found
            return match["default"] or ""

        return _REFERENCE.sub(one, value) if "${" in value else value

    return expand


def resolved(values: Mapping[str, Secret], expand: Callable[[str], str]) -> dict[str, str]:
    return {key: expand(value.reveal()) for key, value in values.items()}


def server_environment(env: Mapping[str, str], environ: Mapping[str, str]) -> dict[str, str]:
    """Only what a client passes: `PATH`, `HOME`, the locale (`LANG`, `LC_*`), then `env`."""
    base = {
        key: value
        for key, value in environ.items()
        if (key in _KEPT or key.startswith("LC_")) and not value.startswith("()")
    }
    return {**base, **env}
