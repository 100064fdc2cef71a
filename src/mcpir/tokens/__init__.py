"""Tokens: the credentials MCP servers can read, and the ones mcpir keeps in the OS keyring."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from mcpir.tokens.model import Token

if TYPE_CHECKING:
    from mcpir.core.model import ConfigFile
    from mcpir.core.paths import Scopes

__all__ = ["Token", "list_tokens"]


def list_tokens(
    scopes: Scopes,
    *,
    environ: Mapping[str, str] | None,
    exclude: tuple[str, ...] = (),
    problems: list[ConfigFile] | None = None,
    configs: Sequence[ConfigFile] | None = None,
) -> list[Token]:
    """Every credential a configured server can read (see `mcpir.tokens.inventory`)."""
    # Discovery and the detectors load here, not with the package: `mcpir run` imports the
    # package too, and must start its command without paying for them.
    from mcpir.tokens.inventory import list_tokens as inventory

    return inventory(scopes, environ=environ, exclude=exclude, problems=problems, configs=configs)
