"""Property tests: no input, however broken, makes discovery raise or lose the rest."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcpir.core.documents import PARSERS, DocumentError, decode
from mcpir.core.model import ConfigFile, Format, Scope
from mcpir.discovery import Candidate, load_config
from mcpir.discovery.clients import CLIENTS

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=25,
)
server_keys = st.sampled_from(
    [
        "command",
        "args",
        "env",
        "url",
        "type",
        "headers",
        "disabled",
        "enabled",
        "transport",
        "serverUrl",
        "httpUrl",
        "http_headers",
        "requestOptions",
        "name",
        "cwd",
        "description",
        "bearer_token_env_var",
    ]
)
server_like = st.dictionaries(server_keys, json_values, max_size=8)
top_keys = st.sampled_from(
    ["mcpServers", "servers", "context_servers", "mcp_servers", "projects", "mcp", "server"]
)
config_like = st.dictionaries(
    top_keys,
    st.dictionaries(st.text(max_size=12), server_like | json_values, max_size=4)
    | st.lists(server_like, max_size=3)
    | json_values,
    max_size=4,
)
# Text near valid configs hits the parsers' interesting paths far more often than noise.
json_texts = config_like.map(json.dumps).flatmap(
    lambda text: st.builds(
        lambda cut, junk: text[:cut] + junk + text[cut:],
        st.integers(0, len(text)),
        st.sampled_from(["", ",", "//", "/*", "}", "]", '"', "\n", "\x00", ",}", "\ufeff"]),
    )
)


def _load(path: Path, data: bytes) -> list[ConfigFile]:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return [load_config(Candidate(client, Scope.USER, path, None, "--home")) for client in CLIENTS]


@FUZZ
@given(raw=st.binary(max_size=400))
def test_decode_returns_text_or_a_document_error(raw: bytes) -> None:
    try:
        decode(raw)
    except DocumentError as exc:
        assert "\n" not in str(exc)


@pytest.mark.parametrize("fmt", list(Format))
@FUZZ
@given(text=st.text(max_size=300) | json_texts)
def test_every_parser_returns_a_document_or_one_line_error(fmt: Format, text: str) -> None:
    try:
        doc = PARSERS[fmt](text)
    except DocumentError as exc:
        assert "\n" not in str(exc)
        return
    doc.line_of(("mcpServers", "x"))
    doc.line_of(("mcpServers", 0, "name"))


@pytest.mark.parametrize("suffix", [".json", ".toml", ".yaml"])
@FUZZ
@given(raw=st.binary(max_size=300) | json_texts.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_load_config_never_raises_on_bytes(suffix: str, raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for config in _load(Path(tmp) / f"config{suffix}", raw):
            assert config.error is None or "\n" not in config.error


@FUZZ
@given(data=config_like)
def test_any_config_shape_yields_servers_or_an_error(data: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for config in _load(Path(tmp) / ".claude.json", json.dumps(data).encode()):
            for server in config.servers:
                assert isinstance(server.name, str)
                assert all(isinstance(arg, str) for arg in server.args)
                repr(server)


@FUZZ
@given(text=st.text(max_size=200) | st.sampled_from(["[discovery]\nexclude = ['a']\n"]))
def test_policy_parser_returns_a_policy_or_one_line_error(text: str) -> None:
    from mcpir.config.project import parse_policy
    from mcpir.core.errors import PolicyError

    try:
        parse_policy(text, Path(".mcpir.toml"))
    except PolicyError as exc:
        assert "\n" not in exc.message
