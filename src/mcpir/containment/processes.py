"""Running MCP server processes: which match a configured server, and stopping them."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from mcpir.core.model import Server
from mcpir.launchers.commands import argv, container_run, program
from mcpir.launchers.packages import package_run


@dataclass(frozen=True)
class Process:
    pid: int
    argv: tuple[str, ...]
    server: str

    @property
    def command(self) -> str:
        from mcpir.core.redact import redact_args

        return " ".join(redact_args(list(self.argv)))[:200]


@dataclass(frozen=True)
class _Signature:
    """What identifies one server's process: whole command-line elements, never substrings
    (a `server.py` of some other program must not be stopped)."""

    name: str
    argv: tuple[str, ...]  # the command line as configured, launcher unwrapped
    elements: frozenset[str]  # an element equal to one of these identifies the server
    package: str | None  # npm/PyPI name: its installed entry point gives it away


def _signature(server: Server) -> _Signature:
    elements: set[str] = set()
    package = None
    run = package_run(server)
    if run is not None:
        package = run.name
        elements.add(run.name.rsplit("/", 1)[-1])
    container = container_run(server)
    if container is not None and container.image:
        elements.update({container.image, container.image.split("@", 1)[0]})
    for arg in server.args:
        if os.path.isabs(arg) and len(arg) > 4:
            elements.add(arg)
    words = argv(server)
    return _Signature(
        server.name, (program(words[0]), *words[1:]) if words else (), frozenset(elements), package
    )


def _matches(signature: _Signature, process_argv: tuple[str, ...]) -> bool:
    if signature.argv and len(process_argv) == len(signature.argv):
        if (program(process_argv[0]), *process_argv[1:]) == signature.argv:
            return True
    for element in process_argv:
        if element in signature.elements or os.path.basename(element) in signature.elements:
            return True
        if signature.package and f"/node_modules/{signature.package}/" in element:
            return True
    return False


def _proc_table() -> Iterator[tuple[int, tuple[str, ...]]]:
    # psutil: /proc on Linux, the kernel's own argv (not `ps` output split at spaces) on macOS
    # and the BSDs, and Windows, which had no listing at all.
    import psutil

    for proc in psutil.process_iter(["cmdline"]):
        cmdline = proc.info["cmdline"]  # None when not ours to read
        if cmdline:
            yield proc.pid, tuple(_text(part) for part in cmdline if part)


def _text(part: str) -> str:
    """An argv element as text that can be printed: undecodable bytes become U+FFFD (psutil
    hands them over as surrogates)."""
    return part.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def matching(servers: Iterable[Server]) -> list[Process]:
    """Processes (not mcpir's own) whose command line is one of these servers'."""
    wanted = [_signature(server) for server in servers]
    if not wanted:
        return []
    mine = {os.getpid(), os.getppid()}
    found = []
    for pid, process_argv in _proc_table():
        if pid in mine:
            continue
        for signature in wanted:
            if _matches(signature, process_argv):
                found.append(Process(pid, process_argv, signature.name))
                break
    return found


def stop(process: Process, grace: float = 2.0) -> str:
    """SIGTERM, then SIGKILL after `grace` seconds; returns what happened."""
    import psutil

    try:
        proc = psutil.Process(process.pid)
        # The pid may be another program's by now: stop only what was listed.
        if tuple(_text(p) for p in proc.cmdline() if p) != process.argv:
            return "already gone"
        proc.terminate()
    except psutil.NoSuchProcess:
        return "already gone"
    except psutil.AccessDenied:
        return "not permitted"
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        # Polled, not `proc.wait()`: that would reap a child of the caller behind its back.
        try:
            if proc.status() == psutil.STATUS_ZOMBIE:
                return "stopped (SIGTERM)"
        except psutil.NoSuchProcess:
            return "stopped (SIGTERM)"
        time.sleep(0.05)
    try:
        proc.kill()
    except psutil.NoSuchProcess:
        return "stopped (SIGTERM)"
    return "killed (SIGKILL)"
