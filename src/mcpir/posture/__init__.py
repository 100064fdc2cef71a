"""`mcpir posture`: the security notes' monitoring checklist, evaluated for this repo and machine.

Contract (the incident document calls it): `evaluate(scopes, policy) -> list[PostureItem]`,
offline unless the caller opts into a provider check, and fast. Each item is `pass`, `fail` or
`unknown` (could not be judged; never a failure), with the evidence seen and the fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from mcpir.config.project import Policy
    from mcpir.core.paths import Scopes
    from mcpir.posture.branch import BranchProtection
    from mcpir.workspace import Workspace

ItemStatus = Literal["pass", "fail", "unknown"]


@dataclass(frozen=True)
class PostureItem:
    id: str
    title: str
    status: str  # ItemStatus: "pass" | "fail" | "unknown"
    evidence: str
    fix: str

    def to_json(self) -> dict[str, Any]:
        """Exactly `id, title, status, evidence, fix`."""
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "evidence": self.evidence,
            "fix": self.fix,
        }


def evaluate(
    scopes: Scopes,
    policy: Policy,
    *,
    branch_protection: BranchProtection | None = None,
    workspace: Workspace | None = None,
) -> list[PostureItem]:
    """Every checklist item, in order. `branch_protection` (opt-in) asks GitHub's API.
    `workspace`: the configs and tokens already found for `scopes` and `policy` (a playbook
    run's); without one, they are discovered here."""
    from mcpir.posture.items import evaluate_items

    return evaluate_items(scopes, policy, branch_protection, workspace)


__all__ = ["ItemStatus", "PostureItem", "evaluate"]
