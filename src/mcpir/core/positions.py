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
    from tree_sitter import Node

KeyPath = tuple[str | int, ...]


@cache
def yaml_loader() -> type[yaml.SafeLoader]:
    """The C safe loader when PyYAML has it. Imported on first use: few configs are YAML."""
    import yaml

    loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return loader


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


# Server definitions sit at most four keys deep (`projects.<dir>.mcpServers.<name>`); tool
# listings three (`result.tools.<n>`). Indexing deeper would only cost time.
_MAX_DEPTH = 6
_CONTAINERS = frozenset({"object", "array"})


@lru_cache(maxsize=8)
def _json_index(text: str) -> dict[KeyPath, int]:
    """Line of every key path in the document, from one parse and one walk."""
    from mcpir.core import jsontree

    tree = jsontree.parse(text.encode("utf-8"))
    root = next(iter(_values(tree.root_node)), None)
    index: dict[KeyPath, int] = {}
    stack: list[tuple[Node, KeyPath]] = [(root, ())] if root is not None else []
    while stack:
        node, path = stack.pop()
        if len(path) >= _MAX_DEPTH:
            continue
        children: dict[str | int, tuple[int, Node | None]] = {}
        if node.type == "object":
            for pair in _values(node):
                key_node = pair.child_by_field_name("key")
                if key_node is not None:
                    # Later duplicates win, as in every JSON parser the clients use.
                    children[_key_text(key_node)] = (
                        key_node.start_point[0] + 1,
                        pair.child_by_field_name("value"),
                    )
        elif node.type == "array":
            for number, item in enumerate(_values(node)):
                children[number] = (item.start_point[0] + 1, item)
        for key, (line, value) in children.items():
            index[(*path, key)] = line
            if value is not None and value.type in _CONTAINERS:
                stack.append((value, (*path, key)))
    return index


def json_line(text: str, keys: KeyPath) -> int | None:
    """Line of the deepest key of `keys` that exists (a missing tail points at its parent)."""
    index = _json_index(text)
    for length in range(len(keys), 0, -1):
        line = index.get(keys[:length])
        if line is not None:
            return line
    return None


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
