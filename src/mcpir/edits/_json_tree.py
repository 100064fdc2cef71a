"""A JSON or JSONC document as tree-sitter sees it: the nodes on a key path, and the check
that an edited copy still parses, with pyjson5, to exactly the value intended.

tree-sitter-json has no rule for trailing commas: it reports them as ERROR nodes holding only
commas, or as a zero-width MISSING value in an array. Those are seen past; any other error on
the way to a target refuses the edit. pyjson5 reads values by the same rule as the tree (the
last of duplicate keys wins), so the two agree on which member an edit touches.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from mcpir.edits._common import (
    EditError,
    KeyPath,
    checked,
    dict_at,
    first_line,
    quote,
    show_path,
    splice,
)

if TYPE_CHECKING:
    from tree_sitter import Node

Splice = tuple[int, int, bytes]

_KINDS = {"object": "an object", "array": "an array", "true": "a boolean", "false": "a boolean"}


def kind(node: Node) -> str:
    """`an array`, `a string`: what a node holds, for a message."""
    return _KINDS.get(node.type, "null" if node.type == "null" else f"a {node.type}")


def load(text: str) -> Any:
    import pyjson5

    from mcpir.core.documents import MAX_DEPTH

    try:
        # Discovery's bound: pyjson5's own default (32) would refuse files discovery reads.
        return pyjson5.decode(text, maxdepth=MAX_DEPTH)
    except pyjson5.Json5NestingTooDeep:
        raise EditError(f"nested deeper than {MAX_DEPTH} levels") from None
    except (pyjson5.Json5Exception, ValueError, RecursionError, OverflowError) as exc:
        # pyjson5 puts the partial result in args[1:]: only the reason belongs in a message.
        reason = exc.args[0] if exc.args else exc
        raise EditError(f"malformed JSON: {first_line(Exception(reason))}") from None


def dump(value: Any) -> bytes:
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError, UnicodeEncodeError) as exc:
        raise EditError(f"cannot write {type(value).__name__} as JSON: {first_line(exc)}") from None


def field(node: Node, name: str) -> Node:
    child = node.child_by_field_name(name)
    if child is None or child.is_missing or child.type == "ERROR":
        raise EditError(f"line {node.start_point[0] + 1}: syntax error near a {node.type}")
    return child


def only_commas(node: Node) -> bool:
    return node.type == "ERROR" and all(part.type == "," for part in node.children)


class JsonTree:
    """One document: its bytes, its value, and the tree-sitter nodes over the bytes."""

    def __init__(self, text: str) -> None:
        self.value = load(text)
        try:
            self.data = text.encode("utf-8")
        except UnicodeEncodeError:
            raise EditError("text holds lone surrogates: not UTF-8") from None
        from mcpir.core import jsontree

        root = jsontree.parse(self.data).root_node
        values = [node for node in root.named_children if node.type != "comment"]
        if len(values) != 1 or values[0].type == "ERROR":
            raise EditError("syntax error at the top level")
        self.root = values[0]
        first = self.data.find(b"\n")
        self.newline = b"\r\n" if first > 0 and self.data[first - 1] == 0x0D else b"\n"

    def members(self, node: Node, path: KeyPath) -> list[Node]:
        """Pairs of an object, or values of an array, seen past their trailing commas."""
        close = node.children[-1] if node.children else None
        if close is None or close.is_missing or close.type not in ("}", "]"):
            raise EditError(f"line {node.start_point[0] + 1}: {show_path(path)} is not closed")
        found = []
        for child in node.named_children:
            if child.type == "comment" or child.is_missing or only_commas(child):
                continue
            if child.type == "ERROR" or (node.type == "object" and child.type != "pair"):
                line = child.start_point[0] + 1
                raise EditError(f"line {line}: syntax error in {show_path(path)}")
            found.append(child)
        return found

    def key(self, pair: Node) -> str:
        node = field(pair, "key")
        raw = self.data[node.start_byte : node.end_byte]
        if node.type == "string" and b"\\" not in raw:
            return raw[1:-1].decode("utf-8")
        key = load(raw.decode("utf-8"))
        if not isinstance(key, str):
            raise EditError(f"line {node.start_point[0] + 1}: a key that is not a string")
        return key

    def named(self, obj: Node, key: str, path: KeyPath) -> list[Node]:
        return [pair for pair in self.members(obj, path) if self.key(pair) == key]

    def descend(self, path: KeyPath) -> tuple[Node, int]:
        """The deepest container on `path`, and how many keys of `path` lead to it."""
        node = self.root
        for depth, key in enumerate(path):
            here = path[:depth]
            child: Node | None = None
            if node.type == "object" and isinstance(key, str):
                pairs = self.named(node, key, here)
                child = field(pairs[-1], "value") if pairs else None
            elif node.type == "array" and isinstance(key, int):
                values = self.members(node, here)
                child = values[key] if 0 <= key < len(values) else None
            else:
                wanted = quote(key) if isinstance(key, str) else f"element [{key}]"
                raise EditError(f"{show_path(here)} is {kind(node)}: it has no {wanted}")
            if child is None:
                return node, depth
            if child.type not in ("object", "array"):
                raise EditError(f"{show_path(path[: depth + 1])} is {kind(child)}, not an object")
            node = child
        return node, len(path)

    def object_at(self, path: KeyPath) -> tuple[Node, dict[str, Any]]:
        node, depth = self.descend(path)
        if depth < len(path):
            raise EditError(f"no {show_path(path[: depth + 1])} in the document")
        if node.type != "object":
            raise EditError(f"{show_path(path)} is {kind(node)}, not an object")
        return node, dict_at(self.value, path)

    def apply(self, splices: list[Splice], expected: Any) -> str:
        """The edited text, if it parses to `expected`; the check that makes an edit safe."""
        try:
            result = splice(self.data, splices).decode("utf-8")
        except UnicodeDecodeError:
            raise EditError("refusing the edit: the result would not be valid JSON") from None
        return checked(result, expected, load, "JSON")
