"""Loading a playbook: YAML, validated by a JSON schema; every error names file and line."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from mcpir.core.documents import DocumentError, parse_yaml, read_text
from mcpir.core.errors import UsageError
from mcpir.core.fileio import atomic_write_text
from mcpir.playbook.model import SCHEMA, SCHEMA_VERSION, Playbook, Step

BUILTIN = Path(__file__).with_name("incident-response.yaml")
_INDEX = re.compile(r"\[(\d+)\]")


class PlaybookError(UsageError):
    """A playbook that cannot be run as written (exit 2)."""


@cache
def _validator() -> Any:  # noqa: ANN401 - fastjsonschema returns an untyped callable
    import fastjsonschema

    return fastjsonschema.compile(SCHEMA)


def _keys(name: str) -> tuple[str | int, ...]:
    """`data.steps[1].on_failure` → ("steps", 1, "on_failure")."""
    keys: list[str | int] = []
    for part in name.split(".")[1:]:
        head = _INDEX.split(part)
        if head[0]:
            keys.append(head[0])
        keys.extend(int(n) for n in head[1::2])
    return tuple(keys)


def _cache_file(text: str) -> Path:
    from mcpir import __version__
    from mcpir.core.paths import cache_dir

    key = hashlib.sha256(f"{__version__}\0{SCHEMA_VERSION}\0{text}".encode()).hexdigest()
    return cache_dir() / "playbooks" / f"{key[:32]}.json"


def _from_cache(path: Path, text: str) -> Playbook | None:
    try:
        data = json.loads(_cache_file(text).read_text(encoding="utf-8"))
        steps = tuple(Step(**step) for step in data["steps"])
    except (OSError, ValueError, TypeError, KeyError):
        return None
    return Playbook(path, data["name"], data["description"], steps, data["sha256"])


def _to_cache(book: Playbook, text: str) -> None:
    data = {
        "name": book.name,
        "description": book.description,
        "sha256": book.sha256,
        "steps": [dataclasses.asdict(step) for step in book.steps],
    }
    try:
        atomic_write_text(_cache_file(text), json.dumps(data, default=str), mode=0o600)
    except OSError:
        pass  # a cache that cannot be written only costs time


def load_playbook(path: Path | None = None) -> Playbook:
    """A validated playbook. A playbook already validated (same bytes, same mcpir) comes from
    the user's cache dir: no YAML or schema work on the path run first in an incident."""
    path = path or BUILTIN
    try:
        text = read_text(path)
    except DocumentError as exc:
        raise PlaybookError(f"{path}: {exc}") from None
    cached = _from_cache(path, text)
    if cached is not None:
        return cached
    book = _parse(path, text)
    _to_cache(book, text)
    return book


def _parse(path: Path, text: str) -> Playbook:
    import fastjsonschema

    try:
        doc = parse_yaml(text)
    except DocumentError as exc:
        raise PlaybookError(f"{path}: {exc}") from None
    try:
        _validator()(doc.data)
    except fastjsonschema.JsonSchemaValueException as exc:
        name = exc.name or "data"
        keys = _keys(name)
        line = doc.line_of(keys) if keys else 1
        where = f"{path}:{line}" if line else str(path)
        field = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in keys).lstrip(".")
        reason = str(exc.message).removeprefix(name + " ")
        raise PlaybookError(f"{where}: {field or 'playbook'} {reason}") from None
    steps = []
    seen: set[str] = set()
    for index, raw in enumerate(doc.data["steps"]):
        line = doc.line_of(("steps", index))
        if raw["id"] in seen:
            raise PlaybookError(f"{path}:{line}: step id {raw['id']!r} is used twice")
        seen.add(raw["id"])
        steps.append(
            Step(
                id=raw["id"],
                title=raw["title"],
                task=raw["task"],
                params=raw.get("params", {}),
                on_failure=raw.get("on_failure", "stop"),
                approval=raw.get("approval", False),
                line=line,
            )
        )
    return Playbook(
        path=path,
        name=str(doc.data.get("name") or path.stem),
        description=str(doc.data.get("description") or ""),
        steps=tuple(steps),
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
