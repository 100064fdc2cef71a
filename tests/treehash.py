"""A tree's every file, hashed with its mode: what a byte-exact restore must give back."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

TRAIL = ".atom-trail"


def tree_state(base: Path) -> dict[str, tuple[str, int]]:
    state: dict[str, tuple[str, int]] = {}
    for current, dirnames, filenames in os.walk(base):
        dirnames[:] = [d for d in dirnames if d not in {TRAIL, ".git"}]
        for name in filenames:
            path = Path(current, name)
            if path.is_symlink():
                state[str(path.relative_to(base))] = ("link:" + os.readlink(path), 0)
                continue
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            state[str(path.relative_to(base))] = (digest, stat.S_IMODE(path.stat().st_mode))
    return state
