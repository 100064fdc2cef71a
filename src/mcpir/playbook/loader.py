"""Loading a playbook: YAML, validated by a JSON schema; every error names file and line."""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path
from typing import Any

from mcpir.discovery.documents import DocumentError, parse_yaml, read_text
from mcpir.errors import UsageError
from mcpir.playbook.model import SCHEMA, Playbook, Step

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


def load_playbook(path: Path | None = None) -> Playbook:
    import fastjsonschema

    path = path or BUILTIN
    try:
        text = read_text(path)
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
