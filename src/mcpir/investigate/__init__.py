"""`mcpir investigate`: read AI-assistant transcripts and MCP invocation logs, find what is odd.

Readers (`readers/`, one per source) turn each file into events, streamed line by line;
detectors (`detectors/`, one per rule) look at every event and report findings with file:line,
session and time. Events before `--since` are the baseline the detectors compare against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mcpir.config.project import Policy
from mcpir.core.durations import parse_moment
from mcpir.core.errors import UsageError
from mcpir.core.paths import Scopes
from mcpir.core.progress import SILENT, Progress
from mcpir.investigate.detectors.base import Context, Hit
from mcpir.investigate.events import Problems

if TYPE_CHECKING:
    from mcpir.scan.engine import ScanReport


def parse_since(text: str | None, now: datetime) -> datetime | None:
    """`30m`, `12h`, `7d`, `2w`, a date (`2026-11-01`) or an ISO time, in UTC; None means
    everything."""
    if text is None or not text.strip():
        return None
    since = parse_moment(text, now).astimezone(UTC)
    if since > now:
        # Every call would be baseline and none investigated: a typo, not a question.
        raise UsageError(f"--since {text!r}: in the future", hint="e.g. 7d or a past date")
    return since


@dataclass
class InvestigateRequest:
    scopes: Scopes
    since: datetime | None = None
    # Servers other steps flagged (the audit's unauthorized changes): server -> reason.
    flagged: dict[str, str] = field(default_factory=dict)
    progress: Progress = SILENT  # counts bytes read
    run_scan: bool = True
    # The scan of `scopes` already run (a playbook run's workspace); None: run here.
    scan: ScanReport | None = None


@dataclass(frozen=True)
class SourceSummary:
    source: str
    files: int
    bytes: int
    calls: int
    sessions: int


@dataclass
class InvestigateReport:
    since: datetime | None
    hits: list[Hit]
    sources: list[SourceSummary]
    problems: Problems
    calls: int = 0
    live_calls: int = 0


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def investigate(request: InvestigateRequest, policy: Policy) -> InvestigateReport:
    from mcpir.investigate.context import build_context
    from mcpir.investigate.detectors import DETECTORS
    from mcpir.investigate.events import Call, Malformed, Origin
    from mcpir.investigate.order import first_time
    from mcpir.investigate.readers import READERS

    ctx: Context = build_context(request, policy)
    detectors = [make(ctx) for make in DETECTORS]
    work = [(reader, path) for reader in READERS for path in reader.files(request.scopes)]
    sizes = {path: _size(path) for _, path in work}
    # Oldest first, so that a value is returned before it is sent, whatever the file names.
    work.sort(key=lambda item: (first_time(item[1]), str(item[1])))
    problems = Problems()
    hits: list[Hit] = []
    stats: dict[str, list[int]] = {}
    sessions: dict[str, set[str | None]] = {}
    calls = live_calls = 0
    request.progress.started("reading transcripts", sum(sizes.values()))
    try:
        for reader, path in work:
            row = stats.setdefault(reader.name, [0, 0, 0])
            row[0] += 1
            row[1] += sizes[path]
            try:
                for event in reader.read(path, request.progress.advanced):
                    if isinstance(event, Malformed):
                        problems.add(event)
                        continue
                    live = ctx.live(event.origin)
                    if isinstance(event, Call):
                        row[2] += 1
                        calls += 1
                        live_calls += live
                        sessions.setdefault(reader.name, set()).add(event.origin.session)
                    for detector in detectors:
                        hits.extend(detector.feed(event, live))
            except OSError as exc:  # unreadable, or gone since it was listed: say so, go on
                why = f"unreadable: {exc.strerror or type(exc).__name__}"
                problems.add(Malformed(Origin(reader.name, path, 1), why))
        for detector in detectors:
            hits.extend(detector.finish())
    finally:
        request.progress.finished()
    hits.sort(key=lambda h: h.sort_key)
    summaries = [
        SourceSummary(name, files, size, count, len(sessions.get(name, ())))
        for name, (files, size, count) in stats.items()
    ]
    return InvestigateReport(request.since, hits, summaries, problems, calls, live_calls)
