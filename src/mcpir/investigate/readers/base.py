"""What a transcript reader is, and the streaming JSONL helper every JSONL reader shares."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from mcpir.core.paths import Scopes
from mcpir.investigate.events import Event, Malformed, Origin

Progress = Callable[[int], None]  # called with bytes read since the last call

_CHUNK = 1 << 20  # progress is reported about once per MiB
MAX_LINE = 64 << 20  # a transcript line holding a few screenshots is well under this


class Reader(Protocol):
    name: str  # the source label findings carry ("claude-code", "codex"…)

    def files(self, scopes: Scopes) -> list[Path]:
        """Every transcript or log this source keeps under the scopes, sorted."""
        ...

    def read(self, path: Path, progress: Progress) -> Iterator[Event]:
        """The file's events in file order; malformed lines come out as `Malformed`."""
        ...


def arguments(value: Any) -> Any:  # noqa: ANN401
    """Tool arguments the model wrote as JSON text, parsed; kept as text when they are not JSON
    (or are nested past Python's limit)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            return value
    return value


def regular_files(base: Path, patterns: tuple[str, ...], inside: Path) -> list[Path]:
    """Files matching `patterns` under `base`, skipping links that leave `inside`."""
    if not base.is_dir():
        return []
    found: set[Path] = set()
    top = os.path.realpath(inside)
    for pattern in patterns:
        for path in base.glob(pattern):
            # glob follows linked directories too: judge where the file really is, not the link.
            real = os.path.realpath(path)
            if os.path.commonpath([real, top]) != top:
                continue
            if path.is_file():
                found.add(path)
    return sorted(found)


def env_dir(scopes: Scopes, variable: str) -> Path | None:
    """A client's directory variable (`CODEX_HOME`), only when reading this machine."""
    value = (scopes.environ or {}).get(variable)
    return Path(value).expanduser() if value else None


def client_files(
    scopes: Scopes, directory: str, variable: str, patterns: tuple[str, ...]
) -> list[Path]:
    """Files matching `patterns` under `~/<directory>` (never leaving the home) and under the
    directory the client's `variable` names when it is set (`CODEX_HOME`); sorted."""
    found: set[Path] = set(regular_files(scopes.home / directory, patterns, scopes.home))
    custom = env_dir(scopes, variable)
    if custom is not None:  # named by this machine's user: it bounds its own links
        found.update(regular_files(custom, patterns, custom))
    return sorted(found)


def bounded_lines(handle: BinaryIO) -> Iterator[tuple[int, bytes | None, int]]:
    """(line number, bytes, size) per line; bytes is None for a line over `MAX_LINE`, which is
    skipped without being held: one endless line must not take the machine's memory."""
    number = 0
    while raw := handle.readline(MAX_LINE):
        number += 1
        if len(raw) < MAX_LINE or raw.endswith(b"\n"):
            yield number, raw, len(raw)
            continue
        size = len(raw)
        while rest := handle.readline(MAX_LINE):
            size += len(rest)
            if rest.endswith(b"\n"):
                break
        yield number, None, size


def jsonl(
    path: Path, source: str, progress: Progress
) -> Iterator[tuple[int, dict[str, Any]] | Malformed]:
    """Stream a JSONL file line by line: (line number, object), or `Malformed` for a bad line.

    Memory stays flat whatever the file's size; a torn last line is malformed like any other.
    """
    pending = 0
    with path.open("rb") as handle:
        for number, raw, size in bounded_lines(handle):
            pending += size
            if pending >= _CHUNK:
                progress(pending)
                pending = 0
            if raw is None:
                yield Malformed(Origin(source, path, number), f"line over {MAX_LINE >> 20} MiB")
                continue
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            # UnicodeDecodeError is a ValueError too; RecursionError: nested past Python's limit
            except (ValueError, RecursionError) as exc:
                reason = "not UTF-8" if isinstance(exc, UnicodeDecodeError) else "not JSON"
                yield Malformed(Origin(source, path, number), reason)
                continue
            if not isinstance(record, dict):
                yield Malformed(Origin(source, path, number), "not a JSON object")
                continue
            yield number, record
    if pending:
        progress(pending)


def jsonl_events(
    path: Path,
    source: str,
    progress: Progress,
    events: Callable[[int, dict[str, Any]], Iterable[Event]],
) -> Iterator[Event]:
    """A JSONL transcript's events in file order: `events(line number, object)` for each JSON
    object, and the `Malformed` of every other line."""
    for item in jsonl(path, source, progress):
        if isinstance(item, Malformed):
            yield item
        else:
            yield from events(*item)
