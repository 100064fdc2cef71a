"""Helpers for the `mcpir proxy --url` tests: remote SDK servers on local ports, and the SDK's
stdio client driving the proxy in front of them."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from tests.test_proxy_sdk import TOKEN

SERVER = Path(__file__).parent / "proxy_remote_server.py"
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def start_server(transport: str, port: int, *options: str,
                 env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:  # fmt: skip
    environment = {**os.environ, "MCPIR_FIXTURE_SECRET": TOKEN, **(env or {})}
    process = subprocess.Popen(  # noqa: S603 - the test's own server
        [sys.executable, str(SERVER), transport, str(port), *options],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment,
    )  # fmt: skip
    try:
        wait_port(port)
    except OSError:
        process.kill()
        raise
    return process


@contextmanager
def server(transport: str, *options: str, env: dict[str, str] | None = None,
           port: int | None = None) -> Iterator[str]:  # fmt: skip
    """A running server's URL."""
    port = port or free_port()
    process = start_server(transport, port, *options, env=env)
    try:
        path = "sse" if transport == "sse" else "mcp"
        yield f"http://127.0.0.1:{port}/{path}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # uvicorn waits for a call still running
            process.kill()
            process.wait(timeout=10)


def proxy_args(root: Path, url: str, *options: str, name: str = "remote") -> list[str]:
    return ["-m", "mcpir", "proxy", "--root", str(root), "--name", name, "--url", url, *options]


def drive(
    root: Path,
    url: str,
    body: Callable[[Any], Awaitable[T]],
    *options: str,
    env: dict[str, str] | None = None,
    errlog: Path | None = None,
    session_options: dict[str, Any] | None = None,
    name: str = "remote",
) -> T:
    """Run `body(session)` through `mcpir proxy --url URL` with the SDK's stdio client."""
    import anyio
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    # The keyring's session (OAuth tests) reaches the proxy as it reaches a client's servers.
    kept = ("DBUS_SESSION_BUS_ADDRESS", "XDG_DATA_HOME", "XDG_RUNTIME_DIR", "HOME")
    passed = {k: os.environ[k] for k in kept if k in os.environ}
    environment = {"PATH": os.environ.get("PATH", ""), "MCPIR_HOME": os.environ["MCPIR_HOME"],
                   **passed, **(env or {})}  # fmt: skip
    params = StdioServerParameters(command=sys.executable, env=environment, cwd=str(root),
                                   args=proxy_args(root, url, *options, name=name))  # fmt: skip

    async def main() -> T:
        log = open(errlog or os.devnull, "w")  # noqa: SIM115 - closed below
        try:
            async with stdio_client(params, errlog=log) as (read, write):
                async with ClientSession(read, write, **(session_options or {})) as session:
                    with anyio.fail_after(120):
                        await session.initialize()
                        return await body(session)
        finally:
            log.close()

    return anyio.run(main)


def records(root: Path) -> list[dict[str, Any]]:
    directory = root / ".atom-trail" / "mcp-invocations"
    out: list[dict[str, Any]] = []
    for path in sorted(directory.glob("*.jsonl")):
        out += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return out


def trail_text(root: Path) -> str:
    """Every file mcpir wrote under .atom-trail, as text."""
    files = sorted(p for p in (root / ".atom-trail").rglob("*") if p.is_file())
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in files)
