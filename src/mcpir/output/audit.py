"""How an audit looks: a table for people, SARIF for code scanning (JSON is `json_document`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mcpir.audit.model import RULES, AuditReport, Change
from mcpir.core.model import Finding, Severity
from mcpir.core.safe import shown
from mcpir.core.words import plural

if TYPE_CHECKING:
    from rich.table import Table

_STYLE = {Severity.HIGH: "bold red", Severity.MEDIUM: "yellow", Severity.LOW: "cyan"}
_VIA = {"direct": "pushed to", "merge": "merged into", "pull-request": "PR into"}


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
    """The changes, then the secrets, each a table; `color` says the text goes to a terminal."""
    from rich.console import RenderableType

    from mcpir.output.terminal import blank, cell, rendered

    items: list[RenderableType] = []
    if report.changes:
        items += [_changes(report), blank()]
    if report.secrets:
        items += [_secrets(report), blank()]
    summary = (
        f"{plural(len(report.changes), 'change')} to MCP configs in "
        f"{plural(report.commits, 'commit')}: {len(report.unauthorized)} unauthorized; "
        f"{plural(len(report.secrets), 'secret')} ever committed"
    )
    if report.quiet:
        edits = plural(report.quiet, "edit")
        summary += f" ({edits} of shared settings files left MCP servers unchanged)"
    items.append(cell(summary))
    items += [
        cell(f"skipped {item.commit[:10]}:{item.path}: {item.reason}", "dim")
        for item in report.skipped
    ]
    return rendered(*items, tty=color)


def _changes(report: AuditReport) -> Table:
    from mcpir.audit.authz import signature_status
    from mcpir.output.terminal import cell, fit, lines, table

    branch = (report.default_branch or "HEAD").removeprefix("refs/heads/")
    branch = branch.removeprefix("refs/remotes/")
    # The reasons and findings are the row's point: they get the width, names and paths less
    # (the author's email is in the reasons when it matters).
    # The commit's date goes under it, so that 100 columns still leave the reasons room.
    drawn = fit(table("verdict", "commit", "author", "config", "what changed"),
                "what changed", min_width=36, caps={"author": 16, "config": 22})  # fmt: skip
    for change in report.changes:
        if change.authorized:
            verdict = cell("ok", "green")
        else:
            verdict = cell(change.severity.label, _STYLE[change.severity])
        path = change.path
        if change.previous_path:
            path = f"{change.previous_path} -> {path}"
        what = [
            cell(change.summary()),
            cell(f"{_reached(change, branch)}; {signature_status(change.signature)}", "dim"),
        ]
        what += [cell(f"unauthorized: {reason}", "red") for reason in change.reasons]
        what += [
            cell(f"{f.rule_id} ", _STYLE[f.severity]) + cell(f"{f.server or ''}: {f.message}")
            for f in change.findings
        ]
        what += [cell(note, "dim") for note in change.notes]
        drawn.add_row(
            verdict,
            lines(cell(change.commit[:10]), cell(change.date[:10], "dim")),
            cell(change.author or change.author_email),
            cell(f"{path} ({change.status})"),
            lines(*what),
        )
    return drawn


def _secrets(report: AuditReport) -> Table:
    """A row per secret ever committed; when it came and went, and whether it must be
    rotated, under one another in the last column."""
    from mcpir.output.terminal import cell, fit, lines, table

    drawn = fit(table("severity", "secret", "provider", "config", "history"), "history",
                min_width=24, caps={"config": 32})  # fmt: skip
    for secret in report.secrets:
        history = [
            cell(f"added in {secret.added_in[:10]}" if secret.added_in else "added before --since"),
            cell(f"removed in {secret.removed_in[:10]}" if secret.removed_in else "still there"),
        ]
        if secret.in_inventory:
            history.append(cell("still in the token inventory; rotate it", "bold red"))
        drawn.add_row(
            cell(secret.severity.label, _STYLE[secret.severity]),
            cell(secret.fingerprint),
            cell(secret.provider),
            cell(secret.path),
            lines(*history),
        )
    return drawn


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
    from mcpir.output.terminal import say

    for warning in report.warnings:  # masked as in the JSON document: it may quote an error
        say(f"mcpir: warning: {warning}", err=True)
