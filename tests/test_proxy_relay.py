"""`mcpir proxy` as a byte relay: transparency, batches, malformed lines, partial and huge
messages, exit codes, signals, and several proxies logging to one file at once."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CANARY

TOKEN = "ghp_CANARYrelayTOKEN00000000000000000001"

# A minimal line-oriented JSON-RPC server: answers requests (echoing their params), answers a
# notification with one of its own, asks the client something on "sample", and says so when a
# line is not JSON. Batches get a batch back.
FAKE_SERVER = r"""
import json, sys
out = sys.stdout.buffer

def answer(m):
    if "method" in m and m.get("id") is not None:
        if m["method"] == "sample":
            return {"jsonrpc": "2.0", "id": "s-1", "method": "sampling/createMessage",
                    "params": {"messages": []}}
        text = json.dumps(m.get("params"))
        return {"jsonrpc": "2.0", "id": m["id"],
                "result": {"content": [{"type": "text", "text": text}]}}
    if "method" in m:
        return {"jsonrpc": "2.0", "method": "notifications/message",
                "params": {"level": "info", "data": "got " + m["method"]}}
    return None

for raw in sys.stdin.buffer:
    try:
        message = json.loads(raw)
    except ValueError:
        out.write(b"not json from the server\n")
        out.flush()
        continue
    if isinstance(message, list):
        replies = [r for r in map(answer, message) if r is not None and "id" in r]
        if replies:
            out.write(json.dumps(replies).encode() + b"\n")
    else:
        reply = answer(message)
        if reply is not None:
            out.write(json.dumps(reply).encode() + b"\n")
    out.flush()
"""


# Answers `{"id": N, "result": {}}` without decoding: far faster than the proxy decodes.
_FAST_SERVER = r"""
import sys
out = sys.stdout.buffer
for line in sys.stdin.buffer:
    start = line.find(b'"id": ') + 6
    out.write(b'{"id":' + line[start : line.find(b",", start)] + b',"result":{}}\n')
    out.flush()
"""


def _server(tmp_path: Path, code: str = FAKE_SERVER) -> list[str]:
    script = tmp_path / "server.py"
    script.write_text(code)
    return [sys.executable, str(script)]


def _proxy(log_dir: Path, server: list[str], *options: str) -> list[str]:
    # The temp log dir is the root too: no test may pin tools in the checkout it runs from.
    return [sys.executable, "-m", "mcpir", "proxy", "--log-dir", str(log_dir), "--root",
            str(log_dir.parent), "--name", "raw", *options, "--", *server]  # fmt: skip


def _records(log_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for p in sorted(log_dir.glob("*.jsonl"))
            for line in p.read_text().splitlines()]  # fmt: skip


def _request(number: int | str, method: str = "tools/call", **params: Any) -> bytes:  # noqa: ANN401
    body = {"jsonrpc": "2.0", "id": number, "method": method, "params": params}
    return json.dumps(body).encode() + b"\n"


CONVERSATION = b"".join([
    _request(1, "initialize", protocolVersion="2025-06-18"),
    b'{"jsonrpc":"2.0","method":"notifications/initialized"}\r\n',
    _request("abc", name="search", arguments={"q": "weather", "token": TOKEN}),
    b"\n",
    b"this is not json\n",
    b'[{"jsonrpc":"2.0","id":7,"method":"tools/list"},'
    b'{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}},'
    b'{"jsonrpc":"2.0","id":"7","method":"ping"}]\n',
    _request(8, "sample"),
    b'{"jsonrpc":"2.0","id":"s-1","result":{"content":{"type":"text","text":"ok"}}}\n',
    b'{"jsonrpc":"2.0","id":999,"result":{}}\n',
])  # fmt: skip


def _run(argv: list[str], data: bytes, pieces: int = 1) -> tuple[bytes, int]:
    process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert process.stdin is not None and process.stdout is not None
    if pieces == 1:
        out, _ = process.communicate(data, timeout=60)
        return out, process.returncode
    step = max(1, len(data) // pieces)
    for start in range(0, len(data), step):  # partial writes: messages split anywhere
        process.stdin.write(data[start : start + step])
        process.stdin.flush()
        time.sleep(0.002)
    out, _ = process.communicate(timeout=60)
    return out, process.returncode


@pytest.mark.parametrize("options", [(), ("--redact-responses",), ("--block-changed",)])
def test_relay_is_byte_transparent(tmp_path: Path, options: tuple[str, ...]) -> None:
    server = _server(tmp_path)
    direct, code = _run(server, CONVERSATION)
    assert code == 0 and direct.count(b"\n") == 7
    through, code = _run(_proxy(tmp_path / "log", server, *options), CONVERSATION, pieces=37)
    assert code == 0
    if "--redact-responses" in options:
        # The only change: the token the server echoed back is masked.
        assert through.replace(b"ghp_\xe2\x80\xa6", b"ghp_").count(b"\n") == 7
        assert TOKEN.encode() not in through and b"ghp_\xe2\x80\xa6(sha256:" in through
        assert through.split(b"\n")[0] == direct.split(b"\n")[0]
    else:
        assert through == direct


def test_records_batches_notifications_and_malformed_lines(tmp_path: Path) -> None:
    log = tmp_path / "log"
    head, answer, unknown = CONVERSATION.rsplit(b"\n", 3)[:3]
    process = subprocess.Popen(_proxy(log, _server(tmp_path)), stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE)  # fmt: skip
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(head + b"\n")
    process.stdin.flush()
    while b"sampling/createMessage" not in process.stdout.readline():
        pass  # the client answers the server's request once it has it
    process.stdin.write(answer + b"\n" + unknown + b"\n")
    process.stdin.close()
    process.stdout.read()
    assert process.wait(timeout=60) == 0
    got = _records(log)
    text = json.dumps(got)
    assert CANARY not in text
    calls = {(r["method"], json.dumps(r["id"])): r for r in got if r["type"] == "call"}
    assert set(calls) == {("initialize", "1"), ("tools/call", '"abc"'), ("tools/list", "7"),
                          ("ping", '"7"'), ("sample", "8"),
                          ("sampling/createMessage", '"s-1"')}  # fmt: skip
    search = calls[("tools/call", '"abc"')]
    assert search["tool"] == "search"
    assert search["params"]["arguments"]["q"] == "weather"
    assert search["params"]["arguments"]["token"].startswith("…(sha256:")  # masked whole
    assert not calls[("ping", '"7"')]["is_error"]
    notes = [(r["method"], r["direction"]) for r in got if r["type"] == "notification"]
    assert ("notifications/initialized", "client->server") in notes
    assert ("notifications/cancelled", "client->server") in notes
    assert ("notifications/message", "server->client") in notes
    bad = [(r["direction"], r["reason"]) for r in got if r["type"] == "malformed"]
    assert ("client->server", "not JSON: Expecting value") in bad
    assert ("server->client", "not JSON: Expecting value") in bad
    assert ("client->server", "a response to no pending request") in bad
    assert all(r["v"] == 1 and r["server"] == "raw" for r in got)


def test_huge_messages_pass_whole_and_are_logged_short(tmp_path: Path) -> None:
    log = tmp_path / "log"
    blob = "A" * 5_000_000
    data = _request(1, name="upload", arguments={"data": blob}) + _request(2, "ping")
    out, code = _run(_proxy(log, _server(tmp_path)), data, pieces=3)
    assert code == 0
    first, second, rest = out.split(b"\n")
    echoed = json.loads(json.loads(first)["result"]["content"][0]["text"])
    assert echoed["arguments"]["data"] == blob
    assert json.loads(second)["id"] == 2 and rest == b""
    upload = next(r for r in _records(log) if r["tool"] == "upload")
    assert len(upload["params"]["arguments"]["data"]) < 400
    assert upload["params"]["arguments"]["data"].endswith("chars)")
    assert upload["response_summary"]["bytes"] > 5_000_000


def test_unanswered_request_and_exit_code(tmp_path: Path) -> None:
    log = tmp_path / "log"
    quits = "import sys\nsys.stdin.readline()\nsys.exit(7)\n"
    out, code = _run(_proxy(log, _server(tmp_path, quits)), _request(1, name="slow"))
    assert code == 7 and out == b""
    (record,) = _records(log)
    assert record["is_error"] and record["response_summary"]["excerpt"] == "no response"


def test_command_not_found(tmp_path: Path) -> None:
    done = subprocess.run(_proxy(tmp_path / "log", ["no-such-mcp-server-here"]), input=b"",
                          capture_output=True, check=False)  # fmt: skip
    assert done.returncode == 127
    assert done.stderr.decode().strip().splitlines() == [
        "mcpir: error: no-such-mcp-server-here: command not found"
    ]


def test_signals_reach_the_server_and_its_status_comes_back(tmp_path: Path) -> None:
    traps = (
        "import signal, sys, time\n"
        "signal.signal(signal.SIGTERM, lambda *a: (print('bye', flush=True), sys.exit(42)))\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    process = subprocess.Popen(_proxy(tmp_path / "log", _server(tmp_path, traps)),
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)  # fmt: skip
    assert process.stdout is not None
    assert process.stdout.readline() == b"ready\n"
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 42
    assert process.stdout.read() == b"bye\n"


def test_a_server_killed_by_a_signal(tmp_path: Path) -> None:
    dies = "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n"
    _, code = _run(_proxy(tmp_path / "log", _server(tmp_path, dies)), b"")
    assert code == 128 + signal.SIGKILL


def test_many_proxies_append_to_one_log_without_tearing(tmp_path: Path) -> None:
    log, count, width = tmp_path / "log", 300, 4
    server = _server(tmp_path)
    data = b"".join(_request(i, name="t", arguments={"pad": "x" * (i % 7 * 900)})
                    for i in range(count))  # fmt: skip
    processes = [
        subprocess.Popen(_proxy(log, server), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
        for _ in range(width)
    ]
    for process in processes:
        assert process.stdin is not None
        process.stdin.write(data)
        process.stdin.close()
    assert [p.wait(timeout=120) for p in processes] == [0] * width
    files = list(log.glob("*.jsonl"))
    assert len(files) == 1 and oct(files[0].stat().st_mode & 0o777) == "0o600"
    got = _records(log)  # every line parses: no record was torn or interleaved
    assert len(got) == count * width
    assert len({r["session"] for r in got}) == width
    for session in {r["session"] for r in got}:
        ids = sorted(r["id"] for r in got if r["session"] == session)
        assert ids == list(range(count))
    raw = files[0].read_bytes()
    assert raw.endswith(b"\n") and raw.count(b"\n") == count * width


def test_answers_read_before_their_requests_are_decoded_still_pair(tmp_path: Path) -> None:
    # Bytes go to the server before the proxy decodes them: with thousands of small requests in
    # one read, the server answers many before their requests are remembered.
    fast = _FAST_SERVER
    log, count = tmp_path / "log", 5000
    data = b"".join(_request(i, "ping") for i in range(count))
    out, code = _run(_proxy(log, _server(tmp_path, fast)), data)
    assert code == 0 and out.count(b"\n") == count
    got = _records(log)
    assert {r["type"] for r in got} == {"call"}
    assert sorted(r["id"] for r in got) == list(range(count))
    assert not any(r["is_error"] for r in got)


def test_early_answers_pair_in_any_number(tmp_path: Path) -> None:
    from mcpir.proxy.relay import Proxy, ProxyConfig

    (tmp_path / "log").mkdir()
    proxy = Proxy(ProxyConfig("early", ["true"], tmp_path / "log"))
    count = 2000  # more than a 64 KiB read holds
    for number in range(count):
        proxy.from_server(json.dumps({"id": number, "result": {}}).encode() + b"\n", 1.0, 0.0)
    for number in range(count):
        proxy.from_client(_request(number, "ping"), 0.5, 0.0)
    assert not proxy.early and not proxy.pending
    built = []
    while not proxy.records.empty():
        build = proxy.records.get()
        assert build is not None
        built.append(build())
    assert len(built) == count and all(r is not None and r["type"] == "call" for r in built)


def test_the_standalone_entry_behaves_the_same(tmp_path: Path) -> None:
    server = _server(tmp_path)
    direct, _ = _run(server, CONVERSATION)
    argv = [sys.executable, "-m", "mcpir.proxy", "--log-dir", str(tmp_path / "log"), "--root",
            str(tmp_path), "--name", "raw", "--", *server]  # fmt: skip
    through, code = _run(argv, CONVERSATION)
    assert code == 0 and through == direct
    assert {r["server"] for r in _records(tmp_path / "log")} == {"raw"}
    missing = subprocess.run([*argv[:-2], "no-such-mcp-server-here"], input=b"",
                             capture_output=True, check=False)  # fmt: skip
    assert missing.returncode == 127 and b"command not found" in missing.stderr
