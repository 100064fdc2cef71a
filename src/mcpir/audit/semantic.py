"""A config as it was in one commit, and what a change did to its servers.

An old blob is parsed exactly as discovery parses the file today (same decoder, parser and
client extractor), so a server in history is the same `Server` the scan's checks read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcpir.audit.history import printable
from mcpir.audit.paths import client_of
from mcpir.core.documents import MAX_BYTES, PARSERS, DocumentError, decode
from mcpir.core.model import Finding, Scope, Server
from mcpir.scan.baseline import server_entry
from mcpir.scan.checks.base import ScanContext

ServerKey = tuple[str | int, ...]


@dataclass(frozen=True)
class SecretSeen:
    fingerprint: str
    provider: str


@dataclass
class Version:
    """One blob of a config file, parsed. `error`: why it could not be read as a config."""

    servers: dict[ServerKey, Server] = field(default_factory=dict)
    secrets: dict[str, SecretSeen] = field(default_factory=dict)
    error: str | None = None


EMPTY = Version()


def _strings(node: Any, key: str | None) -> Iterator[tuple[str | None, str]]:  # noqa: ANN401
    """(name a value sits under, value) for every string in a document; in a list, the
    `--flag` before a value names it, as on a command line."""
    if isinstance(node, str):
        yield key, node
    elif isinstance(node, Mapping):
        for name, value in node.items():
            yield from _strings(value, str(name))
    elif isinstance(node, list | tuple):
        previous: str | None = None
        for item in node:
            if isinstance(item, str):
                flag, equals, rest = item.partition("=")
                if item.startswith("-") and equals:
                    yield flag.lstrip("-"), rest
                else:
                    yield previous or key, item
                previous = item.lstrip("-") if item.startswith("-") and not equals else None
            else:
                yield from _strings(item, key)
                previous = None


def _secrets(pairs: Iterator[tuple[str | None, str]]) -> dict[str, SecretSeen]:
    from mcpir.secrets import find_secrets

    found: dict[str, SecretSeen] = {}
    for key, value in pairs:
        for hit in find_secrets(value, key):
            fp = hit.secret.fingerprint
            found.setdefault(fp, SecretSeen(fp, hit.provider))
    return found


def parse_version(data: bytes | str, path: str, root: Path) -> Version:
    """The servers and secrets in one blob of `path`. `data` is a reason when git could not
    give the blob. Malformed text is still searched for provider tokens line by line."""
    from mcpir.discovery import format_for
    from mcpir.discovery.shapes import build_server

    if isinstance(data, str):
        return Version(error=data)
    if len(data) > MAX_BYTES:
        return Version(error=f"too large: {len(data)} bytes (limit 5 MiB)")
    try:
        text = decode(data)
    except DocumentError as exc:
        return Version(error=str(exc))
    where = root / printable(path)  # what findings name: UTF-8, whatever bytes git had
    try:
        doc = PARSERS[format_for(where)](text)
    except DocumentError as exc:
        lines = ((None, line) for line in text.splitlines())
        return Version(secrets=_secrets(lines), error=str(exc))
    if not isinstance(doc.data, Mapping):
        kind = type(doc.data).__name__
        return Version(error=f"expected an object at the top level, found {kind}")
    client = client_of(path)
    servers = {
        entry.keys: build_server(entry, client, Scope.PROJECT, where, doc.line_of(entry.keys))
        for entry in client.extract(doc, where)
    }
    return Version(servers, _secrets(_strings(doc.data, None)))


@dataclass(frozen=True)
class ServerChange:
    server: str
    change: str  # added | removed | changed
    fields: dict[str, dict[str, Any]]  # field -> {"before": …, "after": …}, redacted
    after: Server | None
    before: Server | None

    def to_json(self) -> dict[str, Any]:
        from mcpir.core.redact import redact_text

        return {"server": redact_text(self.server), "change": self.change, "fields": self.fields}

    def describe(self) -> str:
        if self.change != "changed":
            return f"{self.change} {self.server}"
        return f"{self.server}: {', '.join(self.fields)} changed"


def _filled(value: Any) -> bool:  # noqa: ANN401
    return value not in (None, "", [], {})


def diff(before: Version, after: Version) -> list[ServerChange]:
    """Servers added, removed, or with their command, image, args, env names, URL or
    description changed (values redacted as in the baseline)."""
    changes: list[ServerChange] = []
    for key, server in after.servers.items():
        entry = server_entry(server)
        old = before.servers.get(key)
        if old is None:
            fields = {n: {"before": None, "after": v} for n, v in entry.items() if _filled(v)}
            changes.append(ServerChange(server.name, "added", fields, server, None))
            continue
        previous = server_entry(old)
        fields = {
            name: {"before": previous[name], "after": value}
            for name, value in entry.items()
            if previous[name] != value
        }
        if fields:
            changes.append(ServerChange(server.name, "changed", fields, server, old))
    for key, old in before.servers.items():
        if key not in after.servers:
            fields = {
                n: {"before": v, "after": None} for n, v in server_entry(old).items() if _filled(v)
            }
            changes.append(ServerChange(old.name, "removed", fields, None, old))
    return changes


def merge_own(changes: list[ServerChange], others: list[Version]) -> list[ServerChange]:
    """Of a merge's changes against its first parent, those no other parent brought: what
    the person merging wrote themselves."""

    def brought(change: ServerChange) -> bool:
        server = change.after or change.before
        key = server.keys if server is not None else ()
        for other in others:
            theirs = other.servers.get(key)
            if change.after is None and theirs is None:
                return True
            if change.after is not None and theirs is not None:
                if server_entry(theirs) == server_entry(change.after):
                    return True
        return False

    return [change for change in changes if not brought(change)]


def _check(server: Server, ctx: ScanContext) -> list[Finding]:
    from mcpir.scan.checks import CHECKS

    return [
        finding
        for check in CHECKS
        if check.on_server is not None
        for finding in check.on_server(server, ctx)
    ]


def new_findings(changes: list[ServerChange], ctx: ScanContext) -> list[Finding]:
    """Scan findings on the servers a change touched, as they stood after it, that the same
    server did not already have before it."""
    found: list[Finding] = []
    for change in changes:
        if change.after is None:
            continue
        old = {
            (f.rule_id, f.message, f.evidence)
            for f in (_check(change.before, ctx) if change.before else [])
        }
        found += [
            f for f in _check(change.after, ctx) if (f.rule_id, f.message, f.evidence) not in old
        ]
    return found
