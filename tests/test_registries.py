"""Rotation providers, env-var reference syntaxes and client containment hooks come from their
registries."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from mcpir.core.errors import UsageError
from mcpir.discovery.client import DisableKind
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
    assert documented == {
        *("claude-code", "cursor", "vscode", "windsurf", "roo", "gemini"),
        *("kiro", "opencode"),  # `${VAR}`; opencode's `{env:VAR}`
    }
    assert _references("kiro") == ("${%s}", "${%s}")
    assert _references("opencode") == ("{env:%s}", "{env:%s}")
    assert _references("amazonq") is None and _references("antigravity") is None


CONTAINMENT = Path(__file__).resolve().parents[1] / "src" / "mcpir" / "containment"


def test_containment_names_no_client() -> None:
    """What is particular to a client is declared in its module; containment only asks it."""
    found = []
    for path in sorted(CONTAINMENT.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Constant) and node.value in BY_NAME:
                found.append(f"{path.name}:{node.lineno}: {node.value!r}")
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "mcpir.discovery.clients."
            ):
                found.append(f"{path.name}:{node.lineno}: imports {node.module}")
    assert not found, "\n".join(found)


def test_clients_that_switch_off_their_own_way_declare_it() -> None:
    editors = {name: set(client.editors) for name, client in BY_NAME.items() if client.editors}
    assert editors == {
        "claude-code": {".claude.json"},
        "gemini": {"settings.json"},
        # settings.json; a dev container's and a workspace file's (`*.code-workspace`, an
        # untitled workspace's workspace.json) own sections
        "vscode": {
            "settings.json",
            *("devcontainer.json", ".devcontainer.json", "*.code-workspace", "workspace.json"),
        },
        "opencode": {"config.json", "opencode.json", "opencode.jsonc"},
        "antigravity": {"settings.json"},
    }
    assert {name for name, client in BY_NAME.items() if client.elsewhere} == {"claude-desktop"}
    assert {name for name, client in BY_NAME.items() if client.plugins} == {"claude-code"}
    for client in BY_NAME.values():
        # An editor runs only on a file that is patched, never renamed: a shared file.
        assert set(client.editors) <= set(client.shared_files), client.name
        if client.disable.kind is DisableKind.LIST:
            # The list is the client's own key: moving the servers aside is not what it reads.
            assert set(client.shared_files) <= set(client.editors), client.name
