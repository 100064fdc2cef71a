"""Tool definitions to scan: an MCP `tools/list` result (JSON) or JSONL of `{name, description}`."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from mcpir.core.documents import DocumentError, parse_json, read_text
from mcpir.core.errors import UsageError
from mcpir.core.model import Location, Tool


def _tool_list(data: Any) -> list[Any] | None:  # noqa: ANN401
    if isinstance(data, list):
        return data
    if isinstance(data, Mapping):
        if isinstance(data.get("tools"), list):
            return list(data["tools"])
        result = data.get("result")  # a whole JSON-RPC response
        if isinstance(result, Mapping) and isinstance(result.get("tools"), list):
            return list(result["tools"])
    return None


def _expand(raw: Mapping[str, Any], location: Location, server: str | None) -> Iterator[Tool]:
    name = str(raw.get("name") or "?")
    description = raw.get("description")
    if isinstance(description, str):
        yield Tool(name, description, location, server)
    schema = raw.get("inputSchema") or raw.get("input_schema") or raw.get("parameters")
    properties = schema.get("properties") if isinstance(schema, Mapping) else None
    if isinstance(properties, Mapping):
        for param, spec in properties.items():
            if isinstance(spec, Mapping) and isinstance(spec.get("description"), str):
                yield Tool(f"{name}.{param}", spec["description"], location, server)


def load_tools(path: Path, server: str | None = None) -> list[Tool]:
    """Every tool and parameter description in `path`; bad input is a one-line UsageError."""
    try:
        text = read_text(path)
    except DocumentError as exc:
        raise UsageError(f"--tools {path}: {exc}") from None
    tools: list[Tool] = []
    try:
        doc = parse_json(text)
    except DocumentError:
        doc = None
    items = _tool_list(doc.data) if doc is not None else None
    if doc is not None and items is not None:
        prefix: tuple[str, ...] = ()
        if isinstance(doc.data, Mapping):
            prefix = ("tools",) if "tools" in doc.data else ("result", "tools")
        for index, raw in enumerate(items):
            if isinstance(raw, Mapping):
                where = Location(path, doc.line_of((*prefix, index)))
                tools.extend(_expand(raw, where, server))
        return tools
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
        tools.extend(_expand(raw, Location(path, number), server))
    return tools
