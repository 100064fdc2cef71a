"""The tree-sitter-free line finder for strict JSON answers as `positions.json_line` does."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mcpir.core import json_lines, positions
from mcpir.core.documents import parse_json

KeyPath = tuple[str | int, ...]

_KEYS = st.sampled_from(["mcpServers", "env", "args", "a", "b", "", "é", 'q"t', "\\n", "0"])
_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=30,
)


def _paths(value: Any, prefix: KeyPath = ()) -> list[KeyPath]:  # noqa: ANN401
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _both(text: str, keys: KeyPath) -> tuple[int | None, int | None]:
    return json_lines.json_line(text, keys), positions.json_line(text, keys)


@settings(max_examples=300, deadline=None)
@given(
    _JSON,
    st.sampled_from([None, 0, 1, 2, 4, "\t"]),
    st.sampled_from([(",", ":"), (", ", ": "), (" ,  ", " :\n ")]),
    st.lists(st.lists(_KEYS | st.integers(0, 4), max_size=7).map(tuple), max_size=4),
)
def test_every_path_has_the_line_tree_sitter_gives(
    value: Any,  # noqa: ANN401
    indent: int | str | None,
    separators: tuple[str, str],
    extra: list[KeyPath],
) -> None:
    text = json.dumps(value, indent=indent, separators=separators, ensure_ascii=False)
    paths = _paths(value)
    # Paths that exist, paths that stop existing part-way, and paths past six levels.
    for keys in paths + extra + [(*p, *e) for p in paths[-3:] for e in extra]:
        fast, slow = _both(text, keys)
        assert fast == slow, (text, keys)


def test_duplicate_keys_the_later_wins() -> None:
    text = '{\n "a": {"x": 1},\n "a": {\n  "y": 2\n }\n}'
    assert _both(text, ("a", "y")) == (4, 4)
    assert _both(text, ("a", "x")) == (3, 3)  # the earlier value is gone: its parent's line


def test_deeper_than_six_keys_answers_with_the_sixth() -> None:
    text = json.dumps({"a": {"b": {"c": {"d": {"e": {"f": {"g": 1}}}}}}}, indent=1)
    keys: KeyPath = ("a", "b", "c", "d", "e", "f", "g")
    assert _both(text, keys) == (7, 7)  # `"f"`, on line 7


def test_strict_json_documents_use_it_and_what_it_refuses_goes_to_tree_sitter() -> None:
    assert parse_json('{"a": 1}')._locate is json_lines.json_line
    assert parse_json('{"a": 1, // c\n}')._locate is positions.json_line
    text = '{\n"a": NaN,\n"b": {\n"c": 1}}'
    assert json_lines.json_line(text, ("b", "c")) == positions.json_line(text, ("b", "c"))


def test_a_server_line_in_a_large_config() -> None:
    servers = {f"s{n}": {"command": "npx", "args": ["-y", f"p{n}"]} for n in range(300)}
    text = json.dumps({"mcpServers": servers}, indent=2)
    line = text.splitlines().index('    "s299": {') + 1
    assert json_lines.json_line(text, ("mcpServers", "s299")) == line
    assert json_lines.json_line(text, ("mcpServers", "s299", "args", 1)) == line + 4
