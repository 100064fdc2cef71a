"""The transcript readers never crash on hostile input, and values never leak into findings."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcpir.investigate.events import Malformed
from mcpir.investigate.readers import claude_code, claude_desktop, codex, gemini, invocations
from mcpir.investigate.values import distinctive_token, mask_distinctive, tokens

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_SHAPED = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["assistant", "user", "event_msg", "response_item", "call"]),
        "v": st.sampled_from([1, 2, "1"]),
        "server": st.text(max_size=5),
        "ts": st.sampled_from(["2026-11-20T02:00:00Z", "nope", 5]),
        "message": st.fixed_dictionaries({"content": st.lists(st.fixed_dictionaries({
            "type": st.sampled_from(["tool_use", "tool_result", "text"]),
            "id": st.text(max_size=4), "tool_use_id": st.text(max_size=4),
            "name": st.sampled_from(["mcp__a__b", "mcp__", "Bash", 3]), "input": _JSON,
            "content": _JSON, "text": _JSON}), max_size=3)}),
        "payload": _JSON,
    }
)  # fmt: skip
_LINE = st.one_of(
    st.binary(max_size=60),
    _SHAPED.map(lambda d: json.dumps(d).encode()),
    _JSON.map(lambda d: json.dumps(d).encode()),
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(_LINE, max_size=8))
def test_line_readers_never_raise(tmp_path: Path, lines: list[bytes]) -> None:
    path = tmp_path / "t.jsonl"
    path.write_bytes(b"\n".join(line.replace(b"\n", b" ") for line in lines))
    for reader in (claude_code.READER, codex.READER, invocations.READER, claude_desktop.READER):
        events = list(reader.read(path, lambda n: None))
        for event in events:
            assert event.origin.path == path and event.origin.line >= 1


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=_JSON | st.binary(max_size=40).map(lambda b: b.decode("latin-1")))
def test_gemini_reader_never_raises(tmp_path: Path, document: object) -> None:
    path = tmp_path / "session-x.json"
    path.write_text(json.dumps({"messages": document}) if not isinstance(document, str)
                    else document, encoding="utf-8")  # fmt: skip
    events = list(gemini.Gemini().read(path, lambda n: None))
    assert all(not isinstance(e, Malformed) or e.origin.line == 1 for e in events)


@given(st.text(max_size=200))
def test_masked_text_holds_no_distinctive_value(text: str) -> None:
    masked = mask_distinctive(text)
    for token in tokens(text):
        assert token not in masked
    # The stand-ins' own fingerprints are hex, as distinctive as any token: leave them out.
    rest = re.sub(r"…\(sha256:[0-9a-f]{12}, \d+ chars\)", " ", masked)
    assert not any(distinctive_token(t) for t in tokens(rest))


def test_distinctive_values_are_not_words() -> None:
    assert distinctive_token("CANARY-demo-password")
    assert distinctive_token("Zq8mPRIVk3yV4lue77aa")
    assert distinctive_token("3f6c1a9e0b7d4c2a8e5f1b3d7c9a0e2f4b6d8c1a")
    for plain in (
        "modelcontextprotocol",
        "payments_app",
        "get_file_contents",
        "2026-11-20",
        "db.internal.payments.example",
        "src/payments/settings.py",
        "123456789012",
    ):
        assert not distinctive_token(plain), plain
