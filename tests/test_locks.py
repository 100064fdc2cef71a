"""The project's respond lock: one run at a time, the loser told who holds it, and a holder
that dies frees it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from mcpir.incident.store import LockedError, respond_lock

HOLD = """
import sys, time
from pathlib import Path
from mcpir.incident.store import respond_lock
with respond_lock(Path(sys.argv[1]), "the other run"):
    print("held", flush=True)
    time.sleep(60)
"""


def test_the_loser_is_told_who_holds_it_and_a_dead_holder_frees_it(tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)], stdout=subprocess.PIPE)
    assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
    try:
        with pytest.raises(LockedError) as refused, respond_lock(tmp_path, "this run"):
            pass
        assert f"pid {holder.pid} on " in refused.value.message
        assert "the other run" in refused.value.message
    finally:
        holder.send_signal(getattr(signal, "SIGKILL", signal.SIGTERM))  # no cleanup runs
        holder.wait()
    with respond_lock(tmp_path, "this run"):
        lock = tmp_path / ".atom-trail" / "respond.lock"
        assert "this run" in lock.read_text() and "the other run" not in lock.read_text()
        if sys.platform != "win32":
            assert lock.stat().st_mode & 0o777 == 0o600


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks here")
def test_a_lock_file_planted_as_a_link_is_refused(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    with respond_lock(tmp_path, "first"):
        pass
    lock = tmp_path / ".atom-trail" / "respond.lock"
    lock.unlink()
    lock.symlink_to(victim)
    with pytest.raises(Exception, match="cannot be used as a lock"), respond_lock(tmp_path, "x"):
        pass
    assert victim.read_text() == "precious\n"
