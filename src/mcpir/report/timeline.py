"""The incident's timeline, from the journal: as a list of events and as a Mermaid diagram."""

from __future__ import annotations

import re

from mcpir.incident.entries import (
    Closed,
    Entry,
    Investigation,
    Opened,
    ProcessStopped,
    Restored,
    StepFinished,
)

MAX_FINDINGS = 8
MAX_TEXT = 110
# Mermaid's timeline grammar: a period stops at ":" or "#"; an event ends at ": ". Neither may
# hold a newline, and `<…>` would be read as HTML. So those are replaced, never passed through.
_UNSAFE = re.compile(r"[#;\n\r`<>{}\[\]\"]|:(?=\s)|%%")


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def events(found: list[Entry]) -> list[dict[str, str]]:
    out: list[tuple[str, int, str]] = []
    restores: dict[str, list[int]] = {}  # minute → [index in out, changes undone]
    for order, entry in enumerate(found):
        ts = entry.ts or ""
        if isinstance(entry, Opened):
            out.append((ts, order, f"incident opened: {entry.title}"))
        elif isinstance(entry, StepFinished):
            out.append((ts, order, f"{entry.step} {entry.status}: {entry.summary}"))
        elif isinstance(entry, ProcessStopped):
            out.append((ts, order, f"pid {entry.pid} ({entry.server}): {entry.outcome}"))
        elif isinstance(entry, Closed):
            out.append((ts, order, f"incident closed by {entry.by}: {entry.reason}"))
        elif isinstance(entry, Restored):
            minute = ts[:16]
            if minute not in restores:
                restores[minute] = [len(out), 0]
                out.append((ts, order, ""))
            at = restores[minute]
            at[1] += 1
            text = "restore: 1 change undone" if at[1] == 1 else f"restore: {at[1]} changes undone"
            out[at[0]] = (out[at[0]][0], out[at[0]][1], text)
        elif isinstance(entry, Investigation):
            high = [f for f in entry.findings if f.severity == "high" and f.time]
            high.sort(key=lambda f: f.time or "")
            out += [
                (
                    str(f.time),
                    order,
                    f"{f.rule.removeprefix('investigate/')} in session "
                    f"{(f.session or 'None')[:8]}: {f.message}",
                )
                for f in high[:MAX_FINDINGS]
            ]
    out.sort(key=lambda item: (_utc(item[0]), item[1]))
    return [{"ts": ts, "event": _short(text)} for ts, _, text in out]


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
