"""A stdio transport for the SDK's `ClientSession` that owns its process group.

The SDK's own `stdio_client` adds `SHELL`, `TERM`, `USER` and `LOGNAME` from mcpir's environment;
a client passes a server only its `env`, `PATH`, `HOME` and the locale, so the process is started
here. It runs in its own session (its own process group); shutting down closes its stdin, then
sends SIGTERM, then SIGKILL to the whole group, so nothing it started outlives the listing.
"""

from __future__ import annotations

import os
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from anyio.abc import Process

GRACE = 1.0  # after stdin closes, before SIGTERM; then again before SIGKILL
MAX_LINE = 8 * 1024 * 1024  # one JSON-RPC message on stdout: a listing's whole budget
# Objects one message may hold before it is parsed: a real page of 10,000 tools with their
# schemas stays under it; 300,000 tiny tools on one line (a gigabyte once parsed) do not.
MAX_OBJECTS = 200_000


def kill_group(pgid: int, sig: int = signal.SIGKILL) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


async def _exited(process: Process, pgid: int, timeout: float) -> bool:
    """Whether the server and everything in its group ended within `timeout`."""
    import anyio

    deadline = anyio.current_time() + timeout
    while process.returncode is None or group_alive(pgid):
        if anyio.current_time() >= deadline:
            return False
        await anyio.sleep(0.02)
    return True


async def stop(process: Process, pgid: int) -> None:
    """Close stdin, then SIGTERM, then SIGKILL the whole process group."""
    import anyio

    with suppress(Exception):
        await process.stdin.aclose()  # type: ignore[union-attr]
    if not await _exited(process, pgid, GRACE):
        kill_group(pgid, signal.SIGTERM)
        if not await _exited(process, pgid, GRACE):
            kill_group(pgid, signal.SIGKILL)
            await _exited(process, pgid, GRACE)
    for stream in (process.stdout, process.stdin):
        if stream is not None:
            with suppress(Exception):
                await stream.aclose()
    with suppress(Exception), anyio.move_on_after(GRACE):
        await process.wait()


@asynccontextmanager
async def stdio_transport(
    argv: list[str],
    env: dict[str, str],
    cwd: str | None,
    stderr: IO[bytes],
    started: Callable[[Process], None],
) -> AsyncIterator[tuple[Any, Any]]:
    """(read stream, write stream) for `ClientSession`, over a server started from `argv`."""
    import anyio
    import mcp_types as types
    from mcp.shared.message import SessionMessage

    process = await anyio.open_process(
        argv, env=env, cwd=cwd, stderr=stderr, start_new_session=True
    )
    started(process)
    pgid = process.pid  # a session leader: its group id is its pid
    read_in, read_out = anyio.create_memory_object_stream[SessionMessage | Exception](0)
    write_in, write_out = anyio.create_memory_object_stream[SessionMessage](0)

    async def reader() -> None:
        stdout = process.stdout
        if stdout is None:
            return
        buffer = b""
        try:
            async with read_in:
                async for chunk in stdout:
                    *lines, buffer = (buffer + chunk).split(b"\n")
                    if len(buffer) > MAX_LINE:
                        await read_in.send(ValueError("a message over 8 MiB on stdout"))
                        return
                    for line in lines:
                        if not line.strip():
                            continue
                        if line.count(b"{") > MAX_OBJECTS:
                            # Counted before pydantic builds anything: the parse alone would
                            # cost memory and block the timeout.
                            await read_in.send(ValueError("a message of over 200,000 objects"))
                            return
                        message: SessionMessage | Exception
                        try:
                            adapter = types.jsonrpc_message_adapter
                            message = SessionMessage(adapter.validate_json(line, by_name=False))
                        except ValueError as exc:
                            message = exc
                        await read_in.send(message)
        except (anyio.ClosedResourceError, anyio.BrokenResourceError, OSError):
            return

    async def writer() -> None:
        stdin = process.stdin
        if stdin is None:
            return
        try:
            async with write_out:
                async for item in write_out:
                    text = item.message.model_dump_json(by_alias=True, exclude_unset=True)
                    await stdin.send((text + "\n").encode("utf-8"))
        except (anyio.ClosedResourceError, anyio.BrokenResourceError, OSError):
            await read_in.aclose()

    async with anyio.create_task_group() as group:
        group.start_soon(reader)
        group.start_soon(writer)
        try:
            yield read_out, write_in
        finally:
            with anyio.CancelScope(shield=True):
                await stop(process, pgid)
                await read_out.aclose()
                await write_in.aclose()
            group.cancel_scope.cancel()
