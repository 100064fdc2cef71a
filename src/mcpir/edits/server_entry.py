"""Rewriting a server's entry in its config file: what `mcpir wrap` and `tokens externalize` share.

Both read the file again, find the server's entry by its key path, and change values in it
(the command line becomes `mcpir proxy … -- CMD ARGS` or `mcpir run --only … -- CMD ARGS`)
through the minimal edits of `mcpir.edits`. Nothing here writes: the new bytes are planned
and the journal applies them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mcpir.core.model import ConfigFile, Format, Scope, Server

if TYPE_CHECKING:
    from mcpir.incident.journal import PlannedChange

KeyPath = tuple[str | int, ...]  # the same as mcpir.edits.KeyPath, without loading the edits

WRAPPER = "mcpir"  # the command a wrapped server is launched with
JSON_FORMATS = (Format.JSON, Format.JSONC)
_BOM = b"\xef\xbb\xbf"


def at(data: Any, keys: KeyPath) -> Any:  # noqa: ANN401 - parsed JSON/TOML
    """The value at `keys` in parsed config data, or None where the path does not lead."""
    for key in keys:
        if isinstance(data, Mapping) and key in data:
            data = data[key]
        elif isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data):
            data = data[key]
        else:
            return None
    return data


def not_rewritten(
    config: ConfigFile, server: Server, *, managed: str, by_hand: str, plugin: str
) -> str | None:
    """Why mcpir leaves this server's file alone, or None; each reason ends with the caller's
    advice (`managed`, `by_hand`, `plugin`) for what to do instead."""
    from mcpir.discovery.clients.claude_code import plugin_of

    if server.scope is Scope.SYSTEM:
        return f"a managed (administrator) file: {managed}"
    if config.format not in (*JSON_FORMATS, Format.TOML):
        return f"{config.format} files are not rewritten by mcpir: {by_hand}"
    if plugin_of(config.path) is not None or config.path.name == "manifest.json":
        return f"a plugin or extension file, replaced on update: {plugin}"
    return None


def reread(path: str | Path, fmt: Format) -> tuple[bytes, str, Any]:
    """The file as it is now: its bytes, its text and its parsed data. Raises OSError or
    `documents.DocumentError`."""
    from mcpir.core import documents

    raw = Path(path).read_bytes()
    text = documents.decode(raw)
    return raw, text, documents.PARSERS[fmt](text).data


def encoded(text: str, before: bytes) -> bytes:
    """`text` as the file's new bytes, keeping the byte-order mark `before` started with."""
    return (_BOM if before.startswith(_BOM) else b"") + text.encode("utf-8")


def set_value(fmt: Format, text: str, keys: KeyPath, key: str, value: Any) -> str:  # noqa: ANN401
    """`text` with `key` of the mapping at `keys` set to `value` (a string, or a list of them)."""
    from mcpir.edits import json_set_member, toml_set

    if fmt in JSON_FORMATS:
        return json_set_member(text, keys, key, value)
    # toml_set's annotation names scalars, but it writes any TOML value (a list of args too).
    loose: Any = value
    return toml_set(text, tuple(str(k) for k in keys), key, loose)


def command_at(raw: Any, keys: KeyPath) -> tuple[KeyPath, str]:  # noqa: ANN401
    """Where the command line of the server at `keys` sits: the key path of the mapping that
    holds `args` (and `env`), and the key of the command in it. Most clients keep both in the
    server's entry; Zed nests them: `"command": {"path", "args", "env"}`. `raw` is the entry."""
    if isinstance(at(raw, ("command",)), Mapping):
        return (*keys, "command"), "path"
    return keys, "command"


def set_command_line(
    fmt: Format, text: str, where: KeyPath, command_key: str, line: list[str]
) -> str:
    """`text` with the command line at `where` (see `command_at`) replaced by `line`."""
    text = set_value(fmt, text, where, command_key, line[0])
    return set_value(fmt, text, where, "args", line[1:])


def unified_diff(
    changes: Iterable[PlannedChange], mask: Callable[[str], str] = lambda text: text
) -> str:
    """Planned edits as a unified diff; `mask` is applied to the old text, and secrets are
    redacted from the whole."""
    import difflib

    from mcpir.core.redact import redact_diff

    out: list[str] = []
    for change in changes:
        before = mask((change.before or b"").decode("utf-8", "replace"))
        after = (change.data or b"").decode("utf-8", "replace")
        out += difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True),
            str(change.path), str(change.path),
        )  # fmt: skip
    return redact_diff("".join(out))
