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

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from functools import partial

from mcpir.core.errors import EXIT_STEP_FAILED
from mcpir.proxy.framing import LineFramer
from mcpir.proxy.pairing import Pairing, redacted_line
from mcpir.proxy.session import (
    LOG_STALL,
    READ_SIZE,
    SWITCH_INTERVAL,
    CommandNotExecutable,
    CommandNotFound,
    LogUnavailable,
    ProxyConfig,
    Record,
    write_all,
)
from mcpir.proxy.signals import die_with_proxy, forward_signals

# Imported from here by the CLI, `proxy.config` and the tests.
__all__ = ["CommandNotExecutable", "CommandNotFound", "LogUnavailable", "Proxy", "ProxyConfig",
           "Record", "run_proxy"]  # fmt: skip


def _relay(
    data: bytes,
    framer: LineFramer,
    by_line: bool,
    examine: Callable[[bytes], bytes | None],
    send: Callable[[bytes], None],
) -> None:
    """Pass one chunk on: as it came, each line examined after it is sent; or (`by_line`) each
    whole line examined first and sent as `examine` returns it (None: withheld)."""
    if not by_line:
        send(data)
        for line in framer.feed(data):
            examine(line)
        return
    for line in framer.feed(data):
        out = examine(line)
        if out is not None:
            send(out)


class Proxy(Pairing):
    """The relay: one thread per direction, a third writing the records (`Session`), each
    line read and paired on the way (`Pairing`)."""

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
        examine = partial(self._client_line, started=started, epoch=epoch)
        _relay(data, framer, self.lines_in, examine, partial(self._to_server, sink))

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
            return redacted_line(line) if self.config.redact_responses else line

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
                write_all(sink[0], data)
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
            examine = partial(self._server_line, ended=ended, epoch=epoch)
            _relay(data, framer, self.lines_out, examine, self.to_client)
        tail = framer.tail()
        if tail:
            if self.lines_out:
                self.to_client(redacted_line(tail) if self.config.redact_responses else tail)
            self._malformed("server->client", tail, "no newline before the end", time.time())

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
                f"{self._target()} not started (--require-log)"
            )

    def _target(self) -> str:
        return self.config.command[0] if self.config.command else self.name


def run_proxy(config: ProxyConfig) -> int:
    """Relay until the server exits; its exit status (128+N for a signal N). With `--url`:
    until the client's input ends (`remote`)."""
    if config.remote is not None:
        from mcpir.proxy.remote import run_remote

        sys.stdout.flush()
        return run_remote(config)
    if not config.command or not config.command[0]:
        from mcpir.core.errors import UsageError

        raise UsageError("no server command", hint="mcpir proxy [OPTIONS] -- CMD [ARGS]...")
    sys.stdout.flush()
    return Proxy(config).run()
