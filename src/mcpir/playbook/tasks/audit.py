"""Step 3, *audit*: who changed the project's MCP configs, and which secrets were ever committed.

Read-only: it walks the project repository's history (`mcpir audit`) and puts each
unauthorized change and each committed secret in the incident record, by fingerprint only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mcpir.playbook.tasks.base import Status, StepResult, TaskContext

if TYPE_CHECKING:
    from mcpir.audit.model import Change


def _since(value: object) -> str | None:
    return str(value) if value not in (None, "", False) else None


def _brings(change: Change) -> str:
    rules = sorted({finding.rule_id for finding in change.findings})
    return f" (brings {', '.join(rules)})" if rules else ""


class Audit:
    name = "audit"

    def run(self, ctx: TaskContext) -> StepResult:
        from mcpir.audit import run_audit
        from mcpir.audit.git import open_repo
        from mcpir.audit.run import AuditRequest
        from mcpir.core.errors import McpirError, UsageError

        root = ctx.scopes.root
        if root is None:
            return StepResult(Status.SKIPPED, "no project root: no git history to audit")
        try:
            open_repo(root)
        except UsageError as exc:
            return StepResult(Status.SKIPPED, f"no git history to audit: {exc.message}")
        request = AuditRequest(
            repo=root,
            since=_since(ctx.param("since")),
            all_refs=ctx.param("all_refs", False) is True,
            policy=ctx.policy,
            # The inventory check records what it sees; a dry run records nothing.
            scopes=None if ctx.dry_run else ctx.scopes,
            inventory=ctx.workspace.tokens,
        )
        try:
            report = run_audit(request)
        except McpirError as exc:
            return StepResult(Status.FAILED, f"audit stopped: {exc.message}")
        notes = [
            f"unauthorized: {change.commit[:12]} by {change.author} <{change.author_email}> "
            f"({change.date[:10]}) {change.path}: {change.summary()}{_brings(change)} — "
            + "; ".join(change.reasons)
            for change in report.unauthorized
        ]
        for secret in report.secrets:
            removed = f"removed in {secret.removed_in[:12]}" if secret.removed_in else "still there"
            added = secret.added_in[:12] if secret.added_in else "before the audited range"
            rotate = "; still in the token inventory; rotate it" if secret.in_inventory else ""
            notes.append(
                f"secret {secret.fingerprint} ({secret.provider}) committed to {secret.path} in "
                f"{added}, {removed}{rotate}"
            )
        notes += [f"warning: {warning}" for warning in report.warnings]
        notes += [f"not read: {s.commit[:12]}:{s.path}: {s.reason}" for s in report.skipped]
        # A path or author name from a commit is attacker-chosen: one note stays one line.
        notes = [note.replace("\n", "\\n").replace("\r", "\\r") for note in notes]
        summary = (
            f"{len(report.changes)} changes to MCP configs in {report.commits} commits: "
            f"{len(report.unauthorized)} unauthorized; {len(report.secrets)} secrets ever committed"
        )
        status = Status.OK if report.clean else Status.ATTENTION
        return StepResult(status, summary, notes=notes, findings=report.findings())


TASK = Audit()
