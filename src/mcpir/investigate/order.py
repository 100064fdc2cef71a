"""Which file comes first: by the first timestamp inside it, so detectors see history in order."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from mcpir.investigate.events import parse_ts

_STAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?")
# Cline / Roo / Kilo messages carry epoch milliseconds: `"ts":1732530000000`.
_EPOCH = re.compile(rb'"ts":\s*(\d{10,13})\b')
_LATEST = datetime.max.replace(tzinfo=UTC)


def first_time(path: Path) -> datetime:
    try:
        with path.open("rb") as handle:
            head = handle.read(64 << 10)
    except OSError:
        return _LATEST
    stamp, epoch = _STAMP.search(head), _EPOCH.search(head)
    found = None
    if epoch and (stamp is None or epoch.start() < stamp.start()):
        found = parse_ts(int(epoch.group(1)))
    elif stamp:
        found = parse_ts(stamp.group().decode())
    return found or _LATEST
