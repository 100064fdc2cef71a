"""Tokens: the credentials MCP servers can read, and the ones mcpir keeps in the OS keyring."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mcpir.tokens.model import Token

if TYPE_CHECKING:
    from mcpir.tokens.inventory import list_tokens

__all__ = ["Token", "list_tokens"]


def __getattr__(name: str) -> object:
    # `list_tokens` (see `mcpir.tokens.inventory`) loads discovery and the detectors when it is
    # first asked for, not with the package: `mcpir run` imports the package too, and must
    # start its command without paying for them.
    if name == "list_tokens":
        from mcpir.tokens.inventory import list_tokens

        return list_tokens
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
