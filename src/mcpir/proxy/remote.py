"""`mcpir proxy --url`: MCP over stdio to the client, streamable HTTP or SSE to a remote server.

The server side is the official SDK's client transport (`streamable_http_client`, `sse_client`):
it keeps the session id, resumes a broken response stream with `Last-Event-ID`, opens the GET
stream for what the server sends unasked, and follows no redirect off the server's origin. The
proxy hands it each message the client writes and writes each message it reads back as one
line, through the same examination as the stdio relay (`Pairing`): the same records, pins,
`--block-changed` and `--redact-responses`.

A failed connection is reopened with backoff (0.25 s doubling to 30 s), each loss and return
logged as a `connection` record; requests on the lost connection, and any sent while it is down,
get a JSON-RPC error at once: never a hang. A new connection replays the client's `initialize`
and `notifications/initialized` (their answer kept from the client).
"""

from __future__ import annotations

import logging
import signal
import sys
import time
from typing import Any

from mcpir.core.errors import EXIT_STEP_FAILED
from mcpir.proxy import remote_link
from mcpir.proxy.framing import LineFramer, id_key, kind_of, parse_line
from mcpir.proxy.relay import Proxy
from mcpir.proxy.remote_link import describe, open_link, own_stdout, routing_headers
from mcpir.proxy.session import READ_SIZE, SWITCH_INTERVAL, ProxyConfig, encode

LOST_CODE = -32000  # the SDK's CONNECTION_CLOSED: what a client already expects from a transport
INVALID_CODE = -32600
BACKOFF_FIRST, BACKOFF_MAX = 0.25, 30.0
GRACE = 5.0  # after the client's input ends: how long answers to its last requests are awaited
OUTBOX = 1024  # messages on their way to the connection's task
CLOSING = 3.0  # at the end: how long closing the connection (ending the session) may take
REPLAY = "mcpir-replay-"


class RemoteProxy(Proxy):
    """The stdio relay's examination, with the SDK's HTTP transport as the server."""

    def __init__(self, config: ProxyConfig, stdin_fd: int = 0, stdout_fd: int = 1) -> None:
        super().__init__(config, stdin_fd, stdout_fd)
        assert config.remote is not None  # noqa: S101 - run_remote checks it
        self.remote = config.remote
        self.version: str | None = None  # the protocol version the server answered initialize with
        self.init_id: Any = None
        self.handshake: list[dict[str, Any]] = []  # replayed on each new connection
        self.inflight: dict[Any, Any] = {}  # id_key → id of each request on the live connection
        self.replies: dict[Any, Any] = {}  # replayed request → its answer (an anyio Event waits)
        self.write: Any = None  # the live connection's send stream; None while it is down
        self.down: str | None = None  # why it is down, shown in the errors the client gets
        self.stopped: int | None = None  # a signal that ended the proxy
        self.replays = 0
        self.auth: Any = None  # the SDK's OAuth provider, when the server uses OAuth
        self.outbox: tuple[Any, Any] = (None, None)  # client → the live connection's task
        self.ready: Any = None  # an anyio Event: the first connection is open, or failed
        self.holding: list[Any] | None = None  # records of the answer being delivered

    # -- the client side ------------------------------------------------------------------

    async def _read_client(self) -> None:
        from mcpir.proxy.remote_stdin import chunks

        framer = LineFramer()
        async for data in chunks(self.stdin_fd, READ_SIZE):
            if self.halted is not None:
                self._refuse_stopped(data, framer)
                continue
            started, epoch = time.monotonic(), time.time()
            for line in framer.feed(data):
                out = self._client_line(line, started, epoch)
                if out is not None:
                    await self._send_line(out)
        tail = framer.tail()
        if tail:
            self._malformed("client->server", tail, "no newline before the end", time.time())
            await self._send_line(tail)

    async def _send_line(self, line: bytes) -> None:
        parsed = parse_line(line)
        if parsed.error is not None or parsed.blank:
            return  # logged as malformed; no server takes a line that is not a message
        for message in parsed.value if isinstance(parsed.value, list) else [parsed.value]:
            await self._send(message)

    async def _send(self, message: dict[str, Any]) -> None:
        import anyio
        from mcp.shared.message import ClientMessageMetadata, SessionMessage
        from mcp_types import jsonrpc_message_adapter
        from pydantic import ValidationError

        kind = kind_of(message)
        try:
            typed = jsonrpc_message_adapter.validate_python(message, by_name=False)
        except ValidationError:
            if kind == "request":
                self._answer_error(message["id"], INVALID_CODE, "mcpir proxy: not a valid "
                                   "JSON-RPC message; not sent to the server")  # fmt: skip
            return
        method = message.get("method")
        if method == "initialize" and kind == "request":
            self.handshake, self.init_id = [message], message["id"]
        elif method == "notifications/initialized":
            self.handshake = [*self.handshake[:1], message]
        if self.write is None and self.ready is not None and not self.ready.is_set():
            with anyio.move_on_after(self.remote.timeout):  # the first connection is opening
                await self.ready.wait()
        if self.write is None:
            if kind == "request":
                self._lost_answer(message["id"])
            return
        key = id_key(message.get("id")) if kind == "request" else None
        if key is not None:
            self.inflight[key] = message["id"]
        metadata = ClientMessageMetadata(headers=routing_headers(message, self.version))
        # Handed to the connection's own task: a transport that fails cancels the task that
        # wrote to it, and that must not be the one reading the client.
        await self.outbox[0].send(
            (SessionMessage(typed, metadata=metadata), key, message.get("id"))
        )

    async def _forward(self, write: Any) -> None:  # noqa: ANN401 - the SDK's send stream
        import anyio

        async for item, key, ident in self.outbox[1]:
            if key is not None and key not in self.inflight:
                continue  # answered meanwhile: the connection it was meant for was lost
            try:
                await write.send(item)
            except (anyio.ClosedResourceError, anyio.BrokenResourceError, anyio.EndOfStream):
                if key is not None and self.inflight.pop(key, None) is not None:
                    self._lost_answer(ident)

    # -- what goes back to the client ------------------------------------------------------

    def _deliver(self, message: dict[str, Any]) -> None:
        """One message to the client, examined (and recorded) as the stdio relay does."""
        line = encode(message)
        self.holding = []
        try:
            out = self._server_line(line, time.monotonic(), time.time())
            if out is not None:
                self.to_client(out)
        finally:
            held, self.holding = self.holding, None
            for build in held:
                super().log(build)

    def log(self, build: Any) -> None:  # noqa: ANN401 - a record's builder
        # Queued once the client has its answer: woken by the queue, the record writer took
        # the GIL while the answer was written (the write releases it), ~0.1 ms a message.
        if self.holding is not None:
            self.holding.append(build)
        else:
            super().log(build)

    def _answer_error(self, ident: Any, code: int, text: str) -> None:  # noqa: ANN401 - JSON id
        self._deliver({"jsonrpc": "2.0", "id": ident, "error": {"code": code, "message": text}})

    def _lost_answer(self, ident: Any) -> None:  # noqa: ANN401 - any JSON id
        why = self.down or "not connected yet"
        self._answer_error(ident, LOST_CODE, f"mcpir proxy: {self.name} at "
                           f"{self.remote.shown_url()} cannot be reached ({why}); the proxy "
                           "keeps reconnecting: try again")  # fmt: skip

    async def _pump_server(self, read: Any) -> None:  # noqa: ANN401 - the SDK's receive stream
        async for item in read:
            if isinstance(item, Exception):
                reason = f"the transport could not read a message ({describe(item)})"
                self._malformed("server->client", b"", reason, time.time())
                self.warn(f"{self.name}: {reason}")
                continue
            message = item.message.model_dump(by_alias=True, mode="json", exclude_unset=True)
            if kind_of(message) == "response":
                key = id_key(message.get("id"))
                if key in self.replies:
                    self.replies[key].set()
                    self.replies[key] = message
                    continue
                self.inflight.pop(key, None)
                if self.init_id is not None and message.get("id") == self.init_id:
                    result = message.get("result")
                    version = result.get("protocolVersion") if isinstance(result, dict) else None
                    self.version = version if isinstance(version, str) else self.version
            self._deliver(message)
            if self.early:
                self._orphans()

    def _orphans(self) -> None:
        """Answers to no request, logged at once: a request is remembered before it is sent,
        so none comes early here, and a server's made-up ids must not pile up whole."""
        with self.lock:
            orphans = [(side, reply) for (side, _), (reply, _, _) in self.early.items()]
            self.early.clear()
        for side, reply in orphans:
            self._unmatched(side, reply)

    # -- the connection --------------------------------------------------------------------

    def _built(self, build: Any) -> Any:  # noqa: ANN401 - a record's builder; the record
        held = remote_link.secrets(self.remote, self.auth)  # a server may echo a credential
        return remote_link.masked(super()._built(build), held)

    async def _replay(self, write: Any) -> None:  # noqa: ANN401 - the SDK's send stream
        """The client's handshake again, on a new connection; its answer is not relayed."""
        import anyio
        from mcp.shared.message import SessionMessage
        from mcp_types import jsonrpc_message_adapter

        if not self.handshake:
            return
        self.replays += 1
        request = dict(self.handshake[0], id=f"{REPLAY}{self.replays}")
        key = id_key(request["id"])
        done = anyio.Event()
        self.replies[key] = done
        try:
            typed = jsonrpc_message_adapter.validate_python(request, by_name=False)
            await write.send(SessionMessage(typed))
            with anyio.fail_after(self.remote.timeout):
                await done.wait()
            answer = self.replies.get(key)
            if isinstance(answer, dict) and "error" in answer:
                raise ConnectionError("the server refused the replayed initialize")
            for notification in self.handshake[1:]:
                typed = jsonrpc_message_adapter.validate_python(notification, by_name=False)
                await write.send(SessionMessage(typed))
        finally:
            self.replies.pop(key, None)

    async def _connection(self, stop: Any, first: bool) -> str:  # noqa: ANN401 - anyio Event
        """Relay over one connection until it fails or `stop` is set; why it ended."""
        import anyio

        ended = "the server closed the stream"
        link = open_link(self.remote, self.auth)
        async with link as (read, write), anyio.create_task_group() as inner:

            async def pump() -> None:
                await self._pump_server(read)
                inner.cancel_scope.cancel()

            inner.start_soon(pump)
            if not first:
                await self._replay(write)
                self.warn(f"{self.name}: connected to {self.remote.shown_url()} again", "note")
                record = self._base("connection", time.time()) | {
                    "event": "restored",
                    "url": self.remote.shown_url(),
                    "session": self.session,
                }
                self.log(lambda: record)
            inner.start_soon(self._forward, write)
            self.write, self.down = write, None
            if self.ready is not None:
                self.ready.set()
            await stop.wait()
            ended = ""
            inner.cancel_scope.cancel()
        return ended

    async def _attempt(self, stop: Any, first: bool) -> str:  # noqa: ANN401 - anyio Event
        """One connection, in a task of its own: a transport that fails can leave a
        cancellation behind in the task that ran it, which must not end the retries."""
        import anyio

        ended: list[str] = []

        async def attempt() -> None:
            try:
                ended.append(await self._connection(stop, first))
            except Exception as exc:  # noqa: BLE001 - every failure is a lost connection
                ended.append(describe(exc))

        async with anyio.create_task_group() as group:
            group.start_soon(attempt)
        return ended[0] if ended else "the connection was cancelled"

    async def _connections(self, stop: Any, ready: Any) -> None:  # noqa: ANN401 - anyio Events
        import anyio

        attempt, first = 0, True
        while not stop.is_set():
            why = await self._attempt(stop, first)
            self.write = None
            if stop.is_set():
                break
            delay = min(BACKOFF_MAX, BACKOFF_FIRST * (2**attempt))
            self.down = f"{why}; retrying in {delay:g} s"
            self._lost(why, attempt + 1, delay)
            ready.set()
            attempt, first = attempt + 1, False
            with anyio.move_on_after(delay):
                await stop.wait()
        ready.set()

    def _lost(self, why: str, attempt: int, delay: float) -> None:
        waiting, self.inflight = list(self.inflight.values()), {}
        self.warn(f"{self.name}: the connection to {self.remote.shown_url()} was lost ({why}); "
                  f"reconnecting in {delay:g} s (attempt {attempt})")  # fmt: skip
        record = self._base("connection", time.time()) | {
            "event": "lost", "reason": why, "attempt": attempt, "retry_in_s": delay,
            "url": self.remote.shown_url(), "answered": len(waiting), "session": self.session,
        }  # fmt: skip
        self.log(lambda: record)
        for ident in waiting:
            self._lost_answer(ident)

    async def _watch(self, stop: Any, reading: Any) -> None:  # noqa: ANN401 - anyio objects
        """Stop reading the client on a signal, or when --require-log halted the relay."""
        import anyio

        while self.stopped is None and self.halted is None and not stop.is_set():
            await anyio.sleep(0.05)
        stop.set()
        reading.cancel()

    async def _main(self) -> None:
        import anyio

        stop, ready, closed = anyio.Event(), anyio.Event(), anyio.Event()
        self.ready = ready
        self.outbox = anyio.create_memory_object_stream[tuple[Any, Any, Any]](OUTBOX)

        async def connections() -> None:
            await self._connections(stop, ready)
            closed.set()

        async with anyio.create_task_group() as tg:
            tg.start_soon(connections)
            with anyio.CancelScope() as reading:
                tg.start_soon(self._watch, stop, reading)
                await self._read_client()
                with anyio.move_on_after(GRACE):
                    while self.inflight and self.write is not None:
                        await anyio.sleep(0.01)
            stop.set()
            with anyio.move_on_after(CLOSING):  # the session's DELETE, then no more waiting
                await closed.wait()
            tg.cancel_scope.cancel()

    def run(self) -> int:
        import anyio

        self.check_log()
        from mcpir.proxy import remote_auth

        if remote_auth.wanted(self.name, self.remote.oauth):
            self.auth = remote_auth.provider(self.name, self.remote.url,
                                             lambda line: self.warn(line, "note"))  # fmt: skip
        # The SDK logs a transport failure with its traceback; the proxy says it in one line.
        quiet = logging.getLogger("mcp")
        quiet.addHandler(logging.NullHandler())
        quiet.propagate = False
        for name in ("SIGTERM", "SIGHUP", "SIGINT"):
            try:
                signal.signal(getattr(signal, name), lambda n, _: setattr(self, "stopped", n))
            except (OSError, ValueError, AttributeError):
                pass
        # The stdin reader and the record writer are threads: the event loop must get the
        # GIL back at once when an answer arrives, not after a 5 ms time slice.
        sys.setswitchinterval(SWITCH_INTERVAL)
        logger = None
        if self.writer is not None:
            import threading

            logger = threading.Thread(target=self._logger, name="mcpir-log", daemon=True)
            logger.start()
        if self.config.block_changed:
            self.guard.load_blocked()
        anyio.run(self._main)
        self._finish(logger)
        if self.halted is not None:
            return EXIT_STEP_FAILED
        return 128 + self.stopped if self.stopped is not None else 0

    def _finish(self, logger: Any) -> None:  # noqa: ANN401 - a thread or None
        ended = time.monotonic()
        with self.lock:
            unanswered = [p for (side, _), p in self.pending.items() if side == "c"]
            self.pending.clear()
        for pending in unanswered:
            self._call(pending, None, 0, ended)
        self._orphans()
        if logger is not None:
            self.records.put(None)
            self._drain(logger)
            assert self.writer is not None  # noqa: S101
            self.writer.shut()


def run_remote(config: ProxyConfig) -> int:
    """Relay until the client's input ends (or a signal); 0, or 3 when --require-log halted."""
    with own_stdout() as protocol:  # a browser command's output never enters the protocol
        return RemoteProxy(config, stdout_fd=protocol).run()
