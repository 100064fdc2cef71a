"""Rotation providers and env-var reference syntaxes come from their registries."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mcpir.core.errors import UsageError
from mcpir.discovery.clients import BY_NAME
from mcpir.tokens.externalize import _references
from mcpir.tokens.providers import NAMES, REGISTRY, provider


def test_names_are_the_registry() -> None:
    assert NAMES == tuple(REGISTRY) == ("github", "github-app", "manual")
    for name in NAMES:
        assert provider(name).name == name


def test_an_unknown_provider_names_the_known_ones() -> None:
    with pytest.raises(UsageError) as caught:
        provider("nope")
    assert caught.value.hint == "use one of github, github-app, manual"


def test_the_manual_provider_does_not_import_pygithub() -> None:
    probe = "import sys; from mcpir.tokens.providers import provider; provider('manual');"
    probe += "print('github' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_references_come_from_each_client() -> None:
    assert _references("claude-code") == ("${%s}", "${%s}")
    assert _references("roo") == ("${env:%s}", None)
    assert _references("claude-desktop") is None
    assert _references("no-such-client") is None
    documented = {name for name, client in BY_NAME.items() if client.references}
    assert documented == {"claude-code", "cursor", "vscode", "windsurf", "roo", "gemini"}
