"""The proxy's framing and record-making, fuzzed: any split of any stream gives back the same
lines, no line makes the relay raise or change bytes it need not change, no record shows a
secret."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mcpir.proxy.framing import LineFramer, id_key, kind_of, parse_line
from mcpir.proxy.records import EXCERPT_LIMIT, excerpt, response_summary, safe_value
from mcpir.proxy.relay import Proxy, ProxyConfig
from tests.conftest import CANARY

TOKENS = [
    "ghp_CANARYfuzzTOKEN0000000000000000000001",
    "sk-proj-CANARYfuzzKEY00000000000000000001",
    "xoxb-CANARY-0000000000-fuzzslacktoken",
    "AKIACANARY0FUZZ00001",
]
lines = st.binary(max_size=200).map(lambda b: b.replace(b"\n", b""))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                max_size=4),
    max_leaves=20,
)  # fmt: skip


@given(st.lists(lines, max_size=20), st.binary(max_size=50).map(lambda b: b.replace(b"\n", b"")),
       st.lists(st.integers(min_value=0, max_value=5000), max_size=12))  # fmt: skip
def test_any_split_gives_the_same_lines(
    messages: list[bytes], tail: bytes, cuts: list[int]
) -> None:
    stream = b"".join(m + b"\n" for m in messages) + tail
    points = sorted({min(c, len(stream)) for c in cuts} | {0, len(stream)})
    framer, got = LineFramer(), []
    for start, end in zip(points, points[1:], strict=False):
        got += framer.feed(stream[start:end])
    assert got == [m + b"\n" for m in messages]
    assert framer.tail() == tail
    assert framer.tail() == b""


def test_carriage_returns_do_not_end_lines() -> None:
    framer = LineFramer()
    assert framer.feed(b'{"a":1}\r\n{"b":\r2}\r') == [b'{"a":1}\r\n']
    assert framer.feed(b"\n") == [b'{"b":\r2}\r\n']


@given(st.binary(max_size=300))
def test_parse_line_never_raises(line: bytes) -> None:
    parsed = parse_line(line)
    assert parsed.blank or parsed.error is not None or isinstance(parsed.value, dict | list)
    if isinstance(parsed.value, dict):
        assert kind_of(parsed.value) in {"request", "notification", "response", "invalid"}
        id_key(parsed.value.get("id"))


message = st.fixed_dictionaries(
    {"jsonrpc": st.just("2.0")},
    optional={
        "id": st.integers() | st.text(max_size=5) | st.none() | st.floats(allow_nan=False),
        "method": st.sampled_from(["tools/call", "tools/list", "ping", "notifications/x"])
        | st.text(max_size=8),
        "params": json_values,
        "result": json_values,
        "error": json_values,
    },
)


@settings(max_examples=150)
@given(st.lists(message | st.lists(message, min_size=1, max_size=3), max_size=6), lines)
def test_the_relay_passes_every_line_unchanged(messages: list[Any], garbage: bytes) -> None:
    proxy = Proxy(ProxyConfig("fuzz", ["true"], None))
    for index, item in enumerate([*messages, garbage]):
        line = item + b"\n" if isinstance(item, bytes) else json.dumps(item).encode() + b"\n"
        if index % 2:
            assert proxy.from_client(line, 0.0, 0.0) == line
        else:
            assert proxy.from_server(line, 0.0, 0.0) == line


@given(json_values, st.sampled_from(TOKENS), st.text(max_size=20), st.text(max_size=20))
def test_records_never_show_a_secret(value: Any, token: str, before: str, after: str) -> None:  # noqa: ANN401
    # The token as a whole value, inside prose (starting a word: `redact` leaves `x0ghp_…`
    # alone, as it leaves paths), and after a flag on a command line.
    params = {"v": value, "text": f"{before} {token} {after}", "args": ["--api-key", token],
              "env": {"API_TOKEN": token}, "nested": [{"x": token}]}  # fmt: skip
    assert CANARY not in json.dumps(safe_value(params), ensure_ascii=False)
    reply = {"result": {"content": [{"type": "text", "text": f"{before} {token} {after}"}]}}
    summary = response_summary("tools/call", reply, 10)
    assert CANARY not in summary["excerpt"]
    assert len(summary["excerpt"]) <= EXCERPT_LIMIT + 20


def test_long_strings_are_cut_after_redaction() -> None:
    token = TOKENS[0]
    text = "a" * 250 + " " + token + " " + "b" * 10_000
    cut = safe_value({"q": text})["q"]
    assert CANARY not in cut and cut.endswith("chars)") and len(cut) < 300
    assert excerpt("x" * 100_000).endswith("chars)")
    assert safe_value(list(range(150)))[-1] == "…(+50 items)"


_PIECES = [*"abkeyotuhsAZ09_-./:=@?&;~+ \"'", "Bearer ", "ghp_", "xoxb-", "sk-", "AKIA"]
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


@settings(max_examples=600)
@given(_TEXT | st.text(max_size=60))
def test_the_redaction_shortcut_skips_only_text_redaction_leaves_alone(text: str) -> None:
    from mcpir.core.redact import redact_text
    from mcpir.proxy.records import _MAYBE_SECRET

    if not _MAYBE_SECRET.search(text):
        assert redact_text(text) == text


def test_the_redaction_shortcut_sees_every_token_shape() -> None:
    from mcpir.proxy.records import redact

    for token in [*TOKENS, "xoxb-CANARY0000", "eyJhbGciOiJI.eyJzdWIiOiIx.CANARYsignature"]:
        assert CANARY not in redact(f"a {token} b"), token
    assert CANARY not in redact("Bearer CANARYabc123")
    assert CANARY not in redact("password=hunter2CANARY")
