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
    ReportEdit,
    Restored,
    StepFinished,
    StepStarted,
)
from mcpir.incident.store import Incident
from mcpir.report import sections

VERSION = 1
REFERENCE_NOTES = "ATOM-DOC-20260102-009-mcp-security-notes"
_RANK = {"low": 1, "medium": 2, "high": 3}
NOT_RUN = "not run"
_OPEN = {"attention", "failed", "unavailable", "interrupted", NOT_RUN}
_NOT_RUN = StepFinished("", NOT_RUN, "this step did not run in this incident")
# Statuses of a step that looked at what it was asked to: "skipped" (no git history) did not.
_RAN = {"changed", "ok", "attention"}
_EVIDENCE = ("audit", "investigate")
# The built-in playbook's steps, for journals opened before the header kept the playbook's own.
STEP_IDS = ("contain", "rotate", "audit", "investigate", "document")


def _inputs(found: list[Entry]) -> DocumentInputs | None:
    inputs = [e for e in found if isinstance(e, DocumentInputs)]
    return inputs[-1] if inputs else None


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
    """The worst finding so far. Without one, "low" only once the steps that look for evidence
    (audit, investigate) have run: a step that did not run found nothing, it did not clear."""
    worst = 0
    for result in steps.values():
        for finding in result.findings:
            worst = max(worst, _RANK.get(finding.severity, 0))
    if worst:
        return {1: "low", 2: "medium", 3: "high"}[worst]
    if contained:
        return "medium"
    looked = all(steps.get(step, _NOT_RUN).status in _RAN for step in _EVIDENCE)
    return "low" if looked else "unknown"


def _ran(steps: dict[str, StepFinished], step: str) -> bool:
    return step in steps and steps[step].status in _RAN


def _all_steps(
    steps: dict[str, StepFinished], header: Opened | None, writing: str | None
) -> list[dict[str, Any]]:
    """Every step the playbook has, in its order: those that did not run say so. The step
    writing this document (`writing`) is left out: it has not finished when it writes."""
    expected = [s for s in (header.steps if header and header.steps else STEP_IDS) if s != writing]
    order = expected + [step for step in steps if step not in expected]
    return [
        {
            "id": step,
            "task": steps[step].task if step in steps else None,
            "status": steps[step].status if step in steps else NOT_RUN,
            "summary": redact_text(steps[step].summary) if step in steps else _NOT_RUN.summary,
        }
        for step in order
    ]


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
    contain = next(
        (e for e in reversed(found) if isinstance(e, StepFinished) and e.step == "contain"), None
    )
    return {
        "status": contain.status if contain else NOT_RUN,
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
        return {"status": NOT_RUN, "summary": _NOT_RUN.summary, "findings": []}
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
    closed = _closed(found)
    writing = inputs.step if inputs else "document"
    statuses = {step["status"] for step in _all_steps(steps, header, writing)}
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
        "steps": _all_steps(steps, header, writing),
        "timeline": timeline,
        "mermaid": mermaid(incident.id, timeline),
        "contained": contained,
        "tokens": _tokens(steps),
        "tokens_status": steps["rotate"].status if "rotate" in steps else NOT_RUN,
        "history": _step_block(steps, "audit"),
        "investigation": _investigation(steps, found),
        "checklist": redact_value(items or checklist.unevaluated()),
    }
    edits = {e.field: e.value for e in found if isinstance(e, ReportEdit)}
    _postmortem(document, steps, found, edits)
    from mcpir.report.flow_graph import section

    reports = [e for e in found if isinstance(e, Investigation)]
    seen = reports[-1].findings if reports else steps.get("investigate", _NOT_RUN).findings
    flows = section(every, seen)
    if flows is not None:  # no key for a journal whose contain step recorded no flows
        document["flows"] = flows
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


def _postmortem(
    doc: dict[str, Any], steps: dict[str, StepFinished], found: list[Entry], edits: dict[str, str]
) -> None:
    """The report's sections above the evidence (see `sections`); a person's edit wins."""
    reports = [e for e in found if isinstance(e, Investigation)]
    investigate = steps.get("investigate")
    seen = reports[-1].findings if reports else investigate.findings if investigate else ()
    audit = steps.get("audit")
    introduced = audit.introduced if audit else ()
    doc["root_cause"] = sections.root_cause(steps)
    doc["impact"] = {
        "status": investigate.status if investigate else NOT_RUN,
        "flows": redact_value(sections.flows(seen)),
        "text": redact_text(edits["impact"]) if "impact" in edits else None,
    }
    doc["metrics"] = sections.metrics(doc["opened"], steps, seen, introduced)
    if "owner" in edits:
        doc["owner"] = redact_text(edits["owner"])
    doc["action_items"] = redact_value(sections.action_items(doc, edits))
    doc["overview"] = [redact_text(line) for line in sections.summary(doc)]
    for key in ("summary", "root_cause"):
        if key in edits:
            doc[f"{key}_text"] = redact_text(edits[key])
    doc["lessons"] = redact_text(edits["lessons"]) if "lessons" in edits else None


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
    out += [
        f"run the {step['id']} step, which did not run: "
        f"mcpir respond --incident {doc['atom']} --only {step['id']}"
        for step in doc["steps"]
        if step["status"] == NOT_RUN
    ]
    out += _review(entries.rows(doc["investigation"].get("findings")), "session")
    out += _review(entries.rows(doc["history"].get("findings")), None)
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
