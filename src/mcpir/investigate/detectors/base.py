"""What a detector is, the context it works in, and the finding it reports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from mcpir.core.model import Finding, Location, Severity
from mcpir.investigate.events import Event, Origin


@dataclass(frozen=True)
class Flag:
    """Why a server is suspect before any transcript is read (scan, audit, pins)."""

    severity: Severity
    reason: str


@dataclass(frozen=True)
class Description:
    """A tool or server description the model was shown (pins, configs, changed tools)."""

    server: str
    tool: str | None
    text: str
    location: Location


@dataclass
class Context:
    since: datetime | None
    flagged: dict[str, list[Flag]] = field(default_factory=dict)
    descriptions: list[Description] = field(default_factory=list)
    config_changes: list[tuple[datetime, Location]] = field(default_factory=list)

    def live(self, origin: Origin) -> bool:
        """Inside the investigated window (an event without a time counts as inside)."""
        return self.since is None or origin.ts is None or origin.ts >= self.since


@dataclass(frozen=True)
class Flow:
    """Where the data a flow finding reports came from: the call that returned it, and what
    that call read (its path or URL argument, shown safely), when it named one."""

    source: str
    read: str | None = None


@dataclass(frozen=True)
class Hit:
    """A finding with the session and time it happened in."""

    finding: Finding
    session: str | None
    ts: datetime | None
    flow: Flow | None = None

    @property
    def sort_key(self) -> tuple[str, str, int, str, str]:
        location = self.finding.location
        when = self.ts.isoformat() if self.ts else ""
        return (
            when,
            str(location.path),
            location.line or 0,
            self.finding.rule_id,
            self.finding.message,
        )


def hit(
    name: str,
    severity: Severity,
    message: str,
    origin: Origin,
    *,
    server: str | None = None,
    tool: str | None = None,
    evidence: str | None = None,
    flow: Flow | None = None,
) -> Hit:
    finding = Finding(
        rule_id=f"investigate/{name}",
        severity=severity,
        message=message,
        location=origin.location,
        server=server,
        tool=tool,
        evidence=evidence,
        client=origin.source,
    )
    return Hit(finding, origin.session, origin.ts, flow)


def label(server: str | None, tool: str) -> str:
    return f"{server}.{tool}" if server else f"{tool} (built-in)"


class Detector(Protocol):
    name: str

    def feed(self, event: Event, live: bool) -> Iterable[Hit]:
        """Look at one event (`live`: inside the window; earlier events are the baseline)."""
        ...

    def finish(self) -> Iterable[Hit]:
        """What only the whole history shows."""
        ...
