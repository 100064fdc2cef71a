"""The syntax of a secret reference (`op://VAULT/ITEM[/SECTION]/FIELD`,
`vault://MOUNT/PATH#FIELD`): parsed and checked before anything runs, so each part is one argv
element or one URL path segment and cannot become an option, climb out of its mount (`..`) or
carry a query. Resolving one is `mcpir.tokens.references`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from mcpir.core.errors import McpirError, UsageError
from mcpir.core.redact import redact_text

Kind = Literal["op", "vault"]

# One path segment: what 1Password names and Vault paths hold, minus what could steer argv or
# a URL (`/`, `?`, `#`, `%`, control characters) and nothing that starts like an option.
_SEGMENT = r"[A-Za-z0-9_@+=,:. ()'\[\]{}!~*$&;-]{1,128}"
_OP = re.compile(
    rf"op://(?P<vault>{_SEGMENT})/(?P<item>{_SEGMENT})"
    rf"(?:/(?P<section>{_SEGMENT}))?/(?P<field>{_SEGMENT})"
)
_VAULT_SEGMENT = r"[A-Za-z0-9_.@+=-]{1,128}"
_VAULT = re.compile(
    rf"vault://(?P<mount>{_VAULT_SEGMENT})/(?P<path>{_VAULT_SEGMENT}(?:/{_VAULT_SEGMENT}){{0,15}})"
    rf"#(?P<field>{_VAULT_SEGMENT})"
)
INSTALL_OP = "install the 1Password CLI (`op`) and sign in, or set OP_SERVICE_ACCOUNT_TOKEN"
INSTALL_HVAC = "pip install 'mcpir[vault]'"


class ReferenceFailed(McpirError):
    """A vault could not give or take a value: one line, exit 2; nothing changed."""

    absent = False  # the item, field or path is not there (as opposed to a refusal)


def _absent(message: str) -> ReferenceFailed:
    failed = ReferenceFailed(message)
    failed.absent = True
    return failed


@dataclass(frozen=True)
class Reference:
    kind: Kind
    text: str
    parts: tuple[str, ...]  # op: vault, item, section or "", field; vault: mount, path, field

    @property
    def store(self) -> str:
        return self.kind

    def __str__(self) -> str:
        return self.text


def looks_like(value: str) -> bool:
    return value.startswith(("op://", "vault://"))


def parse(text: str) -> Reference:
    """A reference, or a one-line usage error saying what is wrong with it."""
    if len(text) > 1024:
        raise UsageError("a secret reference longer than 1024 characters")
    match = _OP.fullmatch(text)
    if match is not None:
        parts = (match["vault"], match["item"], match["section"] or "", match["field"])
        _no_dots(text, [p for p in parts if p])
        return Reference("op", text, parts)
    match = _VAULT.fullmatch(text)
    if match is not None:
        segments = match["path"].split("/")
        _no_dots(text, [match["mount"], *segments, match["field"]])
        return Reference("vault", text, (match["mount"], match["path"], match["field"]))
    raise UsageError(
        f"not a secret reference: {redact_text(text)!r}",
        hint="op://VAULT/ITEM[/SECTION]/FIELD or vault://MOUNT/PATH#FIELD",
    )


def _no_dots(text: str, parts: list[str]) -> None:
    for part in parts:
        if part.strip(".") == "" or part.startswith("-") or part != part.strip():
            raise UsageError(f"secret reference {redact_text(text)!r}: a bad part {part!r}")


def parse_base(text: str) -> Reference:
    """Where `tokens externalize --to` puts values: `op://VAULT/ITEM` (one field per name) or
    `vault://MOUNT/PATH` (one key per name)."""
    probe = parse(f"{text}/NAME" if text.startswith("op://") else f"{text}#NAME")
    if probe.kind == "op" and probe.parts[2]:
        raise UsageError(f"--to {text}: give op://VAULT/ITEM, without a section or field")
    return Reference(probe.kind, text, probe.parts[:-1])


def under(base: Reference, name: str) -> Reference:
    """The reference of `name` inside `base` (see `parse_base`)."""
    return parse(f"{base.text}/{name}" if base.kind == "op" else f"{base.text}#{name}")
