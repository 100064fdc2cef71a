"""Running MCP server processes: which match a configured server, and stopping them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

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
    if sys.platform.startswith("linux"):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                raw = Path(entry.path, "cmdline").read_bytes()
            except OSError:
                continue
            argv = tuple(part.decode("utf-8", "replace") for part in raw.split(b"\0") if part)
            if argv:
                yield int(entry.name), argv
    elif sys.platform != "win32":  # macOS and the BSDs
        listing = subprocess.run(  # noqa: S603 - fixed argv, no shell
            ["/bin/ps", "-axo", "pid=,command="], capture_output=True, text=True, check=False
        ).stdout
        for line in listing.splitlines():
            pid, _, command = line.strip().partition(" ")
            if pid.isdigit():
                yield int(pid), tuple(command.split())


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
    try:
        os.kill(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return "already gone"
    except PermissionError:
        return "not permitted"
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            os.kill(process.pid, 0)
        except ProcessLookupError:
            return "stopped (SIGTERM)"
        time.sleep(0.05)
    try:
        os.kill(process.pid, getattr(signal, "SIGKILL", signal.SIGTERM))
    except ProcessLookupError:
        return "stopped (SIGTERM)"
    return "killed (SIGKILL)"
