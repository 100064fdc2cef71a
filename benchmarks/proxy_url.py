"""`python benchmarks/proxy.py --url`: what `mcpir proxy --url` costs over the SDK's own client.

A small streamable-HTTP server (raw ASGI under uvicorn, one worker, answering each request with
JSON) is driven in each run by the SDK's `streamable_http_client` transport directly, then
through `mcpir proxy --url` (stdio in, records written to a temp log and counted). Latency is
the round trip of one request at a time; throughput sends every request at once and counts the
answers. A third row is the SDK's transport over httpx2's in-process `MockTransport`: no server,
no socket, no proxy, so the most any proxy built on that transport can relay on this machine.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

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
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(out)).encode())]})
    await send({"type": "http.response.body", "body": out})

# uvicorn's defaults: httptools and uvloop when installed, h11 and asyncio otherwise.
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="error", access_log=False)
"""

Row = tuple[list[float], float]  # (round trips in ms, messages/s with all in flight)


def request(number: int) -> dict[str, object]:
    arguments = {"query": f"weather in city {number}"}
    params = {"name": "search", "arguments": arguments}
    return {"jsonrpc": "2.0", "id": number, "method": "tools/call", "params": params}


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _drive(read: Any, write: Any, count: int) -> Row:  # noqa: ANN401 - SDK streams
    import anyio
    from mcp.shared.message import SessionMessage
    from mcp_types import jsonrpc_message_adapter

    def message(number: int) -> SessionMessage:
        return SessionMessage(jsonrpc_message_adapter.validate_python(request(number)))

    times: list[float] = []
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
    return times, count / (time.perf_counter() - began)


def direct(url: str, count: int) -> Row:
    """The SDK's transport alone, over its default HTTP client."""
    import anyio
    from mcp.client.streamable_http import streamable_http_client

    async def main() -> Row:
        async with streamable_http_client(url) as (read, write):
            return await _drive(read, write, count)

    return anyio.run(main)


def ceiling(count: int) -> Row:
    """The SDK's transport over an in-process answer: no socket, no server, no proxy."""
    import anyio
    import httpx2
    from mcp.client.streamable_http import streamable_http_client

    def answer(http: httpx2.Request) -> httpx2.Response:
        message = json.loads(http.content)
        result = {"content": [{"type": "text", "text": "ok"}], "isError": False}
        body = {"jsonrpc": "2.0", "id": message["id"], "result": result}
        return httpx2.Response(200, json=body)

    async def main() -> Row:
        client = httpx2.AsyncClient(transport=httpx2.MockTransport(answer))
        async with (
            client,
            streamable_http_client("http://mock/mcp", http_client=client) as (
                read,
                write,
            ),
        ):
            return await _drive(read, write, count)

    return anyio.run(main)


def proxied(url: str, count: int, log_dir: str) -> Row:
    """The same through `mcpir proxy --url` over stdio; every call's record is counted."""
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
    answered = {json.loads(stdout.readline())["id"] for _ in range(count)}
    rate = count / (time.perf_counter() - began)
    stdin.close()
    process.wait(timeout=60)
    assert answered == set(range(count, 2 * count)), "an answer is missing"
    calls = [json.loads(line) for path in Path(log_dir).glob("*.jsonl") for line in path.open()]
    logged = {c["id"] for c in calls if c["type"] == "call" and c["method"] == "tools/call"}
    assert logged == set(range(2 * count)), f"{2 * count - len(logged)} calls not logged"
    return times, rate


def _start_server() -> tuple[subprocess.Popen[bytes], str]:
    port = _port()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port)])  # noqa: S603
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, f"http://127.0.0.1:{port}/mcp"
        except OSError:
            if time.monotonic() > deadline:
                server.terminate()
                raise
            time.sleep(0.05)


def _line(label: str, times: list[float], rate: float) -> str:
    p50, p90 = statistics.median(times), statistics.quantiles(times, n=10)[-1]
    return f"{label:34} {p50:8.3f} {p90:8.3f} {rate:8.0f}"


def main(count: int, runs: int) -> None:
    from importlib.util import find_spec

    fast = [name for name in ("httptools", "uvloop") if find_spec(name)] or ["h11", "asyncio"]
    print(f"server: raw ASGI under uvicorn, 1 worker ({' + '.join(fast)}); {os.cpu_count()} "
          f"CPUs; {count} round trips, then {count} in flight at once; {runs} runs")  # fmt: skip
    print(f"{'':34} {'p50 ms':>8} {'p90 ms':>8} {'msg/s':>8}")
    server, url = _start_server()
    results: dict[str, list[Row]] = {"direct": [], "proxy": [], "ceiling": []}
    loads: list[float] = []
    try:
        for run in range(1, runs + 1):
            with tempfile.TemporaryDirectory() as logs:
                results["direct"].append(direct(url, count))
                results["proxy"].append(proxied(url, count, logs))
            results["ceiling"].append(ceiling(count))
            loads.append(os.getloadavg()[0])
            for key, label in (("direct", "SDK client (direct)"), ("proxy", "mcpir proxy --url"),
                               ("ceiling", "SDK transport, no network")):  # fmt: skip
                print(_line(f"run {run}: {label}", *results[key][-1]))
            print(f"run {run}: load average (1 min) {loads[-1]:.2f}")
    finally:
        server.terminate()
        server.wait(timeout=10)
    median: dict[str, tuple[float, float, float]] = {}
    for key, rows in results.items():
        p50s = [statistics.median(times) for times, _ in rows]
        p90s = [statistics.quantiles(times, n=10)[-1] for times, _ in rows]
        rates = [rate for _, rate in rows]
        median[key] = statistics.median(p50s), statistics.median(p90s), statistics.median(rates)
    print(f"median of {runs} runs (load average {min(loads):.2f}-{max(loads):.2f}):")
    for key, label in (("direct", "SDK client (direct)"), ("proxy", "mcpir proxy --url"),
                       ("ceiling", "SDK transport, no network")):  # fmt: skip
        p50, p90, rate = median[key]
        print(f"{label:34} {p50:8.3f} {p90:8.3f} {rate:8.0f}")
    # Added latency: proxy minus direct within each run (the same load), then the median.
    each = [statistics.median(proxy[0]) - statistics.median(base[0])
            for proxy, base in zip(results["proxy"], results["direct"], strict=True)]  # fmt: skip
    added, rate = statistics.median(each), median["proxy"][2]
    met = added <= 1.0 and rate >= 2000
    print(f"added latency p50: {added:.3f} ms, median of the runs' "
          f"{', '.join(f'{a:.3f}' for a in each)} (target <= 1 ms); throughput {rate:.0f} msg/s "
          f"(target >= 2,000): {'met' if met else 'NOT met'}")  # fmt: skip
