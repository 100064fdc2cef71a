"""The nesting limit, measured level by level in C iterators, says what a walk of each value says.

`documents._deeper_than_limit` reads a whole level of plain JSON values at once and falls back
to testing each value where a level holds anything else (subclasses, TOML's dates): compared
with that plain walk on data of every shape, at and around `MAX_DEPTH`.
"""

from __future__ import annotations

import datetime
from collections import OrderedDict
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mcpir.core.documents import MAX_DEPTH, _deeper_than_limit


def _walk(data: Any) -> bool:  # noqa: ANN401
    """The limit as each value says it: the function before its C path."""
    level = [data] if isinstance(data, (dict, list)) else []
    for _ in range(MAX_DEPTH):
        below: list[Any] = []
        for node in level:
            values = node.values() if isinstance(node, dict) else node
            below.extend([value for value in values if isinstance(value, (dict, list))])
        if not below:
            return False
        level = below
    return True


class _Dict(dict[str, Any]):
    pass


class _List(list[Any]):
    pass


_LEAVES = st.sampled_from(["x", 1, 2.5, True, None, datetime.date(2026, 1, 1), b"b"])


_PLAIN_KINDS = (lambda inner: {"k": inner, "s": "v"}, lambda inner: [1, inner])
_ALL_KINDS = (*_PLAIN_KINDS, lambda inner: _Dict(k=inner), lambda inner: _List([inner, "x"]),
              lambda inner: OrderedDict(k=inner))  # fmt: skip


def _nest(depth: int, inner: Any, kinds: tuple[Any, ...], start: int) -> Any:  # noqa: ANN401
    for level in range(depth):
        inner = kinds[(start + level) % len(kinds)](inner)
    return inner


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        _LEAVES,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=2), inner),
        max_leaves=40,
    )
)
def test_any_data_is_measured_as_the_plain_walk_measures_it(data: Any) -> None:  # noqa: ANN401
    assert _deeper_than_limit(data) == _walk(data)


@settings(max_examples=200, deadline=None)
@given(st.integers(MAX_DEPTH - 3, MAX_DEPTH + 3), _LEAVES, st.integers(0, 4), st.booleans())
def test_depths_around_the_limit_in_every_kind_of_container(
    depth: int,
    leaf: Any,
    start: int,
    plain: bool,  # noqa: ANN401
) -> None:
    # Dicts and lists alone take the C path all the way down; subclasses leave it.
    data = _nest(depth, leaf, _PLAIN_KINDS if plain else _ALL_KINDS, start)
    assert _deeper_than_limit(data) == _walk(data) == (depth > MAX_DEPTH)
