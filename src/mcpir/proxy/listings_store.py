"""What `mcpir scan --live` keeps of each listing: the latest one per server, redacted, with its
time, in `<root>/.atom-trail/live-listings/`, next to the tool pins it is compared with; and the
`tool-changed` findings that comparison gives.

A listing is kept where the pins and the incidents of the project are, so `respond` and
`investigate` can cite what a server advertised without starting it again. Each file is sealed
with this machine's journal key, as a pin is: a listing a commit brought is not evidence.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from mcpir.core.model import Finding, Location, Server, Severity
from mcpir.proxy.pins import ToolChange, file_name
from mcpir.scan.checks.base import Rule

if TYPE_CHECKING:
    from mcpir.core.model import Tool
    from mcpir.proxy.pins import PinStore
    from mcpir.scan.engine import Listed

VERSION = 1
DIRECTORY = "live-listings"

TOOL_CHANGED = Rule(
    "tool-changed",
    "Tool changed since it was approved",
    Severity.MEDIUM,
    "A server advertises a tool that was added, removed or changed since its definitions were "
    "pinned (by `mcpir proxy` or the first `mcpir scan --live`): a server can change what it "
    "tells the model after it was trusted (a rug pull). Read the before → after difference; if "
    "the change is intended, accept it with `mcpir pins approve SERVER`.",
)


def _stamp(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def _line(text: str | None) -> str:
    return "(none)" if text is None else text.replace("\n", " | ")


def changed_findings(
    changes: Iterable[ToolChange], *, server: str, client: str | None, location: Location
) -> list[Finding]:
    """One `tool-changed` finding per change, with the before → after text as its evidence:
    high when the new text shows injection signs, low for a removed tool."""
    found = []
    for change in changes:
        severity = TOOL_CHANGED.severity
        if change.findings:
            severity = Severity.HIGH
        elif change.change == "removed":
            severity = Severity.LOW
        message = f"tool {change.tool!r} {change.change} since it was approved"
        if change.findings:
            message += "; injection signs: " + ", ".join(change.findings)
        message += f"; accept it with `mcpir pins approve {server}`"
        found.append(
            Finding(
                rule_id=TOOL_CHANGED.id,
                severity=severity,
                message=message,
                location=location,
                server=server,
                tool=change.tool,
                evidence=f"before: {_line(change.before)} → after: {_line(change.after)}",
                client=client,
            )
        )
    return found


class ListingStore:
    """The latest live listing of each (client, server) of one project."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def directory(self) -> Path:
        from mcpir.incident.store import TRAIL

        return self.root / TRAIL / DIRECTORY

    def path(self, server: str, client: str) -> Path:
        return self.directory / file_name(f"{client}.{server}")

    def _scope(self, path: Path) -> str:
        import os

        return f"listing\0{os.path.realpath(path.parent)}\0{path.name}"

    def save(
        self,
        *,
        server: str,
        client: str,
        transport: str,
        listing: Mapping[str, Any],
        error: str | None = None,
        epoch: float | None = None,
    ) -> Path:
        """Keep `listing` (redacted) as the latest of this server; returns the file."""
        from mcpir.core.fileio import atomic_write_text
        from mcpir.core.redact import redact_text, redact_value
        from mcpir.incident.store import trail
        from mcpir.incident.trust import seal
        from mcpir.proxy.framing import escape_surrogates

        trail(self.root, DIRECTORY)  # refuses a planted symbolic link
        path = self.path(server, client)
        body = {
            "version": VERSION,
            "server": server,
            "client": client,
            "transport": transport,
            "listed": _stamp(time.time() if epoch is None else epoch),
            "listing": redact_value(dict(listing)),
        }
        if error is not None:  # cut short: what was listed before it stopped
            body["error"] = redact_text(error)
        text = json.dumps(seal(self._scope(path), body), indent=2, ensure_ascii=False)
        atomic_write_text(path, escape_surrogates(text) + "\n", 0o600)
        return path

    def latest(self, server: str, client: str) -> dict[str, Any] | None:
        """The kept listing, with `sealed`: whether this machine's mcpir wrote it."""
        from mcpir.incident.trust import verified

        path = self.path(server, client)
        if path.is_symlink() or self.directory.is_symlink():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return None
        if not isinstance(data, dict):
            return None
        return data | {"sealed": verified(self._scope(path), data)}

    def every(self) -> list[dict[str, Any]]:
        """Every kept listing, by client and server."""
        if not self.directory.is_dir() or self.directory.is_symlink():
            return []
        kept = []
        for path in sorted(self.directory.glob("*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError, RecursionError):
                continue
            if isinstance(data, dict) and isinstance(data.get("server"), str):
                found = self.latest(data["server"], str(data.get("client")))
                if found is not None:
                    kept.append(found)
        return kept


class LiveListing(Protocol):
    """What `mcpir.live` gives for one server (`live.model.LiveResult`)."""

    @property
    def server(self) -> str: ...
    @property
    def client(self) -> str: ...
    @property
    def transport(self) -> str: ...
    @property
    def listing(self) -> dict[str, Any] | None: ...
    @property
    def error(self) -> str | None: ...
    @property
    def error_kind(self) -> str | None: ...


Texts = Callable[[Mapping[str, Any], str, Location], "list[Tool]"]


@dataclass
class Settled:
    """Live listings turned into what the scan reads: the texts to check, the tool-changed
    findings, the servers that could not be listed, and what could not be kept (warnings)."""

    listed: list[Listed] = field(default_factory=list)
    found: list[Finding] = field(default_factory=list)
    errors: list[dict[str, str | None]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def settle(
    results: Iterable[LiveListing],
    servers: Sequence[Server],
    *,
    pins: PinStore,
    listings: ListingStore,
    texts: Texts,
) -> Settled:
    """Compare each listing with its pin (the first becomes it), keep it, and gather its texts;
    `servers`: those that were listed, for the config location each finding points at."""
    from mcpir.core.redact import redact_text
    from mcpir.proxy.pins import compare_live, is_tool
    from mcpir.scan.engine import Listed

    where: dict[tuple[str, str], list[Server]] = {}
    for server in servers:
        where.setdefault((server.name, server.client), []).append(server)
    out = Settled()
    for result in results:
        config = where.get((result.server, result.client)) or []
        location = config.pop(0).location if config else Location(listings.root)
        if result.error is not None or result.listing is None:
            error = redact_text(result.error or "no listing")
            out.errors.append({"server": result.server, "client": result.client,
                               "kind": result.error_kind, "error": error})  # fmt: skip
        if result.listing is None:
            continue
        tools = [t for t in result.listing.get("tools") or [] if is_tool(t)]
        names = frozenset(str(t["name"]) for t in tools)
        checked = tuple(texts(result.listing, result.server, location))
        out.listed.append(Listed(result.client, checked, names))
        try:
            # A listing cut short (a bound, a page that failed) would show tools as removed.
            changes = compare_live(pins, result.server, tools) if result.error is None else []
            listings.save(server=result.server, client=result.client, transport=result.transport,
                          listing=result.listing, error=result.error)  # fmt: skip
        except OSError as exc:
            out.warnings.append(f"{result.server}: listing not kept ({exc.strerror or exc})")
            continue
        if changes:
            out.found += changed_findings(
                changes, server=result.server, client=result.client, location=location
            )
    return out
