"""`mcpir proxy --url`: legacy SSE, static headers with `${VAR}` references, and a connection
dropped mid-call (a JSON-RPC error at once, then the proxy reconnects with backoff)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from mcpir.core.errors import UsageError
from mcpir.proxy.remote_config import Remote, resolve_headers, split_header
from tests.proxy_remote_support import (
    drive,
    free_port,
    records,
    server,
    start_server,
    trail_text,
)
from tests.test_proxy_sdk import TOKEN

pytest.importorskip("mcp", reason="the mcp SDK is in the test extra: pip install -e '.[test]'")

KEY = "CANARYhdr" + "Zq81LmXv0PwTt5Ks"  # the header value: never in the trail or the output


async def _basic(session: Any) -> dict[str, Any]:  # noqa: ANN401 - mcp.ClientSession
    tools = await session.list_tools()
    added = await session.call_tool("add", {"a": 20, "b": 22})
    return {"tools": [t.name for t in tools.tools], "added": added.content[0].text}


def test_sse_transport(tmp_path: Path) -> None:
    with server("sse") as url:
        seen = drive(tmp_path, url, _basic, "--transport", "sse")
    assert seen["added"] == "42" and "add" in seen["tools"]
    methods = [r["method"] for r in records(tmp_path) if r["type"] == "call"]
    assert methods == ["initialize", "tools/list", "tools/call"]


def test_a_bearer_header_from_a_reference_is_sent_and_never_written(tmp_path: Path) -> None:
    errlog = tmp_path / "stderr.txt"
    with server("http", "--require-header", f"authorization=Bearer {KEY}") as url:
        seen = drive(tmp_path, url, _basic, "--header", "Authorization: Bearer ${REMOTE_KEY}",
                     env={"REMOTE_KEY": KEY}, errlog=errlog)  # fmt: skip

        async def denied(session: Any) -> None:  # noqa: ANN401
            raise AssertionError("initialize should have failed")

        (tmp_path / "other").mkdir()
        with pytest.raises(BaseException) as caught:  # noqa: PT011 - the SDK's error, in a group
            drive(tmp_path / "other", url, denied, errlog=tmp_path / "other.txt")
    assert "Server returned an error response" in str(_leaves(caught.value))
    assert seen["added"] == "42"
    assert KEY not in trail_text(tmp_path) and KEY not in errlog.read_text()
    assert "${REMOTE_KEY}" not in trail_text(tmp_path)


def _leaves(exc: BaseException) -> list[str]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in _leaves(inner)]
    return [str(exc)]


def test_header_parsing_and_resolution() -> None:
    assert split_header("Authorization: Bearer ${T}") == ("Authorization", "Bearer ${T}")
    with pytest.raises(UsageError, match="HTTP token"):
        split_header("Bad Name: x")
    with pytest.raises(UsageError, match="line break"):
        split_header("X-A: 1\nX-B: 2")
    with pytest.raises(UsageError, match="set by the MCP transport"):
        split_header("Host: example.com")
    # The keyring first (as `mcpir run`), then the environment; a missing one is an error.
    headers, names = resolve_headers(["A: ${ONE}", "B: x-${TWO}"], {"ONE": "env", "TWO": "2"},
                                     lambda name: "kept" if name == "ONE" else None)  # fmt: skip
    assert headers == {"A": "kept", "B": "x-2"} and names == ("A", "B")
    with pytest.raises(UsageError, match="resolved to nothing"):
        resolve_headers(["A: ${MISSING}"], {}, None)
    with pytest.raises(UsageError, match="line break") as caught:
        resolve_headers(["A: ${EVIL}"], {"EVIL": f"{KEY}\r\nX: 1"}, None)
    assert KEY not in str(caught.value)
    remote = Remote("https://u:p@h.example:8443/mcp?token=abc#x", headers={"A": KEY})
    assert remote.shown_url() == "https://h.example:8443/mcp" and KEY not in repr(remote)


def test_a_dropped_connection_is_an_error_then_the_proxy_reconnects(tmp_path: Path) -> None:
    from mcp.shared.exceptions import MCPError

    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    process = start_server("http", port)
    outcomes: list[tuple[str, float]] = []

    async def body(session: Any) -> str:  # noqa: ANN401
        nonlocal process
        started = time.monotonic()
        try:
            await session.call_tool("die", {})
            outcomes.append(("answered", time.monotonic() - started))
        except MCPError as exc:
            outcomes.append((f"error {exc.error.code}", time.monotonic() - started))
        process.wait(timeout=10)
        started = time.monotonic()
        try:  # the server is gone: an error at once, not a hang
            await session.call_tool("echo", {"text": "x"})
        except MCPError as exc:
            outcomes.append((f"error {exc.error.code}", time.monotonic() - started))
        process = start_server("http", port)  # back, with a new session
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = await session.call_tool("echo", {"text": "back"})
                return str(answer.content[0].text)
            except MCPError:
                if time.monotonic() > deadline:
                    raise
                import anyio

                await anyio.sleep(0.5)

    try:
        back = drive(tmp_path, url, body, errlog=tmp_path / "stderr.txt")
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert back == "back"
    assert [kind for kind, _ in outcomes] == ["error -32000", "error -32000"]
    assert all(took < 15 for _, took in outcomes), outcomes
    events = [r for r in records(tmp_path) if r["type"] == "connection"]
    lost = [r for r in events if r["event"] == "lost"]
    assert lost and lost[0]["url"] == url and events[-1]["event"] == "restored"
    assert [r["attempt"] for r in lost] == list(range(1, len(lost) + 1))
    stderr = (tmp_path / "stderr.txt").read_text()
    assert "was lost" in stderr and "Traceback" not in stderr
    assert TOKEN not in trail_text(tmp_path)


def test_a_dropped_event_stream_is_resumed_with_last_event_id(tmp_path: Path) -> None:
    progress: list[str] = []

    async def body(session: Any) -> str:  # noqa: ANN401
        async def on_progress(value: float, total: float | None, message: str | None) -> None:
            progress.append(str(message))

        answer = await session.call_tool("polled", {}, progress_callback=on_progress)
        resumed = await session.call_tool("replays", {})
        return f"{answer.content[0].text} {resumed.content[0].text}"

    with server("http", "--resumable") as url:
        seen = drive(tmp_path, url, body)
    # The SDK's transport reconnected with Last-Event-ID and the server replayed the rest.
    assert seen == "resumed 1" and progress == ["before the break", "after the break"]
    call = next(r for r in records(tmp_path) if r["type"] == "call" and r["tool"] == "polled")
    assert call["is_error"] is False
    assert not [r for r in records(tmp_path) if r["type"] == "connection"]  # the SDK resumed it
