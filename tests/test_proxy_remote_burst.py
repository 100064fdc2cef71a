"""`mcpir proxy --url` under a burst: hundreds of requests in flight at once against a real SDK
server, every answer back and matched to its request, every call in the log; the client's stdin
read on the event loop (a pipe) or by the fallback thread (a regular file)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.proxy_remote_support import proxy_args, records, server
from tests.test_proxy_sdk import CALL_KEYS

pytest.importorskip("mcp", reason="the mcp SDK is in the test extra: pip install -e '.[test]'")

BURST = 300
HELLO = {"protocolVersion": "2025-06-18", "capabilities": {},
         "clientInfo": {"name": "burst", "version": "1"}}  # fmt: skip


@pytest.fixture(scope="module", params=["stateful", "stateless"])
def url(request: pytest.FixtureRequest) -> Iterator[str]:
    options = ("--stateless", "--json") if request.param == "stateless" else ()
    with server("http", *options) as address:
        yield address


def _ident(number: int) -> int | str:
    return number if number % 2 else f"call-{number}"  # both kinds of id the SDKs send


def _burst() -> bytes:
    lines = [{"jsonrpc": "2.0", "id": "init", "method": "initialize", "params": HELLO},
             {"jsonrpc": "2.0", "method": "notifications/initialized"}]  # fmt: skip
    lines += [
        {"jsonrpc": "2.0", "id": _ident(n), "method": "tools/call",
         "params": {"name": "echo", "arguments": {"text": f"message {n}"}}}
        for n in range(BURST)
    ]  # fmt: skip
    return b"".join(json.dumps(line).encode() + b"\n" for line in lines)


def _check(root: Path, answers: list[dict[str, Any]]) -> None:
    by_id = {answer["id"]: answer for answer in answers}
    assert len(answers) == BURST + 1 and len(by_id) == BURST + 1  # each answered once
    for n in range(BURST):
        answer = by_id[_ident(n)]
        assert "error" not in answer, answer
        assert answer["result"]["content"][0]["text"] == f"message {n}"  # its own answer
    calls = [r for r in records(root) if r["type"] == "call" and r["method"] == "tools/call"]
    assert all(set(r) == CALL_KEYS for r in calls)
    assert sorted(map(str, (r["id"] for r in calls))) == sorted(
        str(_ident(n)) for n in range(BURST)
    )
    assert {r["response_summary"]["excerpt"] for r in calls} == {
        f"message {n}" for n in range(BURST)
    }
    assert not any(r["is_error"] for r in calls)
    assert [r["type"] for r in records(root)].count("malformed") == 0


def _proxy(root: Path, url: str, stdin: Any) -> subprocess.Popen[bytes]:  # noqa: ANN401
    return subprocess.Popen(  # noqa: S603 - the proxy under test
        [sys.executable, *proxy_args(root, url)], stdin=stdin, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, cwd=root, env={**os.environ},
    )  # fmt: skip


def test_a_burst_through_a_pipe_is_answered_and_logged(url: str, tmp_path: Path) -> None:
    proxy = _proxy(tmp_path, url, subprocess.PIPE)
    assert proxy.stdin is not None and proxy.stdout is not None
    stdin = proxy.stdin

    def send() -> None:
        stdin.write(_burst())  # all at once: the proxy reads it in large chunks
        stdin.flush()

    writer = threading.Thread(target=send, daemon=True)
    writer.start()
    answers = [json.loads(proxy.stdout.readline()) for _ in range(BURST + 1)]
    writer.join(timeout=60)
    stdin.close()
    assert proxy.wait(timeout=60) == 0
    _check(tmp_path, answers)


def test_a_burst_from_a_regular_file_is_answered_and_logged(url: str, tmp_path: Path) -> None:
    # A file cannot be waited on by the event loop (epoll refuses it): the thread reads it.
    requests = tmp_path / "requests.jsonl"
    requests.write_bytes(_burst())
    with requests.open("rb") as stdin:
        proxy = _proxy(tmp_path, url, stdin)
        out, _ = proxy.communicate(timeout=120)
    assert proxy.returncode == 0
    _check(tmp_path, [json.loads(line) for line in out.splitlines()])


def test_chunks_reads_a_pipe_on_the_loop_and_a_file_or_dev_null_by_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import anyio

    from mcpir.proxy import remote_stdin

    async def read_all(fd: int) -> bytes:
        return b"".join([chunk async for chunk in remote_stdin.chunks(fd, 7)])

    threaded: list[int] = []
    fallback = remote_stdin._threaded

    def counted(fd: int, size: int) -> Any:  # noqa: ANN401 - an async iterator
        threaded.append(fd)
        return fallback(fd, size)

    monkeypatch.setattr(remote_stdin, "_threaded", counted)
    data = b"".join(b"line %d\n" % n for n in range(200))
    reading, writing = os.pipe()

    def feed() -> None:
        os.write(writing, data)
        os.close(writing)

    feeder = threading.Thread(target=feed)
    feeder.start()
    try:
        assert anyio.run(read_all, reading) == data
        assert threaded == []  # a pipe is read on the loop, no thread
    finally:
        feeder.join()
        os.close(reading)
    plain = tmp_path / "input"
    plain.write_bytes(data)
    with plain.open("rb") as handle:
        assert anyio.run(read_all, handle.fileno()) == data
    with open(os.devnull, "rb") as empty:
        assert anyio.run(read_all, empty.fileno()) == b""
    assert len(threaded) == 2  # epoll refuses a regular file and /dev/null: the thread reads
