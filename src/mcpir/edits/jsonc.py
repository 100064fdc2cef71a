"""Minimal edits of JSON and JSONC text: comments, trailing commas and layout stay as they are.

Every edit is a splice of the UTF-8 bytes at the offsets tree-sitter reports: no offset is ever
converted between bytes and characters, so non-ASCII text before a target cannot shift an edit.
What is inserted copies the layout found next to it: indentation, newline style, the spacing
around `:` and `,`, trailing commas, one member a line or all on one line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mcpir.edits._common import EditError, KeyPath, equal_strictly, rename_needed, show_path
from mcpir.edits._json_tree import JsonTree, Splice, dump, field, kind, only_commas

if TYPE_CHECKING:
    from tree_sitter import Node

_INLINE_COLON = re.compile(rb"[ \t]*:[ \t]*")
_INLINE_COMMA = re.compile(rb"[ \t]*,[ \t]*")
_INDENTS = re.compile(rb"\n([ \t]+)[^ \t\r\n]")


class _Layout(JsonTree):
    """The tree, and where and how a new member or value fits into it."""

    def rest_of_line(self, i: int) -> int | None:
        """Where the line break after `i` starts, when only blanks and comments come first."""
        data = self.data
        while i < len(data):
            if data[i] in b" \t":
                i += 1
            elif data.startswith((b"\n", b"\r\n"), i):
                return i
            elif data.startswith(b"//", i):
                end = data.find(b"\n", i)
                return None if end < 0 else end - (data[end - 1] == 0x0D)
            elif data.startswith(b"/*", i):
                end = data.find(b"*/", i + 2)
                if end < 0 or b"\n" in data[i:end]:
                    return None
                i = end + 2
            else:
                return None
        return None

    def indent_before(self, i: int) -> bytes | None:
        """The blanks before `i` when nothing else precedes it on its line."""
        start = self.data.rfind(b"\n", 0, i) + 1
        prefix = self.data[start:i]
        return None if prefix.strip(b" \t") else prefix

    def unit(self) -> bytes:
        indents = _INDENTS.findall(self.data[:65536])
        tabs = sum(indent.startswith(b"\t") for indent in indents)
        widths = [len(indent) for indent in indents if not indent.startswith(b"\t")]
        if tabs > len(widths):
            return b"\t"
        return b" " * min(max(min(widths), 1), 8) if widths else b"  "

    def child_indent(self, first: Node | None, container: Node) -> bytes:
        """The first member's indentation, else the closing bracket's plus one level."""
        if first is not None and (indent := self.indent_before(first.start_byte)) is not None:
            return indent
        base = self.indent_before(container.children[-1].start_byte)
        if base is None:
            start = self.data.rfind(b"\n", 0, container.start_byte) + 1
            line = self.data[start : container.start_byte]
            base = line[: len(line) - len(line.lstrip(b" \t"))]
        return base + self.unit()

    def separator(self, items: list[Node]) -> bytes:
        if len(items) >= 2:
            between = self.data[items[0].end_byte : items[1].start_byte]
            if _INLINE_COMMA.fullmatch(between):
                return between
        return b", "

    def insert_member(self, obj: Node, path: KeyPath, key: str, value: bytes) -> list[Splice]:
        """Add `"key": value` as the first member, in the layout the object already has."""
        members = self.members(obj, path)
        colon = b": "
        if members:
            between = self.data[
                field(members[0], "key").end_byte : field(members[0], "value").start_byte
            ]
            colon = between if _INLINE_COLON.fullmatch(between) else colon
        member = dump(key) + colon + value
        opening, closing = obj.children[0].end_byte, obj.children[-1].start_byte
        end_of_line = self.rest_of_line(opening)
        # Right after the `{` line, so a comment above the old first member stays above it.
        if end_of_line is not None:
            indent = self.child_indent(members[0] if members else None, obj)
            text = self.newline + indent + member + (b"," if members else b"")
            return [(end_of_line, end_of_line, text)]
        if members:
            start = members[0].start_byte
            return [(start, start, member + self.separator(members))]
        pad = b" " if self.data[opening : opening + 1] in (b" ", b"\t") else b""
        return [(closing, closing, member + pad)]

    def append_values(self, array: Node, path: KeyPath, values: list[bytes]) -> list[Splice]:
        """Add values after the last element, one a line if the array has one a line."""
        items = self.members(array, path)
        opening, closing = array.children[0].end_byte, array.children[-1].start_byte
        if not items:
            end_of_line = self.rest_of_line(opening)
            if end_of_line is not None:
                line = self.newline + self.child_indent(None, array)
                return [(end_of_line, end_of_line, b",".join(line + v for v in values))]
            pad = b" " if self.data[opening : opening + 1] in (b" ", b"\t") else b""
            return [(closing, closing, b", ".join(values) + pad)]
        last = items[-1]
        comma = next(
            (
                child.children[0].end_byte if child.type == "ERROR" else child.end_byte
                for child in array.children
                if child.start_byte >= last.end_byte and (child.type == "," or only_commas(child))
            ),
            None,
        )
        indent = self.indent_before(last.start_byte)
        end_of_line = self.rest_of_line(last.end_byte if comma is None else comma)
        # One a line: the comma goes after the last value, the new values after the comment
        # that ends its line, so that comment stays with the value it was written for.
        if indent is not None and end_of_line is not None:
            text = b",".join(self.newline + indent + v for v in values)
            if comma is not None:
                return [(end_of_line, end_of_line, text + b",")]
            return [(last.end_byte, last.end_byte, b","), (end_of_line, end_of_line, text)]
        separator = self.separator(items)
        if comma is None:
            return [(last.end_byte, last.end_byte, b"".join(separator + v for v in values))]
        space = separator.split(b",", 1)[1]
        return [(comma, comma, b"".join(space + v + b"," for v in values))]


def json_set_member(text: str, obj_path: KeyPath, key: str, value: object) -> str:
    """Set `key` to `value` in the object at `obj_path`, inserting it first when absent."""
    doc = _Layout(text)
    obj, target = doc.object_at(obj_path)
    encoded = dump(value)
    wanted = json.loads(encoded)
    pairs = doc.named(obj, key, obj_path)
    if pairs and key in target and equal_strictly(target[key], wanted):
        return text
    if pairs:
        node = field(pairs[-1], "value")
        splices = [(node.start_byte, node.end_byte, encoded)]
    else:
        splices = doc.insert_member(obj, obj_path, key, encoded)
    target[key] = wanted
    return doc.apply(splices, doc.value)


def json_add_to_list(
    text: str, obj_path: KeyPath, key: str, items: Sequence[str], *, create_parents: bool = False
) -> str:
    """Make the array at `obj_path.key` hold every item, appending the missing ones in order."""
    if isinstance(items, str):
        raise TypeError("items must be a sequence of strings, not one string")
    doc = _Layout(text)
    wanted = list(dict.fromkeys(items))
    node, depth = doc.descend(obj_path)
    if depth < len(obj_path):
        missing = [name for name in obj_path[depth:] if isinstance(name, str)]
        if not create_parents or node.type != "object":
            raise EditError(f"no {show_path(obj_path[: depth + 1])} in the document")
        if len(missing) < len(obj_path) - depth:
            raise EditError(f"cannot create a list element on the way to {show_path(obj_path)}")
        nested: dict[str, Any] = {key: wanted}
        for name in reversed(missing[1:]):
            nested = {name: nested}
        first = missing[0]
        _, parent = doc.object_at(obj_path[:depth])
        splices = doc.insert_member(node, obj_path[:depth], first, dump(nested))
        parent[first] = nested
        return doc.apply(splices, doc.value)
    obj, target = doc.object_at(obj_path)
    pairs = doc.named(obj, key, obj_path)
    if not pairs:
        splices = doc.insert_member(obj, obj_path, key, dump(wanted))
        target[key] = wanted
        return doc.apply(splices, doc.value)
    array, current = field(pairs[-1], "value"), target.get(key)
    if array.type != "array" or not isinstance(current, list):
        raise EditError(f"{show_path((*obj_path, key))} is {kind(array)}, not a list")
    new = [item for item in wanted if not any(equal_strictly(x, item) for x in current)]
    if not new:
        return text
    splices = doc.append_values(array, (*obj_path, key), [dump(item) for item in new])
    current.extend(new)
    return doc.apply(splices, doc.value)


def json_rename_key(text: str, obj_path: KeyPath, old: str, new: str) -> str:
    """Rename member `old` of the object at `obj_path`; only the key's bytes change.

    Already renamed (`new` present, `old` absent) returns the text unchanged, so a repeated
    containment is a no-op; every duplicate of `old` is renamed, so the value read stays the same.
    """
    doc = _Layout(text)
    obj, target = doc.object_at(obj_path)
    olds, news = doc.named(obj, old, obj_path), doc.named(obj, new, obj_path)
    if not rename_needed(bool(olds), bool(news), obj_path, old, new):
        return text
    encoded = dump(new)
    keys = [field(pair, "key") for pair in olds]
    target[new] = target.pop(old)
    return doc.apply([(k.start_byte, k.end_byte, encoded) for k in keys], doc.value)
