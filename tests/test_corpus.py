"""Real public configs: every one parses and every server in it is found, on its line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mcpir.core.documents import parse_json
from mcpir.core.model import Scope
from mcpir.discovery import Candidate, load_config
from mcpir.discovery.clients import BY_NAME
from tests.conftest import FIXTURES, SHARED_CORPUS

LOCAL = FIXTURES / "corpus"
SHARED = SHARED_CORPUS / "configs"
CLIENT_OF = {
    "claude-code": "claude-code",
    "claude-desktop": "claude-desktop",
    "cursor": "cursor",
    "vscode": "vscode",
    "gemini": "gemini",
}


def _files(base: Path) -> list[Path]:
    return sorted(base.glob("*/*.json")) if base.is_dir() else []


def _expected_names(path: Path) -> set[str]:
    data = parse_json(path.read_text(encoding="utf-8-sig")).data
    names: set[str] = set()
    for key in ("mcpServers", "servers"):
        block = data.get(key)
        if isinstance(block, dict):
            names |= {name for name, value in block.items() if isinstance(value, dict)}
    return names


def _check(path: Path) -> None:
    client = BY_NAME[CLIENT_OF[path.parent.name]]
    config = load_config(Candidate(client, Scope.PROJECT, path, None, "--root"))
    assert config.error is None, (path, config.error)
    assert {s.name for s in config.servers} == _expected_names(path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    for server in config.servers:
        assert server.line is not None
        assert json.dumps(server.name, ensure_ascii=False) in lines[server.line - 1] or (
            server.name in lines[server.line - 1]
        )


@pytest.mark.parametrize("path", _files(LOCAL), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_bundled_corpus_sample(path: Path) -> None:
    _check(path)


def test_shared_corpus() -> None:
    if not SHARED.is_dir():
        pytest.skip(
            f"shared corpus not found at {SHARED} (only developers' and CI checkouts have it)"
        )
    files = _files(SHARED)
    assert len(files) >= 30
    for path in files:
        _check(path)


def test_bundled_sample_is_a_copy_of_the_shared_corpus() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"shared corpus not found at {SHARED}")
    for path in _files(LOCAL):
        assert path.read_bytes() == (SHARED / path.parent.name / path.name).read_bytes()
