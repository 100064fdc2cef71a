"""An MCP server that never answers and ignores SIGTERM: only SIGKILL of its group ends it."""

from __future__ import annotations

import signal
import time

signal.signal(signal.SIGTERM, signal.SIG_IGN)
while True:
    time.sleep(1)
