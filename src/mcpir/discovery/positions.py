"""Where a key is defined: the line of a key path inside JSON/JSONC, YAML or TOML text.

Values come from the fast parsers in `documents`; positions come from here, only for the
files that define servers. JSON positions use tree-sitter, which tolerates comments and
recovers from trailing commas, and gives byte offsets that later in-place edits can use.
"""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import yaml
    from tree_sitter import Node, Parser, Tree

KeyPath = tuple[str | int, ...]


@cache
def yaml_loader() -> type[yaml.SafeLoader]:
    """The C safe loader when PyYAML has it. Imported on first use: few configs are YAML."""
    import yaml

    loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return loader


@cache
def _json_parser() -> Parser:
    import tree_sitter_json
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_json.language()))


def _key_text(node: Node) -> str:
    raw = node.text.decode("utf-8", "replace") if node.text else ""
    if "\\" not in raw and len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return raw[1:-1]
    try:
        value = json.loads(raw)
    except ValueError:
        return raw.strip("\"'")
    return value if isinstance(value, str) else raw


def _values(node: Node) -> list[Node]:
    return [child for child in node.named_children if child.type not in {"comment", "ERROR"}]


@lru_cache(maxsize=8)
def _json_tree(text: str) -> Tree:
    # One parse per document, however many servers it defines.
    return _json_parser().parse(text.encode("utf-8"))


def json_line(text: str, keys: KeyPath) -> int | None:
    tree = _json_tree(text)
    node: Node | None = next(iter(_values(tree.root_node)), None)
    line: int | None = None
    for key in keys:
        if node is None:
            return line
        found: Node | None = None
        if isinstance(key, int):
            if node.type != "array":
                return line
            items = _values(node)
            if key >= len(items):
                return line
            found = items[key]
            line = found.start_point[0] + 1
        else:
            if node.type != "object":
                return line
            for pair in _values(node):
                key_node = pair.child_by_field_name("key")
                # Later duplicates win, as in every JSON parser the clients use.
                if key_node is not None and _key_text(key_node) == key:
                    found = pair.child_by_field_name("value")
                    line = key_node.start_point[0] + 1
        node = found
    return line


def yaml_line(text: str, keys: KeyPath) -> int | None:
    import yaml

    try:
        node: yaml.Node | None = yaml.compose(text, Loader=yaml_loader())  # noqa: S506 - safe
    except yaml.YAMLError:
        return None
    line: int | None = None
    for key in keys:
        found: yaml.Node | None = None
        if isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            if key < len(node.value):
                found = node.value[key]
                line = found.start_mark.line + 1
        elif isinstance(node, yaml.MappingNode) and isinstance(key, str):
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                    found, line = value_node, key_node.start_mark.line + 1
        if found is None:
            return line
        node = found
    return line


def _toml_key(key: str) -> str:
    bare = re.escape(key) if re.fullmatch(r"[A-Za-z0-9_-]+", key) else None
    quoted = rf"\"{re.escape(json.dumps(key)[1:-1])}\"|'{re.escape(key)}'"
    return f"(?:{bare}|{quoted})" if bare else f"(?:{quoted})"


def toml_line(text: str, keys: KeyPath) -> int | None:
    """Line of a `[a.b]` table header or an `b = {` inline table under `[a]`."""
    names = [k for k in keys if isinstance(k, str)]
    if not names:
        return None
    dotted = r"\s*\.\s*".join(_toml_key(k) for k in names)
    header = re.compile(rf"^[ \t]*\[\s*{dotted}\s*\]", re.MULTILINE)
    match = header.search(text)
    if match is None and len(names) > 1:
        parent = r"\s*\.\s*".join(_toml_key(k) for k in names[:-1])
        table = re.compile(rf"^[ \t]*\[\s*{parent}\s*\]", re.MULTILINE).search(text)
        start = table.end() if table else 0
        inline = re.compile(rf"^[ \t]*{_toml_key(names[-1])}\s*=", re.MULTILINE)
        match = inline.search(text, start)
        if match is None:
            match = table
    return text.count("\n", 0, match.start()) + 1 if match else None
