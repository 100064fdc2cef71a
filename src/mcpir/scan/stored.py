"""The files `scan` keeps in a repository (`mcp-baseline.json`, `mcp-inventory.json`): read
bounded, written stable.

A repository ships them, so they are hostile input: a symlink is not followed, a file over
`MAX_BYTES` or nested deeper than `documents.MAX_DEPTH` is refused before it is walked, and a
list of more than `MAX_ENTRIES` entries is refused before any entry is read. Every refusal is
one line (`UsageError`, exit 2). They are meant to be committed: written atomically, mode 0644,
keys sorted, entries sorted, ASCII only (a bidi control in a server name cannot hide in a
review), so that recording twice gives the same bytes.
"""

from __future__ import annotations

import enum
import json
import os
import stat
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from mcpir.core.documents import DocumentError, decode, parse_json
from mcpir.core.errors import UsageError

MAX_BYTES = 5 * 1024 * 1024
MAX_ENTRIES = 100_000
MAX_TEXT = 4096  # characters in one string of an entry
FILE_MODE = 0o644
VERSION = 2
LEGACY_VERSION = 1  # mcp-baseline.json as mcpir wrote it before: servers keyed by file path


class Kind(enum.StrEnum):
    ACCEPTED = "accepted-findings"
    INVENTORY = "server-inventory"
    LEGACY = "legacy-server-baseline"  # version 1: what `--update-baseline` wrote before


def where(option: str, path: Path) -> str:
    from mcpir.core.safe import one_line

    return f"{option} {one_line(str(path))}"


def _refuse(option: str, path: Path, reason: str, hint: str | None = None) -> UsageError:
    return UsageError(f"{where(option, path)}: {reason}", hint=hint)


def read_json(path: Path, option: str) -> Any:  # noqa: ANN401 - JSON
    """The parsed document, or a one-line UsageError: never follows a symlink, never reads more
    than MAX_BYTES, never walks deeper than documents.MAX_DEPTH."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        raise _refuse(option, path, "no such file") from None
    except OSError as exc:
        raise _refuse(option, path, f"unreadable: {exc.strerror or exc}") from None
    if stat.S_ISLNK(info.st_mode):
        raise _refuse(option, path, "a symlink: not followed", "name the file it points to")
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(option, path, "not a regular file")
    if info.st_size > MAX_BYTES:
        raise _refuse(option, path, f"too large: {info.st_size} bytes (limit 5 MiB)")
    try:
        fd = os.open(
            path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        )
    except OSError as exc:
        raise _refuse(option, path, f"unreadable: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise _refuse(option, path, "not a regular file")
        try:
            raw = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise _refuse(option, path, f"unreadable: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise _refuse(option, path, "too large: over 5 MiB")
    try:
        return parse_json(decode(raw)).data
    except DocumentError as exc:
        raise _refuse(option, path, str(exc).splitlines()[0] if str(exc) else "not JSON") from None


T = TypeVar("T")


def load(
    path: Path,
    option: str,
    *,
    for_update: bool,
    readers: Mapping[Kind, Callable[[Any], T]],
    noun: str,
    title: str,
    other: tuple[Kind, str, str],
) -> T | None:
    """What `option FILE` names, read by the reader of its kind; None: no such file, which an
    update writes afresh. `noun` and `title` say what it should be ("accepted findings", "an
    mcpir baseline of accepted findings"); `other` is the other file's kind, what it is and its
    option, named in the refusal. Under an update a refusal says nothing is replaced."""
    if for_update and not os.path.lexists(path):
        return None
    data = read_json(path, option)
    kind = kind_of(data)
    if kind is not None and kind in readers:
        return readers[kind](data)
    kept = "; not replaced" if for_update else ""
    other_kind, other_is, other_option = other
    if kind is other_kind:
        raise _refuse(
            option, path, f"{other_is}, not {noun}{kept}", f"pass it as {other_option} FILE"
        )
    raise _refuse(option, path, f"not an mcpir {title}{kept}")


def kind_of(data: Any) -> Kind | None:  # noqa: ANN401 - JSON
    """Which of scan's files `data` is, by its `kind` and `version`; None: none of them."""
    if not isinstance(data, Mapping):
        return None
    if "kind" not in data and data.get("version") == LEGACY_VERSION:
        return Kind.LEGACY if isinstance(data.get("servers"), Mapping) else None
    kind = data.get("kind")
    if kind == Kind.ACCEPTED.value:
        return Kind.ACCEPTED
    if kind == Kind.INVENTORY.value:
        return Kind.INVENTORY
    return None


def entries(data: Mapping[str, Any], key: str, option: str, path: Path) -> list[Mapping[str, Any]]:
    """`data[key]`: a bounded list of objects, checked before any of them is read."""
    if data.get("version") != VERSION:
        raise _refuse(
            option,
            path,
            f"version {data.get('version')!r} is not supported",
            f"this mcpir reads and writes version {VERSION}",
        )
    items = data.get(key)
    if not isinstance(items, list):
        raise _refuse(option, path, f'"{key}" is not a list')
    if len(items) > MAX_ENTRIES:
        raise _refuse(option, path, f"{len(items):,} entries (limit {MAX_ENTRIES:,}); not read")
    for number, item in enumerate(items, 1):
        if not isinstance(item, Mapping):
            raise _refuse(option, path, f'"{key}" entry {number} is not an object')
    return items


def text_field(item: Mapping[str, Any], name: str, where: str, *, optional: bool) -> str | None:
    value = item.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise UsageError(f"{where}: {name!r} is not a string of at most {MAX_TEXT} characters")
    return value


def bounded(text: str) -> str:
    """`text`, or for one longer than MAX_TEXT its start and a hash of the whole: what these
    files keep of an attacker-sized value (a 1 MB description), still changing when it does."""
    if len(text) <= MAX_TEXT:
        return text
    from mcpir.scan.fingerprint import evidence_hash

    return f"{text[:256]}… ({evidence_hash(text)}, {len(text):,} characters)"


def check_target(path: Path, option: str) -> None:
    """A file `--update-*` may replace: absent, or a regular file (a symlink is not replaced:
    the atomic rename would swap the link for a file and leave its target stale)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise _refuse(option, path, f"unreadable: {exc.strerror or exc}") from None
    if stat.S_ISLNK(info.st_mode):
        raise _refuse(option, path, "a symlink: not replaced", "name the file it points to")
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(option, path, "not a regular file: not replaced")


def render(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=True) + "\n"


def write(path: Path, document: Mapping[str, Any], option: str) -> None:
    """Atomic replace, mode 0644: a file meant to be committed and read by CI."""
    from mcpir.core.fileio import atomic_write_text

    check_target(path, option)
    if not path.parent.is_dir():
        raise _refuse(option, path, "its directory does not exist")
    try:
        atomic_write_text(path, render(document), mode=FILE_MODE)
    except OSError as exc:
        raise _refuse(option, path, f"not written: {exc.strerror or exc}") from None
