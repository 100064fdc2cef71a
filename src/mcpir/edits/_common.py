"""What every edit shares: the error it raises, key paths, the splice of spans into the text,
and the check of its result."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any, AnyStr

KeyPath = tuple[str | int, ...]

_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")


class EditError(Exception):
    """An edit that cannot be made safely; the message is one line."""


def quote(text: str) -> str:
    """`"key"` for a message: one line whatever the key holds, nothing a terminal would hide."""
    return (
        '"'
        + "".join(
            char if char.isprintable() and char not in '"\\' else json.dumps(char)[1:-1]
            for char in text
        )
        + '"'
    )


def first_line(error: BaseException) -> str:
    """An exception's message cut to its first line: an `EditError` holds one line."""
    lines = str(error).splitlines()
    return lines[0] if lines else type(error).__name__


def show_path(path: KeyPath) -> str:
    """`mcpServers.docs`, `projects["/abs/dir"]`: a key path as a user would read it."""
    if not path:
        return "the top level"
    text = ""
    for key in path:
        if isinstance(key, int):
            text += f"[{key}]"
        elif _PLAIN_KEY.fullmatch(key):
            text += f".{key}" if text else key
        else:
            text += f"[{quote(key)}]"
    return text


def equal_strictly(left: Any, right: Any) -> bool:
    """Deep equality that tells `true` from `1` and `1` from `1.0`, unlike `==`.

    Iterative, so that a deeply nested document cannot end a check with RecursionError.
    """
    stack = [(left, right)]
    while stack:
        a, b = stack.pop()
        if type(a) is not type(b):
            return False
        if isinstance(a, dict):
            if a.keys() != b.keys():
                return False
            stack.extend((a[key], b[key]) for key in a)
        elif isinstance(a, list):
            if len(a) != len(b):
                return False
            stack.extend(zip(a, b, strict=True))
        elif a != b:
            return False
    return True


def dict_at(value: Any, path: KeyPath) -> dict[str, Any]:
    """The mapping at `path` in a parsed value, found where the syntax tree found it."""
    for key in path:
        if isinstance(value, dict) and isinstance(key, str) and key in value:
            value = value[key]
        elif isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value):
            value = value[key]
        else:
            value = None
            break
    if not isinstance(value, dict):
        raise EditError(f"{show_path(path)}: the parsed values do not match the syntax tree")
    return value


def rename_needed(has_old: bool, has_new: bool, path: KeyPath, old: str, new: str) -> bool:
    """Whether renaming key `old` of the mapping at `path` to `new` has anything to do: not when
    it is done already (`new` there, `old` not) or `old` is `new`. Raises when it cannot be done."""
    if not has_old:
        if has_new:
            return False
        raise EditError(f"no key {quote(old)} in {show_path(path)}")
    if old == new:
        return False
    if has_new:
        raise EditError(f"{show_path(path)} already has a key {quote(new)}")
    return True


def splice(text: AnyStr, spans: Iterable[tuple[int, int, AnyStr]]) -> AnyStr:
    """`text` with each span from `start` to `end` replaced, in the order of their offsets; spans
    at the same offsets keep the order given (a comma stays before the values spliced after it)."""
    parts: list[AnyStr] = []
    done = 0
    for start, end, replacement in sorted(spans, key=lambda span: span[:2]):
        parts += [text[done:start], replacement]
        done = end
    parts.append(text[done:])
    return text[:0].join(parts)


def checked(edited: str, expected: Any, load: Callable[[str], Any], language: str) -> str:
    """`edited`, if `load` reads it as exactly `expected`: the check that makes an edit safe."""
    try:
        parsed = load(edited)
    except EditError:
        raise EditError(f"refusing the edit: the result would not be valid {language}") from None
    if not equal_strictly(parsed, expected):
        raise EditError("refusing the edit: the result would not read as intended")
    return edited
