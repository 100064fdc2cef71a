"""The proxy's state and what it records: its configuration, the requests waiting for an
answer, the records queued for the writer thread, its warnings, and the `--require-log` halt.

`Session` is the base of `relay.Proxy`; `pairing` adds reading messages, `relay` the threads
and the server process."""

from __future__ import annotations

import functools
import os
import queue
import re
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mcpir.core.errors import EXIT_STEP_FAILED, McpirError
from mcpir.proxy.framing import LineFramer, dumps_line, kind_of, parse_line
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

if TYPE_CHECKING:
    from mcpir.proxy.pins import PinStore, ToolChange
    from mcpir.proxy.remote_config import Remote

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
    remote: Remote | None = None  # `--url`: a remote server instead of `command`


@dataclass
class Pending:
    method: str
    id: Any
    params: Any
    epoch: float
    started: float
    tool: str | None = None


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class Session:
    def __init__(self, config: ProxyConfig, stdin_fd: int = 0, stdout_fd: int = 1) -> None:
        self.config = config
        self.name = config.name
        self.stdin_fd, self.stdout_fd = stdin_fd, stdout_fd
        self.session = f"{os.getpid()}-{int(time.time())}"
        self.pending: dict[tuple[str, tuple[str, Any]], Pending] = {}
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
        data = encode({"jsonrpc": "2.0", "id": ident, "error": error})
        with self.out_lock:
            try:
                write_all(self.stdout_fd, data)
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
                write_all(self.stdout_fd, data)
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

    def _call(self, p: Pending, reply: dict[str, Any] | None, size: int, ended: float) -> None:
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


def encode(value: Any) -> bytes:  # noqa: ANN401 - a JSON message or batch
    return dumps_line(value, separators=(",", ":"))


def _kill(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        try:
            child.kill()
        except OSError:
            pass
