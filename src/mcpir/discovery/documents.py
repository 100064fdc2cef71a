"""Reading a config file safely and parsing it with a well-kept parser for its format.

A file that is too large, binary, not UTF-8 or malformed raises `DocumentError` with a one-line
reason that names the line when the parser knows it; discovery turns that into a reported
`ConfigFile.error` and goes on.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyjson5

from mcpir.discovery import positions
from mcpir.model import Format

MAX_BYTES = 5 * 1024 * 1024
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
        try:
            return self._locate(self.text, keys)
        except (RecursionError, ValueError):
            return None


def read_text(path: Path) -> str:
    """The file's text, refusing what no client would read as a config."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except PermissionError:
        raise DocumentError("unreadable: permission denied") from None
    except OSError as exc:
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
    return decode(raw)


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


def _json5_reason(text: str, exc: Exception) -> str:
    message = str(exc.args[0]) if exc.args else "malformed JSON"
    near = _NEAR.search(message)
    reason = _NEAR.sub("", message).replace("b'", "'").strip()
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
    try:
        return Document(json.loads(text), Format.JSON, text, positions.json_line)
    except (ValueError, RecursionError):
        pass
    try:
        data = pyjson5.loads(text)
    except pyjson5.Json5Exception as exc:
        raise DocumentError(_json5_reason(text, exc)) from None
    except (ValueError, RecursionError, OverflowError) as exc:
        raise DocumentError(f"malformed JSON: {exc}") from None
    return Document(data, Format.JSONC, text, positions.json_line)


def parse_toml(text: str) -> Document:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DocumentError(f"malformed TOML: {exc}") from None
    except (ValueError, RecursionError) as exc:
        raise DocumentError(f"malformed TOML: {exc}") from None
    return Document(data, Format.TOML, text, positions.toml_line)


def parse_yaml(text: str) -> Document:
    import yaml

    try:
        data = yaml.load(text, Loader=positions.yaml_loader())  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}: " if mark else ""
        raise DocumentError(f"{where}malformed YAML: {exc.problem or exc.context}") from None
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        raise DocumentError(f"malformed YAML: {str(exc).splitlines()[0]}") from None
    return Document(data, Format.YAML, text, positions.yaml_line)


PARSERS: dict[Format, Callable[[str], Document]] = {
    Format.JSON: parse_json,
    Format.JSONC: parse_json,
    Format.TOML: parse_toml,
    Format.YAML: parse_yaml,
}


def load(path: Path, fmt: Format) -> Document:
    return PARSERS[fmt](read_text(path))
