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

from mcpir.launchers.commands import container_run, program
from mcpir.launchers.packages import package_run
from mcpir.model import Server

# Launchers say nothing about which server they run; match on what they launch instead.
_LAUNCHERS = frozenset(
    {"npx", "npm", "node", "bunx", "bun", "pnpm", "yarn", "uvx", "uv", "pipx", "python", "python3",
     "docker", "podman", "nerdctl", "deno", "cmd", "sh", "bash", "java", "mcpir", "env"}
)  # fmt: skip


@dataclass(frozen=True)
class Process:
    pid: int
    argv: tuple[str, ...]
    server: str

    @property
    def command(self) -> str:
        from mcpir.redact import redact_args

        return " ".join(redact_args(list(self.argv)))[:200]


def _markers(server: Server) -> set[str]:
    """Strings that appear in the command line of this server's running process."""
    found: set[str] = set()
    run = package_run(server)
    if run is not None:
        found.add(run.name.rsplit("/", 1)[-1])
    container = container_run(server)
    if container is not None and container.image:
        found.add(container.image.split("@", 1)[0].split(":", 1)[0])
    name = program(server.command)
    if name and name not in _LAUNCHERS:
        found.add(server.command or name)
    for arg in server.args:
        if arg.endswith((".js", ".mjs", ".py", ".jar", ".ts")) and len(arg) > 6:
            found.add(arg)
    return {marker for marker in found if len(marker) >= 4}


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
    """Processes (not mcpir's own) whose command line names one of these servers."""
    wanted = [(server.name, _markers(server)) for server in servers]
    wanted = [(name, markers) for name, markers in wanted if markers]
    if not wanted:
        return []
    mine = {os.getpid(), os.getppid()}
    found = []
    for pid, argv in _proc_table():
        if pid in mine:
            continue
        line = " ".join(argv)
        for name, markers in wanted:
            if any(marker in line for marker in markers):
                found.append(Process(pid, argv, name))
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
