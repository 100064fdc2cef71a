"""`--since`: how far back a command looks, as a span (`30m`, `12h`, `7d`, `2w`) or an ISO date.

One parser for every command that takes `--since`, so `audit` and `investigate` accept the
same words and refuse the same ones with the same message."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from mcpir.core.errors import UsageError

# ASCII digits only: `int()` would take a fullwidth "２" too, which nobody types on purpose.
_RELATIVE = re.compile(r"^\s*([0-9]+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
HINT = "e.g. 30m, 12h, 7d, 2w or 2026-11-01"


def parse_moment(text: str, now: datetime) -> datetime:
    """The moment `text` names: `now` minus a span, or an ISO date or time (UTC when it names
    no zone; an offset it names is kept). `UsageError` (one line) for anything else."""
    relative = _RELATIVE.match(text)
    if relative:
        try:
            return now - timedelta(**{_UNITS[relative[2]]: int(relative[1])})
        except (OverflowError, ValueError):  # 99999999999d: before year 1
            raise UsageError(
                f"--since {text!r}: too far back", hint="leave --since out to read everything"
            ) from None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--since {text!r}: not a duration or a date", hint=HINT) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
