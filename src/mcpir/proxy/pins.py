"""Tool pins: the tool definitions a server advertised first (or last approved), kept in
`<root>/.atom-trail/tool-pins/<server>.json`, and the differences a later `tools/list` shows.

A server that changes its tools after they were approved (a "rug pull") is noticed here: the
proxy compares each `tools/list` with the pin, logs each added, removed or changed tool, and
runs the scan's injection checks on the new text. The latest differing list waits in
`tool-pins/pending/<server>.json` until `mcpir pins approve SERVER` makes it the pin.
Definitions are stored redacted (secrets masked by fingerprint), and compared that way too.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcpir.fileio import atomic_write_text
from mcpir.redact import redact_text

VERSION = 1
PENDING = "pending"
_SAFE = re.compile(r"[^A-Za-z0-9._-]")


def file_name(server: str) -> str:
    """A file name for any server name; names that need changing get a hash so none collide."""
    safe = _SAFE.sub("_", server)
    if safe != server or safe.startswith(".") or not safe:
        safe = f"{safe.lstrip('.')}-{hashlib.sha256(server.encode()).hexdigest()[:8]}"
    return safe + ".json"


def redact_definition(value: Any) -> Any:  # noqa: ANN401 - a JSON value
    """A tool definition with secrets masked; structure, names and schemas unchanged."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {str(k): redact_definition(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_definition(v) for v in value]
    return value


def tools_by_name(tools: Iterable[Any]) -> dict[str, Any]:
    return {str(t["name"]): t for t in tools if isinstance(t, Mapping) and "name" in t}


@dataclass(frozen=True)
class ToolChange:
    tool: str
    change: str  # "added" | "removed" | "changed"
    before: str | None
    after: str | None
    findings: tuple[str, ...] = ()


def readable(tool: Mapping[str, Any] | None, other: Mapping[str, Any] | None = None) -> str | None:
    """The description, then every other field that differs from `other`, as compact JSON."""
    if tool is None:
        return None
    lines = [str(tool.get("description") or "")]
    for key in sorted(set(tool) | set(other or {})):
        if key in ("name", "description"):
            continue
        if other is None or tool.get(key) != other.get(key):
            if key in tool:
                shown = json.dumps(tool[key], ensure_ascii=False, sort_keys=True)
                lines.append(f"{key}: {shown}")
    return "\n".join(lines)


def injection_findings(tool: Mapping[str, Any], known: Iterable[str]) -> tuple[str, ...]:
    """Rule ids (`prompt-injection/<kind>`) of the medium and high injection hits in a tool's
    description and its parameters' descriptions."""
    from mcpir.injection import analyze_description

    name = str(tool.get("name"))
    texts = [tool.get("description")]
    schema = tool.get("inputSchema")
    properties = schema.get("properties") if isinstance(schema, Mapping) else None
    if isinstance(properties, Mapping):
        texts += [p.get("description") for p in properties.values() if isinstance(p, Mapping)]
    kinds: dict[str, None] = {}
    for text in texts:
        if isinstance(text, str) and text:
            for hit in analyze_description(text, tool=name, known_tools=tuple(known)):
                if hit.severity != "low":
                    kinds[f"prompt-injection/{hit.kind}"] = None
    return tuple(kinds)


def differences(pinned: Iterable[Any], current: Iterable[Any]) -> list[ToolChange]:
    """Every tool added, removed or changed from `pinned` to `current` (both redacted)."""
    before, after = tools_by_name(pinned), tools_by_name(current)
    out: list[ToolChange] = []
    for name, tool in after.items():
        old = before.get(name)
        if old == tool:
            continue
        change = "added" if old is None else "changed"
        found = injection_findings(tool, after)
        out.append(ToolChange(name, change, readable(old, tool), readable(tool, old), found))
    gone = [n for n in before if n not in after]
    return out + [ToolChange(n, "removed", readable(before[n]), None) for n in gone]


def unapproved(pinned: Iterable[Any], current: Iterable[Any]) -> set[str]:
    """Names of tools that are new or differ from the pin: what `--block-changed` hides."""
    before = tools_by_name(pinned)
    return {name for name, tool in tools_by_name(current).items() if before.get(name) != tool}


def _document(server: str, tools: list[Any], key: str) -> str:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    body = {"version": VERSION, "server": server, key: stamp, "tools": tools}
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


class PinStore:
    """The pins of one project: `<root>/.atom-trail/tool-pins/`."""

    def __init__(self, directory: Path, root: Path | None = None) -> None:
        self.directory = directory
        self.root = root  # when set, the directory is made through `incident.trail` on first use

    def _made(self) -> Path:
        if self.root is not None:
            from mcpir.incident import trail

            return trail(self.root, self.directory.name)
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self.directory

    def path(self, server: str) -> Path:
        return self.directory / file_name(server)

    def pending_path(self, server: str) -> Path:
        return self.directory / PENDING / file_name(server)

    @staticmethod
    def _read(path: Path) -> dict[str, Any] | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            from mcpir.errors import UsageError

            raise UsageError(f"{path}: not a readable pin file ({exc})") from None
        if not isinstance(data, dict) or not isinstance(data.get("tools"), list):
            from mcpir.errors import UsageError

            raise UsageError(f"{path}: not a pin file (no tools list)")
        return data

    def load(self, server: str) -> dict[str, Any] | None:
        return self._read(self.path(server))

    def pending(self, server: str) -> dict[str, Any] | None:
        return self._read(self.pending_path(server))

    def pin_first(self, server: str, tools: list[Any]) -> bool:
        """Store the first list seen; False when another proxy pinned this server first."""
        fd, tmp = tempfile.mkstemp(dir=self._made(), prefix=".pin.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(_document(server, tools, "approved"))
                handle.flush()
                os.fsync(handle.fileno())
            os.link(tmp, self.path(server))  # fails if a pin exists: the first one stays
        except FileExistsError:
            return False
        finally:
            os.unlink(tmp)
        return True

    def set_pending(self, server: str, tools: list[Any]) -> None:
        self._made()
        path = self.pending_path(server)
        path.parent.mkdir(exist_ok=True, mode=0o700)
        atomic_write_text(path, _document(server, tools, "seen"), mode=0o600)

    def clear_pending(self, server: str) -> None:
        self.pending_path(server).unlink(missing_ok=True)

    def approve(self, server: str) -> list[ToolChange]:
        """Make the latest differing list the pin; returns what that approves."""
        waiting = self.pending(server)
        if waiting is None:
            return []
        current = self.load(server)
        changes = differences(current["tools"] if current else [], waiting["tools"])
        atomic_write_text(self.path(server), _document(server, waiting["tools"], "approved"), 0o600)
        self.clear_pending(server)
        return changes

    def servers(self) -> list[str]:
        """Every pinned server (by the name stored in its file), and every pending one."""
        names: set[str] = set()
        for directory in (self.directory, self.directory / PENDING):
            if not directory.is_dir():
                continue
            for path in sorted(directory.glob("*.json")):
                data = self._read(path)
                if data is not None:
                    names.add(str(data.get("server", path.stem)))
        return sorted(names)
