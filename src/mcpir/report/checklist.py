"""The security notes' monitoring checklist, each item with its state.

`mcpir.posture.evaluate` (contract B) says pass / fail / unknown for each item when this mcpir
has it; otherwise every item is "unknown", never a pass it did not earn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mcpir.config.project import Policy
from mcpir.core.paths import Scopes

if TYPE_CHECKING:
    from mcpir.workspace import Workspace

# The notes' checklist, as items a posture check can settle.
DEFAULT_ITEMS: tuple[tuple[str, str, str], ...] = (
    ("token-age", "API tokens are rotated at least every 90 days", "mcpir tokens status"),
    (
        "config-review",
        "MCP config changes require code review (CODEOWNERS, branch protection)",
        "list .mcp.json and the other MCP config paths in CODEOWNERS",
    ),
    ("pinned-versions", "MCP server versions are pinned", "pin every package to an exact version"),
    ("official-images", "Server images come from official sources", "use mcp/ or ghcr.io/github/"),
    (
        "invocation-log",
        "MCP invocations are visible in the ATOM trail",
        "mcpir wrap --all (the audit proxy logs every call)",
    ),
    ("open-incidents", "No incident is left open", "finish or close open incidents"),
    ("training", "The team is trained on MCP risks", "mcpir posture ack training"),
)


def _unknown(why: str) -> list[dict[str, Any]]:
    return [
        {"id": item, "title": title, "status": "unknown", "evidence": why, "fix": fix}
        for item, title, fix in DEFAULT_ITEMS
    ]


def evaluate(
    scopes: Scopes, policy: Policy, workspace: Workspace | None = None
) -> list[dict[str, Any]]:
    """Each checklist item as `{id, title, status, evidence, fix}`; `workspace`, what the
    playbook run already found, spares the posture check a discovery of its own."""
    try:
        from mcpir import posture  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return _unknown("not evaluated: this mcpir has no posture check yet")
    try:
        items = posture.evaluate(scopes, policy, workspace=workspace)
        rows = [dict(item.to_json()) for item in items]
    except Exception as exc:  # noqa: BLE001 - another component's failure must not lose the document
        return _unknown(f"not evaluated: the posture check failed ({type(exc).__name__})")
    keys = ("id", "title", "status", "evidence", "fix")
    out = []
    for row in rows:
        status = row.get("status")
        row["status"] = status if status in {"pass", "fail", "unknown"} else "unknown"
        out.append({key: row.get(key) for key in keys})
    return out


def unevaluated() -> list[dict[str, Any]]:
    return _unknown("not evaluated: the document step has not run for this incident")
