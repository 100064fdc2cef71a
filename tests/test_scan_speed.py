"""The scan's fast paths (issue 20) give what the plain paths give.

- checks remember, per scan, what they concluded about a text (`ScanContext.memo`): a warm
  context finds exactly what a fresh context per server finds, and the memo stays bounded;
- `broad-filesystem` asks one cheap search before its per-word one: a superset, checked on
  every name the rule can match, case folding included;
- the container checks read one server's container run once, never another server's;
- `build_server` takes the common shape with fewer calls: compared with the helpers' plain
  path below (the function as it was), on entries of every shape;
- the cycle collector is paused for a scan and always resumed.
"""

from __future__ import annotations

import gc
import pickle
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mcpir.core import bulk
from mcpir.core.model import Finding, Location, Scope, Server
from mcpir.core.secret import Secret, fingerprint
from mcpir.discovery.client import Client, DisableKind, DisableMethod, Entry
from mcpir.discovery.clients import BY_NAME
from mcpir.discovery.shapes import (
    _enabled,
    _secrets,
    _str_or_none,
    _strings,
    _transport,
    build_server,
)
from mcpir.launchers.commands import container_run
from mcpir.scan.checks import CHECKS, broad_filesystem, hardcoded_secret, unpinned_package
from mcpir.scan.checks.base import MEMO_CHARS, MEMO_ENTRIES, ScanContext, container_of
from mcpir.secrets.fakes import fake_token

_PATH = Path("/p/.mcp.json")
_TOKEN = fake_token("github-classic", __import__("random").Random(5))
_WORDS = [
    "npx", "-y", "@example/mcp-1@1.1.0", "@modelcontextprotocol/server-filesystem", "/", "~",
    "docker", "run", "--privileged", "mcp/fetch", "mcp/fetch:latest", "-v", "/:/host", "uvx",
    "mcp-server-fetch", "pkg@^1.0.0", "--token", "Kq8/Zr4LkP2vXn9TbYw3HsJe6MdFa1GcUo+Wn8bYc4",
    _TOKEN, "${API_TOKEN}", "info", "q8Zr4LkP2vXn9TbYw3HsJe6MdFa1GcUo", "serve", "cmd", "/c",
    "x" * (MEMO_CHARS + 1),
]  # fmt: skip
_TEXT = st.sampled_from(_WORDS)


def _server(name: str, raw: Mapping[str, Any]) -> Server:
    entry = Entry(name, raw, ("mcpServers", name))
    return build_server(entry, BY_NAME["claude-code"], Scope.PROJECT, _PATH, 1)


_RAW = st.fixed_dictionaries(
    {
        "command": st.sampled_from(["npx", "docker", "uvx", "srv", "cmd"]),
        "args": st.lists(_TEXT, max_size=6),
        "env": st.dictionaries(st.sampled_from(["API_TOKEN", "LOG", "SESSION"]), _TEXT),
    }
)


def _findings(server: Server, ctx: ScanContext) -> list[Finding]:
    return [f for c in CHECKS if c.on_server is not None for f in c.on_server(server, ctx)]


@settings(max_examples=150, deadline=None)
@given(st.lists(_RAW, min_size=1, max_size=8))
def test_a_warm_memo_finds_what_a_fresh_context_finds(raws: list[dict[str, Any]]) -> None:
    servers = [_server(f"s{n}", raw) for n, raw in enumerate(raws)]
    fresh = [_findings(server, ScanContext()) for server in servers]
    shared = ScanContext()
    for _ in range(2):  # the second round is answered from the memo
        assert [_findings(server, shared) for server in servers] == fresh


def test_the_memo_is_used_and_bounded() -> None:
    ctx = ScanContext()
    server = _server("s", {"command": "npx", "args": ["pkg"], "env": {"T": _TOKEN}})
    first = list(hardcoded_secret.check(server, ctx))
    assert first and (hardcoded_secret.RULE.id, _TOKEN, "T") in ctx.memo
    assert list(unpinned_package.check(server, ctx))
    assert (unpinned_package.RULE.id, "npx", ("pkg",)) in ctx.memo
    # A wrong remembered answer would be reported: the memo is what the check reads.
    ctx.memo[(hardcoded_secret.RULE.id, _TOKEN, "T")] = ()
    assert list(hardcoded_secret.check(server, ctx)) == []
    assert ScanContext().memo == {}  # one per context, never shared

    long = "Zq7Lm2Xv9Pn4Rt6Yb8Kd3Hs5Wf1Gc0Ja" * (MEMO_CHARS // 32 + 1)
    big = _server("b", {"command": "srv", "env": {"API_TOKEN": long}})
    full = ScanContext()
    full.memo.update({("filler", n): () for n in range(MEMO_ENTRIES)})
    assert list(hardcoded_secret.check(big, full)) == list(hardcoded_secret.check(big, ctx))
    assert len(full.memo) == MEMO_ENTRIES
    assert not any(long in key for key in ctx.memo)


# Characters that case-fold onto the rule's letters (`ſ` is an s, `K` a k) and separators.
_FS_CHARS = st.text(alphabet="fFsSiIlLeEmMcCpPrRvV-_/@ſıİ. ", max_size=14)


@settings(max_examples=500, deadline=None)
@given(_FS_CHARS)
def test_the_filesystem_prefilter_passes_every_name_the_rule_reads(word: str) -> None:
    if broad_filesystem._FILESYSTEM.search(word):
        assert broad_filesystem._MAYBE.search(word)


@pytest.mark.parametrize(
    "name", ["filesystem", "FILE-SERVER", "my-fs", "fs", "x_fs_y", "files-mcp", "fileserver"]
)
def test_the_prefilter_passes_the_rules_own_names(name: str) -> None:
    assert broad_filesystem._FILESYSTEM.search(name) and broad_filesystem._MAYBE.search(name)
    server = _server(name, {"command": "npx", "args": [name, "/"]})
    assert [f.rule_id for f in broad_filesystem.check(server, ScanContext())] == [
        broad_filesystem.RULE.id
    ]


def test_each_server_gets_its_own_container_run() -> None:
    first = _server("a", {"command": "docker", "args": ["run", "--privileged", "mcp/a"]})
    second = _server("b", {"command": "docker", "args": ["run", "mcp/b:latest"]})
    plain = _server("c", {"command": "npx", "args": ["pkg@1.0.0"]})
    for server in (first, second, first, plain, second, plain):
        assert container_of(server) == container_run(server)
    assert (container_of(first) or pytest.fail()).image == "mcp/a"


def _plain_build(entry: Entry, client: Client) -> Server:
    """`build_server` as it was before its fast path, through the helpers alone."""
    raw = entry.raw
    command: Any = raw.get("command")
    args: Any = raw.get("args")
    env: Any = raw.get("env")
    if isinstance(command, Mapping):
        args = command.get("args", args)
        env = command.get("env", env)
        command = command.get("path")
    url = _str_or_none(raw.get("url")) or _str_or_none(raw.get("serverUrl"))
    http_url = _str_or_none(raw.get("httpUrl"))
    headers: Any = raw.get("headers") or raw.get("http_headers")
    options = raw.get("requestOptions")
    if headers is None and isinstance(options, Mapping):
        headers = options.get("headers")
    bearer_var = _str_or_none(raw.get("bearer_token_env_var"))
    if bearer_var:
        extra = headers if isinstance(headers, Mapping) else {}
        headers = {"Authorization": f"Bearer ${{{bearer_var}}}", **extra}
    return Server(
        name=entry.name,
        client=client.name,
        scope=entry.scope or Scope.PROJECT,
        transport=_transport(raw, client, url or http_url, http_url is not None),
        location=Location(_PATH, 1),
        command=_str_or_none(command),
        args=_strings(args),
        env=_secrets(env),
        url=http_url or url,
        headers=_secrets(headers),
        enabled=_enabled(raw, client, entry),
        cwd=_str_or_none(raw.get("cwd")),
        description=_str_or_none(raw.get("description")),
        keys=entry.keys,
        project=None,
    )


_ANY = st.recursive(
    st.none() | st.booleans() | st.integers() | st.sampled_from(["", "x", "npx", "http", "sse"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("abc"), inner),
    max_leaves=6,
)
_KEYS = st.sampled_from(
    ["command", "args", "env", "url", "serverUrl", "httpUrl", "headers", "http_headers",
     "requestOptions", "bearer_token_env_var", "type", "transport", "disabled", "enabled",
     "cwd", "description"]
)  # fmt: skip
_FIELD = st.one_of(
    _ANY,
    st.sampled_from(["https://x.example/mcp", "${TOKEN}", "TOKEN_VAR", "streamable-http"]),
    st.fixed_dictionaries({"path": _ANY, "args": _ANY, "env": _ANY}),
    st.fixed_dictionaries({"headers": _ANY, "type": _ANY}),
    st.dictionaries(st.sampled_from(["Authorization", "X"]), _ANY),
)
_FLAG = Client("flag", "flag client", DisableMethod(DisableKind.FLAG, "disabled", True))


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(_KEYS, _FIELD), st.sampled_from([None, True, False]), st.booleans())
@example({"disabled": True}, None, True)
@example({"disabled": False, "type": "sse", "url": "https://x.example/mcp"}, None, True)
@example({"command": {"path": "npx", "args": ["a", 1], "env": {"A": None}}}, None, False)
@example({"requestOptions": {"headers": {"X": "y"}}, "bearer_token_env_var": "T"}, None, False)
@example({"url": "", "serverUrl": "https://x.example", "httpUrl": 3}, False, False)
@example(
    {"args": ["a", 1, None, ["b"]], "env": {"K": 2}, "transport": {"type": "http"}}, None, False
)
def test_build_server_matches_its_plain_path(
    raw: dict[str, Any], enabled: bool | None, flag: bool
) -> None:
    client = _FLAG if flag else BY_NAME["claude-code"]
    entry = Entry("s", raw, ("mcpServers", "s"), enabled=enabled)
    fast = build_server(entry, client, Scope.PROJECT, _PATH, 1)
    plain = _plain_build(entry, client)
    assert fast == plain
    assert fast.env == plain.env and fast.headers == plain.headers  # Secrets, by value


def test_the_cycle_collector_is_paused_and_always_resumed() -> None:
    assert gc.isenabled()
    with bulk.building():
        assert not gc.isenabled()
        with bulk.building():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block found it paused: it leaves it paused
    assert gc.isenabled()
    with pytest.raises(RuntimeError), bulk.building():
        raise RuntimeError
    assert gc.isenabled()
    gc.disable()
    try:
        with bulk.building():
            pass
        assert not gc.isenabled()  # paused by someone else: left as found
    finally:
        gc.enable()


def test_a_secret_fingerprint_is_computed_when_asked_and_never_shows_the_value() -> None:
    secret = Secret(_TOKEN)
    assert secret.fingerprint == fingerprint(_TOKEN) == secret.fingerprint
    assert _TOKEN not in repr(secret) and secret.fingerprint in repr(secret)
    assert secret == Secret(_TOKEN) and hash(secret) == hash(Secret(_TOKEN))
    with pytest.raises(TypeError):
        pickle.dumps(secret)
    with pytest.raises(AttributeError):
        secret.fingerprint = "sha256:000000000000"  # type: ignore[misc]


def test_a_wrapped_header_names_its_variable_and_is_no_secret() -> None:
    """`mcpir wrap` writes `--header-env Authorization=MCPIR_HEADER_AUTHORIZATION`: a variable's
    name, not a value; a real token given the same way is still found."""
    wrapped = _server(
        "linear",
        {
            "command": "mcpir",
            "args": ["proxy", "--url", "http://127.0.0.1:9/mcp", "--header-env",
                     "Authorization=MCPIR_HEADER_AUTHORIZATION"],
            "env": {"MCPIR_HEADER_AUTHORIZATION": "Bearer ${LINEAR_API_KEY}"},
        },
    )  # fmt: skip
    assert list(hardcoded_secret.check(wrapped, ScanContext())) == []
    token = "TOKEN=q8Zr2vLx9TmW4bNc7YpK3sDf"
    leaked = _server("leak", {"command": "srv", "args": ["--header", token]})
    found = hardcoded_secret.check(leaked, ScanContext())
    assert [f.rule_id for f in found] == ["hardcoded-secret"]
