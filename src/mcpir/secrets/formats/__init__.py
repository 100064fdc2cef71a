"""The provider registry: one module per provider, every detector listed once, here."""

from __future__ import annotations

from mcpir.secrets.format import Provider
from mcpir.secrets.formats import (
    anthropic,
    aws,
    github,
    gitlab,
    google,
    huggingface,
    npm,
    openai,
    slack,
    stripe,
)

REGISTRY: tuple[Provider, ...] = (
    github.CLASSIC,
    github.FINE_GRAINED,
    gitlab.PROVIDER,
    openai.PROVIDER,
    anthropic.PROVIDER,
    aws.KEY_ID,
    aws.SECRET_ACCESS_KEY,
    slack.PROVIDER,
    stripe.PROVIDER,
    google.PROVIDER,
    npm.PROVIDER,
    huggingface.PROVIDER,
)
