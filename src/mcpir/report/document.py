"""The ATOM incident document, built from the incident journal and nothing else.

Same journal, same document: every time in it comes from a journal record, and what the
journal could not know by itself (the owner, the monitoring checklist) is recorded in it by the
`document` step (a `document-inputs` record) before the document is written. The document
step's own records are left out, so `mcpir report` right after `respond` gives the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from mcpir.core.redact import redact_text, redact_value
from mcpir.incident.store import Incident

VERSION = 1
REFERENCE_NOTES = "ATOM-DOC-20260102-009-mcp-security-notes"
INPUTS = "document-inputs"
INVESTIGATION = "investigation"
_RANK = {"low": 1, "medium": 2, "high": 3}
_OPEN = {"attention", "failed", "unavailable", "interrupted"}
_FINGERPRINT = re.compile(r"((?:\S*…\()?sha256:[0-9a-f]{12}\)?)")


def rows(value: Any) -> list[dict[str, Any]]:  # noqa: ANN401
    """The objects of a journal list field; anything else (a hand-edited journal) is dropped."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _lines(value: Any) -> list[str]:  # noqa: ANN401
    return [str(item) for item in value] if isinstance(value, list) else []


def _inputs(records: list[dict[str, Any]]) -> dict[str, Any] | None:
    found = [r for r in records if r.get("type") == INPUTS]
    return found[-1] if found else None


def _without_document_step(
    records: list[dict[str, Any]], inputs: dict[str, Any] | None
) -> list[dict[str, Any]]:
    if inputs is None:
        return records
    step = inputs.get("step")
    return [
        r
        for r in records
        if r.get("type") != INPUTS
        and not (r.get("type") in {"step-started", "step-finished"} and r.get("step") == step)
    ]


def _steps(records: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each step's last `step-finished` record; a step started and never finished (the process
    died mid-step) is `interrupted`, so a crashed incident never reads as resolved."""
    steps: dict[str, dict[str, Any]] = {}
    started: dict[str, Any] = {}
    for record in records:
        if record.get("type") == "step-started":
            started[str(record.get("step"))] = record.get("ts")
        elif record.get("type") == "step-finished":
            steps[str(record.get("step"))] = record
            started.pop(str(record.get("step")), None)
    for step, ts in started.items():
        steps[step] = {
            "step": step,
            "status": "interrupted",
            "summary": f"started {ts} and never finished",
        }
    return steps


def _severity(steps: dict[str, dict[str, Any]], contained: bool) -> str:
    worst = 0
    for record in steps.values():
        for finding in rows(record.get("findings")):
            worst = max(worst, _RANK.get(str(finding.get("severity")), 0))
    if worst:
        return {1: "low", 2: "medium", 3: "high"}[worst]
    return "medium" if contained else "low"


def _contained(incident: Incident, root: str | None) -> dict[str, Any]:
    files = []
    try:
        changes = incident.journal.changes()
    except (KeyError, TypeError, ValueError):  # a change record edited by hand: not listed
        changes = []
    for change, state in changes:
        files.append(
            {
                "path": str(change.path),
                "op": change.op,
                "target": str(change.target) if change.target else None,
                "summary": redact_text(change.summary),
                "servers": list(change.servers),
                "state": state,
            }
        )
    processes = [
        {
            "pid": r.get("pid"),
            "server": r.get("server"),
            "command": redact_text(str(r.get("command", ""))),
            "outcome": r.get("outcome"),
        }
        for r in incident.journal.records()
        if r.get("type") == "process"
    ]
    applied = any(f["state"] == "applied" for f in files)
    where = f" --root {root}" if root else ""
    return {
        "files": files,
        "processes": processes,
        "undo": f"mcpir restore{where} {incident.id}" if applied else None,
    }


def _tokens(
    steps: dict[str, dict[str, Any]], records: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {
            "fingerprint": str(record["fingerprint"]),
            "state": "rotated",
            "detail": redact_text(str(record.get("summary", ""))),
        }
        for record in records
        if record.get("type") in {"token-rotated", "rotated"} and record.get("fingerprint")
    ]
    done = {t["fingerprint"] for t in out}
    rotate = steps.get("rotate")
    for note in _lines((rotate or {}).get("notes")):
        match = _FINGERPRINT.search(str(note))
        if match is None or match.group(1) in done:
            continue
        state = (
            "rotated" if re.search(r"\brotated\b", note) and "none is" not in note else "pending"
        )
        detail = redact_text(str(note)).removeprefix("needs you: ")
        out.append({"fingerprint": match.group(1), "state": state, "detail": detail})
        done.add(match.group(1))
    return out


def _step_block(steps: dict[str, dict[str, Any]], step: str) -> dict[str, Any]:
    record = steps.get(step)
    if record is None:
        return {
            "status": "not run",
            "summary": "this step did not run in this incident",
            "findings": [],
        }
    return {
        "status": record.get("status"),
        "summary": redact_text(str(record.get("summary", ""))),
        "notes": [redact_text(n) for n in _lines(record.get("notes"))],
        "findings": redact_value(rows(record.get("findings"))),
    }


def _investigation(
    steps: dict[str, dict[str, Any]], records: list[dict[str, Any]]
) -> dict[str, Any]:
    block = _step_block(steps, "investigate")
    found = [r for r in records if r.get("type") == INVESTIGATION]
    if found:
        last = found[-1]
        block["findings"] = redact_value(rows(last.get("findings")))
        block["since"] = last.get("since")
        block["sources"] = rows(last.get("sources"))
        malformed = last.get("malformed")
        block["malformed"] = malformed if isinstance(malformed, dict) else None
    return block


def build(incident: Incident, *, owner: str | None = None) -> dict[str, Any]:
    """The document as a JSON-ready structure (the Markdown is rendered from it)."""
    from mcpir.report.timeline import events, mermaid

    every = incident.journal.records()
    inputs = _inputs(every)
    records = _without_document_step(every, inputs)
    header = next((r for r in records if r.get("type") == "incident-opened"), {})
    steps = _steps(records)
    root = header.get("root")
    contained = _contained(incident, root)
    statuses = {str(r.get("status")) for r in steps.values()}
    closed = _closed(records)
    from mcpir.report import checklist

    items = rows((inputs or {}).get("checklist")) or checklist.unevaluated()
    timeline = events(records)
    document: dict[str, Any] = {
        "version": VERSION,
        "atom": incident.id,
        "title": redact_text(str(header.get("title") or incident.id)),
        "status": "closed" if closed else _status(statuses, contained["files"]),
        "closed": closed,
        "severity": _severity(steps, any(f["state"] == "applied" for f in contained["files"])),
        "owner": redact_text(str((inputs or {}).get("owner") or owner or "unknown")),
        "opened": header.get("ts"),
        "updated": records[-1].get("ts") if records else None,
        "home": header.get("home"),
        "root": root,
        "steps": [
            {
                "id": step,
                "task": r.get("task"),
                "status": r.get("status"),
                "summary": redact_text(str(r.get("summary", ""))),
            }
            for step, r in steps.items()
        ],
        "timeline": timeline,
        "mermaid": mermaid(incident.id, timeline),
        "contained": contained,
        "tokens": _tokens(steps, records),
        "history": _step_block(steps, "audit"),
        "investigation": _investigation(steps, records),
        "checklist": redact_value(list(items)),
    }
    document["summary"] = _summary(document)
    document["follow_ups"] = _follow_ups(document, steps)
    playbook = header.get("playbook") if isinstance(header.get("playbook"), dict) else {}
    document["references"] = [
        REFERENCE_NOTES,
        f"playbook: {playbook.get('path')} (sha256 {str(playbook.get('sha256'))[:12]})"
        if playbook
        else "playbook: not recorded",
        f"journal: .atom-trail/incidents/{incident.id}/journal.jsonl (append-only)",
        f"record: .atom-trail/incidents/{incident.id}/incident.json",
    ]
    return document


def _closed(records: list[dict[str, Any]]) -> dict[str, Any] | None:
    """`mcpir close`'s record, unless a restore came after it (then the files say the state)."""
    from mcpir.incident.store import CLOSED

    closed: dict[str, Any] | None = None
    for record in records:
        if record.get("type") == CLOSED:
            closed = {
                "ts": record.get("ts"),
                "by": redact_text(str(record.get("by") or "unknown")),
                "reason": redact_text(str(record.get("reason") or "")),
            }
        elif record.get("type") == "restored":
            closed = None
    return closed


def _status(statuses: set[str], files: list[dict[str, Any]]) -> str:
    """As `incident.json` says it: `mcpir restore` makes an incident (partly) restored."""
    states = {f["state"] for f in files}
    if "restored" in states:
        return "partly restored" if "applied" in states else "restored"
    return "open" if statuses & _OPEN or not statuses else "resolved"


def _summary(doc: dict[str, Any]) -> list[str]:
    lines = [
        f"Incident {doc['atom']} ({doc['title']}) was opened {doc['opened']}; it is {doc['status']}"
        f", severity {doc['severity']}."
    ]
    if doc["closed"]:
        closed = doc["closed"]
        lines.append(f"Closed {closed['ts']} by {closed['by']}: {closed['reason']}")
    lines += [f"{step['id']} ({step['status']}): {step['summary']}" for step in doc["steps"]]
    files = doc["contained"]["files"]
    undone = sum(f["state"] == "restored" for f in files)
    if undone:
        lines.append(f"{undone} of {len(files)} containment changes have since been undone.")
    return lines


def _follow_ups(doc: dict[str, Any], steps: dict[str, dict[str, Any]]) -> list[str]:
    out: list[str] = [
        f"rotate {token['detail']}" for token in doc["tokens"] if token["state"] == "pending"
    ]
    if doc["contained"]["undo"]:
        out.append(
            "review each disabled server before turning it back on; restart AI clients so they "
            f"drop the disabled servers; undo the containment with `{doc['contained']['undo']}`"
        )
    for step, record in steps.items():
        status = record.get("status")
        if status in ("failed", "interrupted"):  # a tuple: a hand-edited status may be a list
            out.append(f"finish the {step} step: mcpir respond --resume {doc['atom']}")
        elif status == "unavailable":
            out.append(f"{step}: this mcpir could not run it; do it by hand and note the result")
    out += _review(rows(doc["investigation"].get("findings")), "session")
    out += _review(rows(doc["history"].get("findings")), None)
    out += [
        f"checklist {item.get('id')}: {item.get('fix')}"
        for item in doc["checklist"]
        if item.get("status") == "fail"
    ]
    if any(item.get("status") == "unknown" for item in doc["checklist"]):
        out.append("evaluate the monitoring checklist (mcpir posture) and record each item")
    if doc["status"] not in ("closed", "restored"):
        out.append(f"once all of the above is done: mcpir close {doc['atom']} --reason TEXT")
    return [redact_text(line) for line in out]


def _review(findings: list[dict[str, Any]], by: str | None) -> list[str]:
    """One follow-up per session (investigation) or per place (audit) with high findings."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in findings:
        if row.get("severity") == "high":
            key = (str(row.get(by)) if by else "", str(row.get("path")))
            groups.setdefault(key, []).append(row)
    out = []
    for key, found in groups.items():
        lines = ", ".join(sorted({str(r.get("line")) for r in found}, key=lambda n: (len(n), n)))
        rules = ", ".join(sorted({str(r.get("rule")).removeprefix("investigate/") for r in found}))
        what = f"session {key[0]} ({key[1]}, line {lines})" if by else f"{key[1]}:{lines}"
        out.append(f"review {what}: {rules}; {found[0].get('message')}")
    return out
