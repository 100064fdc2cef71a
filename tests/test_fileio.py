"""The one JSON Lines appender every log and journal goes through."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from mcpir.core.fileio import append_jsonl, json_records


def test_records_are_whole_private_lines_and_a_torn_line_swallows_none(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    append_jsonl(log, [{"a": 1}], durable=True)
    with log.open("ab") as handle:
        handle.write(b'{"torn": ')  # a crash mid-append
    append_jsonl(log, [{"b": "\ud800"}, {"c": 3}])  # a lone surrogate, from a crafted name
    lines = log.read_bytes().splitlines()
    assert json_records(line.decode() for line in lines) == [{"a": 1}, {"b": "\ud800"}, {"c": 3}]
    assert json.loads(lines[-2]) == {"b": "\ud800"}
    if sys.platform != "win32":
        assert stat.S_IMODE(log.stat().st_mode) == 0o600


@pytest.mark.skipif(not hasattr(os, "O_NOFOLLOW"), reason="no O_NOFOLLOW here")
def test_a_link_planted_where_the_log_goes_is_not_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_text("")
    (tmp_path / "log.jsonl").symlink_to(elsewhere)
    with pytest.raises(OSError):
        append_jsonl(tmp_path / "log.jsonl", [{"a": 1}])
    assert elsewhere.read_text() == ""
