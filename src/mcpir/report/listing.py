"""Every incident of a project, newest first, as `mcpir report --list` shows them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mcpir.core.errors import McpirError
from mcpir.core.redact import redact_text
from mcpir.incident.store import CHANGE, Incident, incident_names, incidents_dir, kind_of


def incidents(root: Path) -> list[dict[str, Any]]:
    from mcpir.report.document import build

    base = incidents_dir(root)
    names = incident_names(root)
    rows = []
    for name in sorted(names, key=lambda n: (n[9:21], n), reverse=True):
        incident = Incident(name, base / name)
        journal = incident.journal.path
        if journal.is_symlink() or not journal.is_file():
            # One broken incident must not hide the others: listed, marked, never read.
            rows.append(_unreadable(name, base))
            continue
        opening = incident.journal.opening()
        if opening is None:
            why = "not opened by mcpir on this machine: not read"
            rows.append(_unreadable(name, base, why, "untrusted"))
            continue
        if kind_of(name, opening) == CHANGE:
            continue  # an earlier mcpir's change set under an ATOM-INC id: not an incident

        try:
            document = build(incident)
        except (OSError, McpirError):
            rows.append(_unreadable(name, base))
            continue
        rows.append(
            {
                "id": name,
                "title": redact_text(str(document["title"])),
                "opened": document["opened"],
                "status": document["status"],
                "severity": document["severity"],
                "steps": {step["id"]: step["status"] for step in document["steps"]},
                "document": str(base / name / f"{name}.md"),
            }
        )
    return rows


def _unreadable(
    name: str,
    base: Path,
    why: str = "journal missing or unreadable",
    status: str = "unreadable",
) -> dict[str, Any]:
    return {
        "id": name,
        "title": f"({why})",
        "opened": None,
        "status": status,
        "severity": "-",
        "steps": {},
        "document": str(base / name / f"{name}.md"),
    }
