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
MAX_LABEL = 40
# Mermaid's timeline grammar: a period stops at ":" or "#"; an event ends at ": ". Neither may
# hold a newline, and `<…>` would be read as HTML. So those are replaced, never passed through.
_UNSAFE = re.compile(r"[#;\n\r`<>{}\[\]\"]|:(?=\s)|%%")


def _short(text: str, limit: int = MAX_TEXT) -> str:
    """At most `limit` characters, cut at a word, never inside one."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def events(found: list[Entry]) -> list[dict[str, str]]:
    """Every event, oldest first: `event` says it whole, `kind` is its short label (what the
    Mermaid diagram groups by)."""
    out: list[tuple[str, int, str, str]] = []
    restores: dict[str, list[int]] = {}  # minute → [index in out, changes undone]
    for order, entry in enumerate(found):
        ts = entry.ts or ""
        if isinstance(entry, Opened):
            out.append((ts, order, "incident opened", f"incident opened: {entry.title}"))
        elif isinstance(entry, StepFinished):
            kind = f"{entry.step} {entry.status}"
            out.append((ts, order, kind, f"{kind}: {entry.summary}"))
        elif isinstance(entry, ProcessStopped):
            text = f"pid {entry.pid} ({entry.server}): {entry.outcome}"
            out.append((ts, order, "process stopped", text))
        elif isinstance(entry, Closed):
            text = f"incident closed by {entry.by}: {entry.reason}"
            out.append((ts, order, "incident closed", text))
        elif isinstance(entry, Restored):
            minute = ts[:16]
            if minute not in restores:
                restores[minute] = [len(out), 0]
                out.append((ts, order, "restore", ""))
            at = restores[minute]
            at[1] += 1
            text = "restore: 1 change undone" if at[1] == 1 else f"restore: {at[1]} changes undone"
            out[at[0]] = (*out[at[0]][:3], text)
        elif isinstance(entry, Investigation):
            high = [f for f in entry.findings if f.severity == "high" and f.time]
            high.sort(key=lambda f: f.time or "")
            for f in high[:MAX_FINDINGS]:
                rule = f.rule.removeprefix("investigate/")
                session = (f.session or "None")[:8]
                text = f"{rule} in session {session}: {f.message}"
                out.append((str(f.time), order, rule, text))
    out.sort(key=lambda item: (_utc(item[0]), item[1]))
    return [{"ts": ts, "kind": kind, "event": _short(text)} for ts, _, kind, text in out]


def _utc(ts: str) -> str:
    """Journal times carry +00:00, transcript times Z: one form for ordering."""
    return ts.replace("Z", "+00:00")


def _safe(text: str) -> str:
    from mcpir.core.safe import shown

    return " ".join(_UNSAFE.sub(" ", shown(text)).split()) or "-"


def mermaid(title: str, timeline: list[dict[str, str]]) -> str:
    """A Mermaid timeline: one line per kind of event per hour, with how many there were; the
    list under it in the document says each one whole."""
    lines = ["timeline", f"    title {_safe(title)}"]
    hours: dict[str, dict[str, int]] = {}
    for event in timeline:
        ts = event["ts"]
        kinds = hours.setdefault(ts[:13], {})
        kind = event.get("kind") or event["event"]
        kinds[kind] = kinds.get(kind, 0) + 1
    day = ""
    for hour, kinds in hours.items():
        if hour[:10] != day:
            day = hour[:10]
            lines.append(f"    section {_safe(day)}")
        labels = [
            _short(kind, MAX_LABEL) + (f" ×{n}" if n > 1 else "") for kind, n in kinds.items()
        ]
        lines.append(f"        {_safe(hour[11:13] + 'h UTC')} : {_safe(labels[0])}")
        lines += [f"            : {_safe(label)}" for label in labels[1:]]
    return "\n".join(lines)
