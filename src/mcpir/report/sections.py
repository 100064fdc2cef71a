"""The post-incident report's own sections, above the evidence: summary, impact, root cause,
metrics, action items, lessons learned.

Each is computed from what the journal knows (typed entries, never a step's prose) and says
"unknown" or "not run" where the evidence is missing. What only a person knows (impact in
words, lessons, who owns an action and by when) comes from `report edit` records, which win
over what is computed and survive every regeneration.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from mcpir.core.words import plural
from mcpir.incident.entries import Introduced, RecordedFinding, StepFinished

UNKNOWN = "unknown"
FLOW_RULES = ("investigate/cross-tool-flow", "investigate/secret-in-call")
CALL_RULES = (*FLOW_RULES, "investigate/flagged-server-call")
# Priority → days to the due date, counted from the day the incident was opened.
DUE_DAYS = {"P1": 0, "P2": 7, "P3": 30}
HUMAN = ("summary", "impact", "root_cause", "lessons")


def _when(ts: str | None) -> datetime | None:
    if not ts:
        return None
    try:
        moment = datetime.fromisoformat(ts.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _span(start: datetime | None, end: datetime | None) -> str | None:
    if start is None or end is None or end < start:
        return None
    minutes = int((end - start).total_seconds() // 60)
    if minutes == 0:
        return "under 1m"
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days}d"] if days else []
    parts += [f"{hours}h"] if hours or days else []
    return " ".join([*parts, f"{minutes}m"])


def _high(findings: tuple[RecordedFinding, ...], rules: tuple[str, ...]) -> list[RecordedFinding]:
    return [f for f in findings if f.rule in rules and f.severity == "high"]


def flows(investigation: tuple[RecordedFinding, ...]) -> list[dict[str, Any]]:
    """Each server and tool that data was sent to, with the calls that show it."""
    out: dict[str, dict[str, Any]] = {}
    for finding in _high(investigation, CALL_RULES):
        sink = f"{finding.server or 'a built-in tool'}.{finding.tool or '?'}"
        entry = out.setdefault(
            sink, {"to": sink, "calls": 0, "sessions": [], "leaks": 0, "evidence": []}
        )
        entry["calls"] += 1
        if finding.session and finding.session not in entry["sessions"]:
            entry["sessions"].append(finding.session)
        # A count under a name without "secret" in it: redaction masks such fields' values.
        entry["leaks"] += finding.rule == "investigate/secret-in-call"
        if len(entry["evidence"]) < 5:
            entry["evidence"].append(
                {"rule": finding.rule.removeprefix("investigate/"), "time": finding.time,
                 "message": finding.message, "from": finding.source, "read": finding.read}
            )  # fmt: skip
    return list(out.values())


def root_cause(steps: dict[str, StepFinished]) -> dict[str, Any]:
    audit = steps.get("audit")
    if audit is None:
        return {"status": "not run", "changes": []}
    return {"status": audit.status, "changes": [i.to_record() for i in audit.introduced]}


def metrics(
    opened: str | None,
    steps: dict[str, StepFinished],
    investigation: tuple[RecordedFinding, ...],
    introduced: tuple[Introduced, ...],
) -> dict[str, Any]:
    """First malicious activity, detection (the incident opened), containment, and the spans
    between them; a time the journal does not hold is None, never guessed."""
    seen = sorted(f.time for f in investigation if f.severity == "high" and f.time)
    first = seen[0] if seen else None
    contain = steps.get("contain")
    contained = contain.ts if contain and contain.status in {"changed", "ok"} else None
    return {
        "introduced": min((i.date for i in introduced if i.date), default=None),
        "first_malicious_activity": first,
        "detected": opened,
        "contained": contained,
        "time_to_contain": _span(_when(opened), _when(contained)),
        "exposure_window": _span(_when(first), _when(contained)),
    }


def _item(
    ident: str, what: str, priority: str, opened: datetime | None, owner: str
) -> dict[str, Any]:
    due = (opened + timedelta(days=DUE_DAYS[priority])).date().isoformat() if opened else None
    return {"id": ident, "action": what, "priority": priority, "owner": owner, "due": due,
            "status": "open"}  # fmt: skip


def action_items(doc: dict[str, Any], edits: dict[str, str]) -> list[dict[str, Any]]:
    """What must be done, most urgent first: a leaked or exposed token is P1 today."""
    opened = _when(doc.get("opened"))
    owner = str(doc.get("owner") or UNKNOWN)
    items: list[dict[str, Any]] = []
    pending = [t for t in doc["tokens"] if t["state"] == "pending"]
    if pending:
        what = f"rotate {plural(len(pending), 'token')}: " + ", ".join(
            t["fingerprint"] for t in pending
        )
        items.append(_item("rotate", what, "P1", opened, owner))
    elif doc.get("tokens_status") == "not run":
        items.append(_item("rotate", "list and rotate every token a server could read "
                           "(the rotate step did not run)", "P1", opened, owner))  # fmt: skip
    servers = sorted({s for c in doc["root_cause"]["changes"] for s in c.get("servers") or ()})
    if servers:
        what = "remove or pin " + ", ".join(servers) + " and revert the change that added it"
        items.append(_item("remove-server", what, "P1", opened, owner))
    if doc["contained"]["undo"]:
        what = "review each disabled server before turning any back on (mcpir restore)"
        items.append(_item("review-servers", what, "P2", opened, owner))
    if doc["impact"]["flows"]:
        what = "tell the owners of the data that left and check the receiving service's logs"
        items.append(_item("notify-owners", what, "P2", opened, owner))
    failing = [c for c in doc["checklist"] if c.get("status") in ("fail", UNKNOWN)]
    if failing:
        what = "monitoring checklist: " + ", ".join(str(c.get("id")) for c in failing)
        items.append(_item("checklist", what, "P2", opened, owner))
    what = "train the team on tool poisoning and reviewing MCP config changes"
    items.append(_item("training", what, "P3", opened, owner))
    for item in items:
        for field in ("owner", "due", "priority", "status"):
            value = edits.get(f"{field}.{item['id']}")
            if value is not None:
                item[field] = value
    return sorted(items, key=lambda item: (str(item["priority"]), item["id"] != "rotate"))


def by(change: dict[str, Any]) -> str:
    """ " by AUTHOR (DATE)", as far as the journal knows them."""
    author = change.get("author")
    known = f" by {author}" if author and author != UNKNOWN else ""
    return known + (f" ({str(change['date'])[:10]})" if change.get("date") else "")


def summary(doc: dict[str, Any]) -> list[str]:
    """Three sentences: what happened, what it reached, what was done."""
    changes = doc["root_cause"]["changes"]
    if changes:
        first = changes[0]
        names = ", ".join(first.get("servers") or ()) or "an MCP server"
        merged = f", merged by {first['merged_by']}" if first.get("merged_by") else ""
        happened = (
            f"{names} was added to {first['path']} without authorization in commit "
            f"{str(first['commit'])[:12]}{by(first)}{merged}."
        )
    elif doc["severity"] == UNKNOWN:
        happened = "What happened is not known yet: the steps that gather evidence did not run."
    else:
        happened = (
            f"The incident's findings are rated {doc['severity']}; "
            "no unauthorized config change was found."
        )
    impact = doc["impact"]
    if impact["flows"]:
        calls = sum(f["calls"] for f in impact["flows"])
        sinks = ", ".join(f["to"] for f in impact["flows"])
        secret = " including a secret" if any(f["leaks"] for f in impact["flows"]) else ""
        reached = f"{plural(calls, 'tool call')} sent data{secret} to {sinks}."
    elif impact["status"] == "not run":
        reached = "Whether data left is unknown: the investigate step did not run."
    else:
        reached = "No transcript or invocation log showed data sent to a flagged server."
    contained = doc["contained"]
    files = [f for f in contained["files"] if f["state"] in ("applied", "restored")]
    if contained["status"] == "not run":
        done = "Containment did not run."
    else:
        servers = sum(len(f["servers"]) for f in files)
        took = doc["metrics"]["time_to_contain"]
        pending = len([t for t in doc["tokens"] if t["state"] == "pending"])
        done = (
            f"mcpir disabled {plural(servers, 'server')} in {plural(len(files), 'file')}"
            + (f" ({took} after the incident was opened)" if took else "")
            + f"; {plural(pending, 'token')} await rotation."
        )
    return [happened, reached, done]
