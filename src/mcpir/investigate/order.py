"""Which file comes first: by the first timestamp inside it, so detectors see history in order."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from mcpir.investigate.events import parse_ts

_STAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?")
_LATEST = datetime.max.replace(tzinfo=UTC)


def first_time(path: Path) -> datetime:
    try:
        with path.open("rb") as handle:
            head = handle.read(64 << 10)
    except OSError:
        return _LATEST
    match = _STAMP.search(head)
    found = parse_ts(match.group().decode()) if match else None
    return found or _LATEST
