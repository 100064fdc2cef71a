"""Minimal edits of TOML text (Codex `config.toml`): one key set or one table renamed.

tomlkit writes the key and the value, with TOML's quoting and escaping. Where they go comes
from a scanner over the text (`_toml_scan`), not from tomlkit's own insertion, which is not
byte-minimal: it appends a key after the comment that opens the next table, writes LF into a
CRLF file, drops the space before an inline table's `}`, and hands out proxies for a table split
across a file. tomllib (through discovery's bounds) reads the original first and checks every
result.
"""

from __future__ import annotations

import re
from typing import Any

from mcpir.edits._common import (
    EditError,
    checked,
    dict_at,
    equal_strictly,
    first_line,
    rename_needed,
    show_path,
    splice,
)
from mcpir.edits._toml_scan import Entry, Span, TablePath, blanks, inline_members, scan

_EQUALS = re.compile(r"[ \t]*=[ \t]*")
_COMMA = re.compile(r"[ \t]*,[ \t]*")


def _load(text: str) -> dict[str, Any]:
    """Discovery's bounded parse: a key of thousands of dotted parts costs tomllib seconds."""
    from mcpir.core.documents import DocumentError, parse_toml

    try:
        data: dict[str, Any] = parse_toml(text).data
    except DocumentError as exc:
        raise EditError(first_line(exc)) from None
    return data


def _table(document: dict[str, Any], path: TablePath) -> dict[str, Any]:
    try:
        return dict_at(document, path)
    except EditError:
        reached: object = document
        for depth, name in enumerate(path, 1):
            reached = reached.get(name) if isinstance(reached, dict) else None
            if isinstance(reached, list):
                raise EditError(f"{show_path(path[:depth])} is an array of tables") from None
        raise EditError(f"no table {show_path(path)} in the document") from None


def _render_key(parts: TablePath) -> str:
    import tomlkit

    return ".".join(tomlkit.key(part).as_string() for part in parts)


def _equals(s: str, entry: Entry) -> str:
    between = s[entry.key_end : entry.value[0]]
    return between if not entry.header and _EQUALS.fullmatch(between) else " = "


def _add_inline(s: str, entry: Entry, key: str, value: str) -> str:
    members, close = inline_members(s, entry)
    if not members:
        pad = " " if s[entry.value[0] + 1] in " \t" else ""
        return f"{s[:close]}{_render_key((key,))} = {value}{pad}{s[close:]}"
    comma = ", "
    if len(members) > 1 and _COMMA.fullmatch(s[members[0].value[1] : members[1].line]):
        comma = s[members[0].value[1] : members[1].line]
    at = members[-1].value[1]
    return f"{s[:at]}{comma}{_render_key((key,))}{_equals(s, members[0])}{value}{s[at:]}"


def _insertion(s: str, entries: list[Entry], table: TablePath, key: str, value: str) -> str:
    """The text with `key = value` added to `table`, after its last member, in its layout."""
    inline = next((e for e in entries if e.path == table and e.inline(s)), None)
    if inline is not None:
        return _add_inline(s, inline, key, value)
    header = next((e for e in entries if e.header and e.path == table), None)
    if header is not None or not table:
        members = [e for e in entries if not e.header and e.section == table]
    else:  # a table made of dotted keys (`docs.command = ...`) under a parent's header
        members = [
            e
            for e in entries
            if not e.header and len(e.section) < len(table) and e.path[: len(table)] == table
        ]
    anchor = members[-1] if members else header
    if anchor is None:
        if table:
            raise EditError(f"{show_path(table)} has no [header] or keys of its own to add to")
        newline = "\r\n" if "\r\n" in s else "\n"
        return f"{_render_key((key,))} = {value}{newline}{s}"
    # After the table's last line, before the blank lines and comments that open the next one.
    indent = s[anchor.line : blanks(s, anchor.line)]
    at = anchor.line_end
    crlf = s.startswith("\r\n", at) or (at == len(s) and "\r\n" in s)
    newline = "\r\n" if crlf else "\n"
    written = _render_key((*table[len(anchor.section) :], key))
    line = f"{newline}{indent}{written}{_equals(s, anchor)}{value}"
    return s[:at] + line + s[at:]


def _set_existing(s: str, entries: list[Entry], target: TablePath, value: str) -> str:
    found = [e for e in entries if e.path == target and not e.header]
    for entry in entries:
        if entry.inline(s) and target[: len(entry.path)] == entry.path:
            found += [m for m in inline_members(s, entry)[0] if m.path == target]
    if len(found) != 1:
        raise EditError(f"cannot tell where {show_path(target)} is set")
    start, end = found[0].value
    return s[:start] + value + s[end:]


def toml_set(text: str, table_path: TablePath, key: str, value: bool | str | int) -> str:
    """Set `key = value` in the table at `table_path`: a `[a.b]` table, one made of dotted keys,
    or an inline `{ ... }` table. An equal value already there leaves the text as it is."""
    import tomlkit

    expected = _load(text)
    table = _table(expected, table_path)
    current = table.get(key)
    if isinstance(current, dict) or (
        isinstance(current, list) and any(isinstance(item, dict) for item in current)
    ):
        raise EditError(f"{show_path((*table_path, key))} is a table, not a value")
    if key in table and equal_strictly(current, value):
        return text
    rendered = tomlkit.item(value).as_string()
    entries = scan(text)
    if key in table:
        edited = _set_existing(text, entries, (*table_path, key), rendered)
    else:
        edited = _insertion(text, entries, table_path, key, rendered)
    table[key] = value
    return checked(edited, expected, _load, "TOML")


def _spellings(s: str, entries: list[Entry], path: TablePath) -> list[Span]:
    """Every place the last key of `path` is written: headers, dotted keys, inline tables."""
    found: list[Span] = []
    for entry in entries:
        if entry.path[: len(path)] == path:
            depth = len(path) - 1 - (0 if entry.header else len(entry.section))
            if depth >= 0:  # else the key is spelled in this entry's header, found already
                found.append(entry.keys[depth])
        elif entry.inline(s) and path[: len(entry.path)] == entry.path:
            found += _spellings(s, inline_members(s, entry)[0], path)
    return found


def toml_rename_table(text: str, old: TablePath, new: TablePath) -> str:
    """Rename the table (or key) `old` to `new` within the same parent: `(a, b)` to `(a, c)`.

    Only the key part that names it changes, wherever it is spelled: `[b]`, `[b.sub]`,
    `[[b.list]]`, `b.x = 1`, `b = { ... }`. Already renamed returns the text unchanged.
    """
    if not old or len(old) != len(new) or old[:-1] != new[:-1]:
        raise EditError(f"cannot move {show_path(old)} to another table, only rename it")
    expected = _load(text)
    parent = _table(expected, old[:-1])
    if old[-1] not in parent and new[-1] not in parent:
        raise EditError(f"no {show_path(old)} in the document")
    if not rename_needed(old[-1] in parent, new[-1] in parent, old[:-1], old[-1], new[-1]):
        return text
    renamed = _render_key(new[-1:])
    spans = [(start, end, renamed) for start, end in set(_spellings(text, scan(text), old))]
    parent[new[-1]] = parent.pop(old[-1])
    return checked(splice(text, spans), expected, _load, "TOML")
