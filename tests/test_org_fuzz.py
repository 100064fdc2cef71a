"""A result file comes from another job's artifact: any JSON at all is either a result or one
`NotAResult` line, and whatever is merged renders in every format without an exception."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mcpir.org.merge import Merged
from mcpir.org.results import KIND, NotAResult, parse
from mcpir.output.org_view import MergeFormat, render

_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                     st.text(max_size=20))  # fmt: skip
_json = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=20)  # fmt: skip
_row = st.dictionaries(
    st.sampled_from(["rule", "severity", "message", "path", "line", "server", "client", "name",
                     "transport", "command", "args", "url", "env_keys", "commit", "author"]),
    _json, max_size=8,
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(data=_json)
def test_any_json_is_a_result_or_one_line(data: Any) -> None:  # noqa: ANN401
    try:
        parse(data)
    except NotAResult as exc:
        assert "\n" not in str(exc)


@settings(max_examples=60, deadline=None)
@given(servers=st.lists(_row, max_size=3), findings=st.lists(_row, max_size=3),
       unauthorized=st.lists(_row, max_size=2),
       repository=st.text(min_size=1, max_size=30))  # fmt: skip
def test_any_accepted_result_renders_in_every_format(
    servers: list[dict[str, Any]],
    findings: list[dict[str, Any]],
    unauthorized: list[dict[str, Any]],
    repository: str,
) -> None:
    result = parse({"kind": KIND, "version": 1, "repository": repository, "servers": servers,
                    "findings": findings, "audit": {"unauthorized": unauthorized}})  # fmt: skip
    merged = Merged([result])
    for fmt in MergeFormat:
        assert render(merged, fmt)
