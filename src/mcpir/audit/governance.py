"""Changes to who may change MCP configs: `.mcpir.toml` `[audit]` and CODEOWNERS.

Every change, to a config or to these rules, is judged by the rules as they stood before it
(`mcpir.audit.epochs`), so an author cannot authorize themselves: adding your own address to
`[audit] authorized` is flagged unless you were already allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcpir.config import codeowners
from mcpir.config.codeowners import CodeOwners
from mcpir.config.project import FILENAME, AuditPolicy

PATHS = (FILENAME, *codeowners.LOCATIONS)


def is_governance(path: str) -> bool:
    return path in PATHS


@dataclass(frozen=True)
class Rules:
    """The authorization rules in force at one commit."""

    policy: AuditPolicy
    owners: CodeOwners

    @property
    def names_anyone(self) -> bool:
        return bool(self.policy.authorized) or bool(self.owners.rules)


def _text(data: bytes | str | None) -> str | None:
    if not isinstance(data, bytes):
        return None
    return data.decode("utf-8", "replace")


def audit_policy(data: bytes | str | None) -> AuditPolicy:
    """The `[audit]` section of a `.mcpir.toml` blob; read leniently (an old file may hold
    sections this mcpir does not know, or be broken: then it authorizes no one)."""
    text = _text(data)
    if text is None:
        return AuditPolicy()
    from mcpir.core.documents import DocumentError, parse_toml

    try:
        section = parse_toml(text).data.get("audit")
    except DocumentError:
        return AuditPolicy()
    if not isinstance(section, dict):
        return AuditPolicy()
    authorized = section.get("authorized")
    names = (
        tuple(a for a in authorized if isinstance(a, str)) if isinstance(authorized, list) else ()
    )
    return AuditPolicy(
        authorized=names,
        require_signed=section.get("require_signed") is True,
        require_review=section.get("require_review") is True,
    )


def owners(data: bytes | str | None, rel: str | None = None) -> CodeOwners:
    """A CODEOWNERS blob; `rel`, where it was, tells the reasons that there was one."""
    text = _text(data)
    if text is None:
        return CodeOwners(None)
    return CodeOwners.read(text, Path(rel) if rel is not None else None)


def rules_at(blobs: dict[str, bytes | str], commit: str) -> Rules:
    """The rules at `commit`, from blobs asked for as `<commit>:<path>`."""
    found = CodeOwners(None)
    for rel in codeowners.LOCATIONS:  # GitHub reads the first that exists
        data = blobs.get(f"{commit}:{rel}")
        if isinstance(data, bytes):
            found = owners(data, rel)
            break
    return Rules(audit_policy(blobs.get(f"{commit}:{FILENAME}")), found)


@dataclass(frozen=True)
class PolicyChange:
    """What a commit changed in the authorization rules."""

    policy: str  # ".mcpir.toml [audit]" or the CODEOWNERS path
    change: str  # added | removed | changed
    fields: dict[str, dict[str, Any]]
    server: str | None = None  # not a server: kept for the shape every diff item shares

    def to_json(self) -> dict[str, Any]:
        from mcpir.core.redact import redact_value

        # Committed text, as anything else from history: a token pasted here is still masked.
        return {"policy": self.policy, "change": self.change, "fields": redact_value(self.fields)}

    def describe(self) -> str:
        added = [str(v) for f in self.fields.values() for v in f.get("added", [])]
        text = f"{self.policy} {self.change}"
        if not added:
            return text
        more = f" (+{len(added) - 3})" if len(added) > 3 else ""
        lead = ": " if self.change == "added" else ": now also "
        return text + lead + ", ".join(added[:3]) + more


def diff(path: str, before: bytes | str | None, after: bytes | str | None) -> list[PolicyChange]:
    if path == FILENAME:
        old, new = audit_policy(before), audit_policy(after)
        if old == new:
            return []
        fields: dict[str, dict[str, Any]] = {}
        if old.authorized != new.authorized:
            fields["authorized"] = {
                "before": list(old.authorized),
                "after": list(new.authorized),
                "added": sorted(set(new.authorized) - set(old.authorized)),
            }
        for name in ("require_signed", "require_review"):
            if getattr(old, name) != getattr(new, name):
                fields[name] = {"before": getattr(old, name), "after": getattr(new, name)}
        change = "added" if old == AuditPolicy() else "removed" if new == AuditPolicy() else (
            "changed")  # fmt: skip
        return [PolicyChange(f"{FILENAME} [audit]", change, fields)]
    old_rules = {f"{r.pattern} {' '.join(r.owners)}" for r in owners(before).rules}
    new_rules = {f"{r.pattern} {' '.join(r.owners)}" for r in owners(after).rules}
    if old_rules == new_rules:
        return []
    change = "added" if not old_rules else "removed" if not new_rules else "changed"
    rules = {"added": sorted(new_rules - old_rules), "removed": sorted(old_rules - new_rules)}
    return [PolicyChange(path, change, {"rules": rules})]
