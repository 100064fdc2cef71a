"""The JSON shape of a finding, shared by `scan`, the journal and reports."""

from __future__ import annotations

from typing import Any

from mcpir.core.model import Finding
from mcpir.core.redact import redact_text


def finding_row(finding: Finding) -> dict[str, Any]:
    """The `--format json` contract for one finding; every text passes through redaction."""
    return {
        "rule": finding.rule_id,
        "severity": finding.severity.label,
        "message": redact_text(finding.message),
        "path": str(finding.location.path),
        "line": finding.location.line,
        "client": finding.client,
        "server": redact_text(finding.server) if finding.server else None,
        "tool": redact_text(finding.tool) if finding.tool else None,
        "evidence": redact_text(finding.evidence) if finding.evidence is not None else None,
    }
