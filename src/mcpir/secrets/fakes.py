"""Forged tokens for tests, benchmarks and the demo sandbox.

`fake_token` gives a token each provider's detector accepts (checksums included);
`lookalike_token` gives one of the same shape that it must reject. Neither is a live
credential: the random part comes from the caller's `random.Random`, so a seed reproduces
a run.
"""

from __future__ import annotations

import random

from mcpir.secrets.format import Provider
from mcpir.secrets.formats import REGISTRY

_BY_NAME: dict[str, Provider] = {provider.name: provider for provider in REGISTRY}


def provider_names() -> tuple[str, ...]:
    return tuple(_BY_NAME)


def _provider(name: str) -> Provider:
    try:
        return _BY_NAME[name]
    except KeyError:
        known = ", ".join(_BY_NAME)
        raise KeyError(f"unknown provider {name!r}; known: {known}") from None


def fake_token(provider: str, rng: random.Random) -> str:
    """A token `provider`'s detector accepts."""
    return _provider(provider).fake(rng)


def lookalike_token(provider: str, rng: random.Random) -> str:
    """A token shaped like `provider`'s that fails its checksum or strict format."""
    return _provider(provider).lookalike(rng)
