"""Tool definitions to scan: an MCP `tools/list` result (JSON) or JSONL of `{name, description}`,
expanded into every text the model reads (`live_texts.walk`, the same walk `scan --live` uses)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mcpir.core.documents import DocumentError, parse_json, read_text
from mcpir.core.errors import UsageError
from mcpir.core.model import Location, Tool
from mcpir.scan.live_texts import walk

_KINDS = ("tools", "prompts", "resources", "resourceTemplates")


def _listing(data: Any) -> tuple[Mapping[str, Any], tuple[str, ...]] | None:  # noqa: ANN401
    """The listing in a saved file (a bare list of tools, a `tools/list` result or a whole
    JSON-RPC response; other listings and `instructions` beside it are read too) and the keys
    that lead to it."""
    if isinstance(data, list):
        return {"tools": data}, ()
    if isinstance(data, Mapping):
        if isinstance(data.get("tools"), list):
            return data, ()
        result = data.get("result")  # a whole JSON-RPC response
        if isinstance(result, Mapping) and isinstance(result.get("tools"), list):
            return result, ("result",)
    return None


def _one(raw: Mapping[str, Any], location: Location, server: str | None) -> list[Tool]:
    return walk({"tools": [raw]}, server, lambda _kind, _index: location).tools


def load_tools(path: Path, server: str | None = None) -> list[Tool]:
    """Every text of every tool in `path`, named by field path; bad input is a one-line
    UsageError."""
    try:
        text = read_text(path)
    except DocumentError as exc:
        raise UsageError(f"--tools {path}: {exc}") from None
    tools: list[Tool] = []
    try:
        doc = parse_json(text)
    except DocumentError:
        doc = None
    found = _listing(doc.data) if doc is not None else None
    if doc is not None and found is not None:
        listing, prefix = found
        bare, lines = isinstance(doc.data, list), doc

        def where(kind: str, index: int) -> Location:
            keys: tuple[str | int, ...] = (index,) if bare else (*prefix, kind, index)
            return Location(path, lines.line_of(keys) if kind != "instructions" else None)

        return walk({k: listing.get(k) for k in (*_KINDS, "instructions")}, server, where).tools
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except (ValueError, RecursionError):  # RecursionError: nested past Python's limit
            raise UsageError(
                f"--tools {path}: line {number}: neither a tools/list result nor JSONL"
            ) from None
        if not isinstance(raw, Mapping):
            raise UsageError(f"--tools {path}: line {number}: expected an object")
        tools.extend(_one(raw, Location(path, number), server))
    return tools
