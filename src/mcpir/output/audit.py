"""How an audit looks: a table for people, SARIF for code scanning (JSON is `json_document`)."""

from __future__ import annotations

import io
import sys

from mcpir.audit.model import RULES, AuditReport, Change
from mcpir.core.model import Finding, Severity
from mcpir.core.safe import one_line, shown

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
        who = one_line(f"{change.author} <{change.author_email}>")
        console.print(
            f"{mark}{change.commit[:10]}  {change.date[:10]}  {escape(who)}  "
            f"{escape(one_line(path))} ({change.status})"
        )
        lines = [escape(one_line(change.summary()))]
        lines.append(
            f"[dim]{escape(_reached(change, branch))}; "
            f"{escape(signature_status(change.signature))}[/]"
        )
        lines += [f"[red]unauthorized: {escape(one_line(r))}[/]" for r in change.reasons]
        for finding in change.findings:
            lines.append(
                f"[{_STYLE[finding.severity]}]{finding.rule_id}[/] "
                f"{escape(one_line(finding.server or ''))}: {escape(one_line(finding.message))}"
            )
        lines += [f"[dim]{escape(one_line(n))}[/]" for n in change.notes]
        for line in lines:
            console.print(f"       {line}")
    if report.changes:
        console.print()
    for secret in report.secrets:
        added = secret.added_in[:10] if secret.added_in else "before --since"
        removed = f"removed in {secret.removed_in[:10]}" if secret.removed_in else "still there"
        rotate = " [bold red]still in the token inventory; rotate it[/]" if (
            secret.in_inventory) else ""  # fmt: skip
        console.print(
            f"[{_STYLE[secret.severity]}]secret[/] {secret.fingerprint} ({secret.provider}) in "
            f"{escape(one_line(secret.path))}: added in {added}, {removed}{rotate}"
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
        where = escape(one_line(f"{item.commit[:10]}:{item.path}"))
        console.print(f"[dim]skipped {where}: {escape(one_line(item.reason))}[/]")
    return buffer.getvalue()


def _message(finding: Finding) -> str:
    text = shown(finding.message)
    if finding.server and not finding.rule_id.startswith("audit/"):
        text = f"{shown(finding.server)}: {text}"  # an audit finding names its servers itself
    return text


def sarif_log(report: AuditReport) -> str:
    """SARIF 2.1.0, built by the scan's builder: audit rules plus the scan rules changes brought."""
    from mcpir.core.paths import Scopes
    from mcpir.output.sarif import sarif_document

    scopes = Scopes(home=report.repo, root=report.repo)
    return sarif_document(report.findings(), scopes, rules=RULES, message=_message)


def warn(report: AuditReport) -> None:
    for warning in report.warnings:  # masked as in the JSON document: it may quote an error
        print(f"mcpir: warning: {shown(warning)}", file=sys.stderr)
