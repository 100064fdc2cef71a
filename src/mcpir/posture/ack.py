"""Acknowledgements a person records for posture items no file can show (team training):
`posture.json` in mcpir's data dir, mode 0600, with who and when."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from mcpir.core.errors import UsageError
from mcpir.core.fileio import atomic_write_text, private_dirs
from mcpir.core.paths import data_dir

FILE = "posture.json"
VERSION = 1
ACKABLE = ("training",)
VALID_DAYS = 365


def _path() -> Path:
    return data_dir() / FILE


def load() -> dict[str, dict[str, str]]:
    try:
        doc = json.loads(_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    acks = doc.get("acks") if isinstance(doc, dict) and doc.get("version") == VERSION else None
    if not isinstance(acks, dict):
        return {}
    return {
        k: v
        for k, v in acks.items()
        if isinstance(v, dict) and isinstance(v.get("on"), str) and isinstance(v.get("by"), str)
    }


def record(item: str, by: str, on: date) -> dict[str, Any]:
    if item not in ACKABLE:
        raise UsageError(f"cannot acknowledge {item!r}", hint=f"one of: {', '.join(ACKABLE)}")
    by = by.strip()
    if not by or len(by) > 200 or any(ord(c) < 32 for c in by):
        raise UsageError("--by: a name or handle, on one line")
    from mcpir.core.redact import redact_text  # a token pasted as the name is not kept

    acks = load()
    acks[item] = {"by": redact_text(by), "on": on.isoformat()}
    path = _path()
    private_dirs(path.parent)
    doc = {"version": VERSION, "acks": acks}
    atomic_write_text(path, json.dumps(doc, indent=2, sort_keys=True) + "\n", 0o600)
    return acks[item]
