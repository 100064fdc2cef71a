"""Tools whose definitions changed after they were pinned (a "rug pull"), and the calls after."""

from __future__ import annotations

from collections.abc import Iterable

from mcpir.core.model import Severity
from mcpir.investigate.detectors.base import Context, Hit, hit
from mcpir.investigate.events import Call, Event, ToolChange
from mcpir.investigate.values import mask_distinctive

NAME = "tool-changed"


class ToolChanged:
    name = NAME

    def __init__(self, ctx: Context) -> None:
        self.changes: list[ToolChange] = []
        self.calls_after: dict[int, int] = {}

    def feed(self, event: Event, live: bool) -> Iterable[Hit]:
        if isinstance(event, ToolChange) and live:
            self.calls_after[len(self.changes)] = 0
            self.changes.append(event)
        elif isinstance(event, Call) and live and event.origin.ts is not None:
            for index, change in enumerate(self.changes):
                # Events arrive in file order: a call of the same session that comes after the
                # change record followed it, whatever its request time says.
                later = event.origin.session == change.origin.session or (
                    change.origin.ts is not None and event.origin.ts >= change.origin.ts
                )
                if change.server == event.server and change.tool in {None, event.tool} and later:
                    self.calls_after[index] += 1
        return ()

    def finish(self) -> Iterable[Hit]:
        for index, change in enumerate(self.changes):
            rules = ", ".join(change.rules)
            severity = Severity.HIGH if change.rules else Severity.MEDIUM
            what = f"{change.server}.{change.tool}" if change.tool else change.server
            calls = self.calls_after[index]
            message = f"tool {what} was {change.change} since it was pinned"
            message += f"; the new text trips {rules}" if rules else ""
            message += "; it was hidden from the client" if change.blocked else ""
            message += f"; {calls} call{'s' if calls != 1 else ''} to it followed"
            evidence = mask_distinctive((change.after or "")[:200]) or None
            yield hit(
                NAME,
                severity,
                message,
                change.origin,
                server=change.server,
                tool=change.tool,
                evidence=evidence,
            )


def make(ctx: Context) -> ToolChanged:
    return ToolChanged(ctx)
