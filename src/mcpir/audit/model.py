"""What an audit reports: changes to MCP configs, secrets ever committed, what it could not read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcpir.audit.governance import PolicyChange
from mcpir.audit.history import printable
from mcpir.audit.reach import Reached
from mcpir.audit.semantic import ServerChange
from mcpir.core.model import Finding, Severity
from mcpir.core.redact import redact_text
from mcpir.core.rows import finding_row
from mcpir.scan.checks.base import Rule

JSON_VERSION = 1

UNAUTHORIZED = Rule(
    "audit/unauthorized-change",
    "MCP config changed by someone the policy does not authorize",
    Severity.MEDIUM,
    "A commit changed which MCP servers the project's AI assistants start, and its author is "
    "neither in `.mcpir.toml` `[audit] authorized` nor an owner of the file in CODEOWNERS (or "
    "the commit is unsigned or was not merged, when the policy requires it). Review the change; "
    "revert it if it is not intended. High when the change also brings scan findings.",
)
SECRET_IN_HISTORY = Rule(
    "audit/secret-in-history",
    "Secret committed to an MCP config",
    Severity.HIGH,
    "A credential was committed to an MCP config and stays in git history even after it is "
    "removed. Rotate it (`mcpir tokens rotate`); rewriting history does not un-leak it.",
)
RULES = (UNAUTHORIZED, SECRET_IN_HISTORY)


@dataclass
class Change:
    commit: str
    author: str
    author_email: str
    committer: str
    date: str
    signature: str
    reached: Reached
    path: str
    previous_path: str | None
    status: str  # added | modified | deleted | renamed | copied | type-changed | merge
    diff: Sequence[ServerChange | PolicyChange]
    findings: list[Finding]
    authorized: bool = True
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    location: Path | None = None
    line: int | None = None
    signer: str = ""  # the signature's identity (%GS), empty when unsigned

    def __post_init__(self) -> None:
        for name in ("author", "author_email", "committer", "path", "signer"):
            setattr(self, name, printable(getattr(self, name)))
        if self.previous_path is not None:
            self.previous_path = printable(self.previous_path)
        if self.location is not None:
            self.location = Path(printable(str(self.location)))

    @property
    def severity(self) -> Severity:
        if any(f.severity >= Severity.MEDIUM for f in self.findings):
            return Severity.HIGH
        return UNAUTHORIZED.severity

    def summary(self) -> str:
        parts = [item.describe() for item in self.diff[:4]]
        if len(self.diff) > 4:
            parts.append(f"{len(self.diff) - 4} more")
        return "; ".join(parts) or f"{self.status} (no server changed)"

    def to_json(self) -> dict[str, Any]:
        from mcpir.audit.authz import signature_status

        return {
            "commit": self.commit,
            "author": redact_text(f"{self.author} <{self.author_email}>"),
            "committer": redact_text(self.committer),
            "date": self.date,
            "signature": {
                "status": self.signature,
                "meaning": signature_status(self.signature),
                "signer": redact_text(self.signer) or None,
            },
            "reached": self.reached.to_json(),
            "path": redact_text(self.path),
            "previous_path": redact_text(self.previous_path) if self.previous_path else None,
            "status": self.status,
            "authorized": self.authorized,
            "reasons": [redact_text(r) for r in self.reasons],
            "diff": [item.to_json() for item in self.diff],
            "findings": [finding_row(f) for f in self.findings],
            "notes": [redact_text(n) for n in self.notes],
        }


@dataclass
class HistorySecret:
    fingerprint: str
    provider: str
    path: str
    added_in: str | None  # None: already there before --since
    added_by: str | None
    removed_in: str | None = None  # None: still in the file at the newest commit audited
    in_inventory: bool | None = None  # None: the inventory was not consulted
    line: int | None = None

    def __post_init__(self) -> None:
        self.path = printable(self.path)
        self.added_by = printable(self.added_by) if self.added_by else self.added_by

    @property
    def severity(self) -> Severity:
        if self.in_inventory or self.removed_in is None:
            return Severity.HIGH
        return Severity.MEDIUM

    def to_json(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "provider": self.provider,
            "path": redact_text(self.path),
            "added_in": self.added_in,
            "removed_in": self.removed_in,
            "added_by": redact_text(self.added_by) if self.added_by else None,
            "in_inventory": self.in_inventory,
            "must_rotate": bool(self.in_inventory),
        }


@dataclass(frozen=True)
class Skipped:
    commit: str
    path: str
    reason: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", printable(self.path))
        object.__setattr__(self, "reason", printable(self.reason))

    def to_json(self) -> dict[str, str]:
        return {
            "commit": self.commit,
            "path": redact_text(self.path),
            "reason": redact_text(self.reason),
        }


@dataclass
class AuditReport:
    repo: Path
    default_branch: str | None
    revs: list[str]
    commits: int  # commits that touched a config path
    changes: list[Change]
    secrets: list[HistorySecret]
    skipped: list[Skipped]
    warnings: list[str]
    quiet: int = 0  # changes to shared files that left every MCP server as it was

    def __post_init__(self) -> None:
        self.repo = Path(printable(str(self.repo)))

    @property
    def unauthorized(self) -> list[Change]:
        return [change for change in self.changes if not change.authorized]

    @property
    def clean(self) -> bool:
        return not self.unauthorized and not self.secrets

    def json_document(self) -> dict[str, Any]:
        return {
            "version": JSON_VERSION,
            "repository": str(self.repo),
            "default_branch": self.default_branch,
            "changes": [change.to_json() for change in self.changes],
            "secrets": [secret.to_json() for secret in self.secrets],
            "skipped": [item.to_json() for item in self.skipped],
            "warnings": [redact_text(w) for w in self.warnings],
        }

    def findings(self) -> list[Finding]:
        """The audit as findings: one per unauthorized change (and the scan findings it
        brought), one per committed secret. For the incident record and SARIF."""
        from mcpir.core.model import Location

        out: list[Finding] = []
        for change in self.unauthorized:
            where = Location(change.location or self.repo / change.path, change.line)
            message = (
                f"{change.commit[:12]} by {change.author} <{change.author_email}> changed "
                f"{change.path}: {change.summary()}; unauthorized: {'; '.join(change.reasons)}"
            )
            servers = sorted({item.server for item in change.diff if item.server})
            out.append(
                Finding(
                    UNAUTHORIZED.id,
                    change.severity,
                    message,
                    where,
                    server=", ".join(servers) or None,
                    evidence=f"commit {change.commit}",
                )
            )
            out += change.findings
        for secret in self.secrets:
            added = secret.added_in[:12] if secret.added_in else "before the audited range"
            removed = f"removed in {secret.removed_in[:12]}" if secret.removed_in else "still there"
            rotate = "; still in the token inventory; rotate it" if secret.in_inventory else ""
            out.append(
                Finding(
                    SECRET_IN_HISTORY.id,
                    secret.severity,
                    f"{secret.provider} secret {secret.fingerprint} committed to {secret.path} "
                    f"in {added} ({removed}){rotate}",
                    Location(self.repo / secret.path, secret.line),
                    evidence=secret.fingerprint,
                )
            )
        return out
