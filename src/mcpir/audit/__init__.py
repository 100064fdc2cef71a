"""`mcpir audit`: who changed the project's MCP configs, what each change did, and which
secrets were ever committed to them. See `mcpir.audit.run` for how the history is read."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mcpir.audit.model import AuditReport
    from mcpir.audit.run import AuditRequest

__all__ = ["AuditReport", "AuditRequest", "run_audit"]


def run_audit(request: AuditRequest) -> AuditReport:
    """Audit one repository's history (loads git-walking code only when called)."""
    from mcpir.audit.run import run_audit as run

    return run(request)
