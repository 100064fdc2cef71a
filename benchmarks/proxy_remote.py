"""What `mcpir proxy --url` costs over the SDK's own client, to the same local HTTP server.

Run: `python benchmarks/proxy_remote.py [--messages 2000]`. A small streamable-HTTP server
(raw ASGI under uvicorn, answering each request with JSON) is driven twice in the same run: by
the SDK's `streamable_http_client` transport directly, and through `mcpir proxy --url` (stdio
in, records written to a temp log). Latency is the round trip of one request at a time;
throughput sends every request at once and counts the answers. Targets: added latency <= 1 ms
at p50, >= 2,000 messages/s through the proxy.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

SERVER = r"""
import json, sys, uvicorn

async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    body = b""
    while True:
        event = await receive()
        body += event.get("body", b"")
        if not event.get("more_body"):
            break
    message = json.loads(body or b"{}")
    if "id" not in message:
        await send({"type": "http.response.start", "status": 202, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        return
    result = {"content": [{"type": "text", "text": "ok"}], "isError": False}
    if message.get("method") == "initialize":
        result = {"protocolVersion": "2025-06-18", "capabilities": {"tools": {}},
                  "serverInfo": {"name": "bench", "version": "1"}}
    out = json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": result}).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": out})

uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="error", access_log=False)
"""


def request(number: int) -> dict[str, object]:
    arguments = {"query": f"weather in city {number}"}
    params = {"name": "search", "arguments": arguments}
    return {"jsonrpc": "2.0", "id": number, "method": "tools/call", "params": params}


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def direct(url: str, count: int) -> tuple[list[float], float]:
    """The SDK's transport alone: (round trips in ms, messages/s with all in flight)."""
    import anyio
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared.message import SessionMessage
    from mcp_types import jsonrpc_message_adapter

    def message(number: int) -> SessionMessage:
        return SessionMessage(jsonrpc_message_adapter.validate_python(request(number)))

    async def main() -> tuple[list[float], float]:
        times: list[float] = []
        async with streamable_http_client(url) as (read, write):
            for number in range(count):
                sent = time.perf_counter()
                await write.send(message(number))
                await read.receive()
                times.append((time.perf_counter() - sent) * 1000)
            began = time.perf_counter()
            async with anyio.create_task_group() as group:

                async def send_all() -> None:
                    for number in range(count, 2 * count):
                        await write.send(message(number))

                group.start_soon(send_all)
                for _ in range(count):
                    await read.receive()
            rate = count / (time.perf_counter() - began)
        return times, rate

    return anyio.run(main)


def proxied(url: str, count: int, log_dir: str) -> tuple[list[float], float]:
    """The same through `mcpir proxy --url` over stdio."""
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "mcpir", "proxy", "--name", "bench", "--log-dir", log_dir,
         "--url", url], stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0,
    )  # fmt: skip
    assert process.stdin is not None and process.stdout is not None
    stdin, stdout = process.stdin, process.stdout
    hello = {"protocolVersion": "2025-06-18", "capabilities": {},
             "clientInfo": {"name": "bench", "version": "1"}}  # fmt: skip
    init = {"jsonrpc": "2.0", "id": "init", "method": "initialize", "params": hello}
    stdin.write(json.dumps(init).encode() + b"\n")
    stdout.readline()
    times: list[float] = []
    for number in range(count):
        sent = time.perf_counter()
        stdin.write(json.dumps(request(number)).encode() + b"\n")
        stdout.readline()
        times.append((time.perf_counter() - sent) * 1000)
    payload = b"".join(json.dumps(request(n)).encode() + b"\n" for n in range(count, 2 * count))
    began = time.perf_counter()
    threading.Thread(target=stdin.write, args=(payload,), daemon=True).start()
    for _ in range(count):
        stdout.readline()
    rate = count / (time.perf_counter() - began)
    stdin.close()
    process.wait(timeout=60)
    return times, rate


def main() -> None:
    # benchmarks/secrets.py would stand in for the standard library's `secrets` (starlette's).
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--messages", type=int, default=2000)
    options = parser.parse_args()
    port = _port()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port)])  # noqa: S603
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        url = f"http://127.0.0.1:{port}/mcp"
        with tempfile.TemporaryDirectory() as logs:
            base, base_rate = direct(url, options.messages)
            through, rate = proxied(url, options.messages, logs)
    finally:
        server.terminate()
        server.wait(timeout=10)
    p50 = statistics.median
    print(f"{'':24} {'p50 ms':>8} {'p90 ms':>8} {'msg/s':>8}")
    for label, times, per_second in (("SDK client (direct)", base, base_rate),
                                     ("mcpir proxy --url", through, rate)):  # fmt: skip
        p90 = statistics.quantiles(times, n=10)[-1]
        print(f"{label:24} {p50(times):8.3f} {p90:8.3f} {per_second:8.0f}")
    added = p50(through) - p50(base)
    print(f"added latency p50: {added:.3f} ms (target <= 1 ms); "
          f"throughput {rate:.0f} msg/s (target >= 2,000)")  # fmt: skip


if __name__ == "__main__":
    main()
