"""The scan's per-server fast paths (issue 20, throughput) give what the general paths give.

- `build_server` builds a local server's entry (no url, headers or Zed command object) in
  `shapes._local`: compared with the helpers' plain path (`tests/test_scan_speed.py`) on the
  shapes that take it, edge values included.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mcpir.core.model import Scope
from mcpir.discovery import shapes
from mcpir.discovery.client import Client, DisableKind, DisableMethod, Entry
from mcpir.discovery.clients import BY_NAME
from mcpir.discovery.shapes import build_server
from tests.test_scan_speed import _PATH, _plain_build

_FLAG = Client("flag", "flag client", DisableMethod(DisableKind.FLAG, "disabled", True))
_CLIENTS = [BY_NAME["claude-code"], _FLAG, BY_NAME["opencode"]]
_EDGES = st.sampled_from(
    ["", "npx", "x", "stdio", "SSE", "http", "local", None, 0, 1.5, True, ["a", 1], {"a": "b"}]
)
_LOCAL = st.dictionaries(
    st.sampled_from(["command", "args", "env", "type", "disabled", "enabled", "cwd",
                     "description", "timeout", "autoApprove"]),
    _EDGES | st.lists(_EDGES, max_size=3) | st.dictionaries(st.sampled_from("AB"), _EDGES),
)  # fmt: skip


def _check(raw: dict[str, Any], enabled: bool | None, client: Client) -> None:
    entry = Entry("s", raw, ("mcpServers", "s"), enabled=enabled)
    fast = build_server(entry, client, Scope.PROJECT, _PATH, 1)
    assert repr(fast) == repr(_plain_build(entry, client))
    assert fast == _plain_build(entry, client)


@settings(max_examples=400, deadline=None)
@given(_LOCAL, st.sampled_from([None, True, False]), st.sampled_from(_CLIENTS))
def test_a_local_entry_is_built_as_the_general_path_builds_it(
    raw: dict[str, Any], enabled: bool | None, client: Client
) -> None:
    _check(raw, enabled, client)


@pytest.mark.parametrize(
    "raw",
    [
        {},
        {"command": ""},
        {"command": "npx", "args": []},
        {"command": "npx", "args": ["-y", 3, None]},
        {"command": "npx", "args": "one string"},
        {"command": "npx", "env": None},
        {"command": "npx", "env": {"A": None, 1: 2, "B": ["x"]}},
        {"command": "npx", "type": "SSE"},
        {"command": "npx", "type": "weird"},
        {"command": "npx", "disabled": True},
        {"command": "npx", "cwd": "", "description": "d"},
        {"command": {"path": "npx"}},  # Zed's command object: the general path
        {"command": 3},
    ],
)
@pytest.mark.parametrize("client", _CLIENTS, ids=lambda c: c.name)
def test_edge_values_of_the_local_shape(raw: dict[str, Any], client: Client) -> None:
    _check(raw, None, client)


def test_the_local_path_is_the_one_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = shapes._local

    def spy(*args: Any) -> Any:  # noqa: ANN401
        calls.append("local")
        return original(*args)

    monkeypatch.setattr(shapes, "_local", spy)
    _check({"command": "npx", "args": ["-y", "p@1"]}, None, _CLIENTS[0])
    _check({"command": "npx", "url": "https://x.example"}, None, _CLIENTS[0])
    _check({"command": {"path": "npx"}}, None, _CLIENTS[0])
    assert calls == ["local"]
