"""Finding and stopping server processes (psutil): only what was listed is stopped."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import psutil
import pytest

from mcpir.containment.processes import Process, _proc_table, stop

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)", "fake-mcp-for-stop.py"]


def _started() -> subprocess.Popen[bytes]:
    child = subprocess.Popen(SLEEPER)
    deadline = time.monotonic() + 10
    while psutil.Process(child.pid).cmdline() != SLEEPER and time.monotonic() < deadline:
        time.sleep(0.02)  # between fork and exec the child still has the parent's argv
    return child


@pytest.mark.skipif(sys.platform == "win32", reason="exit by signal is POSIX")
def test_a_listed_process_is_stopped_and_left_for_its_parent_to_reap() -> None:
    child = _started()
    try:
        listed = dict(_proc_table())
        assert listed[child.pid] == tuple(SLEEPER)
        assert stop(Process(child.pid, tuple(SLEEPER), "fake")) == "stopped (SIGTERM)"
        assert child.wait(timeout=10) == -signal.SIGTERM  # not reaped behind Popen's back
    finally:
        child.kill()
        child.wait()


def test_a_pid_that_now_runs_something_else_is_not_stopped() -> None:
    child = _started()
    try:
        assert stop(Process(child.pid, ("some", "other", "server"), "fake")) == "already gone"
        assert child.poll() is None
    finally:
        child.kill()
        child.wait()
