"""`json_lines` stops reading an object at the key asked for only where no later key can be it.

An object's first questions are answered without reading the members after the key when
that key, as spelt, occurs nowhere later, no backslash follows (an escape could spell it), and
the text holds no `NaN` or `Infinity` (which send the whole answer to tree-sitter). Every
answer, in any order of questions on one text, is the one `positions.json_line` gives.
"""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from mcpir.core import json_lines, positions

KeyPath = tuple[str | int, ...]

# Spellings that decode to the same key, and keys that only look alike.
_SPELLINGS = {
    "a": ['"a"', '"\\u0061"'],
    "a/b": ['"a/b"', '"a\\/b"'],
    "mcpServers": ['"mcpServers"', '"mcp\\u0053ervers"'],
    "s1": ['"s1"'],
    "s2": ['"s2"'],
}
_SCALARS = ["1", '"x"', "null", '"a"', '"mcpServers"', "NaN", "-Infinity", '"\\\\"', "[1, 2]"]


def _fresh() -> None:
    json_lines._lines.cache_clear()


def _value(draw: st.DrawFn, depth: int) -> str:
    if depth >= 2 or draw(st.booleans()):
        return draw(st.sampled_from(_SCALARS))
    return _object(draw, depth + 1)


def _object(draw: st.DrawFn, depth: int = 0) -> str:
    members = []
    for _ in range(draw(st.integers(0, 4))):
        key = draw(st.sampled_from(sorted(_SPELLINGS)))
        spelt = draw(st.sampled_from(_SPELLINGS[key]))
        gap = draw(st.sampled_from(["", " ", "\n", "\n  "]))
        members.append(f"{gap}{spelt}:{gap}{_value(draw, depth)}")
    return "{" + ",".join(members) + "\n}"


@st.composite
def _documents(draw: st.DrawFn) -> str:
    return _object(draw)


_PATHS = st.lists(
    st.lists(st.sampled_from([*sorted(_SPELLINGS), 0]), min_size=1, max_size=3).map(tuple),
    min_size=1,
    max_size=6,
)


@settings(max_examples=500, deadline=None)
@given(_documents(), _PATHS)
def test_questions_in_any_order_get_tree_sitters_answers(text: str, paths: list[KeyPath]) -> None:
    json.loads(text)  # the reader's texts are the ones `json.loads` accepted
    _fresh()
    for keys in paths:
        assert json_lines.json_line(text, keys) == positions.json_line(text, keys), (text, keys)


def _stopped(text: str, keys: KeyPath) -> bool:
    _fresh()
    json_lines.json_line(text, keys)
    return bool(json_lines._lines(text).partial)


def test_the_first_keys_of_a_large_file_are_found_without_reading_past_them() -> None:
    servers = {f"s{n}": {"command": "npx", "args": ["-y", f"p{n}"]} for n in range(300)}
    text = json.dumps({"mcpServers": servers, "other": 1}, indent=2)
    assert _stopped(text, ("mcpServers",))
    lines = json_lines._lines(text)
    assert lines.read[lines.root] == {"mcpServers": (2, 18)}  # `other` not read yet
    at = lines.read[lines.root]["mcpServers"][1]
    for n in range(json_lines._STOPS):  # each stops at its server
        assert json_lines.json_line(text, ("mcpServers", f"s{n}")) == 3 + 7 * n
        assert len(lines.read[at]) == n + 1 and at in lines.partial
    assert json_lines.json_line(text, ("mcpServers", "s299")) == 3 + 7 * 299
    assert len(lines.read[at]) == 300 and at not in lines.partial  # read to its end
    assert json_lines.json_line(text, ("other",)) == text.splitlines().index('  "other": 1') + 1


def test_a_later_duplicate_an_escape_or_a_constant_reads_past_the_key() -> None:
    # A later duplicate spelt the same way is where the reading may stop instead: it wins.
    text = '{"a": {"x": 1},\n "a": {\n "y": 2},\n "b": 3}'
    assert _stopped(text, ("a",))
    assert json_lines._lines(text).read == {0: {"a": (2, 22)}}
    assert json_lines.json_line(text, ("a", "y")) == 3
    assert json_lines.json_line(text, ("b",)) == 4
    later = {
        "escaped duplicate": '{"a": {"x": 1},\n "\\u0061": {\n "y": 2}}',
        "same text as a value": '{"a": {"x": 1},\n "b": "a"}',
        "backslash in a value": '{"a": {"x": 1},\n "b": "C:\\\\tmp"}',
        "NaN": '{"a": {"x": 1},\n "b": NaN}',
        "Infinity": '{"a": {"x": 1},\n "b": [-Infinity]}',
    }
    for name, text in later.items():
        json.loads(text)
        assert not _stopped(text, ("a",)), name
        for keys in [("a",), ("a", "x"), ("a", "y"), ("b",)]:
            _fresh()
            assert json_lines.json_line(text, keys) == positions.json_line(text, keys), name
    assert _stopped('{"a": {"x": 1},\n "b": "A"}', ("a",))


def test_threads_asking_one_text_at_once_get_the_same_answers() -> None:
    import sys
    from concurrent.futures import ThreadPoolExecutor

    servers = {f"s{n}": {"command": "npx", "args": ["-y", f"p{n}"]} for n in range(400)}
    text = json.dumps({"mcpServers": servers, "z": {"s1": 1}}, indent=1)
    paths: list[KeyPath] = [("mcpServers", f"s{n}") for n in range(400)]
    paths.append(("z", "s1"))
    expected = [positions.json_line(text, keys) for keys in paths]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns inside one reading, as they may
    try:
        for _ in range(5):
            _fresh()
            with ThreadPoolExecutor(8) as pool:
                answers = list(pool.map(lambda keys: json_lines.json_line(text, keys), paths))
            assert answers == expected
    finally:
        sys.setswitchinterval(interval)
