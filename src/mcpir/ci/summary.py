"""What the action shows people: the job summary (`$GITHUB_STEP_SUMMARY`), the pull request's
review comment, and the SARIF code scanning reads. Every text is attacker-chosen (a config, a
commit author): each is made one line, pipes and angle brackets escaped, so a finding cannot
forge a table row, a mention or HTML in the rendered Markdown."""

from __future__ import annotations

from pathlib import Path

from mcpir.ci.run import ActionOutcome, ActionRequest
from mcpir.core.model import Finding
from mcpir.core.safe import one_line
from mcpir.core.words import plural

MAX_ROWS = 50  # a summary is read by people; the SARIF and the result file hold them all
MARKER = "<!-- mcpir-action -->"


def cell(text: object) -> str:
    value = one_line(str(text)).replace("|", "\\|").replace("`", "'")
    return value.replace("<", "&lt;").replace(">", "&gt;").replace("@", "@\u200b")


def _where(finding: Finding, root: Path) -> str:
    path = finding.location.path
    shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    return f"{shown}:{finding.location.line}" if finding.location.line else shown


def markdown(request: ActionRequest, outcome: ActionOutcome) -> str:
    verdict = (
        f"**{plural(len(outcome.failing), 'finding')} at or above `{request.fail_on}`**: "
        "the job fails."
        if outcome.failing
        else f"Nothing at or above `{request.fail_on}`."
    )
    lines = [
        "## mcpir: MCP servers in this repository",
        "",
        verdict,
        "",
        "| | |",
        "|---|---|",
        f"| servers | {len([r for r in outcome.servers if 'name' in r])} |",
        f"| scan findings | {len(outcome.scan.findings)} |",
    ]
    if outcome.audit is None:
        lines.append(f"| audit | {cell(outcome.audit_scope)} |")
    else:
        lines += [
            f"| audit ({cell(outcome.audit_scope)}): unauthorized changes | "
            f"{len(outcome.audit.unauthorized)} |",
            f"| audit: secrets committed | {len(outcome.audit.secrets)} |",
        ]
    if outcome.posture is not None:
        failed = sum(item.status == "fail" for item in outcome.posture)
        lines.append(f"| posture items failing | {failed} of {len(outcome.posture)} |")
    if outcome.findings:
        lines += ["", "| severity | rule | where | finding |", "|---|---|---|---|"]
        for finding in outcome.findings[:MAX_ROWS]:
            subject = f"{finding.server}: " if finding.server else ""
            lines.append(
                f"| {finding.severity.label} | {cell(finding.rule_id)} | "
                f"{cell(_where(finding, request.root))} | {cell(subject + finding.message)} |"
            )
        if len(outcome.findings) > MAX_ROWS:
            lines.append(f"\n{len(outcome.findings) - MAX_ROWS} more in the SARIF and JSON.")
    if outcome.posture:
        lines += ["", "| posture | item | evidence |", "|---|---|---|"]
        lines += [f"| {item.status} | {cell(item.title)} | {cell(item.evidence)} |"
                  for item in outcome.posture]  # fmt: skip
    for error in outcome.errors:
        lines.append(f"\n> mcpir could not finish a step: {cell(error)}")
    if outcome.commented and outcome.commented.startswith("no review comment"):
        lines.append(f"\n> {cell(outcome.commented)}")
    return "\n".join(lines) + "\n"


def review_body(outcome: ActionOutcome) -> str:
    """The pull request comment: each server this pull request adds or whose description it
    changes, by commit, for a person to review before merging."""
    lines = [MARKER, "**mcpir**: this pull request changes which MCP servers AI assistants "
             "start here. Review each before merging:", ""]  # fmt: skip
    for change, what in outcome.introduced:
        who = "" if change.authorized else " (author not authorized by the policy)"
        lines.append(f"- `{cell(change.path)}`: {cell(what)} in {change.commit[:12]}{who}")
    related = [f for f in outcome.findings if f.severity >= 2]
    if related:
        lines += ["", f"{plural(len(related), 'finding')} at medium or above; see the job "
                  "summary and code scanning."]  # fmt: skip
    return "\n".join(lines) + "\n"


def sarif(request: ActionRequest, outcome: ActionOutcome) -> str:
    """One SARIF run for the scan and the audit together: code scanning takes one run per
    tool and category, so the two are not split."""
    from mcpir.audit.model import RULES
    from mcpir.core.paths import Scopes
    from mcpir.core.redact import redact_text
    from mcpir.output.sarif import sarif_document

    def message(finding: Finding) -> str:
        text = redact_text(finding.message)
        if finding.server and not finding.rule_id.startswith("audit/"):
            text = f"{redact_text(finding.server)}: {text}"
        if finding.evidence and not finding.rule_id.startswith("audit/"):
            text += f" ({redact_text(finding.evidence)})"
        return text

    report = outcome.scan
    suppressed = [(f, f".mcpir.toml: {rule.reason}") for f, rule in report.suppressed]
    scopes = Scopes(home=request.root, root=request.root)
    return sarif_document(outcome.findings, scopes, rules=RULES, message=message,
                          suppressed=suppressed,
                          counts={"suppressed": len(suppressed)})  # fmt: skip
