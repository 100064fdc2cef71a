"""The ATOM incident document, built from the incident journal and nothing else.

Same journal, same document: every time in it comes from a journal record, and what the
journal could not know by itself (the owner, the monitoring checklist) is recorded in it by the
`document` step (a `document-inputs` record) before the document is written. The document
step's own records are left out, so `mcpir report` right after `respond` gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mcpir.core.redact import redact_text, redact_value
from mcpir.incident import entries
from mcpir.incident.entries import (
    Closed,
    DocumentInputs,
    Entry,
    Investigation,
    Opened,
    ProcessStopped,
    Restored,
    StepFinished,
    StepStarted,
)
from mcpir.incident.store import Incident

VERSION = 1
REFERENCE_NOTES = "ATOM-DOC-20260102-009-mcp-security-notes"
INPUTS = entries.INPUTS
INVESTIGATION = entries.INVESTIGATION
_RANK = {"low": 1, "medium": 2, "high": 3}
_OPEN = {"attention", "failed", "unavailable", "interrupted"}
rows = entries.rows


def _inputs(found: list[Entry]) -> DocumentInputs | None:
    inputs = [e for e in found if isinstance(e, DocumentInputs)]
    return inputs[-1] if inputs else None


def _without_document_step(found: list[Entry], inputs: DocumentInputs | None) -> list[Entry]:
    if inputs is None:
        return found
    return [
        e
        for e in found
        if not isinstance(e, DocumentInputs)
        and not (isinstance(e, StepStarted | StepFinished) and e.step == inputs.step)
    ]


def _steps(found: Iterable[Entry]) -> dict[str, StepFinished]:
    """Each step's last result; a step started and never finished (the process died mid-step)
    is `interrupted`, so a crashed incident never reads as resolved."""
    steps: dict[str, StepFinished] = {}
    started: dict[str, str | None] = {}
    for entry in found:
        if isinstance(entry, StepStarted):
            started[entry.step] = entry.ts
        elif isinstance(entry, StepFinished):
            steps[entry.step] = entry
            started.pop(entry.step, None)
    for step, ts in started.items():
        steps[step] = StepFinished(step, "interrupted", f"started {ts} and never finished")
    return steps


def _severity(steps: dict[str, StepFinished], contained: bool) -> str:
    worst = 0
    for result in steps.values():
        for finding in result.findings:
            worst = max(worst, _RANK.get(finding.severity, 0))
    if worst:
        return {1: "low", 2: "medium", 3: "high"}[worst]
    return "medium" if contained else "low"


def _contained(incident: Incident, found: list[Entry], root: str | None) -> dict[str, Any]:
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
            "pid": e.pid,
            "server": e.server,
            "command": redact_text(e.command),
            "outcome": e.outcome,
        }
        for e in found
        if isinstance(e, ProcessStopped)
    ]
    applied = any(f["state"] == "applied" for f in files)
    where = f" --root {root}" if root else ""
    return {
        "files": files,
        "processes": processes,
        "undo": f"mcpir restore{where} {incident.id}" if applied else None,
    }


def _tokens(steps: dict[str, StepFinished]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    done: set[str] = set()
    for result in steps.values():
        for token in result.tokens:
            if token.fingerprint in done:
                continue
            done.add(token.fingerprint)
            state = "rotated" if token.state == "rotated" else "pending"
            out.append(
                {
                    "fingerprint": token.fingerprint,
                    "state": state,
                    "detail": redact_text(token.detail),
                }
            )
    return out


def _step_block(steps: dict[str, StepFinished], step: str) -> dict[str, Any]:
    result = steps.get(step)
    if result is None:
        return {
            "status": "not run",
            "summary": "this step did not run in this incident",
            "findings": [],
        }
    return {
        "status": result.status,
        "summary": redact_text(result.summary),
        "notes": [redact_text(n) for n in result.notes],
        "findings": redact_value([dict(f.row) for f in result.findings]),
    }


def _investigation(steps: dict[str, StepFinished], found: list[Entry]) -> dict[str, Any]:
    block = _step_block(steps, "investigate")
    reports = [e for e in found if isinstance(e, Investigation)]
    if reports:
        last = reports[-1]
        block["findings"] = redact_value([dict(f.row) for f in last.findings])
        block["since"] = last.since
        block["sources"] = [dict(source) for source in last.sources]
        block["malformed"] = dict(last.malformed) if last.malformed is not None else None
    return block


def build(incident: Incident, *, owner: str | None = None) -> dict[str, Any]:
    """The document as a JSON-ready structure (the Markdown is rendered from it)."""
    from mcpir.report import checklist
    from mcpir.report.timeline import events, mermaid

    every = incident.journal.records()
    inputs = _inputs(entries.read(every))
    if inputs is not None:  # the document step's own records: see the module doc
        every = [r for r in every if entries.step_of(r) != inputs.step]
    found = entries.read(every)
    header = next((e for e in found if isinstance(e, Opened)), None)
    steps = _steps(found)
    root = header.root if header else None
    contained = _contained(incident, found, root)
    statuses = {result.status for result in steps.values()}
    closed = _closed(found)
    items = [dict(item) for item in inputs.checklist] if inputs else []
    timeline = events(found)
    document: dict[str, Any] = {
        "version": VERSION,
        "atom": incident.id,
        "title": redact_text((header.title if header else "") or incident.id),
        "status": "closed" if closed else _status(statuses, contained["files"]),
        "closed": closed,
        "severity": _severity(steps, any(f["state"] == "applied" for f in contained["files"])),
        "owner": redact_text(str((inputs.owner if inputs else None) or owner or "unknown")),
        "opened": header.ts if header else None,
        "updated": every[-1].get("ts") if every else None,
        "home": header.home if header else None,
        "root": root,
        "steps": [
            {
                "id": step,
                "task": result.task,
                "status": result.status,
                "summary": redact_text(result.summary),
            }
            for step, result in steps.items()
        ],
        "timeline": timeline,
        "mermaid": mermaid(incident.id, timeline),
        "contained": contained,
        "tokens": _tokens(steps),
        "history": _step_block(steps, "audit"),
        "investigation": _investigation(steps, found),
        "checklist": redact_value(items or checklist.unevaluated()),
    }
    document["summary"] = _summary(document)
    document["follow_ups"] = _follow_ups(document, steps)
    playbook = header.playbook if header and header.playbook else {}
    document["references"] = [
        REFERENCE_NOTES,
        f"playbook: {playbook.get('path')} (sha256 {str(playbook.get('sha256'))[:12]})"
        if playbook
        else "playbook: not recorded",
        f"journal: .atom-trail/incidents/{incident.id}/journal.jsonl (append-only)",
        f"record: .atom-trail/incidents/{incident.id}/incident.json",
    ]
    return document


def _closed(found: list[Entry]) -> dict[str, Any] | None:
    """`mcpir close`'s record, unless a restore came after it (then the files say the state)."""
    closed: dict[str, Any] | None = None
    for entry in found:
        if isinstance(entry, Closed):
            closed = {
                "ts": entry.ts,
                "by": redact_text(entry.by or "unknown"),
                "reason": redact_text(entry.reason),
            }
        elif isinstance(entry, Restored):
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


def _follow_ups(doc: dict[str, Any], steps: dict[str, StepFinished]) -> list[str]:
    out: list[str] = [
        f"rotate {token['detail']}" for token in doc["tokens"] if token["state"] == "pending"
    ]
    if doc["contained"]["undo"]:
        out.append(
            "review each disabled server before turning it back on; restart AI clients so they "
            f"drop the disabled servers; undo the containment with `{doc['contained']['undo']}`"
        )
    for step, result in steps.items():
        status = result.status
        if status in ("failed", "interrupted"):
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
