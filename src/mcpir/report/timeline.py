"""The incident's timeline, from the journal: as a list of events and as a Mermaid diagram."""

from __future__ import annotations

import re
from typing import Any

MAX_FINDINGS = 8
MAX_TEXT = 110
# Mermaid's timeline grammar: a period stops at ":" or "#"; an event ends at ": ". Neither may
# hold a newline, and `<…>` would be read as HTML. So those are replaced, never passed through.
_UNSAFE = re.compile(r"[#;\n\r`<>{}\[\]\"]|:(?=\s)|%%")


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def events(records: list[dict[str, Any]]) -> list[dict[str, str]]:
    out: list[tuple[str, int, str]] = []
    restored: dict[str, int] = {}
    for order, record in enumerate(records):
        kind, ts = record.get("type"), str(record.get("ts") or "")
        if kind == "incident-opened":
            out.append((ts, order, f"incident opened: {record.get('title')}"))
        elif kind == "step-finished":
            out.append(
                (ts, order, f"{record.get('step')} {record.get('status')}: {record.get('summary')}")
            )
        elif kind == "process":
            out.append(
                (
                    ts,
                    order,
                    f"pid {record.get('pid')} ({record.get('server')}): {record.get('outcome')}",
                )
            )
        elif kind == "incident-closed":
            closed = f"incident closed by {record.get('by')}: {record.get('reason')}"
            out.append((ts, order, closed))
        elif kind == "restored":
            minute = ts[:16]
            if minute not in restored:
                restored[minute] = len(out)
                out.append((ts, order, "restore: 1 change undone"))
            else:
                at = restored[minute]
                count = int(out[at][2].split()[1]) + 1
                out[at] = (out[at][0], out[at][1], f"restore: {count} changes undone")
        elif kind == "investigation":
            rows = [r for r in _rows(record.get("findings")) if r.get("severity") == "high"]
            rows.sort(key=lambda r: str(r.get("time") or ""))
            out += [
                (
                    str(row["time"]),
                    order,
                    f"{str(row.get('rule')).removeprefix('investigate/')} in session "
                    f"{str(row.get('session'))[:8]}: {row.get('message')}",
                )
                for row in rows[:MAX_FINDINGS]
                if row.get("time")
            ]
    out.sort(key=lambda item: (_utc(item[0]), item[1]))
    return [{"ts": ts, "event": _short(text)} for ts, _, text in out]


def _rows(value: Any) -> list[dict[str, Any]]:  # noqa: ANN401
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _utc(ts: str) -> str:
    """Journal times carry +00:00, transcript times Z: one form for ordering."""
    return ts.replace("Z", "+00:00")


def _safe(text: str) -> str:
    from mcpir.core.safe import shown

    return " ".join(_UNSAFE.sub(" ", shown(text)).split()) or "-"


def mermaid(title: str, timeline: list[dict[str, str]]) -> str:
    lines = ["timeline", f"    title {_safe(title)}"]
    day = period = ""
    for event in timeline:
        ts = event["ts"]
        this_day, this_period = ts[:10], ts[11:13] + "h" + ts[14:16] + " UTC"
        if this_day != day:
            lines.append(f"    section {_safe(this_day)}")
            day, period = this_day, ""
        text = _safe(event["event"])
        if this_period != period:
            lines.append(f"        {_safe(this_period)} : {text}")
            period = this_period
        else:
            lines.append(f"            : {text}")
    return "\n".join(lines)
