"""How an audit looks: a table for people, SARIF for code scanning (JSON is `json_document`)."""

from __future__ import annotations

import hashlib
import io

from mcpir.audit.model import RULES, AuditReport, Change
from mcpir.model import Severity
from mcpir.output.safe import shown

_STYLE = {Severity.HIGH: "bold red", Severity.MEDIUM: "yellow", Severity.LOW: "cyan"}
_VIA = {"direct": "pushed to", "merge": "merged into", "pull-request": "PR into"}


def _plural(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _reached(change: Change, branch: str) -> str:
    reached = change.reached
    if not reached.on_default or reached.via is None:
        return f"not on {branch}"
    text = f"{_VIA[reached.via]} {branch}"
    if reached.pull_request is not None:
        text = f"PR #{reached.pull_request} into {branch}"
    if reached.merge:
        text += f" ({reached.merge[:7]})"
    return text


def render_table(report: AuditReport, *, color: bool) -> str:
    from rich.console import Console
    from rich.markup import escape

    from mcpir.audit.authz import signature_status

    buffer = io.StringIO()
    console = Console(
        file=buffer, highlight=False, force_terminal=color, no_color=not color, soft_wrap=True
    )
    branch = (report.default_branch or "HEAD").removeprefix("refs/heads/")
    branch = branch.removeprefix("refs/remotes/")
    for change in report.changes:
        if change.authorized:
            mark = "[green]ok    [/] "
        else:
            mark = f"[{_STYLE[change.severity]}]{change.severity.label:<6}[/] "
        path = change.path
        if change.previous_path:
            path = f"{change.previous_path} -> {path}"
        who = shown(f"{change.author} <{change.author_email}>")
        console.print(
            f"{mark}{change.commit[:10]}  {change.date[:10]}  {escape(who)}  "
            f"{escape(shown(path))} ({change.status})"
        )
        lines = [escape(shown(change.summary()))]
        lines.append(
            f"[dim]{escape(_reached(change, branch))}; "
            f"{escape(signature_status(change.signature))}[/]"
        )
        lines += [f"[red]unauthorized: {escape(shown(r))}[/]" for r in change.reasons]
        for finding in change.findings:
            lines.append(
                f"[{_STYLE[finding.severity]}]{finding.rule_id}[/] "
                f"{escape(shown(finding.server or ''))}: {escape(shown(finding.message))}"
            )
        lines += [f"[dim]{escape(shown(n))}[/]" for n in change.notes]
        for line in lines:
            console.print(f"       {line}")
    if report.changes:
        console.print()
    for secret in report.secrets:
        added = secret.added_in[:10] if secret.added_in else "before --since"
        removed = f"removed in {secret.removed_in[:10]}" if secret.removed_in else "still there"
        rotate = " [bold red]still in the token inventory: rotate it[/]" if (
            secret.in_inventory) else ""  # fmt: skip
        console.print(
            f"[{_STYLE[secret.severity]}]secret[/] {secret.fingerprint} ({secret.provider}) in "
            f"{escape(shown(secret.path))}: added in {added}, {removed}{rotate}"
        )
    if report.secrets:
        console.print()
    summary = (
        f"{_plural(len(report.changes), 'change')} to MCP configs in "
        f"{_plural(report.commits, 'commit')}: {len(report.unauthorized)} unauthorized; "
        f"{_plural(len(report.secrets), 'secret')} ever committed"
    )
    if report.quiet:
        summary += f" ({report.quiet} edits of shared settings files left MCP servers unchanged)"
    console.print(summary)
    for item in report.skipped:
        where = escape(shown(f"{item.commit[:10]}:{item.path}"))
        console.print(f"[dim]skipped {where}: {escape(shown(item.reason))}[/]")
    return buffer.getvalue()


def sarif_log(report: AuditReport) -> str:
    """SARIF 2.1.0, built like the scan's: audit rules plus the scan rules changes brought."""
    from sarif_pydantic import Sarif

    from mcpir import __version__
    from mcpir.checks import CHECKS
    from mcpir.output.sarif import _LEVEL, _SECURITY_SEVERITY, INFORMATION_URI, _artifact, _rule
    from mcpir.paths import Scopes

    rules = [*RULES, *(check.rule for check in CHECKS)]
    index = {rule.id: number for number, rule in enumerate(rules)}
    scopes = Scopes(home=report.repo, root=report.repo)
    results = []
    for finding in report.findings():
        uri = _artifact(finding.location.path, scopes)
        location: dict[str, object] = {"artifactLocation": uri}
        if finding.location.line:
            location["region"] = {"startLine": finding.location.line}
        text = shown(finding.message)
        if finding.server and not finding.rule_id.startswith("audit/"):
            text = f"{shown(finding.server)}: {text}"
        parts = (finding.rule_id, uri["uri"], finding.server or "", finding.message)
        results.append(
            {
                "ruleId": finding.rule_id,
                "ruleIndex": index[finding.rule_id],
                "level": _LEVEL[finding.severity],
                "message": {"text": text},
                "locations": [{"physicalLocation": location}],
                "partialFingerprints": {
                    "mcpirFinding/v1": hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
                },
                "properties": {"security-severity": _SECURITY_SEVERITY[finding.severity]},
            }
        )
    run: dict[str, object] = {
        "tool": {
            "driver": {
                "name": "mcpir",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(rule) for rule in rules],
            }
        },
        "results": results,
        "columnKind": "unicodeCodePoints",
        "originalUriBaseIds": {"%SRCROOT%": {"uri": report.repo.absolute().as_uri() + "/"}},
    }
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    }
    model = Sarif.model_validate(document)
    rendered: str = model.model_dump_json(by_alias=True, exclude_none=True, indent=2)
    return rendered + "\n"
