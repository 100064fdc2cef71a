"""The client's side of `mcpir proxy --url`: its stdin, read as chunks on the event loop.

Where the loop can wait on the descriptor (a pipe, a socket or a terminal on POSIX), each read
is made on the loop once bytes are there: no thread hands each chunk over, which cost a wake-up
of the loop and of the thread per message. Where it cannot (a regular file or /dev/null, which
epoll refuses; Windows, where select() takes only sockets), a daemon thread reads: blocked in a
read, it must never hold the proxy's exit (an anyio worker thread would be waited for).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from typing import Any

HANDOFF = 16  # chunks read ahead by the thread, when a thread reads


async def chunks(fd: int, size: int) -> AsyncIterator[bytes]:
    """Each chunk of `fd` until its end (or a read error); the end itself is not yielded."""
    import anyio

    if os.name == "nt":  # anyio would hand a pipe to its selector thread, which select() refuses
        async for chunk in _threaded(fd, size):
            yield chunk
        return
    while True:
        try:
            await anyio.wait_readable(fd)
        except (OSError, NotImplementedError):  # not a descriptor this loop can wait on
            async for chunk in _threaded(fd, size):
                yield chunk
            return
        try:
            data = os.read(fd, size)
        except BlockingIOError:  # a descriptor another process made non-blocking: wait again
            continue
        except OSError:
            return
        if not data:
            return
        yield data


def _read(fd: int, size: int) -> bytes:
    try:
        return os.read(fd, size)
    except OSError:
        return b""


def _reader(fd: int, size: int, send: Callable[[bytes], Any], token: Any) -> None:  # noqa: ANN401
    import anyio.from_thread

    while True:
        data = _read(fd, size)
        try:
            anyio.from_thread.run(send, data, token=token)
        except Exception:  # noqa: BLE001 - the loop is gone: so is the reason to read
            return
        if not data:
            return


async def _threaded(fd: int, size: int) -> AsyncIterator[bytes]:
    import threading

    import anyio
    from anyio.lowlevel import current_token

    send, receive = anyio.create_memory_object_stream[bytes](HANDOFF)
    threading.Thread(target=_reader, args=(fd, size, send.send, current_token()), daemon=True,
                     name="mcpir-stdin").start()  # fmt: skip
    while True:
        data = await receive.receive()
        if not data:
            return
        yield data
