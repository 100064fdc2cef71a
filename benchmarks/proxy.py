"""What `mcpir proxy` costs: messages per second and added latency per message.

Run: `python benchmarks/proxy.py [--messages 5000]`. A small line-oriented JSON-RPC server
(stdlib only, answers each `tools/call` with a text result) is driven twice in the same run:
over a direct pipe, and through `mcpir proxy` (records written to a temp log). Latency is the
round trip of one request at a time; throughput sends every request at once and counts how
fast the answers come back. Targets: added latency <= 1 ms at p50, >= 5,000 messages/s.

`python benchmarks/proxy.py --url [--messages 2000] [--runs 3]`: the same for `mcpir proxy
--url`, against a local streamable-HTTP server (`proxy_url`): the SDK's own client transport
directly, then through the proxy, in each run; the median of the runs and the load average.
Targets: added latency <= 1 ms at p50, >= 2,000 messages/s through the proxy.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

SERVER = r"""
import sys
out = sys.stdout.buffer
for line in sys.stdin.buffer:
    start = line.find(b'"id":')
    ident = line[start + 5 : line.find(b",", start)]
    out.write(b'{"jsonrpc":"2.0","id":' + ident +
              b',"result":{"content":[{"type":"text","text":"ok"}],"isError":false}}\n')
    out.flush()
"""


def request(number: int) -> bytes:
    body = {"jsonrpc": "2.0", "id": number, "method": "tools/call",
            "params": {"name": "search", "arguments": {"query": f"weather in city {number}",
                                                       "limit": 10}}}  # fmt: skip
    return json.dumps(body, separators=(",", ":")).encode() + b"\n"


def start(argv: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)


def latencies(argv: list[str], count: int) -> tuple[list[float], float]:
    """(round trip of each request in ms, start-up: time to the first answer in ms)."""
    began = time.perf_counter()
    process = start(argv)
    assert process.stdin is not None and process.stdout is not None
    times: list[float] = []
    first = 0.0
    for number in range(count + 1):
        sent = time.perf_counter()
        process.stdin.write(request(number))
        process.stdout.readline()
        now = time.perf_counter()
        if number == 0:
            first = (now - began) * 1000  # start-up, not counted in the latencies
        else:
            times.append((now - sent) * 1000)
    process.stdin.close()
    process.wait()
    return times, first


def throughput(argv: list[str], count: int) -> float:
    """Messages per second with every request in flight at once (answers counted)."""
    process = start(argv)
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(request(0))
    process.stdout.readline()  # started
    payload = b"".join(request(n) for n in range(1, count + 1))
    stdin = process.stdin

    def send() -> None:
        stdin.write(payload)
        stdin.close()

    began = time.perf_counter()
    writer = threading.Thread(target=send)
    writer.start()
    received = sum(1 for _ in process.stdout)
    elapsed = time.perf_counter() - began
    writer.join()
    process.wait()
    assert received == count, (received, count)
    return count / elapsed


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=None)
    parser.add_argument("--url", action="store_true", help="mcpir proxy --url over HTTP")
    parser.add_argument("--runs", type=int, default=3, help="with --url: runs, median shown")
    options = parser.parse_args()
    if options.url:
        # benchmarks/secrets.py would stand in for the standard library's `secrets` (starlette's).
        here = str(Path(__file__).resolve().parent)
        sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != here]
        sys.path.append(here)  # after the standard library: proxy_url is found, secrets is not
        import proxy_url

        proxy_url.main(options.messages or 2000, max(1, options.runs))
        return
    options.messages = options.messages or 5000
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "server.py"
        script.write_text(SERVER)
        direct = [sys.executable, str(script)]
        proxy = [sys.executable, "-m", "mcpir", "proxy", "--log-dir", str(Path(tmp) / "log"),
                 "--name", "bench", "--root", tmp, "--", *direct]  # fmt: skip
        redacting = [*proxy[:4], "--redact-responses", *proxy[4:]]
        rows = []
        for label, argv in (("direct pipe", direct), ("mcpir proxy", proxy),
                            ("proxy --redact-responses", redacting)):  # fmt: skip
            times, first = latencies(argv, options.messages)
            rate = throughput(argv, options.messages)
            rows.append((label, times, first, rate))
        kinds: dict[str, int] = {}
        for path in (Path(tmp) / "log").glob("*.jsonl"):
            for line in path.open():
                record = json.loads(line)
                kind = record["type"] + (" (no response)" if record.get("duration_ms") is not None
                                         and record["response_summary"]["excerpt"] == "no response"
                                         else "")  # fmt: skip
                kinds[kind] = kinds.get(kind, 0) + 1
    base = rows[0][1]
    print(f"{options.messages} tools/call round trips, then {options.messages} in flight at once")
    print(f"{'':26}{'p50 ms':>9}{'p99 ms':>9}{'added p50':>11}{'added p99':>11}"
          f"{'msg/s':>10}{'start ms':>10}")  # fmt: skip
    for label, times, first, rate in rows:
        p50, p99 = percentile(times, 0.5), percentile(times, 0.99)
        added50 = p50 - percentile(base, 0.5)
        added99 = p99 - percentile(base, 0.99)
        print(f"{label:26}{p50:9.3f}{p99:9.3f}{added50:11.3f}{added99:11.3f}"
              f"{rate:10.0f}{first:10.1f}")  # fmt: skip
    print(f"records written by the proxies: {kinds}")
    proxied = rows[1]
    added = percentile(proxied[1], 0.5) - percentile(base, 0.5)
    ok = added <= 1.0 and proxied[3] >= 5000
    print(f"target (added p50 <= 1 ms, >= 5000 msg/s): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
