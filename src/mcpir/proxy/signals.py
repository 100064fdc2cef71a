"""Signals sent to the proxy go to the server it started, so that stopping the proxy stops the
server as stopping the server alone would.

Ctrl-C (SIGINT) and Ctrl-\\ (SIGQUIT) at a terminal go to the whole foreground process group,
the server included: forwarding them too would make two, and a server that handles the first
(a Python one cleaning up after KeyboardInterrupt) is interrupted again by the second. So a
keyboard signal is not forwarded when the proxy's group is its terminal's foreground group (as
uv decides), except a second one, in case it was sent to the proxy alone.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable

FORWARDED = ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2")
_KEYBOARD = {getattr(signal, name) for name in ("SIGINT", "SIGQUIT") if hasattr(signal, name)}


def terminal_sent(child: int) -> bool:
    """Whether a SIGINT/SIGQUIT most likely came from the terminal and so reached `child`
    (in the proxy's process group) already."""
    try:
        group = os.getpgrp()
        if os.getpgid(child) != group:
            return False
    except OSError:
        return False
    for fd in (2, 0, 1):
        try:
            if os.isatty(fd):
                return os.tcgetpgrp(fd) == group
        except OSError:
            continue
    try:
        tty = os.open("/dev/tty", os.O_RDONLY | getattr(os, "O_NOCTTY", 0))
    except OSError:
        return False  # no terminal: a signal sent to the proxy alone
    try:
        return os.tcgetpgrp(tty) == group
    except OSError:
        return False
    finally:
        os.close(tty)


def forward_signals(child: subprocess.Popen[bytes]) -> None:
    """Install handlers (main thread only) that pass the proxy's signals on to `child`."""
    seen: set[int] = set()

    def forward(signum: int, frame: object) -> None:
        if signum in _KEYBOARD and signum not in seen and terminal_sent(child.pid):
            seen.add(signum)
            return
        if child.returncode is None:
            try:
                child.send_signal(signum)
            except OSError:
                pass

    for name in FORWARDED:
        number = getattr(signal, name, None)
        if number is not None:
            try:
                signal.signal(number, forward)
            except (OSError, ValueError):  # not the main thread, or not allowed here
                pass


_PR_SET_PDEATHSIG = 1


def die_with_proxy() -> Callable[[], None] | None:
    """On Linux, what the server runs before it starts so that it gets SIGTERM when the proxy
    dies: a SIGKILL cannot be forwarded, and a server that ignores the end of its input would
    otherwise run on, orphaned, where the client would have stopped it. None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # the proxy died before the line above
            os.kill(os.getpid(), signal.SIGTERM)

    return preexec
