"""SARIF 2.1.0 for GitHub code scanning: rules with help, results with file and line."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from mcpir import __version__
from mcpir.core.model import Finding, Severity
from mcpir.core.paths import Scopes
from mcpir.core.redact import redact_text
from mcpir.scan.checks import CHECKS
from mcpir.scan.checks.base import Rule
from mcpir.scan.engine import ScanReport

INFORMATION_URI = "https://github.com/mcpir/mcpir"
_LEVEL = {Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note"}
# GitHub ranks code-scanning alerts by this number (0-10): critical >= 9, high >= 7.
_SECURITY_SEVERITY = {Severity.HIGH: "8.0", Severity.MEDIUM: "5.5", Severity.LOW: "3.0"}


def _rule(rule: Rule) -> dict[str, object]:
    return {
        "id": rule.id,
        "name": "".join(part.title() for part in rule.id.split("-")),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.help},
        "help": {"text": rule.help, "markdown": f"**{rule.title}**\n\n{rule.help}"},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": {
            "security-severity": _SECURITY_SEVERITY[rule.severity],
            "tags": ["security", "mcp"],
        },
    }


def _artifact(path: Path, scopes: Scopes) -> dict[str, str]:
    root = scopes.root
    if root is not None and path.is_relative_to(root):
        return {"uri": path.relative_to(root).as_posix(), "uriBaseId": "%SRCROOT%"}
    return {"uri": path.absolute().as_uri()}


def _fingerprint(finding: Finding, uri: str) -> str:
    parts = (finding.rule_id, uri, finding.server or "", finding.tool or "", finding.message)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _message(finding: Finding) -> str:
    text = redact_text(finding.message)
    subject = finding.tool or finding.server
    if subject:
        text = f"{redact_text(subject)}: {text}"
    if finding.evidence:
        text += f" ({redact_text(finding.evidence)})"
    return text


def sarif_log(report: ScanReport, scopes: Scopes) -> str:
    """Suppressed findings are results too, each with an `external` suppression (`.mcpir.toml`
    or the --baseline file) that says why; the run's properties count them."""
    suppressed = [(finding, f".mcpir.toml: {rule.reason}") for finding, rule in report.suppressed]
    if report.baseline is not None:
        why = f"accepted in {report.baseline.name}"
        suppressed += [(finding, why) for finding in report.accepted]
    counts = {"suppressed": len(suppressed)}
    if report.baseline is not None:
        counts["baselineStale"] = report.stale
    return sarif_document(report.findings, scopes, suppressed=suppressed, counts=counts)


def sarif_document(
    findings: Iterable[Finding],
    scopes: Scopes,
    *,
    rules: Sequence[Rule] = (),
    message: Callable[[Finding], str] = _message,
    suppressed: Sequence[tuple[Finding, str]] = (),
    counts: Mapping[str, int] | None = None,
) -> str:
    """The whole SARIF document, built through typed models so a malformed log cannot be written.
    `rules`: rules of the caller's own (the audit's), listed before every scan check's rule;
    `message`: a finding's text, already made safe to show; `suppressed`: findings listed with
    a suppression (kind `external`, status `accepted`) and its justification; `counts`: the
    run's properties."""
    from sarif_pydantic import Sarif

    every = [*rules, *(check.rule for check in CHECKS)]
    index = {rule.id: number for number, rule in enumerate(every)}
    results = []
    listed: list[tuple[Finding, str | None]] = [(finding, None) for finding in findings]
    for finding, justification in [*listed, *suppressed]:
        artifact = _artifact(finding.location.path, scopes)
        location: dict[str, object] = {"artifactLocation": artifact}
        if finding.location.line:
            location["region"] = {"startLine": finding.location.line}
        results.append(
            {
                "ruleId": finding.rule_id,
                "ruleIndex": index[finding.rule_id],
                "level": _LEVEL[finding.severity],
                "message": {"text": message(finding)},
                "locations": [{"physicalLocation": location}],
                "partialFingerprints": {"mcpirFinding/v1": _fingerprint(finding, artifact["uri"])},
                "properties": {"security-severity": _SECURITY_SEVERITY[finding.severity]},
            }
        )
        if justification is not None:
            results[-1]["suppressions"] = [
                {"kind": "external", "status": "accepted",
                 "justification": redact_text(justification)}
            ]  # fmt: skip
    run: dict[str, object] = {
        "tool": {
            "driver": {
                "name": "mcpir",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(rule) for rule in every],
            }
        },
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    if counts is not None:
        run["properties"] = dict(counts)
    if scopes.root is not None:
        run["originalUriBaseIds"] = {"%SRCROOT%": {"uri": scopes.root.absolute().as_uri() + "/"}}
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    }
    model = Sarif.model_validate(document)
    rendered: str = model.model_dump_json(by_alias=True, exclude_none=True, indent=2)
    return rendered + "\n"
