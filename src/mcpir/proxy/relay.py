"""The stdio relay: client stdin → server stdin, server stdout → client stdout, one thread each.

Bytes are relayed as they arrive unless the proxy must change a message (`--redact-responses`,
`--block-changed`); then each whole line is relayed, rewritten only when it has to be. Every
line is also decoded (after it is sent, when nothing can change it) to pair requests with
responses by id and log them; the records are built and written by a third thread, so
redaction and disk writes stay off the relay path. The server's stderr is the proxy's own.
Signals sent to the proxy go to the server (`signals`); the proxy exits with the server's
status.

Whatever a peer sends, the relay threads and the record writer go on: a message the proxy fails
to examine is logged as such (and withheld under `--block-changed`), a record that cannot be
made leaves one in its place, and a log that cannot be written is said on stderr; with
`--require-log` the relay then stops (pending requests answered with an error, the server
stopped, exit 3) rather than go on unlogged.
"""

from __future__ import annotations

import functools
import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mcpir.core.errors import EXIT_STEP_FAILED, McpirError
from mcpir.proxy.framing import (
    LineFramer,
    Parsed,
    dumps_line,
    id_key,
    kind_of,
    loose_id,
    parse_line,
)
from mcpir.proxy.guard import ToolGuard
from mcpir.proxy.records import (
    VERSION,
    RecordWriter,
    excerpt,
    is_error,
    redact,
    response_summary,
    safe_value,
    timestamp,
)
from mcpir.proxy.signals import die_with_proxy, forward_signals

if TYPE_CHECKING:
    from mcpir.proxy.pins import PinStore, ToolChange

READ_SIZE = 1 << 16
EARLY_LIMIT = 100_000  # a whole read of requests can be answered before it is decoded
SWITCH_INTERVAL = 0.0005
STOPPED_CODE = -32603  # JSON-RPC "internal error": what pending requests get under --require-log
KILL_AFTER = 5.0  # seconds a server has to end after SIGTERM once the relay stopped
LOG_STALL = 5.0  # at the end, records are waited for as long as the writer makes progress
Record = dict[str, Any]
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class CommandNotFound(McpirError):
    exit_code = 127


class CommandNotExecutable(McpirError):
    exit_code = 126


class LogUnavailable(McpirError):
    """--require-log and no record can be written: the server is not started (exit 3)."""

    exit_code = EXIT_STEP_FAILED


@dataclass
class ProxyConfig:
    name: str
    command: list[str]
    log_dir: Path | None  # None: nothing is logged (the directory could not be made)
    pins: PinStore | None = None
    redact_responses: bool = False
    block_changed: bool = False
    require_log: bool = False  # stop relaying (exit 3) rather than relay what is not logged


@dataclass
class _Pending:
    method: str
    id: Any
    params: Any
    epoch: float
    started: float
    tool: str | None = None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class Proxy:
    def __init__(self, config: ProxyConfig, stdin_fd: int = 0, stdout_fd: int = 1) -> None:
        self.config = config
        self.name = config.name
        self.stdin_fd, self.stdout_fd = stdin_fd, stdout_fd
        self.session = f"{os.getpid()}-{int(time.time())}"
        self.pending: dict[tuple[str, tuple[str, Any]], _Pending] = {}
        # Bytes are sent before they are decoded, so an answer can be read before the request
        # it answers is remembered: it waits here for its request.
        self.early: dict[tuple[str, tuple[str, Any]], tuple[dict[str, Any], int, float]] = {}
        self.guard = ToolGuard(config.name, config.pins, config.block_changed,
                               self._tool_changed, self.warn, self._unexamined)  # fmt: skip
        self.lock = threading.Lock()
        self.out_lock = threading.Lock()
        self.busy = threading.Lock()
        self.client_gone = False
        self.halted: str | None = None  # --require-log: why the relay stopped
        self.child: subprocess.Popen[bytes] | None = None
        self.warned: set[str] = set()
        self.records: queue.SimpleQueue[Callable[[], Record | None] | None] = queue.SimpleQueue()
        self.writer = RecordWriter(config.log_dir) if config.log_dir is not None else None
        # Bytes go straight through unless a whole message may have to change on the way.
        self.lines_in = config.block_changed
        self.lines_out = config.block_changed or config.redact_responses

    # -- helpers -------------------------------------------------------------------------
    def warn(self, message: str, level: str = "warning") -> None:
        """One line on stderr, once: secrets masked, control characters shown as escapes (a
        peer's text must not forge a line), any text encodable."""
        if message not in self.warned:
            self.warned.add(message)
            text = _CONTROL.sub(lambda m: repr(m.group())[1:-1], redact(message))
            try:
                os.write(2, f"mcpir proxy: {level}: {text}\n".encode("utf-8", "backslashreplace"))
            except OSError:
                pass

    def log(self, build: Callable[[], Record | None]) -> None:
        if self.writer is not None:
            self.records.put(build)

    def _logger(self) -> None:
        assert self.writer is not None  # noqa: S101 - started only with a writer
        done = False
        while not done:
            builds = [self.records.get()]
            while len(builds) < 256 and not self.records.empty():  # what piled up meanwhile
                builds.append(self.records.get())
            batch: list[Record] = []
            for build in builds:
                if build is None:
                    done = True
                    continue
                record = self._built(build)
                if record is not None:
                    batch.append(record)
            failed = self.writer.write_many(batch) if batch else None  # never raises
            if failed is not None:
                self._log_failed(failed)

    def _built(self, build: Callable[[], Record | None]) -> Record | None:
        try:
            return build()
        except Exception as exc:  # noqa: BLE001 - one bad record must not stop the next ones
            why = f"{type(exc).__name__}: {exc}"
            self.warn(f"a record could not be made ({why}); a malformed record stands for it")
            return self._base("malformed", time.time()) | {
                "direction": None, "reason": excerpt(f"a record could not be made ({why})"),
                "bytes": 0, "excerpt": "", "session": self.session,
            }  # fmt: skip

    def _log_failed(self, why: str) -> None:
        if self.config.require_log:
            self._halt(why)
        else:
            self.warn(f"cannot write the invocation log ({why}); messages are still relayed, "
                      "unlogged (--require-log stops the relay instead)")  # fmt: skip

    def _halt(self, why: str) -> None:
        """--require-log: nothing more is relayed once a record could not be written. Requests
        waiting for an answer get a JSON-RPC error, and the server is stopped."""
        with self.lock:
            if self.halted is not None:
                return
            self.halted = why
            waiting = [p for (side, _), p in self.pending.items() if side == "c"]
            self.pending = {k: p for k, p in self.pending.items() if k[0] != "c"}
        with self.out_lock:
            self.client_gone = True  # the server's bytes no longer reach the client
        self.warn(f"cannot write the invocation log ({why}); stopped relaying, answered the "
                  "pending requests with an error and stopped the server (--require-log)",
                  "error")  # fmt: skip
        for pending in waiting:
            self._stopped_answer(pending.id)
        child = self.child
        if child is not None and child.poll() is None:
            try:
                child.terminate()
            except OSError:
                pass
            killer = threading.Timer(KILL_AFTER, _kill, args=(child,))
            killer.daemon = True
            killer.start()

    def _stopped_answer(self, ident: Any) -> None:  # noqa: ANN401 - any JSON id
        error = {"code": STOPPED_CODE, "message": (
            f"mcpir proxy stopped relaying to {self.name}: the invocation log cannot be "
            f"written ({self.halted}); see the proxy's stderr (--require-log)")}  # fmt: skip
        data = _encode({"jsonrpc": "2.0", "id": ident, "error": error})
        with self.out_lock:
            try:
                _write_all(self.stdout_fd, data)
            except OSError:
                pass

    def _refuse_stopped(self, data: bytes, framer: LineFramer) -> None:
        for line in framer.feed(data):
            value = parse_line(line).value
            for message in value if isinstance(value, list) else [value]:
                if isinstance(message, dict) and kind_of(message) == "request":
                    self._stopped_answer(message["id"])

    def to_client(self, data: bytes) -> None:
        with self.out_lock:
            if self.client_gone:
                return
            try:
                _write_all(self.stdout_fd, data)
            except OSError:
                self.client_gone = True  # keep draining the server so it never blocks

    def _base(self, kind: str, epoch: float) -> Record:
        return {"v": VERSION, "type": kind, "ts": timestamp(epoch), "server": self.name}

    def _malformed(self, direction: str, line: bytes, reason: str, epoch: float) -> None:
        def build() -> Record:
            text = line.decode("utf-8", "replace")
            return self._base("malformed", epoch) | {
                "direction": direction, "reason": reason, "bytes": len(line),
                "excerpt": excerpt(text), "session": self.session,
            }  # fmt: skip

        self.log(build)

    def _notification(self, direction: str, message: dict[str, Any], epoch: float) -> None:
        def build() -> Record:
            params = message.get("params")
            return self._base("notification", epoch) | {
                "method": message.get("method"), "direction": direction,
                "params": safe_value(params) if params is not None else {},
                "session": self.session,
            }  # fmt: skip

        self.log(build)

    def _call(self, p: _Pending, reply: dict[str, Any] | None, size: int, ended: float) -> None:
        def build() -> Record:
            if reply is None:
                summary = {"content_types": [], "bytes": 0, "excerpt": "no response"}
                failed = True
            else:
                summary = response_summary(p.method, reply, size)
                failed = is_error(reply)
            return self._base("call", p.epoch) | {
                "method": p.method, "tool": p.tool, "id": p.id,
                "params": safe_value(p.params) if p.params is not None else {},
                "duration_ms": round((ended - p.started) * 1000, 3), "is_error": failed,
                "response_summary": summary, "session": self.session,
            }  # fmt: skip

        self.log(build)

    # -- messages ------------------------------------------------------------------------
    def _messages(
        self, direction: str, line: bytes, epoch: float
    ) -> tuple[Parsed, list[dict[str, Any]]]:
        parsed = parse_line(line)
        if parsed.note is not None:  # read, but not as it is: what the client reads is kept
            self._malformed(direction, line, parsed.note, epoch)
        if parsed.error is not None:
            self._malformed(direction, line, parsed.error, epoch)
            return parsed, []
        if parsed.blank:
            return parsed, []
        value = parsed.value
        return parsed, list(value) if isinstance(value, list) else [value]

    def from_client(self, line: bytes, started: float, epoch: float) -> bytes | None:
        """Record what the client sent; the bytes to send on (None: nothing)."""
        parsed, messages = self._messages("client->server", line, epoch)
        kept: list[dict[str, Any]] = []
        for message in messages:
            kind = kind_of(message)
            if kind == "request":
                if self._refused(message, started, epoch):
                    continue
                self._remember("c", message, started, epoch)
            elif kind == "notification":
                self._notification("client->server", message, epoch)
            elif kind == "response":
                self._answered("s", message, len(line), started)
            else:
                self._malformed("client->server", line, "not a JSON-RPC message", epoch)
            kept.append(message)
        if len(kept) == len(messages):
            return line
        if not kept:
            return None
        return _encode(kept if isinstance(parsed.value, list) else kept[0])

    def from_server(self, line: bytes, ended: float, epoch: float) -> bytes:
        """Record what the server sent; the bytes the client gets (rewritten if it must be)."""
        parsed, messages = self._messages("server->client", line, epoch)
        if parsed.error is not None and self.config.redact_responses:
            return _redacted_line(line)  # a client may log what it cannot parse
        changed = False
        out: list[dict[str, Any]] = []
        for message in messages:
            kind = kind_of(message)
            if kind == "response":
                pending = self._answered("c", message, len(line), ended)
                if pending is not None:
                    listing, params = pending.method == "tools/list", pending.params
                else:  # when blocking, an answer to no request is no way around the check
                    listing, params = self.config.block_changed and _holds_tools(message), None
                if listing:
                    filtered = self.guard.listed(params, message)
                    if filtered is not None:
                        message, changed = filtered, True
            elif kind == "request":
                self._remember("s", message, ended, epoch)
            elif kind == "notification":
                self._notification("server->client", message, epoch)
            else:
                self._malformed("server->client", line, "not a JSON-RPC message", epoch)
            if self.config.redact_responses:
                from mcpir.proxy.sanitize import redact_json, redact_message

                masked = redact_message(message) if kind != "invalid" else redact_json(message)
                masked = None if masked is message else masked
                if masked is not None:
                    message, changed = masked, True
            out.append(message)
        if not changed:
            return line
        return _encode(out if isinstance(parsed.value, list) else out[0])

    def _remember(self, side: str, message: dict[str, Any], started: float, epoch: float) -> None:
        key = id_key(message.get("id"))
        if key is None:
            return
        params = message.get("params")
        tool = None
        if message["method"] == "tools/call" and isinstance(params, dict):
            tool = str(params.get("name")) if params.get("name") is not None else None
        pending = _Pending(message["method"], message["id"], params, epoch, started, tool)
        with self.lock:
            stopped = self.halted is not None and side == "c"
            early = self.early.pop((side, key), None) if self.early else None
            if early is None and self.early and (loose := loose_id(message["id"])) is not None:
                early = self.early.pop((side, ("int", loose)), None)
            if early is None and not stopped:
                self.pending[(side, key)] = pending
        if stopped:  # relayed as the relay stopped: answered here, as the pending ones were
            self._stopped_answer(message["id"])
            return
        if early is not None:
            reply, size, ended = early
            self._call(pending, reply, size, max(ended, started))
            if side == "c" and pending.method == "tools/list":
                self.guard.listed(pending.params, reply)  # already relayed: compared, not hidden

    def _answered(
        self, side: str, message: dict[str, Any], size: int, ended: float
    ) -> _Pending | None:
        key = id_key(message.get("id"))
        if key is None:
            self._unmatched(side, message)
            return None
        stale = None
        with self.lock:
            pending = self.pending.pop((side, key), None)
            loose = loose_id(message["id"]) if pending is None else None
            if loose is not None:
                # The TypeScript SDK pairs by Number(id): "1" and 1.0 answer request 1, for
                # the client and so for the proxy.
                key = ("int", loose)
                pending = self.pending.pop((side, key), None)
            if pending is None:
                self.early[(side, key)] = (message, size, ended)
                if len(self.early) > EARLY_LIMIT:  # answers to nothing: do not keep them all
                    oldest = next(iter(self.early))
                    stale = (oldest[0], self.early.pop(oldest)[0])
        if pending is None:
            if stale is not None:
                self._unmatched(*stale)
            return None
        self._call(pending, message, size, ended)
        return pending

    def _unmatched(self, side: str, message: dict[str, Any]) -> None:
        direction = "server->client" if side == "c" else "client->server"
        line = json.dumps({"id": message.get("id")}).encode()
        self._malformed(direction, line, "a response to no pending request", time.time())

    # -- tools ---------------------------------------------------------------------------
    def _refused(self, message: dict[str, Any], started: float, epoch: float) -> bool:
        reply = self.guard.refusal(message)
        if reply is None:
            return False
        self.to_client(_encode(reply))
        params = message.get("params")
        tool = str(params.get("name")) if isinstance(params, dict) else None
        pending = _Pending("tools/call", message.get("id"), params, epoch, started, tool)
        self._call(pending, reply, 0, time.monotonic())
        return True

    def _tool_changed(self, change: ToolChange, blocked: bool, epoch: float) -> None:
        record = self._base("tool_changed", epoch) | {
            "tool": change.tool, "change": change.change, "before": change.before,
            "after": change.after, "findings": list(change.findings), "blocked": blocked,
            "session": self.session,
        }  # fmt: skip
        self.log(functools.partial(dict, record))

    def _unexamined(self, why: str, blocked: bool, epoch: float) -> None:
        record = self._base("tool_changed", epoch) | {
            "tool": None, "change": "unexamined", "before": None, "after": None,
            "reason": f"the tools/list answer could not be examined: {why}", "findings": [],
            "blocked": blocked, "session": self.session,
        }  # fmt: skip
        self.log(functools.partial(dict, record))

    # -- pumps ---------------------------------------------------------------------------
    def pump_client(self, child_in: int) -> None:
        framer = LineFramer()
        sink: list[int] = [child_in]  # emptied when the server stops reading
        while True:
            try:
                data = os.read(self.stdin_fd, READ_SIZE)
            except OSError:
                data = b""
            if not data:
                break
            with self.busy:  # the end of the run waits for a chunk being handled
                if self.halted is not None:
                    self._refuse_stopped(data, framer)
                    continue
                self._client_chunk(data, framer, sink)
        tail = framer.tail()
        if tail:
            if self.lines_in:
                self._to_server(sink, tail)
            self._malformed("client->server", tail, "no newline before the end", time.time())
        try:
            os.close(child_in)  # the server sees the end of its input, as without the proxy
        except OSError:
            pass

    def _client_chunk(self, data: bytes, framer: LineFramer, sink: list[int]) -> None:
        started, epoch = time.monotonic(), time.time()
        if not self.lines_in:
            self._to_server(sink, data)
            for line in framer.feed(data):
                self._client_line(line, started, epoch)
            return
        for line in framer.feed(data):
            out = self._client_line(line, started, epoch)
            if out is not None:
                self._to_server(sink, out)

    def _client_line(self, line: bytes, started: float, epoch: float) -> bytes | None:
        try:
            return self.from_client(line, started, epoch)
        except Exception as exc:  # noqa: BLE001 - a message mcpir cannot examine is logged
            return line if self._not_examined("client", line, exc, epoch) else None

    def _server_line(self, line: bytes, ended: float, epoch: float) -> bytes | None:
        try:
            return self.from_server(line, ended, epoch)
        except Exception as exc:  # noqa: BLE001 - a message mcpir cannot examine is logged
            if not self._not_examined("server", line, exc, epoch):
                return None
            return _redacted_line(line) if self.config.redact_responses else line

    def _not_examined(self, peer: str, line: bytes, exc: Exception, epoch: float) -> bool:
        """Log and say that a message could not be examined; whether it is relayed all the
        same (not under --block-changed: it might be a blocked call or a changed tool)."""
        relayed = not self.config.block_changed
        done = "relayed" if relayed else "withheld (--block-changed)"
        direction = "client->server" if peer == "client" else "server->client"
        self._malformed(direction, line, f"not examined ({type(exc).__name__}); {done}", epoch)
        self.warn(f"a message from the {peer} could not be examined ({type(exc).__name__}); "
                  f"{done}")  # fmt: skip
        return relayed

    def _to_server(self, sink: list[int], data: bytes) -> None:
        if sink and self.halted is None:
            try:
                _write_all(sink[0], data)
            except OSError:
                sink.clear()

    def pump_server(self, child_out: int) -> None:
        framer = LineFramer()
        while True:
            try:
                data = os.read(child_out, READ_SIZE)
            except OSError:
                data = b""
            if not data:
                break
            ended, epoch = time.monotonic(), time.time()
            if not self.lines_out:
                self.to_client(data)
                for line in framer.feed(data):
                    self._server_line(line, ended, epoch)
                continue
            for line in framer.feed(data):
                out = self._server_line(line, ended, epoch)
                if out is not None:
                    self.to_client(out)
        tail = framer.tail()
        if tail:
            if self.lines_out:
                self.to_client(_redacted_line(tail) if self.config.redact_responses else tail)
            self._malformed("server->client", tail, "no newline before the end", time.time())

    # -- the process ---------------------------------------------------------------------
    def run(self) -> int:
        command = self.config.command
        self.check_log()
        try:
            # Started before any thread of the proxy runs, so `preexec_fn` is safe here.
            child = subprocess.Popen(  # noqa: S603, PLW1509 - the user's own server command
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0,
                preexec_fn=die_with_proxy(),
            )  # fmt: skip
        except FileNotFoundError:
            raise CommandNotFound(f"{command[0]}: command not found") from None
        except PermissionError:
            raise CommandNotExecutable(f"{command[0]}: permission denied") from None
        except OSError as exc:  # a script with no #! line, a binary for another machine: 126
            raise CommandNotExecutable(f"{command[0]}: {exc.strerror or exc}") from None
        assert child.stdin is not None and child.stdout is not None  # noqa: S101 - PIPE
        self.child = child
        child_in, child_out = os.dup(child.stdin.fileno()), os.dup(child.stdout.fileno())
        child.stdin.close()
        child.stdout.close()
        forward_signals(child)
        # The relay threads wait on I/O and must get the GIL back at once when bytes arrive,
        # not after the record writer's 5 ms time slice.
        sys.setswitchinterval(SWITCH_INTERVAL)
        if self.config.block_changed:
            self.guard.load_blocked()
        logger = None
        if self.writer is not None:
            logger = threading.Thread(target=self._logger, name="mcpir-log", daemon=True)
            logger.start()
        inbound = threading.Thread(target=self.pump_client, args=(child_in,), daemon=True)
        outbound = threading.Thread(target=self.pump_server, args=(child_out,), daemon=True)
        inbound.start()
        outbound.start()
        code = child.wait()
        # A grandchild may hold the server's stdout open: wait a little, not forever.
        outbound.join(timeout=2.0)
        ended = time.monotonic()
        with self.busy, self.lock:
            unanswered = [p for (side, _), p in self.pending.items() if side == "c"]
            orphans = [(side, reply) for (side, _), (reply, _, _) in self.early.items()]
            self.pending.clear()
            self.early.clear()
        for pending in unanswered:
            self._call(pending, None, 0, ended)
        for side, reply in orphans:
            self._unmatched(side, reply)
        lost = False
        if logger is not None:
            self.records.put(None)
            lost = self._drain(logger)
            assert self.writer is not None  # noqa: S101
            self.writer.shut()
        try:
            os.close(child_out)
        except OSError:
            pass
        if self.halted is not None or (lost and self.config.require_log):
            return EXIT_STEP_FAILED
        return 128 - code if code < 0 else code

    def _drain(self, logger: threading.Thread) -> bool:
        """Wait for the records still queued (a busy machine can leave thousands); give up,
        loudly, only when the writer stops making progress (a hung disk). Whether any were lost."""
        left, waited = self.records.qsize(), 0.0
        while logger.is_alive() and waited < LOG_STALL:
            logger.join(timeout=0.25)
            now = self.records.qsize()
            waited = 0.0 if now < left else waited + 0.25
            left = now
        if not logger.is_alive():
            return False
        self.warn(f"records are missing from the invocation log: its writer made no progress "
                  f"for {LOG_STALL:g} s ({left} still queued)", "error")  # fmt: skip
        return True

    def check_log(self) -> None:
        """--require-log: the day's log file can be opened, or the server is not started."""
        if not self.config.require_log:
            return
        why = "no log directory" if self.writer is None else self.writer.check()
        if why is not None:
            where = self.config.log_dir or "the log directory"
            raise LogUnavailable(
                f"cannot write the invocation log in {where} ({why}); "
                f"{self.config.command[0]} not started (--require-log)"
            )


def _encode(value: Any) -> bytes:  # noqa: ANN401 - a JSON message or batch
    return dumps_line(value, separators=(",", ":"))


def _holds_tools(message: dict[str, Any]) -> bool:
    result = message.get("result")
    return isinstance(result, dict) and "tools" in result


def _kill(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        try:
            child.kill()
        except OSError:
            pass


def _redacted_line(line: bytes) -> bytes:
    """A line that is not a JSON-RPC message, with the secrets in its text masked."""
    from mcpir.proxy.sanitize import redact_string

    text = line.decode("utf-8", "replace")
    masked = redact_string(text)
    return line if masked == text else masked.encode("utf-8")


def run_proxy(config: ProxyConfig) -> int:
    """Relay until the server exits; its exit status (128+N for a signal N)."""
    if not config.command or not config.command[0]:
        from mcpir.core.errors import UsageError

        raise UsageError("no server command", hint="mcpir proxy [OPTIONS] -- CMD [ARGS]...")
    sys.stdout.flush()
    return Proxy(config).run()
