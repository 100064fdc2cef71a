"""The remote proxy's parsers, fuzzed: `--header`, `--header-env`, the wrapped entry read back,
the routing headers; and `--require-log` refusing to start before any connection."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from mcpir.core.errors import UsageError
from mcpir.proxy.remote_config import from_env, split_header
from mcpir.proxy.remote_link import routing_headers
from mcpir.proxy.wrap_remote import url_proxy

_TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=80)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_a_header_is_parsed_or_refused_never_anything_else(text: str) -> None:
    try:
        name, value = split_header(text)
    except UsageError as exc:
        assert "\n" not in exc.message and "\r" not in exc.message
        return
    assert name and ":" not in name and not any(c in value for c in "\r\n\x00")
    assert text.startswith(name) or text.lstrip().startswith(name)


@settings(max_examples=200, deadline=None)
@given(st.lists(_TEXT, max_size=4), st.dictionaries(_TEXT, _TEXT, max_size=3))
def test_header_env_is_parsed_or_refused(given_: list[str], environ: dict[str, str]) -> None:
    try:
        lines = from_env(given_, environ)
    except UsageError:
        return
    assert len(lines) == len(given_) and all(": " in line for line in lines)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["mcpir", "proxy", "--url", "https://x/", "--name", "n", "--",
                                 "--transport", "sse", "--header-env", "A=B", "--oauth", "-m",
                                 "python", "x"]) | _TEXT, max_size=12))  # fmt: skip
def test_url_proxy_never_raises(line: list[str]) -> None:
    found = url_proxy(line)
    assert found is None or (isinstance(found["url"], str) and found["url"])


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["id", "method", "params", "result"]),
                       st.none() | st.integers() | _TEXT | st.dictionaries(_TEXT, _TEXT),
                       max_size=4), st.none() | _TEXT)  # fmt: skip
def test_routing_headers_are_header_safe(message: dict[str, object], version: str | None) -> None:
    headers = routing_headers(message, version)
    for name, value in headers.items():  # what a client sends must not become a header line
        assert name.lower().startswith("mcp-")
        assert value.isascii() and value.isprintable() and value == value.strip()


def test_require_log_refuses_to_start_without_a_log(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("")
    done = subprocess.run(
        [sys.executable, "-m", "mcpir", "proxy", "--require-log", "--log-dir", str(blocked / "x"),
         "--url", "http://127.0.0.1:9/mcp"],
        input=b"", capture_output=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 3, done.stderr
    assert b"not started (--require-log)" in done.stderr and done.stdout == b""
