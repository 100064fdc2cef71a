"""`mcpir action`: one run of the GitHub Action, from the checked-out repository to its
SARIF, job summary, result file and exit status.

The scan reads the repository only: the runner's own home is not the repository's business,
so discovery gets an empty sandbox home (`--home` to name one). The audit reads a pull
request's commits (`base..HEAD`) on `pull_request`, the whole history on `schedule` and
`workflow_dispatch` (so an org sweep reports every secret ever committed), nothing on `push`
unless `--audit full`. The posture checklist runs on `schedule`, or when `--posture` asks.
"""

from __future__ import annotations

import enum
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mcpir.ci.event import Event
from mcpir.core.model import Finding, Severity
from mcpir.core.redact import redact_text

if TYPE_CHECKING:
    from mcpir.audit.model import AuditReport, Change
    from mcpir.core.paths import Scopes
    from mcpir.posture import PostureItem
    from mcpir.scan.engine import ScanReport


class FailOn(enum.StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    NEVER = "never"


class AuditMode(enum.StrEnum):
    AUTO = "auto"
    PULL = "pull"
    FULL = "full"
    OFF = "off"


@dataclass
class ActionRequest:
    root: Path
    event: Event
    fail_on: FailOn = FailOn.HIGH
    home: Path | None = None
    sarif: Path | None = None
    results: Path | None = None
    summary: Path | None = None
    audit: AuditMode = AuditMode.AUTO
    posture: bool | None = None  # None: on schedule only
    comment: bool = False
    api_url: str | None = None
    token: str | None = None


@dataclass
class ActionOutcome:
    scan: ScanReport
    servers: list[dict[str, Any]]
    audit: AuditReport | None
    audit_scope: str  # "pull request base..HEAD", "whole history", "not run"
    changes: list[Change]  # the audited changes (a pull request's own, on pull_request)
    posture: list[PostureItem] | None
    failing: list[Finding]  # at or above fail-on
    findings: list[Finding]  # everything, scan and audit
    commented: str | None = None  # "posted", or why not
    errors: list[str] = field(default_factory=list)

    @property
    def introduced(self) -> list[tuple[Change, str]]:
        """(change, what it did) for each server added or description changed."""
        out = []
        for change in self.changes:
            for item in change.diff:
                kind = getattr(item, "change", None)
                fields = getattr(item, "fields", {})
                if kind == "added" or (kind == "changed" and "description" in fields):
                    out.append((change, item.describe()))
        return out


def _audit_mode(request: ActionRequest) -> AuditMode:
    if request.audit is not AuditMode.AUTO:
        return request.audit
    if request.event.is_pull:
        return AuditMode.PULL
    if request.event.name in ("schedule", "workflow_dispatch"):
        return AuditMode.FULL
    return AuditMode.OFF


def _commits(root: Path, base: str) -> set[str]:
    from mcpir.ci.event import revision

    # Checked here too, and ended by `--end-of-options` (git 2.24+): `base` is the user's or
    # the event's, and git reads `--output=FILE..HEAD` as an option that writes FILE.
    revision(base, "the pull request's base")
    done = subprocess.run(  # noqa: S603 - a fixed argv, no shell
        ["git", "-C", str(root), "rev-list", "--end-of-options", f"{base}..HEAD"],  # noqa: S607
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        from mcpir.core.errors import UsageError

        raise UsageError(f"the pull request's base {base} is not in this clone",
                         hint="check out with fetch-depth: 0")  # fmt: skip
    return set(done.stdout.split())


def _audit(request: ActionRequest, scopes: Scopes, mode: AuditMode) -> tuple[
    AuditReport | None, list[Change], str]:  # fmt: skip
    if mode is AuditMode.OFF:
        return None, [], "not run"
    from mcpir.audit import run_audit
    from mcpir.audit.run import AuditRequest

    report = run_audit(AuditRequest(repo=request.root, scopes=scopes))
    if mode is AuditMode.FULL:
        return report, list(report.changes), "whole history"
    if not request.event.base:
        return None, [], "not run (no pull request base: give --base)"
    commits = _commits(request.root, request.event.base)
    report.changes = [c for c in report.changes if c.commit in commits]
    report.secrets = [s for s in report.secrets if s.added_in in commits]
    return report, list(report.changes), f"pull request {request.event.base[:12]}..HEAD"


def run(request: ActionRequest) -> ActionOutcome:
    from mcpir.config.project import load_policy
    from mcpir.core.paths import Scopes
    from mcpir.discovery.listing import list_servers, listing_rows
    from mcpir.scan.engine import ScanRequest, scan

    with tempfile.TemporaryDirectory(prefix="mcpir-action-home-") as empty:
        home = request.home or Path(empty)
        scopes = Scopes(home=home, root=request.root, only_root=True)
        policy = load_policy(request.root)
        listing = list_servers(scopes)
        report = scan(ScanRequest(scopes=scopes), policy, configs=listing.files)
        audit, changes, audit_scope = _audit(request, scopes, _audit_mode(request))
        posture = None
        if request.posture or (request.posture is None and request.event.name == "schedule"):
            from mcpir.posture import evaluate

            posture = evaluate(scopes, policy)
    # The audit's own findings only: the scan findings a change brought are the scan's too.
    own = [f for f in (audit.findings() if audit is not None else [])
           if f.rule_id.startswith("audit/")]  # fmt: skip
    findings = [*report.findings, *own]
    threshold = None if request.fail_on is FailOn.NEVER else Severity.parse(request.fail_on)
    failing = [f for f in findings if threshold is not None and f.severity >= threshold]
    return ActionOutcome(report, listing_rows(listing), audit, audit_scope, changes, posture,
                         failing, findings)  # fmt: skip


def relative_rows(rows: list[dict[str, Any]], root: Path) -> list[dict[str, Any]]:
    """Records with paths relative to the repository: the same file on any runner."""
    out = []
    for row in rows:
        row = dict(row)
        for key in ("path", "project"):
            path = Path(str(row.get(key, "")))
            if key in row and path.is_absolute() and path.is_relative_to(root):
                row[key] = path.relative_to(root).as_posix()
        out.append(row)
    return out


def _head(root: Path) -> str | None:
    """The commit checked out: an org sweep's matrix job checks out another repository than
    the one `GITHUB_SHA` names."""
    done = subprocess.run(  # noqa: S603 - a fixed argv, no shell
        ["git", "-C", str(root), "rev-parse", "--verify", "-q", "HEAD"],  # noqa: S607
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return done.stdout.strip() or None if done.returncode == 0 else None


def result_document(request: ActionRequest, outcome: ActionOutcome) -> dict[str, Any]:
    from mcpir.core.rows import finding_row
    from mcpir.org.results import document

    root = request.root
    return document(
        request.event.repository or root.name,
        _head(root) or request.event.sha,
        request.event.name,
        servers=relative_rows(outcome.servers, root),
        findings=relative_rows([finding_row(f) for f in outcome.scan.findings], root),
        audit=None if outcome.audit is None else outcome.audit.json_document(),
        posture=None if outcome.posture is None else [i.to_json() for i in outcome.posture],
        errors=[redact_text(e) for e in outcome.errors],
    )
