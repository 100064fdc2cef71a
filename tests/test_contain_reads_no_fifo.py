"""Containment reads a config again, byte for byte, long after discovery checked it: a FIFO or a
link swapped in meanwhile is refused at once (before, `read_bytes` blocked on the FIFO for good
and followed the link out of the home)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mcpir.core.documents import DocumentError
from mcpir.core.model import Format
from mcpir.discovery.disabling import load

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")


def test_a_fifo_swapped_in_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / ".mcp.json"
    os.mkfifo(fifo)
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from mcpir.core.documents import DocumentError\n"
        "from mcpir.core.model import Format\n"
        "from mcpir.discovery.disabling import load\n"
        "try:\n"
        "    load(Path(sys.argv[1]), Format.JSON)\n"
        "except DocumentError as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run(  # a child: a read that blocks must fail the test, not hang it
        [sys.executable, "-c", script, str(fifo)], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    assert "not a regular file" in done.stdout


def test_a_regular_file_is_read_byte_for_byte(tmp_path: Path) -> None:
    config = tmp_path / ".mcp.json"
    raw = b'\xef\xbb\xbf{"mcpServers": {"a": {"command": "x"}}}\r\n'
    config.write_bytes(raw)
    assert load(config, Format.JSON).raw == raw


def test_a_device_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="not a regular file"):
        load(Path("/dev/null"), Format.JSON)
