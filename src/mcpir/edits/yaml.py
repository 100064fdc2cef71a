"""Minimal edits of YAML text: a mapping key renamed in place, block or flow style.

PyYAML's node marks give the span of the key's scalar; only those characters change. The nodes
come from the pure-Python loader, whose marks are indices into the very `str` being edited.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from mcpir.edits._common import (
    EditError,
    KeyPath,
    checked,
    dict_at,
    first_line,
    quote,
    rename_needed,
    show_path,
    splice,
)

if TYPE_CHECKING:
    import yaml

_STR_TAG = "tag:yaml.org,2002:str"
# Plain scalars that cannot be read as an indicator, a comment or a flow separator.
_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./-]*")


def _load(text: str) -> Any:
    """Discovery's bounded parse: an alias bomb is refused here, before `_compose` shares its
    nodes and the check of the result expands them."""
    from mcpir.core.documents import DocumentError, parse_yaml

    try:
        return parse_yaml(text).data
    except DocumentError as exc:
        raise EditError(str(exc)) from None


def _compose(text: str) -> yaml.Node | None:
    """Only for text `_load` has accepted."""
    import yaml

    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        raise EditError(f"malformed YAML: {first_line(exc)}") from None


def _is_key(node: yaml.Node, name: str) -> bool:
    import yaml

    return isinstance(node, yaml.ScalarNode) and node.tag == _STR_TAG and node.value == name


def _mapping_at(root: yaml.Node | None, path: KeyPath) -> yaml.MappingNode:
    import yaml

    node = root
    for depth, key in enumerate(path):
        found: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode) and isinstance(key, str):
            values = [value for name, value in node.value if _is_key(name, key)]
            found = values[-1] if values else None
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            found = node.value[key] if 0 <= key < len(node.value) else None
        if found is None:
            raise EditError(f"no {show_path(path[: depth + 1])} in the document")
        node = found
    if not isinstance(node, yaml.MappingNode):
        raise EditError(f"{show_path(path)} is not a mapping")
    return node


def _scalar(name: str, style: str | None) -> str:
    """`name` written as a key in the style the old key had, when that style can hold it."""
    if style is None and _PLAIN.fullmatch(name) and _load(name) == name:
        return name
    if style == "'" and name.isprintable():
        return "'" + name.replace("'", "''") + "'"
    chars = []
    for char in name:
        if char in '"\\':
            chars.append("\\" + char)
        elif char.isprintable():
            chars.append(char)
        else:
            chars.append(f"\\U{ord(char):08x}" if ord(char) > 0xFFFF else f"\\u{ord(char):04x}")
    return '"' + "".join(chars) + '"'


def yaml_rename_key(text: str, obj_path: KeyPath, old: str, new: str) -> str:
    """Rename key `old` of the mapping at `obj_path` to `new`; only the key's characters change.

    Already renamed (`new` present, `old` absent) returns the text unchanged; every duplicate of
    `old` is renamed, so the value read stays the same.
    """
    expected = _load(text)
    mapping = _mapping_at(_compose(text), obj_path)
    olds = [name for name, _ in mapping.value if _is_key(name, old)]
    has_new = any(_is_key(name, new) for name, _ in mapping.value)
    if not rename_needed(bool(olds), has_new, obj_path, old, new):
        return text
    spans = []
    for node in olds:
        start, end = node.start_mark.index, node.end_mark.index
        raw = text[start:end]
        plain = node.style is None and raw == node.value
        quoted = node.style in ("'", '"') and len(raw) >= 2 and raw[0] == raw[-1] == node.style
        if not (plain or quoted):
            line = node.start_mark.line + 1
            raise EditError(
                f"line {line}: key {quote(old)} has an anchor, tag or layout not edited"
            )
        spans.append((start, end, _scalar(new, node.style)))
    target = dict_at(expected, obj_path)
    if old not in target:
        raise EditError(f"{show_path(obj_path)}: the parsed values do not match the nodes")
    target[new] = target.pop(old)
    return checked(splice(text, spans), expected, _load, "YAML")
