"""A hostile remote server never hangs or crashes `mcpir proxy --url`: 40 MiB answers, an event
stream that never ends, a body that is not JSON, a redirect to another host; and no header
value lands in `.atom-trail/` or in what the proxy prints."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.proxy_remote_support import free_port, records, trail_text, wait_port

HOSTILE = Path(__file__).parent / "proxy_remote_hostile.py"
KEY = "CANARYhostile" + "Wq3Rt8Yp2Lk7Nm4B"
INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion":
        "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}  # fmt: skip


@pytest.fixture(scope="module")
def hostile() -> Iterator[tuple[int, int]]:
    port, other = free_port(), free_port()
    started = [
        subprocess.Popen([sys.executable, str(HOSTILE), str(port), str(other)],  # noqa: S603
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        subprocess.Popen([sys.executable, str(HOSTILE), str(other), "0", "127.0.0.2"],  # noqa: S603
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
    ]  # fmt: skip
    try:
        wait_port(port)
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.2:{other}/hits", timeout=1).close()  # noqa: S310
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield port, other
    finally:
        for process in started:
            process.kill()
            process.wait(timeout=10)


class Proxy:
    """`mcpir proxy --url` driven with raw JSON-RPC lines."""

    def __init__(self, root: Path, url: str, *options: str) -> None:
        env = {**os.environ, "HOSTILE_KEY": KEY}
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "mcpir", "proxy", "--root", str(root), "--name", "hostile",
             "--url", url, "--header", "Authorization: Bearer ${HOSTILE_KEY}", *options],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        )  # fmt: skip
        self.selector = selectors.DefaultSelector()
        assert self.process.stdout is not None
        self.selector.register(self.process.stdout, selectors.EVENT_READ)
        self.buffer = b""

    def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message).encode() + b"\n")
        self.process.stdin.flush()

    def answer(self, timeout: float = 30.0) -> dict[str, Any]:
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not self.selector.select(left):
                raise TimeoutError("no answer from the proxy")
            chunk = os.read(self.process.stdout.fileno(), 1 << 20)
            if not chunk:
                raise EOFError("the proxy ended")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return dict(json.loads(line))

    def close(self, timeout: float = 15.0) -> tuple[int, str]:
        assert self.process.stdin is not None and self.process.stderr is not None
        self.process.stdin.close()
        code = self.process.wait(timeout=timeout)
        return code, self.process.stderr.read().decode()


def _call(ident: int, name: str = "x") -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": ident, "method": "tools/call",
            "params": {"name": name, "arguments": {}}}  # fmt: skip


def _start(root: Path, url: str, *options: str) -> Proxy:
    proxy = Proxy(root, url, *options)
    proxy.send(INIT)
    assert proxy.answer()["result"]["serverInfo"]["name"] == "hostile"
    proxy.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    return proxy


def _no_key(root: Path, *texts: str) -> None:
    for text in (trail_text(root), *texts):
        assert KEY not in text and KEY[6:] not in text


@pytest.mark.parametrize(
    ("path", "said"),
    [("huge", "more than"), ("badjson", "Failed to parse"), ("redirect", "not followed")],
)
def test_a_hostile_answer_is_a_json_rpc_error(
    hostile: tuple[int, int], path: str, said: str, tmp_path: Path
) -> None:
    port, other = hostile
    proxy = _start(tmp_path, f"http://127.0.0.1:{port}/{path}")
    started = time.monotonic()
    proxy.send(_call(2))
    answer = proxy.answer()
    assert answer["id"] == 2 and "error" in answer, answer
    assert said in json.dumps(answer) or path == "huge"
    assert time.monotonic() - started < 30
    proxy.send(_call(3, "again"))  # still relaying
    assert proxy.answer()["id"] == 3
    code, stderr = proxy.close()
    assert code == 0 and "Traceback" not in stderr
    _no_key(tmp_path, stderr, json.dumps(answer))
    if path == "redirect":  # the other host never got the request, nor the bearer token
        with urllib.request.urlopen(f"http://127.0.0.2:{other}/hits", timeout=5) as reply:  # noqa: S310
            assert json.loads(reply.read())["landed"] == 0


def test_an_endless_event_stream_does_not_hold_the_proxy(
    hostile: tuple[int, int], tmp_path: Path
) -> None:
    port, _ = hostile
    proxy = _start(tmp_path, f"http://127.0.0.1:{port}/endless")
    proxy.send(_call(2))
    with pytest.raises(TimeoutError):
        proxy.answer(timeout=2.0)  # the server never answers: neither can the proxy
    proxy.send({"jsonrpc": "2.0", "method": "notifications/cancelled",
                "params": {"requestId": 2, "reason": "timeout"}})  # fmt: skip
    started = time.monotonic()
    code, stderr = proxy.close(timeout=30)  # the client leaves: the proxy ends soon after
    assert code == 0 and time.monotonic() - started < 15 and "Traceback" not in stderr
    call = next(r for r in records(tmp_path) if r["type"] == "call" and r["id"] == 2)
    assert call["response_summary"]["excerpt"] == "no response"
    _no_key(tmp_path, stderr)


def test_a_header_value_is_sent_but_never_written(hostile: tuple[int, int], tmp_path: Path) -> None:
    port, _ = hostile
    proxy = _start(tmp_path, f"http://127.0.0.1:{port}/secret", "--redact-responses")
    proxy.send(_call(2))
    answer = proxy.answer()
    text = answer["result"]["content"][0]["text"]
    assert text.startswith("you sent Bearer ") and KEY not in text  # masked for the client too
    code, stderr = proxy.close()
    assert code == 0
    _no_key(tmp_path, stderr)


def test_an_unreachable_server_answers_every_request_with_an_error(tmp_path: Path) -> None:
    proxy = Proxy(tmp_path, f"http://127.0.0.1:{free_port()}/mcp")
    for ident in range(1, 4):
        started = time.monotonic()
        proxy.send({**INIT, "id": ident})
        answer = proxy.answer()
        assert answer["id"] == ident and answer["error"]["code"] == -32000
        assert time.monotonic() - started < 15
    code, stderr = proxy.close()
    assert code == 0 and "was lost" in stderr and "Traceback" not in stderr
    _no_key(tmp_path, stderr)
