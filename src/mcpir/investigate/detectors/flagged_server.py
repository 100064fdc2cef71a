"""Calls to servers that the scan, the audit or the tool pins flagged: one finding per session."""

from __future__ import annotations

from collections.abc import Iterable

from mcpir.investigate.detectors.base import Context, Hit, hit
from mcpir.investigate.events import Call, Event, Origin

NAME = "flagged-server-call"


class FlaggedServerCalls:
    name = NAME

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.first: dict[tuple[str | None, str], Origin] = {}
        self.count: dict[tuple[str | None, str], int] = {}
        self.tools: dict[tuple[str | None, str], set[str]] = {}

    def feed(self, event: Event, live: bool) -> Iterable[Hit]:
        if live and isinstance(event, Call) and event.server in self.ctx.flagged:
            key = (event.origin.session, event.server)
            self.first.setdefault(key, event.origin)
            self.count[key] = self.count.get(key, 0) + 1
            self.tools.setdefault(key, set()).add(event.tool)
        return ()

    def finish(self) -> Iterable[Hit]:
        for key, origin in self.first.items():
            server = key[1]
            flags = self.ctx.flagged[server]
            worst = max(flag.severity for flag in flags)
            reasons = "; ".join(sorted({flag.reason for flag in flags}))
            tools = ", ".join(sorted(self.tools[key]))
            count = self.count[key]
            yield hit(
                NAME,
                worst,
                f"{count} call{'s' if count != 1 else ''} to flagged server {server} ({tools}): "
                f"{reasons}",
                origin,
                server=server,
                tool=sorted(self.tools[key])[0],
            )


def make(ctx: Context) -> FlaggedServerCalls:
    return FlaggedServerCalls(ctx)
