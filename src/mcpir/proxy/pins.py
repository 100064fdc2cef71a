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

from mcpir.core.fileio import atomic_write_text
from mcpir.core.redact import is_sensitive_key, redact_secret_value, redact_text
from mcpir.proxy.framing import escape_surrogates

VERSION = 1
PENDING = "pending"
_SAFE = re.compile(r"[^A-Za-z0-9._-]")
_FIX = "fix or delete it; the proxy pins the next tools/list"


def file_name(server: str) -> str:
    """A file name for any server name; names that need changing get a hash so none collide."""
    safe = _SAFE.sub("_", server)
    if safe != server or safe.startswith(".") or not safe:
        digest = hashlib.sha256(server.encode("utf-8", "surrogatepass")).hexdigest()
        safe = f"{safe.lstrip('.')}-{digest[:8]}"
    return safe + ".json"


# Where a schema holds values: under a property named like a credential, they are masked whole.
_SCHEMA_VALUES = ("default", "const", "example", "examples", "enum")


def redact_definition(  # noqa: ANN401 - a JSON value
    value: Any, key: str | None = None, credential: bool = False
) -> Any:
    """A tool definition with secrets masked (token shapes anywhere, whole values under
    credential-looking keys, and a credential property's default or examples); structure,
    names and schemas unchanged. Masks are fingerprints, so equal values still compare equal."""
    if isinstance(value, str):
        if key is not None and (is_sensitive_key(key) or (credential and key in _SCHEMA_VALUES)):
            return redact_secret_value(value)
        return redact_text(value)
    if isinstance(value, Mapping):
        # A property's schema (a mapping) under a credential name marks its values; a plain
        # value sees whether the mapping it sits in is such a schema.
        return {
            str(k): redact_definition(
                v, str(k), is_sensitive_key(str(k)) if isinstance(v, Mapping) else credential
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact_definition(v, key, credential) for v in value]
    return value


def is_tool(value: Any) -> bool:  # noqa: ANN401 - a JSON value
    return isinstance(value, Mapping) and isinstance(value.get("name"), str)


def tools_by_name(tools: Iterable[Any]) -> dict[str, list[Any]]:
    """Every named tool under its name, in order: a list may name a tool twice (a client may
    show either entry), and every entry is compared."""
    named: dict[str, list[Any]] = {}
    for tool in tools:
        if is_tool(tool):
            named.setdefault(tool["name"], []).append(tool)
    return named


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
    from mcpir.injection.detector import analyze_description

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
    for name, entries in after.items():
        olds = before.get(name)
        if olds == entries:
            continue
        old = olds[0] if olds else None
        tool = next((t for t in entries if not olds or t not in olds), entries[0])
        change = "added" if old is None else "changed"
        found = tuple(dict.fromkeys(f for t in entries for f in injection_findings(t, after)))
        out.append(ToolChange(name, change, readable(old, tool), readable(tool, old), found))
    gone = [n for n in before if n not in after]
    return out + [ToolChange(n, "removed", readable(before[n][0]), None) for n in gone]


def unapproved(pinned: Iterable[Any], current: Iterable[Any]) -> set[str]:
    """Names of tools that are new or differ from the pin: what `--block-changed` hides."""
    before = tools_by_name(pinned)
    return {name for name, tools in tools_by_name(current).items() if before.get(name) != tools}


def _document(scope: str, server: str, tools: list[Any], key: str) -> str:
    from mcpir.incident.trust import seal

    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    body = seal(scope, {"version": VERSION, "server": server, key: stamp, "tools": tools})
    # A description may hold a lone surrogate (`"\\udead"`, read from the server): kept, escaped.
    return escape_surrogates(json.dumps(body, indent=2, ensure_ascii=False)) + "\n"


class PinStore:
    """The pins of one project: `<root>/.atom-trail/tool-pins/`."""

    def __init__(self, directory: Path, root: Path | None = None) -> None:
        self.directory = directory
        # When set, `directory` is `<root>/.atom-trail/<name>`: it is made through
        # `incident.trail` on first use, and never read or written through a symbolic link.
        self.root = root

    def planted(self) -> Path | None:
        """The first of `.atom-trail`, `tool-pins`, `pending` that is a symbolic link: a
        repository can plant one to make mcpir read pins from, or write them to, elsewhere."""
        if self.root is None:
            return None
        path = self.root
        for part in (self.directory.parent.name, self.directory.name, PENDING):
            path = path / part
            if path.is_symlink():
                return path
        return None

    def _check(self) -> None:
        link = self.planted()
        if link is not None:
            from mcpir.core.errors import UsageError

            raise UsageError(f"{link} is a symbolic link; mcpir will not use pins through it",
                             hint="remove the link, then run the command again")  # fmt: skip

    def _made(self) -> Path:
        self._check()
        if self.root is not None:
            from mcpir.incident.store import trail

            return trail(self.root, self.directory.name)
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self.directory

    def path(self, server: str) -> Path:
        return self.directory / file_name(server)

    def _scope(self, path: Path) -> str:
        """What a pin file is sealed for: this project's pins folder, resolved, and its name,
        so a pin approved on this machine verifies nowhere else and under no other server."""
        return f"pins\0{os.path.realpath(path.parent)}\0{path.name}"

    def pending_path(self, server: str) -> Path:
        return self.directory / PENDING / file_name(server)

    def _read(self, path: Path) -> dict[str, Any] | None:
        from mcpir.core.errors import UsageError

        self._check()
        if path.is_symlink():
            raise UsageError(f"{path} is a symbolic link; mcpir will not read a pin through it")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, RecursionError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise UsageError(f"{path}: not a readable pin file ({reason})", hint=_FIX) from None
        tools = data.get("tools") if isinstance(data, dict) else None
        if not isinstance(tools, list) or not all(is_tool(t) for t in tools):
            raise UsageError(f"{path}: not a pin file (it needs a list of named tools)", hint=_FIX)
        pin: dict[str, Any] = data
        return pin

    def _sealed(self, path: Path, data: dict[str, Any]) -> bool:
        from mcpir.incident.trust import verified

        return verified(self._scope(path), data)

    def load(self, server: str) -> dict[str, Any] | None:
        """The approved list. A pin file this machine's mcpir did not seal (one a commit
        brought or rewrote) approves nothing: it reads as an empty list, so every tool shows as
        added, is logged, and stays hidden under --block-changed until `mcpir pins approve`."""
        path = self.path(server)
        pin = self._read(path)
        if pin is not None and not self._sealed(path, pin):
            return pin | {"tools": [], "unsealed": True}
        return pin

    def pending(self, server: str) -> dict[str, Any] | None:
        path = self.pending_path(server)
        waiting = self._read(path)
        # An unsealed pending list was never seen by this machine's proxy: approving it would
        # approve what a repository says, not what the server showed.
        return waiting if waiting is None or self._sealed(path, waiting) else None

    def pin_first(self, server: str, tools: list[Any]) -> bool:
        """Store the first list seen; False when another proxy pinned this server first."""
        fd, tmp = tempfile.mkstemp(dir=self._made(), prefix=".pin.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(_document(self._scope(self.path(server)), server, tools, "approved"))
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
        atomic_write_text(path, _document(self._scope(path), server, tools, "seen"), mode=0o600)

    def clear_pending(self, server: str) -> None:
        self._check()
        self.pending_path(server).unlink(missing_ok=True)

    def approve(self, server: str) -> list[ToolChange]:
        """Make the latest differing list the pin; returns what that approves."""
        waiting = self.pending(server)
        if waiting is None:
            return []
        current = self.load(server)
        changes = differences(current["tools"] if current else [], waiting["tools"])
        self._made()
        path = self.path(server)
        document = _document(self._scope(path), server, waiting["tools"], "approved")
        atomic_write_text(path, document, 0o600)
        self.clear_pending(server)
        return changes

    def servers(self) -> list[str]:
        """Every pinned server (by the name stored in its file), and every pending one."""
        self._check()
        names: set[str] = set()
        for directory in (self.directory, self.directory / PENDING):
            if not directory.is_dir():
                continue
            for path in sorted(directory.glob("*.json")):
                data = self._read(path)
                if data is not None:
                    names.add(str(data.get("server", path.stem)))
        return sorted(names)


def compare_live(store: PinStore, server: str, tools: Iterable[Any]) -> list[ToolChange] | None:
    """A listing `mcpir scan --live` got, against the pin the proxy keeps for `server` (one
    store for both). None when it became the pin (the server's first listing); else every tool
    added, removed or changed since approval, the list left pending, as the proxy leaves it,
    for `mcpir pins approve`. Definitions are redacted and compared as the proxy does."""
    current = [redact_definition(tool) for tool in tools if is_tool(tool)]
    pin = store.load(server)
    if pin is None:
        if store.pin_first(server, current):
            return None
        pin = store.load(server)  # a proxy pinned it meanwhile
    changes = differences(pin["tools"] if pin else [], current)
    if not changes:
        store.clear_pending(server)
        return []
    waiting = store.pending(server)
    if waiting is None or waiting["tools"] != current:
        store.set_pending(server, current)
    return changes
