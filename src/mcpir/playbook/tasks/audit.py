"""Step 3, *audit*: who changed the project's MCP configs, and which secrets were ever committed.

Read-only: it walks the project repository's history (`mcpir audit`) and puts each
unauthorized change and each committed secret in the incident record, by fingerprint only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mcpir.core.words import plural
from mcpir.playbook.tasks.base import Status, StepResult, TaskContext

if TYPE_CHECKING:
    from mcpir.audit.git import Repo
    from mcpir.audit.model import Change
    from mcpir.incident.entries import Introduced


def _since(value: object) -> str | None:
    return str(value) if value not in (None, "", False) else None


def _brings(change: Change) -> str:
    rules = sorted({finding.rule_id for finding in change.findings})
    return f" (brings {', '.join(rules)})" if rules else ""


def _introduced(repo: Repo, change: Change) -> Introduced:
    """The change as the report's root cause names it; who merged it comes from git itself."""
    from mcpir.audit.history import printable
    from mcpir.core.redact import redact_text
    from mcpir.core.safe import one_line
    from mcpir.incident.entries import Introduced

    merged_by = merged_at = None
    if change.reached.merge:
        shown = repo.run(
            "show", "-s", "--format=%an <%ae>%x00%aI", change.reached.merge, check=False
        )
        who, _, when = shown.strip().partition("\0")
        # A name from a commit is the committer's choice: one printable line, secrets masked.
        merged_by = redact_text(one_line(printable(who))) or None
        merged_at = one_line(printable(when)) or None
    from mcpir.audit.semantic import ServerChange

    servers = tuple(redact_text(d.server) for d in change.diff if isinstance(d, ServerChange))
    return Introduced(
        commit=change.commit,
        author=redact_text(f"{change.author} <{change.author_email}>"),
        date=change.date,
        path=redact_text(change.path),
        servers=servers,
        summary=redact_text(change.summary()),
        reasons=tuple(redact_text(r) for r in change.reasons),
        via=change.reached.via,
        merge=change.reached.merge,
        merged_by=merged_by,
        merged_at=merged_at,
        pull_request=change.reached.pull_request,
    )


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
            repo = open_repo(root)
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
            f"{plural(len(report.changes), 'change')} to MCP configs in "
            f"{plural(report.commits, 'commit')}: {len(report.unauthorized)} unauthorized; "
            f"{plural(len(report.secrets), 'secret')} ever committed"
        )
        status = Status.OK if report.clean else Status.ATTENTION
        introduced = [_introduced(repo, change) for change in report.unauthorized]
        return StepResult(
            status, summary, notes=notes, findings=report.findings(), introduced=introduced
        )


TASK = Audit()
