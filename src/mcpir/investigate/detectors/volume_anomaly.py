"""Call volume or hour of day far from the baseline before the window, and bursts of calls
right after an MCP config file changed.

Baseline: the calls before `--since`. A day in the window is anomalous when it has more calls
than the baseline's mean daily count plus three standard deviations (and at least twice the
mean, and ten more); an hour is unusual when the baseline (20 calls at least) never saw a call
within an hour of it. A burst: ten calls or more within 15 minutes after a config change.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from mcpir.core.model import Severity
from mcpir.investigate.detectors.base import Context, Hit, hit
from mcpir.investigate.events import Call, Event, Origin

NAME = "volume-anomaly"
BURST = "burst-after-config-change"
MIN_BASELINE_DAYS = 3
MIN_BASELINE_CALLS = 20
BURST_WINDOW = timedelta(minutes=15)
BURST_CALLS = 10


class VolumeAnomaly:
    name = NAME

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.base_days: Counter[date] = Counter()
        self.base_hours: Counter[int] = Counter()
        self.live_days: Counter[date] = Counter()
        self.first_of_day: dict[date, Origin] = {}
        self.odd_hours: dict[tuple[str | None, int], tuple[Origin, int]] = {}
        self.live_calls: list[tuple[datetime, Origin]] = []

    def feed(self, event: Event, live: bool) -> Iterable[Hit]:
        if not isinstance(event, Call) or event.origin.ts is None:
            return ()
        ts = event.origin.ts
        if not live:
            self.base_days[ts.date()] += 1
            self.base_hours[ts.hour] += 1
            return ()
        day = ts.date()
        self.live_days[day] += 1
        if day not in self.first_of_day or ts < (self.first_of_day[day].ts or ts):
            self.first_of_day[day] = event.origin
        key = (event.origin.session, ts.hour)
        found = self.odd_hours.get(key)
        self.odd_hours[key] = (found[0] if found else event.origin, (found[1] if found else 0) + 1)
        if self.ctx.config_changes:
            self.live_calls.append((ts, event.origin))
        return ()

    def finish(self) -> Iterable[Hit]:
        yield from self._days()
        yield from self._hours()
        yield from self._bursts()

    def _days(self) -> Iterable[Hit]:
        if len(self.base_days) < MIN_BASELINE_DAYS:
            return
        first, last = min(self.base_days), max(self.base_days)
        span = range((last - first).days + 1)
        counts = [self.base_days.get(first + timedelta(n), 0) for n in span]
        mean = statistics.fmean(counts)
        limit = max(mean + 3 * statistics.pstdev(counts), 2 * mean, mean + 10)
        for day, count in sorted(self.live_days.items()):
            if count > limit:
                yield hit(
                    NAME,
                    Severity.MEDIUM,
                    f"{count} tool calls on {day}, against {mean:.1f} a day before the window",
                    self.first_of_day[day],
                )

    def _hours(self) -> Iterable[Hit]:
        if sum(self.base_hours.values()) < MIN_BASELINE_CALLS:
            return
        for (_, hour), (origin, count) in sorted(
            self.odd_hours.items(), key=lambda item: (item[1][0].ts or datetime.min, item[0][1])
        ):
            if all(self.base_hours.get((hour + d) % 24, 0) == 0 for d in (-1, 0, 1)):
                yield hit(
                    NAME,
                    Severity.LOW,
                    f"{count} tool call{'s' if count != 1 else ''} at {hour:02d}h UTC, an "
                    "hour the baseline never saw calls at",
                    origin,
                )

    def _bursts(self) -> Iterable[Hit]:
        calls = sorted(self.live_calls, key=lambda item: item[0])
        for changed, where in sorted(self.ctx.config_changes):
            inside = [origin for ts, origin in calls if changed <= ts <= changed + BURST_WINDOW]
            if len(inside) >= BURST_CALLS:
                yield hit(
                    BURST,
                    Severity.MEDIUM,
                    f"{len(inside)} tool calls within 15 minutes after {where.path} changed "
                    f"({changed.isoformat(timespec='seconds')})",
                    inside[0],
                )


def make(ctx: Context) -> VolumeAnomaly:
    return VolumeAnomaly(ctx)
