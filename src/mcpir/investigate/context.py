"""What the detectors know before reading a transcript: which servers are suspect and why,
which descriptions the model was shown, and when MCP config files last changed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mcpir.config.project import Policy
from mcpir.core.model import Location, Severity
from mcpir.incident.store import TRAIL
from mcpir.investigate.detectors.base import Context, Description, Flag

if TYPE_CHECKING:
    from mcpir.investigate import InvestigateRequest

PINS = "tool-pins"


def build_context(request: InvestigateRequest, policy: Policy) -> Context:
    ctx = Context(since=request.since)
    for server, reason in request.flagged.items():
        _flag(ctx, server, Flag(Severity.HIGH, reason))
    if request.run_scan:
        _from_scan(ctx, request, policy)
    if request.scopes.root is not None:
        _from_pins(ctx, request.scopes.root / TRAIL / PINS)
    return ctx


def _flag(ctx: Context, server: str, flag: Flag) -> None:
    flags = ctx.flagged.setdefault(server, [])
    if flag not in flags:
        flags.append(flag)


def _from_scan(ctx: Context, request: InvestigateRequest, policy: Policy) -> None:
    from mcpir.scan.checks import CREDENTIAL_RULES
    from mcpir.scan.engine import ScanRequest, scan

    report = request.scan if request.scan is not None else scan(ScanRequest(request.scopes), policy)
    for finding in report.findings:
        if (
            finding.severity is Severity.HIGH
            and finding.server
            and finding.rule_id not in CREDENTIAL_RULES
        ):
            _flag(ctx, finding.server, Flag(Severity.HIGH, f"scan: {finding.rule_id}"))
    for config in report.files:
        for server in config.servers:
            if server.description:
                ctx.descriptions.append(
                    Description(server.name, None, server.description, server.location)
                )
        try:
            changed = datetime.fromtimestamp(config.path.stat().st_mtime, UTC)
        except OSError:
            continue
        ctx.config_changes.append((changed, Location(config.path)))


def _from_pins(ctx: Context, directory: Path) -> None:
    """`tool-pins/<server>.json`: the tool definitions a person approved (contract A)."""
    from mcpir.injection.detector import is_poisoned

    if not directory.is_dir() or directory.is_symlink():
        return
    for path in sorted(directory.glob("*.json")):
        try:
            data: Any = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            continue
        if not isinstance(data, dict) or not isinstance(data.get("tools"), list):
            continue
        server = str(data.get("server") or path.stem)
        for tool in data["tools"]:
            if not isinstance(tool, dict) or not isinstance(tool.get("description"), str):
                continue
            name = str(tool.get("name") or "?")
            ctx.descriptions.append(Description(server, name, tool["description"], Location(path)))
            if is_poisoned(tool["description"], tool=name):
                _flag(ctx, server, Flag(Severity.HIGH, f"pinned tool {name} instructs the model"))
