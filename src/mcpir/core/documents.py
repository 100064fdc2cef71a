"""Reading a config file safely and parsing it with a well-kept parser for its format.

A file that is too large, binary, not UTF-8 or malformed raises `DocumentError` with a one-line
reason that names the line when the parser knows it; discovery turns that into a reported
`ConfigFile.error` and goes on.

Every config, playbook and policy file may be hostile (a repository, a plugin or another tool
writes it), and every command reads them first. So each parse has bounds, checked before any
caller walks the data, that keep the work proportional to the file's size:

- 5 MiB of text (`MAX_BYTES`).
- 64 levels of nested objects, arrays, tables, mappings or sequences, in every format
  (`MAX_DEPTH`). Server definitions sit at most 6 deep, and pyjson5's default had already
  stopped JSONC at 32; walkers that recurse stay far from Python's 1,000 frames.
- TOML: a dotted key (`a.b.c = 1`, `[a.b.c]`) of at most 64 parts, checked before tomllib runs:
  tomllib's time grows with the square of a key's parts (10 keys of 10,000 parts: 15 s).
- YAML: at most 100 aliases (`MAX_YAML_ALIASES`) and at most 10,000 nodes added by expanding
  them (`MAX_YAML_ALIAS_NODES`), and no alias inside its own anchor. PyYAML shares an anchored
  value, so a 364-byte "billion laughs" loads in a millisecond as 43 million strings that every
  walk, redaction and `--json` output then expands: minutes, hundreds of MB. The node bound
  stops that: it is counted on the composed graph, each shared node measured once, before
  anything is built. The alias bound is far above what a hand-written config needs (anchors for
  a few shared blocks). Only the safe loader's standard tags exist: `!!python/...` and custom
  tags are errors.
- YAML and TOML: at most 100,000 values (`MAX_VALUES`). Both parsers build values in Python at
  some 10-20 µs each, so 2 MB of `[1,1,…]` took 20 s: YAML's events are counted by the C
  parser before anything is composed (0.16 s for the first 100,000), TOML's separators are
  counted in the text before tomllib runs (an upper bound: a comma in a string counts too).
  A hand-written config holds hundreds of values.
"""

from __future__ import annotations

import functools
import json
import os
import re
import stat
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import chain, compress
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyjson5

from mcpir.core import json_lines, no_follow, positions
from mcpir.core.model import Format

if TYPE_CHECKING:
    import yaml

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
MAX_YAML_ALIASES = 100
MAX_YAML_ALIAS_NODES = 10_000
MAX_VALUES = 100_000
_UTF8_BOM = b"\xef\xbb\xbf"
_NEAR = re.compile(r"near (\d+)")

KeyPath = tuple[str | int, ...]


class DocumentError(Exception):
    """A config file that cannot be read or parsed; the message is one line."""


@dataclass
class Document:
    data: Any
    format: Format
    text: str
    _locate: Callable[[str, KeyPath], int | None] = field(repr=False)

    def line_of(self, keys: KeyPath) -> int | None:
        """1-based line where the last key of `keys` is defined, when it can be told."""
        return _line_of(self._locate, self.text, keys)

    def lines(self) -> Callable[[KeyPath], int | None]:
        """`line_of` holding the text alone, not the parsed data: what a location whose line is
        looked up later keeps (`Location.found_later`)."""
        return functools.partial(_line_of, self._locate, self.text)


def _line_of(locate: Callable[[str, KeyPath], int | None], text: str, keys: KeyPath) -> int | None:
    try:
        return locate(text, keys)
    except (RecursionError, ValueError):
        return None


def read_text(path: Path, real: str | None = None) -> str:
    """The file's text, refusing what no client would read as a config. `real` is the path's
    target as the caller resolved and checked it (discovery: inside the tree it scans); without
    it, `path`'s links are resolved here. Either way the target is then opened with no link
    followed, so a symlink swapped in after the check is refused (the root `--all-users` run
    reads a home its owner can change meanwhile)."""
    return decode(read_bytes(path, real))


def read_bytes(path: Path, real: str | None = None) -> bytes:
    """The file's bytes, as `read_text` opens them: no link followed, a FIFO or device refused
    (containment reads the file again, byte for byte, long after discovery checked it)."""
    try:
        fd = no_follow.open_resolved(real if real is not None else os.path.realpath(path))
    except PermissionError:
        raise DocumentError("unreadable: permission denied") from None
    except OSError as exc:
        if exc.errno in no_follow.A_LINK_NOW:
            raise DocumentError("a symlink where the file was checked: not followed") from None
        raise DocumentError(f"unreadable: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise DocumentError("not a regular file")
        if info.st_size > MAX_BYTES:
            raise DocumentError(f"too large: {info.st_size} bytes (limit 5 MiB)")
        handle = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with handle:
        try:
            raw = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise DocumentError(f"unreadable: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise DocumentError("too large: over 5 MiB")
    return raw


def decode(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DocumentError("binary or UTF-16 file: expected UTF-8 text")
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        raise DocumentError(f"line {line}: binary file (NUL byte)")
    if raw.startswith(_UTF8_BOM):
        raw = raw[len(_UTF8_BOM) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DocumentError(f"line {line}: not UTF-8 text (byte 0x{raw[exc.start]:02x})") from None


def _line_at(text: str, index: int) -> int:
    return text.count("\n", 0, max(0, min(index, len(text)))) + 1


def _nested(where: str = "") -> DocumentError:
    return DocumentError(f"{where}nested deeper than {MAX_DEPTH} levels")


def _deeper_than_limit(data: Any) -> bool:  # noqa: ANN401
    """Whether dicts and lists nest past MAX_DEPTH; level by level, so that no depth of data can
    exhaust the stack. Only for trees (JSON, TOML): YAML's shared nodes are measured apart."""
    level = [data] if isinstance(data, (dict, list)) else []
    for _ in range(MAX_DEPTH):
        level = _containers_below(level)
        if not level:
            return False
    return True


_DICT, _LIST, _CONTAINERS = frozenset({dict}), frozenset({list}), frozenset({dict, list})
_PLAIN = frozenset({dict, list, str, int, float, bool, type(None)})


def _containers_below(level: list[Any]) -> list[Any]:
    """The dicts and lists held by those of `level`. Every config file is measured, each value
    of it once: where all are of JSON's own types, the whole level is read by C iterators, not
    by a test of each value."""
    kinds = list(map(type, level))
    if _CONTAINERS.issuperset(kinds):
        dicts = compress(level, map(_DICT.__contains__, kinds))
        lists = compress(level, map(_LIST.__contains__, kinds))
        values = list(chain(chain.from_iterable(map(dict.values, dicts)), *lists))
        kinds = list(map(type, values))
        if _PLAIN.issuperset(kinds):
            return list(compress(values, map(_CONTAINERS.__contains__, kinds)))
    below: list[Any] = []  # subclasses, dates, times: as each value says
    for node in level:
        held = node.values() if isinstance(node, dict) else node
        below.extend([value for value in held if isinstance(value, (dict, list))])
    return below


def _json5_reason(text: str, exc: Exception) -> str:
    message = str(exc.args[0]) if exc.args else "malformed JSON"
    near = _NEAR.search(message)
    reason = _NEAR.sub("", message).replace("b'", "'").strip()
    if isinstance(exc, pyjson5.Json5NestingTooDeep):
        where = f"line {_line_at(text, int(near.group(1)) - 1)}: " if near else ""
        return str(_nested(where))
    if not near:
        return f"malformed JSON: {reason}"
    # pyjson5 counts from 1 and may point at the whitespace before the offending character.
    index = int(near.group(1)) - (0 if reason.startswith("Extra data") else 1)
    while 0 <= index < len(text) - 1 and text[index].isspace():
        index += 1
    line = _line_at(text, index)
    if reason.endswith(" starting"):  # "Unclosed 'object' starting near N": report where it opened
        end = len(text.splitlines()) or 1
        what = reason.removesuffix(" starting").lower()
        return f"line {end}: malformed JSON: {what} opened on line {line}"
    return f"line {line}: malformed JSON: {reason}"


def parse_json(text: str) -> Document:
    too_deep = False
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        pass
    else:
        # Fewer brackets than levels allowed (most configs): no walk needed to know the depth.
        if text.count("[") + text.count("{") <= MAX_DEPTH or not _deeper_than_limit(data):
            return Document(data, Format.JSON, text, json_lines.json_line)
        too_deep = True  # pyjson5, bounded at the same depth, tells the line
    try:
        data = pyjson5.decode(text, maxdepth=MAX_DEPTH)
    except pyjson5.Json5Exception as exc:
        raise DocumentError(_json5_reason(text, exc)) from None
    except (ValueError, RecursionError, OverflowError) as exc:
        raise DocumentError(f"malformed JSON: {exc}") from None
    if too_deep:
        raise _nested()
    return Document(data, Format.JSONC, text, positions.json_line)


# Strings, closed or not (always a match, so the scan never restarts inside one), and what
# ends a key: dots between these are in keys, or in a number that has only one.
_TOML_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"?' r"|'[^'\n]*'?")
_TOML_KEY_END = re.compile(r"[=\[\]{},]")


def _long_toml_key(text: str) -> int | None:
    """Line of a key of more dotted parts than MAX_DEPTH, found before tomllib reads it."""
    if text.count(".") < MAX_DEPTH:
        return None
    for number, line in enumerate(text.split("\n"), 1):
        if line.count(".") < MAX_DEPTH:
            continue
        code = _TOML_STRING.sub("s", line).split("#", 1)[0]
        if any(part.count(".") >= MAX_DEPTH for part in _TOML_KEY_END.split(code)):
            return number
    return None


def _too_many_values() -> DocumentError:
    return DocumentError(f"more than {MAX_VALUES:,} values; not read")


def parse_toml(text: str) -> Document:
    if sum(map(text.count, (",", "\n", "="))) > MAX_VALUES:
        raise _too_many_values()
    long_key = _long_toml_key(text)
    if long_key is not None:
        raise DocumentError(f"line {long_key}: a key of more than {MAX_DEPTH} dotted parts")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DocumentError(f"malformed TOML: {exc}") from None
    except RecursionError:  # arrays or inline tables nested hundreds deep
        raise _nested() from None
    except ValueError as exc:
        raise DocumentError(f"malformed TOML: {exc}") from None
    if _deeper_than_limit(data):
        raise _nested()
    return Document(data, Format.TOML, text, positions.toml_line)


def _check_yaml_graph(root: yaml.Node) -> None:
    """Refuse a composed document whose aliases would expand past the bounds, or that nests
    too deep, before anything is built from it. A node reached twice is an alias; its expanded
    size and height are measured once and reused, so this costs one visit per distinct node.
    Recursion stays within MAX_DEPTH + 1 frames: deeper levels are refused on the way down."""
    import yaml

    measured: dict[int, tuple[int, int]] = {}  # id(node) -> (nodes once expanded, levels)
    open_ids: set[int] = set()  # the collections from the root down to the one measured
    aliases = 0

    def measure(node: yaml.Node, level: int, line: int) -> tuple[int, int]:
        nonlocal aliases
        key = id(node)
        if key in open_ids:
            raise DocumentError(f"line {line}: a recursive alias")
        known = measured.get(key)
        if known is not None:
            aliases += 1
            if aliases > MAX_YAML_ALIASES:
                raise DocumentError(f"line {line}: more than {MAX_YAML_ALIASES} aliases")
            if level + known[1] - 1 > MAX_DEPTH:
                raise _nested(f"line {line}: ")
            return known
        here = node.start_mark.line + 1
        if isinstance(node, yaml.ScalarNode):
            measured[key] = (1, 0)
            return 1, 0
        if level > MAX_DEPTH:
            raise _nested(f"line {here}: ")
        children: list[tuple[yaml.Node, int]] = []
        if isinstance(node, yaml.MappingNode):
            # An alias as a value sits on its key's line in block style; others are told by
            # the line their collection starts on, all the graph keeps.
            for name, value in node.value:
                children += [(name, here), (value, name.start_mark.line + 1)]
        else:
            children = [(child, here) for child in node.value]
        open_ids.add(key)
        size, height = 1, 0
        for child, child_line in children:
            child_size, child_height = measure(child, level + 1, child_line)
            size, height = size + child_size, max(height, child_height)
        open_ids.discard(key)
        # Every node measured so far, this one included, counts once; the rest came by alias.
        if size - len(measured) - 1 > MAX_YAML_ALIAS_NODES:
            raise DocumentError(
                f"line {here}: an alias bomb: aliases add over {MAX_YAML_ALIAS_NODES:,} nodes"
            )
        measured[key] = (size, height + 1)
        return size, height + 1

    measure(root, 1, root.start_mark.line + 1)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).splitlines()
    return lines[0] if lines else type(exc).__name__


def parse_yaml(text: str) -> Document:
    import yaml

    loader = None
    try:
        _count_yaml_events(text)
        loader = positions.yaml_loader()(text)
        node = loader.get_single_node()
        if node is not None:
            _check_yaml_graph(node)
        data = _construct(loader, node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}: " if mark else ""
        raise DocumentError(f"{where}malformed YAML: {exc.problem or exc.context}") from None
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        raise DocumentError(f"malformed YAML: {_first_line(exc)}") from None
    finally:
        if loader is not None:
            loader.dispose()
    return Document(data, Format.YAML, text, positions.yaml_line)


def _count_yaml_events(text: str) -> None:
    import yaml

    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for count, _ in enumerate(yaml.parse(text, Loader=loader_class)):
        if count > MAX_VALUES * 2:  # a scalar value is one event; a key is another
            raise _too_many_values()


def _construct(loader: yaml.SafeLoader, node: yaml.Node | None) -> Any:  # noqa: ANN401
    import yaml

    if node is None:
        return None
    try:
        return loader.construct_document(node)
    except yaml.YAMLError:
        raise
    except Exception as exc:  # PyYAML's own constructors: `!!timestamp x` is an AttributeError
        reason = _first_line(exc)
        raise DocumentError(f"malformed YAML: a value its tag cannot hold: {reason}") from None


PARSERS: dict[Format, Callable[[str], Document]] = {
    Format.JSON: parse_json,
    Format.JSONC: parse_json,
    Format.TOML: parse_toml,
    Format.YAML: parse_yaml,
}


def load(path: Path, fmt: Format, real: str | None = None) -> Document:
    return PARSERS[fmt](read_text(path, real))
