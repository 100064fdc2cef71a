"""The hooks a client declares when it switches servers off its own way, and what they share.

Containment plans; a client module says how its own files are edited. The hooks get the JSON
edits as an argument (`JsonEdits`, the `mcpir.edits` module at run time) rather than import
them: `edits.server_entry` asks discovery which files are plugins, so discovery importing
`edits` would make the two packages a cycle.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from mcpir.core import documents
from mcpir.core.documents import KeyPath
from mcpir.core.model import ConfigFile, Format, Server
from mcpir.discovery.client import ASIDE

if TYPE_CHECKING:
    from mcpir.incident.journal import PlannedChange

_BOM = b"\xef\xbb\xbf"


class JsonEdits(Protocol):
    """The minimal JSON/JSONC edits of `mcpir.edits`, as a hook receives them."""

    def json_set_member(self, text: str, obj_path: KeyPath, key: str, value: object) -> str: ...

    def json_add_to_list(
        self,
        text: str,
        obj_path: KeyPath,
        key: str,
        items: Sequence[str],
        *,
        create_parents: bool = False,
    ) -> str: ...

    def json_rename_key(self, text: str, obj_path: KeyPath, old: str, new: str) -> str: ...


@dataclass(frozen=True)
class Source:
    """A file as containment read it, and as an editor receives it."""

    path: Path  # the real file (symlinks resolved: the edit goes to the file, not the link)
    raw: bytes
    text: str
    data: Any
    fmt: Format


def load(path: Path, fmt: Format) -> Source:
    real = Path(os.path.realpath(path))
    raw = documents.read_bytes(real, str(real))  # a FIFO or a link swapped in since: refused
    text = documents.decode(raw)
    data = documents.PARSERS[fmt](text).data
    return Source(real, raw, text, data, fmt)


def encode(source: Source, text: str) -> bytes:
    return (_BOM if source.raw.startswith(_BOM) else b"") + text.encode("utf-8")


def aside_key(data: Any, key: str) -> str:  # noqa: ANN401
    """A key to move `key` to that the document does not use yet (a second containment of a
    re-added section must not collide with the first)."""
    taken = set(data) if isinstance(data, Mapping) else set()
    candidate, number = key + ASIDE, 2
    while candidate in taken:
        candidate, number = f"{key}{ASIDE}-{number}", number + 1
    return candidate


# Switches `servers` off in the text of a file that also holds the user's other settings:
# (new text, what it did).
Editor = Callable[[Source, list[Server], JsonEdits], tuple[str, str]]
# Switches a file's servers off in another file (a desktop extension's settings); None when
# the file is switched off like any other.
Elsewhere = Callable[[ConfigFile, list[Server], JsonEdits], "PlannedChange | None"]


def _matches(name: str, pattern: str) -> bool:
    return name == pattern or ("*" in pattern and fnmatch.fnmatchcase(name, pattern))


class FileNames(tuple[str, ...]):
    """`shared_files` where some names are globs over one file name (`*.code-workspace`):
    `name in names` holds for a name any of them matches, so what asks by name (containment's
    "patch, never rename", the audit's "only its MCP part counts") reads a glob as a name."""

    __slots__ = ()

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and any(_matches(name, pattern) for pattern in self)


class EditorsByName(Mapping[str, Editor]):
    """`editors` keyed by file name or by a glob over one (`*.code-workspace`): looking a name
    up finds its own editor first, else the first glob's that matches it."""

    def __init__(self, editors: Mapping[str, Editor]) -> None:
        self._editors = dict(editors)

    def __getitem__(self, name: str) -> Editor:
        found = self._editors.get(name)
        if found is None:
            globs = (e for p, e in self._editors.items() if "*" in p and _matches(name, p))
            found = next(globs, None)
        if found is None:
            raise KeyError(name)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._editors)

    def __len__(self) -> int:
        return len(self._editors)


@dataclass(frozen=True)
class Plugins:
    """A client whose plugins bring servers, turned off plugin by plugin in the user's settings."""

    # A file's (settings file, plugin id), or None for a file that is not a plugin's.
    locate: Callable[[Path], tuple[Path, str] | None]
    # One change to a settings file: each plugin in it (id -> its servers) switched off.
    disable: Callable[[Path, Mapping[str, tuple[str, ...]], JsonEdits], PlannedChange]
