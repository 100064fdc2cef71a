"""Who owns the incident: `git config user.name <user.email>` in the project, else `$USER`."""

from __future__ import annotations

import getpass
import os
import shutil
import subprocess
from pathlib import Path


def _git(root: Path, key: str) -> str:
    git = shutil.which("git")
    if git is None:
        return ""
    try:
        done = subprocess.run(  # noqa: S603 - fixed arguments, git as found on PATH
            [git, "-C", str(root), "config", "--get", key],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip()


def owner(root: Path | None) -> str:
    if root is not None:
        name, email = _git(root, "user.name"), _git(root, "user.email")
        if name and email:
            return f"{name} <{email}>"
        if name or email:
            return name or email
    try:
        return os.environ.get("USER") or getpass.getuser() or "unknown"
    except (KeyError, OSError):
        return "unknown"
