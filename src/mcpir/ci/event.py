"""What the workflow run is about, from the variables and the event file GitHub Actions gives
every step (`GITHUB_EVENT_NAME`, `GITHUB_EVENT_PATH`, `GITHUB_REPOSITORY`…)."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcpir.core.errors import UsageError

MAX_EVENT_BYTES = 25 * 1024 * 1024  # GitHub's own webhook payload limit
PULL_EVENTS = frozenset({"pull_request", "pull_request_target"})


@dataclass(frozen=True)
class Event:
    name: str
    repository: str | None
    sha: str | None
    pull: int | None = None  # the pull request's number
    base: str | None = None  # its base commit: the audit reads base..HEAD

    @property
    def is_pull(self) -> bool:
        return self.name in PULL_EVENTS


def _payload(path: Path) -> dict[str, Any]:
    try:  # non-blocking, a regular file only: a FIFO named here would hang the job
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise UsageError(f"event file {path}: not a regular file")
            raw = handle.read(MAX_EVENT_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"event file {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_EVENT_BYTES:
        raise UsageError(f"event file {path}: over {MAX_EVENT_BYTES >> 20} MiB")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise UsageError(f"event file {path}: not JSON") from None
    return data if isinstance(data, dict) else {}


def revision(value: str, source: str) -> str:
    """`value` if git can only read it as a revision: one starting with `-` would be taken for
    an option (`--output=FILE` makes `git rev-list` write FILE), whatever `--end-of-options`
    an older git does not know."""
    if not value.strip() or value.startswith("-") or any(c in value for c in "\0\r\n"):
        raise UsageError(
            f"{source} {value!r}: not a git revision (an option, or empty)",
            hint="give a commit SHA or a ref, e.g. origin/main",
        )
    return value


def read(environ: Mapping[str, str], name: str | None, base: str | None) -> Event:
    """The event: `name` and `base` as given, else as the environment says. A base is checked
    here, before anything runs: nothing is written for an event that names an option."""
    name = name or environ.get("GITHUB_EVENT_NAME") or "push"
    payload: dict[str, Any] = {}
    event_path = environ.get("GITHUB_EVENT_PATH")
    if event_path and name in PULL_EVENTS:
        payload = _payload(Path(event_path))
    pull = payload.get("pull_request") if isinstance(payload.get("pull_request"), dict) else {}
    number = pull.get("number") if isinstance(pull, dict) else None
    found_base = None
    if isinstance(pull, dict) and isinstance(pull.get("base"), dict):
        found_base = pull["base"].get("sha")
    if base is not None:
        revision(base, "--base")
    elif isinstance(found_base, str):
        revision(found_base, "pull_request.base.sha in the event file")
    return Event(
        name=name,
        repository=environ.get("GITHUB_REPOSITORY") or None,
        sha=environ.get("GITHUB_SHA") or None,
        pull=number if isinstance(number, int) else None,
        base=base or (found_base if isinstance(found_base, str) else None),
    )


def github_output(environ: Mapping[str, str], values: Mapping[str, str]) -> None:
    """Step outputs, appended to `$GITHUB_OUTPUT` as `name=value` lines (values are one line)."""
    target = environ.get("GITHUB_OUTPUT")
    if not target:
        return
    with open(target, "a", encoding="utf-8") as handle:
        for key, value in values.items():
            handle.write(f"{key}={value.replace(chr(10), ' ')}\n")


def append_summary(path: Path, text: str) -> None:
    """Append to the job summary: never through a symlink (a step before may have planted one
    to aim the write elsewhere), never to what is not a regular file; OSError otherwise."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags | getattr(os, "O_NONBLOCK", 0), 0o644)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path}: not a regular file")
        handle.write(text)


def default_environ() -> Mapping[str, str]:
    return os.environ
