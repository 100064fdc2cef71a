"""The audit: one `git log` over the config paths, one `git cat-file --batch` for their blobs,
then each change parsed, diffed, checked and judged by the rules in force when it was made."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from mcpir.audit import authz, governance, semantic
from mcpir.audit.epochs import RulesInTime
from mcpir.audit.git import Repo, cat_blobs, default_branch, open_repo
from mcpir.audit.history import GITLINK, SYMLINK, Commit, RawChange, read_log
from mcpir.audit.model import AuditReport, Change, Skipped
from mcpir.audit.paths import client_of, excluded, is_config, shared
from mcpir.audit.reach import Reachability
from mcpir.audit.secrets import SecretTracker
from mcpir.audit.semantic import EMPTY, Version, diff, merge_own, new_findings, parse_version
from mcpir.config import codeowners
from mcpir.config.project import Policy, Suppression
from mcpir.core.durations import parse_moment
from mcpir.core.model import Finding
from mcpir.core.paths import Scopes
from mcpir.core.progress import SILENT, Progress
from mcpir.scan.checks.base import ScanContext
from mcpir.tokens.model import Token

STATUS = {"A": "added", "M": "modified", "D": "deleted", "R": "renamed", "C": "copied",
          "T": "type-changed", "merge": "merge"}  # fmt: skip


def parse_since(text: str, now: datetime | None = None) -> str:
    """`--since` (a span such as `30m` or `7d`, or an ISO date or time) as an ISO timestamp
    for git."""
    return parse_moment(text, now or datetime.now(UTC)).isoformat(timespec="seconds")


@dataclass
class AuditRequest:
    repo: Path
    since: str | None = None  # as given by the user
    all_refs: bool = False
    policy: Policy | None = None  # None: the repository's own .mcpir.toml
    scopes: Scopes | None = None  # where the token inventory looks; None: not consulted
    # The inventory of `scopes` when the caller already holds it; None: listed here if needed.
    inventory: Callable[[], Sequence[Token]] | None = None
    progress: Progress = SILENT


class _Versions:
    """Parsed blobs, each parsed once per path it appeared at."""

    def __init__(self, blobs: dict[str, bytes | str], root: Path) -> None:
        self.blobs, self.root = blobs, root
        self.cache: dict[tuple[str, str], Version] = {}
        self.reported: set[tuple[str, str]] = set()  # (commit, path) already listed as skipped

    def get(self, sha: str | None, path: str | None, mode: str = "") -> Version:
        if sha is None or path is None:
            return EMPTY
        if mode == GITLINK:
            return Version(error=f"a submodule (commit {sha[:12]}): not read")
        key = (sha, path) if mode != SYMLINK else (sha, SYMLINK)
        if key not in self.cache:
            data = self.blobs.get(sha, "missing object")
            self.cache[key] = (
                _link(data) if mode == SYMLINK else parse_version(data, path, self.root)
            )
        return self.cache[key]


def _link(data: bytes | str) -> Version:
    """A symlink at a config path: its target is named, never followed (in history it may
    point anywhere, and what it pointed at then is not what is there now)."""
    if isinstance(data, str):
        return Version(error=f"a symlink: {data}")
    target = data[:200].decode("utf-8", "replace")
    return Version(error=f"a symlink to {target!r}: not followed")


@dataclass(frozen=True)
class _Context:
    scan: ScanContext
    ignore: tuple[Suppression, ...]


def _revs(repo: Repo, all_refs: bool, default: str | None) -> list[str]:
    head = ["HEAD"] if repo.verify("HEAD") else []
    if all_refs:  # every branch and tag; not refs/stash, whose commits are nobody's change
        return ["--branches", "--tags", "--remotes", *head] if default or head else []
    return head or ([default] if default else [])


def run_audit(request: AuditRequest) -> AuditReport:
    try:
        return _run(request)
    finally:
        request.progress.finished()


def _run(request: AuditRequest) -> AuditReport:
    from mcpir.config.project import load_policy

    repo = open_repo(request.repo)
    since = parse_since(request.since) if request.since is not None else None
    policy = request.policy or (load_policy(repo.top) if repo.top else Policy())
    warnings: list[str] = []
    if repo.shallow:
        warnings.append(
            "shallow clone: history is partial, and the oldest commit kept shows every config "
            "as added (git fetch --unshallow for the whole history)"
        )
    default = default_branch(repo)
    revs = _revs(repo, request.all_refs, default)
    report = AuditReport(repo.root, default, revs, 0, [], [], [], warnings)
    if not revs:
        warnings.append("the repository has no commits yet")
        return report
    exclude = policy.discovery.exclude
    request.progress.started("reading history", None)
    seen = [0]

    def counted(total: int) -> None:  # git's count is a running total; progress takes steps
        request.progress.advanced(total - seen[0])
        seen[0] = total

    commits = read_log(repo, revs, _audited, since, counted)
    report.commits = len(commits)
    shas: list[str] = []
    for commit in commits:
        for change in commit.changes:
            if not excluded(change.path, exclude):
                blobs = (change.old_blob, *change.other_parents, change.new_blob)
                modes = change.modes or ("",) * len(blobs)
                shas += [s for s, m in zip(blobs, modes, strict=False) if s and m != GITLINK]
    request.progress.started("reading config versions", len(shas))
    versions = _Versions(cat_blobs(repo, shas), repo.root)
    reach = Reachability(repo, default)
    current = governance.Rules(policy.audit, codeowners.load(repo.top))
    if repo.top is None and request.policy is None and default:
        # A bare repository has no working tree: the rules on the default branch apply.
        tip = [f"{default}:{path}" for path in governance.PATHS]
        current = governance.rules_at(cat_blobs(repo, tip), default)
    times = RulesInTime(repo, current)
    times.prepare(commits)
    ctx = _Context(ScanContext(official_images=policy.scan.official_images), policy.scan.ignore)
    tracker = SecretTracker()
    boundary = repo.shallow_boundary()
    request.progress.started("checking changes", len(commits))
    groups: list[list[Change]] = []
    for commit in reversed(commits):  # oldest first, so secrets are added before removed
        groups.append([])
        for raw in commit.changes:
            if excluded(raw.path, exclude):
                continue
            policy_file = governance.is_governance(raw.path)
            if policy_file:
                found = _policy_change(commit, raw, versions, reach)
            else:
                found = _change(commit, raw, versions, report, tracker, ctx, reach)
            if found is None:
                report.quiet += 1
                continue
            if commit.sha in boundary:
                found.notes.append("shallow clone boundary: the whole file shows as added")
            _judge(found, commit, raw, times, reach, policy_file)
            groups[-1].append(found)
        request.progress.advanced(1)
    report.changes = [change for group in reversed(groups) for change in group]  # newest first
    report.secrets = tracker.found
    if report.secrets and request.scopes is not None:
        _inventory(report, request, exclude)
    return report


def _audited(path: str) -> bool:
    return is_config(path) or governance.is_governance(path)


def _judge(
    found: Change, commit: Commit, raw: RawChange, times: RulesInTime, reach: Reachability,
    policy_file: bool,
) -> None:  # fmt: skip
    """Authorize a change by the rules in force when it was made (see `mcpir.audit.epochs`)."""
    path = raw.path
    rules, notes = times.before(commit)
    current = times.current
    reasons = authz.reasons(commit, path, found.reached, rules.policy, rules.owners, reach.branch)
    found.authorized, found.reasons = not reasons, reasons
    if policy_file and rules is not current:
        notes.append("a change to who may change MCP configs: judged by the rules before it")
    elif rules is not current:
        now = authz.reasons(commit, path, found.reached, current.policy, current.owners,
                            reach.branch)  # fmt: skip
        if bool(now) != bool(reasons):
            notes.append(
                "not authorized by the rules at the time, though the current rules would allow it"
                if reasons
                else "authorized by the rules at the time, though the current rules would not"
            )
    found.notes += notes
    if policy_file and reasons:
        times.distrust(commit, raw, rules)


def _policy_change(
    commit: Commit, raw: RawChange, versions: _Versions, reach: Reachability
) -> Change | None:
    """A change to `[audit]` or CODEOWNERS (judged, like any change, by the rules before it)."""
    before = versions.blobs.get(raw.old_blob) if raw.old_blob else None
    after = versions.blobs.get(raw.new_blob) if raw.new_blob else None
    items = governance.diff(raw.path, before, after)
    if not items:
        return None
    return _record(commit, raw, reach, versions.root, list(items), [], [])


def _change(
    commit: Commit,
    raw: RawChange,
    versions: _Versions,
    report: AuditReport,
    tracker: SecretTracker,
    ctx: _Context,
    reach: Reachability,
) -> Change | None:
    from mcpir.scan.engine import suppression_for

    before = versions.get(raw.old_blob, raw.old_path, raw.old_mode)
    after = versions.get(raw.new_blob, raw.path, raw.new_mode)
    modes = raw.other_modes or ("",) * len(raw.other_parents)
    others = [
        versions.get(sha, raw.path, m) for sha, m in zip(raw.other_parents, modes, strict=False)
    ]
    tracker.see(commit, raw, before, after, others)
    notes = []
    for version, label in ((after, "after"), (before, "before")):
        if version.error:
            sha = commit.sha if label == "after" else (commit.parents[:1] or ("?",))[0]
            path = raw.path if label == "after" else raw.old_path or raw.path
            if (sha, path) not in versions.reported:
                versions.reported.add((sha, path))
                report.skipped.append(Skipped(sha, path, version.error))
            notes.append(f"the version {label} this change could not be read: {version.error}")
    items = diff(before, after) if not after.error else []
    if raw.status == "merge":
        items = merge_own(items, others)
        if not items:
            return None
    client = client_of(raw.path)
    if not items and not after.error and shared(raw.path, client):
        return None  # a settings file changed, its MCP servers did not
    scopes = Scopes(home=report.repo, root=report.repo)
    findings = [
        f for f in new_findings(items, ctx.scan) if suppression_for(f, ctx.ignore, scopes) is None
    ]
    first = next((i.after or i.before for i in items if i.after or i.before), None)
    line = first.line if first is not None else None
    return _record(commit, raw, reach, report.repo, items, findings, notes, line)


def _record(
    commit: Commit,
    raw: RawChange,
    reach: Reachability,
    root: Path,
    items: Sequence[semantic.ServerChange | governance.PolicyChange],
    findings: list[Finding],
    notes: list[str],
    line: int | None = None,
) -> Change:
    """One change to one file in one commit, as the report shows it."""
    return Change(
        commit=commit.sha,
        author=commit.author,
        author_email=commit.author_email,
        committer=f"{commit.committer} <{commit.committer_email}>",
        date=commit.date,
        signature=commit.signature,
        reached=reach.of(commit),
        path=raw.path,
        previous_path=raw.old_path if raw.old_path != raw.path else None,
        status=STATUS.get(raw.status, raw.status),
        diff=items,
        findings=findings,
        notes=notes,
        location=root / raw.path,
        line=line,
        signer=commit.signer,
    )


def _inventory(report: AuditReport, request: AuditRequest, exclude: tuple[str, ...]) -> None:
    """Mark each committed secret still in the token inventory: it must be rotated.

    The inventory is only consulted here, never written (`record=False`): whether a secret is
    still configured is the whole question, and the answer does not depend on recording it. So
    `audit --repo SOMEONE-ELSES-REPO` (a sandbox, a clone under review) with or without `--home`
    and `MCPIR_HOME` leaves the user's `inventory.json` as it was, rather than recording that
    repository's tokens as first seen today; `tokens list`, `tokens status` and `posture`, run
    on the user's own machine, still record them."""
    from mcpir.core.errors import McpirError
    from mcpir.tokens import list_tokens

    scopes = request.scopes
    assert scopes is not None  # noqa: S101 - only called with a scope to look in
    try:
        if request.inventory is not None:
            tokens = list(request.inventory())
        else:
            tokens = list_tokens(scopes, environ=scopes.environ, exclude=exclude, record=False)
    except McpirError as exc:
        report.warnings.append(f"token inventory not read: {exc.message}")
        return
    current = {token.fingerprint for token in tokens}
    for secret in report.secrets:
        secret.in_inventory = secret.fingerprint in current
